"""Every write of the insights app: targets, surveys and their answers, the monthly digest."""

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kizuna.community.models import Event, Member
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.insights.metrics import METRICS_BY_KEY
from kizuna.insights.models import (
    DigestSend,
    KpiTarget,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
)
from kizuna.insights.periods import period_start
from kizuna.outreach.models import Purpose, Topic
from kizuna.outreach.services import Content, Recipient, delivery_enqueue, email_enqueue

SCORE_RANGES = {SurveyKind.NPS: (0, 10), SurveyKind.CES: (1, 7)}


def kpi_target_set(
    *, actor: Any, metric: str, interval: str, period: date, value: float
) -> KpiTarget:
    if metric not in METRICS_BY_KEY:
        raise ValidationError(_("Unknown KPI."))
    with transaction.atomic():
        target, _created = KpiTarget.objects.update_or_create(
            metric=metric,
            interval=interval,
            period_start=period_start(interval, period),
            defaults={"value": value, "updated_by": actor},
        )
        audit.record(actor=actor, action="kpi_target.set", obj=target, after={"value": value})
    return target


def survey_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    question: str,
    period_day: date,
    event: Event | None = None,
    free_text_questions: list[str] | None = None,
) -> Survey:
    with transaction.atomic():
        survey = Survey(
            kind=kind, title=title, question=question, event=event, period_day=period_day
        )
        survey.full_clean()
        survey.save()
        for position, text in enumerate(q for q in (free_text_questions or []) if q.strip()):
            SurveyQuestion.objects.create(survey=survey, text=text.strip(), position=position)
        audit.record(actor=actor, action="survey.created", obj=survey)
    return survey


def survey_invite(*, actor: Any, survey: Survey, members: list[Member]) -> int:
    """Give each member a personal link once; return how many new links were made."""
    with transaction.atomic():
        invited = set(survey.invitations.values_list("member_id", flat=True))
        new = [
            SurveyInvitation(
                survey=survey,
                member=member,
                token=secrets.token_urlsafe(32),
                email=_member_email(member),
            )
            for member in members
            if member.pk not in invited and member.erased_at is None and not member.is_bot
        ]
        SurveyInvitation.objects.bulk_create(new)
        audit.record(actor=actor, action="survey.invited", obj=survey, after={"new": len(new)})
    return len(new)


def _member_email(member: Member) -> str:
    identity = member.identities.exclude(email="").order_by("-verified", "id").first()
    return identity.email if identity else ""


def survey_send_invitations(*, survey: Survey, base_url: str) -> int:
    """Queue each unsent link once, as an outreach delivery; return how many were queued.

    The invitation is marked sent in the transaction that queues its delivery, so a link is
    queued once; whether it reached the person is on the delivery (a person who turned
    surveys off on their preferences page is skipped there).
    """
    queued = 0
    for invitation_id in (
        survey.invitations.filter(sent_at__isnull=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            claimed = SurveyInvitation.objects.filter(
                pk=invitation_id, sent_at__isnull=True
            ).update(sent_at=timezone.now())
            if not claimed:
                continue
            invitation = SurveyInvitation.objects.select_related("survey", "member").get(
                pk=invitation_id
            )
            link = base_url.rstrip("/") + reverse("insights:survey_answer", args=[invitation.token])
            recipient = Recipient(address=invitation.email, member=invitation.member)
            with translation.override(recipient.language or settings.LANGUAGE_CODE):
                body = render_to_string(
                    "insights/email/survey_invitation.txt",
                    {"survey": invitation.survey, "link": link},
                )
            delivery_enqueue(
                channel="email",
                recipient=recipient,
                purpose=Purpose.SERVICE,
                topic=Topic.SURVEYS,
                idempotency_key=f"insights.survey_invitation:{invitation.pk}",
                content=Content(invitation.survey.title, body),
            )
        queued += 1
    return queued


def survey_answer(
    *, token: str, score: int, free_text: dict[int, str] | None = None
) -> SurveyResponse:
    """Record the one answer a token allows. Raises ValidationError if used or out of range."""
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update().select_related("survey").get(token=token)
        )
        if invitation.answered_at is not None:
            raise ValidationError(_("This link has already been used."), code="used")
        low, high = SCORE_RANGES[SurveyKind(invitation.survey.kind)]
        if not low <= score <= high:
            raise ValidationError(
                _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high},
                code="out_of_range",
            )
        response = SurveyResponse.objects.create(
            survey=invitation.survey, invitation=invitation, score=score
        )
        questions = {q.pk: q for q in invitation.survey.questions.all()}
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(response=response, question=questions[pk], text=text.strip()[:2000])
                for pk, text in (free_text or {}).items()
                if pk in questions and text.strip()
            ]
        )
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["answered_at"])
        emit("survey.answered", {"survey_id": invitation.survey_id}, actor=None)
    return response


def digest_send(*, month: date, recipients: list[str], context: dict[str, Any]) -> bool:
    """Send the month's digest once; return False when it had already gone out."""
    with transaction.atomic():
        _record, created = DigestSend.objects.get_or_create(
            month=month, defaults={"recipients": len(recipients)}
        )
        if not created or not recipients:
            return False
        for to in sorted(set(recipients)):
            email_enqueue(
                to=to,
                topic=Topic.NOTICES,
                idempotency_key=f"insights.digest:{month.isoformat()}:{to}",
                template="insights/email/digest",
                context=context,
            )
    return True
