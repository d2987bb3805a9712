"""Verified reviews: only the merchant of a completed engagement, once; staff may hide one
(with a reason the partner sees); the partner may reply once, publicly."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.directory import permissions
from kizuna.directory.models import Assignment, AssignmentStatus, Review
from kizuna.partners.events import partner_ref


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _required(field: str, text: str) -> str:
    text = text.strip()
    if not text:
        raise _field_error(field, _("This field is required."), "required")
    return text


def review_publish(*, actor: Any, assignment: Assignment, rating: int, text: str) -> Review:
    if not permissions.can_review(actor, assignment):
        raise PermissionDenied
    if assignment.status != AssignmentStatus.COMPLETED:
        raise ValidationError(
            _("You can review a partner once the engagement is marked done."),
            code="not_completed",
        )
    if rating not in range(1, 6):
        raise _field_error("rating", _("Give a rating from 1 to 5."), "invalid_rating")
    text = _required("text", text)
    if Review.objects.filter(assignment=assignment).exists():
        raise ValidationError(_("You already reviewed this engagement."), code="already_reviewed")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                assignment=assignment,
                partner_id=assignment.partner_id,
                merchant=actor,
                rating=rating,
                text=text,
            )
            emit(
                "review.published",
                {"review_id": review.pk, **partner_ref(review.partner), "rating": rating},
                actor=actor,
            )
    except IntegrityError as error:  # a second submit raced the first
        raise ValidationError(
            _("You already reviewed this engagement."), code="already_reviewed"
        ) from error
    return review


def review_hide(*, actor: Any, review: Review, reason: str) -> Review:
    if not permissions.can_moderate(actor):
        raise PermissionDenied
    reason = _required("reason", reason)
    with transaction.atomic():
        review.hidden_at, review.hidden_reason, review.hidden_by = timezone.now(), reason, actor
        review.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        audit.record(actor=actor, action="review.hidden", obj=review, after={"reason": reason})
        emit(
            "review.hidden",
            {"review_id": review.pk, **partner_ref(review.partner), "reason": reason},
            actor=actor,
        )
    return review


def review_reply(*, actor: Any, review: Review, text: str) -> Review:
    if not permissions.can_reply(actor, review):
        raise PermissionDenied
    text = _required("reply", text)
    with transaction.atomic():
        now = timezone.now()
        if not Review.objects.filter(pk=review.pk, reply="").update(reply=text, replied_at=now):
            raise ValidationError(_("This review already has your reply."), code="already_replied")
        review.refresh_from_db()
        audit.record(actor=actor, action="review.replied", obj=review, after={"reply": text})
    return review
