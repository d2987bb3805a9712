"""The collaboration board: a partner posts what help it looks for (skills as badges,
prefecture, period); partners whose verified evidence matches answer privately. Nothing
of either's contact is shown until both agree: answering is the answerer's agreement, the
poster's agreement on one answer completes the exchange for that pair only. A post takes
answers until its expiry date (Japan time) or until its poster closes it.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core.transitions import transition
from kizuna.directory import permissions, snapshot
from kizuna.directory.models import (
    EntryBadge,
    HelpAnswer,
    HelpPost,
    HelpPostStatus,
    LeadPreferences,
)
from kizuna.partners.models import Badge, PartnerProfile

MAX_EXPIRY_DAYS = 90


def _error(field: str | None, message: str, code: str) -> ValidationError:
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: ValidationError(message, code=code)})


def help_post_create(
    *,
    actor: Any,
    partner: PartnerProfile,
    title: str,
    description: str,
    badges: list[Badge],
    prefecture: str,
    starts_on: date,
    ends_on: date,
    expires_on: date,
) -> HelpPost:
    if not permissions.is_partner_member(actor, partner):
        raise PermissionDenied
    today = timezone.localdate()
    if ends_on < starts_on:
        raise _error("ends_on", _("The period ends before it starts."), "invalid_period")
    if not today <= expires_on <= today + timedelta(days=MAX_EXPIRY_DAYS):
        raise _error(
            "expires_on",
            _("Take answers from today for at most %(days)s days.") % {"days": MAX_EXPIRY_DAYS},
            "invalid_expiry",
        )
    with transaction.atomic():
        post = HelpPost.objects.create(
            partner=partner,
            author=actor,
            title=title.strip(),
            description=description.strip(),
            prefecture=prefecture,
            starts_on=starts_on,
            ends_on=ends_on,
            expires_on=expires_on,
        )
        post.badges.set(badges)
    return post


def is_open(post: HelpPost) -> bool:
    return post.status == HelpPostStatus.OPEN and post.expires_on >= timezone.localdate()


def matches(post: HelpPost, partner: PartnerProfile) -> bool:
    """The partner's verified evidence covers one of the skills asked for, and it serves
    the prefecture (head office or a prefecture served) or works remotely."""
    if partner.pk == post.partner_id:
        return False
    codes = list(post.badges.values_list("code", flat=True))
    if codes and not EntryBadge.objects.filter(entry_id=partner.pk, code__in=codes).exists():
        return False
    if post.prefecture:
        index = snapshot.current()
        serving = index.with_any("prefecture", [post.prefecture])
        if not serving & index.ids_to_bits([partner.pk]):
            return LeadPreferences.objects.filter(partner=partner, works_remotely=True).exists()
    return True


def help_answer_create(
    *, actor: Any, post: HelpPost, partner: PartnerProfile, message: str
) -> HelpAnswer:
    if not permissions.is_partner_member(actor, partner):
        raise PermissionDenied
    if not is_open(post):
        raise _error(None, _("This post no longer takes answers."), "post_closed")
    if not matches(post, partner):
        raise _error(
            None, _("Your verified evidence does not match what this post asks for."), "no_match"
        )
    message = message.strip()
    if not message:
        raise _error("message", _("Write your answer."), "required")
    try:
        with transaction.atomic():
            return HelpAnswer.objects.create(
                post=post, partner=partner, author=actor, message=message
            )
    except IntegrityError as error:
        raise _error(None, _("You already answered this post."), "already_answered") from error


def help_answer_agree(*, actor: Any, answer: HelpAnswer) -> HelpAnswer:
    """The poster agrees: both partners now see each other's contact."""
    if not permissions.is_partner_member(actor, answer.post.partner):
        raise PermissionDenied
    with transaction.atomic():
        pending = HelpAnswer.objects.filter(pk=answer.pk, poster_agreed_at__isnull=True)
        if not pending.update(poster_agreed_at=timezone.now()):
            raise _error(None, _("You already agreed."), "already_agreed")
        answer.refresh_from_db()
    return answer


def help_post_close(*, actor: Any, post: HelpPost) -> HelpPost:
    if not permissions.is_partner_member(actor, post.partner):
        raise PermissionDenied
    with transaction.atomic():
        transition(
            HelpPost,
            post.pk,
            from_states=HelpPostStatus.OPEN,
            to_state=HelpPostStatus.CLOSED,
            refused=_error(None, _("This post is already closed."), "post_closed"),
            closed_at=timezone.now(),
        )
        post.refresh_from_db()
    return post
