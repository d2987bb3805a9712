"""Achievements: a partner submits one privately with evidence; staff verify, reject or ask.

A verification re-syncs the partner's earned badges in the same transaction.
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.text import normalize_ja
from kizuna.partners.events import partner_ref
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    AchievementStatus,
    Badge,
    Evidence,
    PartnerProfile,
    ReviewDecision,
)
from kizuna.partners.services.badges import badge_awards_sync
from kizuna.partners.services.validation import field_error, require_reason


def sanitize_summary(text: str) -> str:
    """Plain text only: tags, e-mail addresses and URLs removed, whitespace tidied."""
    text = strip_tags(text)
    text = re.sub(r"\S+@\S+", "", text)
    text = re.sub(r"https?://\S+", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def achievement_search_text(achievement: Achievement) -> str:
    return normalize_ja(f"{achievement.title} {achievement.description} {achievement.industry}")


def _claimable(badges: Iterable[Badge]) -> list[Badge]:
    badges = list(badges)
    if not badges:
        raise field_error("badges", _("Claim at least one badge."), "no_badge")
    retired = [b.name for b in badges if b.is_retired]
    if retired:
        names = ", ".join(retired)
        raise field_error(
            "badges", _("These badges are retired: %(names)s") % {"names": names}, "retired_badge"
        )
    return badges


def achievement_submit(
    *,
    actor: Any,
    partner: PartnerProfile,
    title: str,
    description: str,
    badges: Iterable[Badge],
    completed_on: date,
    industry: str = "",
    site_url: str = "",
    client_may_be_named: bool = False,
    evidence_links: Sequence[str] = (),
    evidence_files: Sequence[UploadedFile] = (),
) -> Achievement:
    claimed = _claimable(badges)
    if completed_on > timezone.localdate():
        raise field_error("completed_on", _("The completion date is in the future."), "future_date")
    if not evidence_links and not evidence_files:
        raise ValidationError(
            _("Add at least one piece of evidence: a file or a link."), code="no_evidence"
        )
    with transaction.atomic():
        achievement = Achievement(
            partner=partner,
            title=title,
            description=description,
            completed_on=completed_on,
            industry=industry,
            site_url=site_url,
            client_may_be_named=client_may_be_named,
            submitted_by=actor,
        )
        achievement.search_text = achievement_search_text(achievement)
        achievement.save()
        achievement.badges.set(claimed)
        for url in evidence_links:
            Evidence.objects.create(achievement=achievement, url=url, added_by=actor)
        for upload in evidence_files:
            Evidence.objects.create(achievement=achievement, file=upload, added_by=actor)
        audit.record(
            actor=actor,
            action="achievement.submitted",
            obj=achievement,
            after={"title": title, "badges": sorted(b.code for b in claimed)},
        )
        emit(
            "achievement.submitted",
            {"achievement_id": achievement.pk, **partner_ref(partner)},
            actor=actor,
        )
    return achievement


def achievement_add_evidence(
    *,
    actor: Any,
    achievement: Achievement,
    url: str = "",
    file: UploadedFile | None = None,
    note: str = "",
) -> Evidence:
    if not url and file is None:
        raise ValidationError(_("Add a file or a link."), code="no_evidence")
    with transaction.atomic():
        evidence = Evidence.objects.create(
            achievement=achievement, url=url, file=file or "", note=note, added_by=actor
        )
        audit.record(
            actor=actor,
            action="achievement.evidence_added",
            obj=achievement,
            after={"evidence_id": evidence.pk},
        )
    return evidence


_PENDING = (AchievementStatus.SUBMITTED, AchievementStatus.NEEDS_INFO)


def _decide(
    *,
    actor: Any,
    achievement: Achievement,
    status: str,
    decision: str,
    reason: str,
    allowed_from: Sequence[str],
) -> Achievement:
    if achievement.status not in allowed_from:
        raise ValidationError(
            _("This achievement is %(status)s; that decision no longer applies.")
            % {"status": achievement.get_status_display()},
            code="wrong_status",
        )
    before = audit.snapshot(achievement, ["status"])
    achievement.status = status
    if status == AchievementStatus.VERIFIED:
        achievement.verified_at = timezone.now()
    achievement.save(update_fields=["status", "verified_at", "updated_at"])
    AchievementReview.objects.create(
        achievement=achievement, decision=decision, reason=reason, actor=actor
    )
    audit.record(
        actor=actor,
        action=f"achievement.{decision}",
        obj=achievement,
        before=before,
        after={"status": status, "reason": reason},
    )
    return achievement


def achievement_verify(*, actor: Any, achievement: Achievement, note: str = "") -> Achievement:
    with transaction.atomic():
        _decide(
            actor=actor,
            achievement=achievement,
            status=AchievementStatus.VERIFIED,
            decision=ReviewDecision.VERIFIED,
            reason=note.strip(),
            allowed_from=_PENDING,
        )
        emit(
            "achievement.verified",
            {"achievement_id": achievement.pk, **partner_ref(achievement.partner)},
            actor=actor,
        )
        badge_awards_sync(partner=achievement.partner)
    return achievement


def achievement_reject(*, actor: Any, achievement: Achievement, reason: str) -> Achievement:
    reason = require_reason(reason)
    with transaction.atomic():
        _decide(
            actor=actor,
            achievement=achievement,
            status=AchievementStatus.REJECTED,
            decision=ReviewDecision.REJECTED,
            reason=reason,
            allowed_from=_PENDING,
        )
        emit(
            "achievement.rejected",
            {
                "achievement_id": achievement.pk,
                **partner_ref(achievement.partner),
                "reason": reason,
            },
            actor=actor,
        )
    return achievement


def achievement_request_info(*, actor: Any, achievement: Achievement, reason: str) -> Achievement:
    reason = require_reason(reason)
    with transaction.atomic():
        return _decide(
            actor=actor,
            achievement=achievement,
            status=AchievementStatus.NEEDS_INFO,
            decision=ReviewDecision.INFO_REQUESTED,
            reason=reason,
            allowed_from=[AchievementStatus.SUBMITTED],
        )


def achievement_resubmit(*, actor: Any, achievement: Achievement, note: str) -> Achievement:
    """The partner answers a request for information; the achievement goes back in the queue."""
    with transaction.atomic():
        return _decide(
            actor=actor,
            achievement=achievement,
            status=AchievementStatus.SUBMITTED,
            decision=ReviewDecision.RESUBMITTED,
            reason=note.strip(),
            allowed_from=[AchievementStatus.NEEDS_INFO],
        )


def achievement_publish_summary(
    *, actor: Any, achievement: Achievement, public_summary: str, publish: bool
) -> Achievement:
    summary = sanitize_summary(public_summary)
    if publish and achievement.status != AchievementStatus.VERIFIED:
        raise ValidationError(
            _("Only a verified achievement can have a public summary."), code="not_verified"
        )
    if publish and not summary:
        raise field_error("public_summary", _("Write the summary to publish."), "empty_summary")
    with transaction.atomic():
        before = audit.snapshot(achievement, ["public_summary", "summary_published"])
        achievement.public_summary = summary
        achievement.summary_published = publish
        achievement.save(update_fields=["public_summary", "summary_published", "updated_at"])
        audit.record(
            actor=actor,
            action="achievement.summary_changed",
            obj=achievement,
            before=before,
            after=audit.snapshot(achievement, ["public_summary", "summary_published"]),
        )
        emit(
            "achievement.summary_changed",
            {"achievement_id": achievement.pk, **partner_ref(achievement.partner)},
            actor=actor,
        )
    return achievement
