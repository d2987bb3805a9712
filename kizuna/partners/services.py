"""Every write of the partner program goes through here (DESIGN.md, rules of the house).

The seam for the community app is `contribution_record`: when an activity of a member
affiliated with a partner is worth points, community code calls it with its own `source`
and the activity's id as `external_id`; calling it twice for one activity adds nothing.
"""

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization, User
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.text import normalize_ja
from kizuna.partners import notices
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    AchievementStatus,
    Badge,
    BadgeAward,
    Contribution,
    ContributionKind,
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistRequestStatus,
    Evidence,
    NominationStatus,
    PartnerProfile,
    Rank,
    RankChange,
    ReviewDecision,
)

PROFILE_FIELDS = [
    "name_kana",
    "logo",
    "summary",
    "summary_en",
    "description",
    "description_en",
    "website",
    "head_office_prefecture",
    "service_prefectures",
    "languages",
    "team_size",
    "budget_min",
    "budget_max",
    "accepting_new_clients",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """A form-friendly error that also keeps its machine code (for the API)."""
    return ValidationError({field: ValidationError(message, code=code)})


# Partner profiles


def _profile_snapshot(profile: PartnerProfile) -> dict[str, Any]:
    # A file field is recorded by its stored name.
    fields = [name for name in PROFILE_FIELDS if name != "logo"]
    return {**audit.snapshot(profile, fields), "logo": profile.logo.name or ""}


def _profile_search_text(profile: PartnerProfile) -> str:
    parts = [
        profile.organization.name,
        profile.name_kana,
        profile.summary,
        profile.summary_en,
        profile.description,
        profile.description_en,
    ]
    return normalize_ja(" ".join(part for part in parts if part))


def _check_budget(budget_min: int | None, budget_max: int | None) -> None:
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        raise _field_error(
            "budget_max", _("The maximum budget must not be below the minimum."), "budget_order"
        )


def partner_create(*, actor: Any, organization: Organization, **fields: Any) -> PartnerProfile:
    _check_budget(fields.get("budget_min"), fields.get("budget_max"))
    with transaction.atomic():
        profile = PartnerProfile(
            organization=organization, owner_reviewed_at=timezone.now(), **fields
        )
        profile.search_text = _profile_search_text(profile)
        profile.save()
        audit.record(
            actor=actor, action="partner.created", obj=profile, after=_profile_snapshot(profile)
        )
        emit(
            "partner.created",
            {
                "partner_id": profile.pk,
                "organization_id": organization.pk,
                "slug": organization.slug,
            },
            actor=actor,
        )
    return profile


def partner_update(
    *, actor: Any, partner: PartnerProfile, by_owner: bool, **changes: Any
) -> PartnerProfile:
    """Change profile fields. An edit by the owner also counts as the owner's yearly review."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    merged = {**{f: getattr(partner, f) for f in ("budget_min", "budget_max")}, **changes}
    _check_budget(merged["budget_min"], merged["budget_max"])
    with transaction.atomic():
        before = _profile_snapshot(partner)
        for name, value in changes.items():
            setattr(partner, name, value)
        if by_owner:
            partner.owner_reviewed_at = timezone.now()
            partner.stale_since = None
        partner.search_text = _profile_search_text(partner)
        partner.save()
        old, new = audit.changed_fields(before, _profile_snapshot(partner))
        audit.record(actor=actor, action="partner.updated", obj=partner, before=old, after=new)
        emit(
            "partner.updated",
            {"partner_id": partner.pk, "slug": partner.slug, "fields": sorted(new)},
            actor=actor,
        )
    return partner


def partner_confirm_reviewed(*, actor: Any, partner: PartnerProfile) -> PartnerProfile:
    """The owner looked at the profile and it is still right: it is no longer stale."""
    with transaction.atomic():
        partner.owner_reviewed_at = timezone.now()
        partner.stale_since = None
        partner.save(update_fields=["owner_reviewed_at", "stale_since", "updated_at"])
        audit.record(actor=actor, action="partner.reviewed_by_owner", obj=partner)
        emit(
            "partner.updated",
            {"partner_id": partner.pk, "slug": partner.slug, "fields": ["stale_since"]},
            actor=actor,
        )
    return partner


def partners_flag_stale(*, now: datetime | None = None) -> int:
    """Flag profiles their owners have not reviewed within the limit; notify each once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KIZUNA_PROFILE_STALE_AFTER_DAYS)
    with transaction.atomic():
        newly_stale = list(
            PartnerProfile.objects.select_for_update()
            .filter(stale_since__isnull=True, owner_reviewed_at__lt=cutoff)
            .select_related("organization")
        )
        PartnerProfile.objects.filter(pk__in=[p.pk for p in newly_stale]).update(stale_since=now)
        for profile in newly_stale:
            emit(
                "partner.updated",
                {"partner_id": profile.pk, "slug": profile.slug, "fields": ["stale_since"]},
            )
        if newly_stale:
            transaction.on_commit(lambda: notices.profiles_stale(newly_stale), robust=True)
    return len(newly_stale)


# Badge catalog


def badge_create(*, actor: Any, code: str, family: str, name_ja: str, name_en: str) -> Badge:
    with transaction.atomic():
        if Badge.objects.filter(code=code).exists():
            raise _field_error("code", _("A badge with this code exists."), "duplicate")
        position = (Badge.objects.filter(family=family).aggregate(m=Max("position"))["m"] or 0) + 1
        badge = Badge.objects.create(
            code=code, family=family, name_ja=name_ja, name_en=name_en, position=position
        )
        audit.record(
            actor=actor,
            action="badge.created",
            obj=badge,
            after=audit.snapshot(badge, ["code", "family", "name_ja", "name_en"]),
        )
    return badge


def badge_rename(*, actor: Any, badge: Badge, name_ja: str, name_en: str) -> Badge:
    with transaction.atomic():
        before = audit.snapshot(badge, ["name_ja", "name_en"])
        badge.name_ja, badge.name_en = name_ja, name_en
        badge.save(update_fields=["name_ja", "name_en"])
        audit.record(
            actor=actor,
            action="badge.renamed",
            obj=badge,
            before=before,
            after=audit.snapshot(badge, ["name_ja", "name_en"]),
        )
    return badge


def badge_retire(*, actor: Any, badge: Badge) -> Badge:
    """A retired badge can no longer be claimed; badges already awarded keep showing."""
    with transaction.atomic():
        if badge.retired_at is None:
            badge.retired_at = timezone.now()
            badge.save(update_fields=["retired_at"])
            audit.record(actor=actor, action="badge.retired", obj=badge)
    return badge


def badge_delete(*, actor: Any, badge: Badge) -> None:
    """Only a badge nobody has claimed or been awarded may go; others are retired instead."""
    with transaction.atomic():
        if badge.awards.exists() or badge.achievements.exists():
            raise ValidationError(
                _("This badge has been claimed or awarded; retire it instead of deleting it."),
                code="badge_in_use",
            )
        audit.record(
            actor=actor,
            action="badge.deleted",
            obj=badge,
            before=audit.snapshot(badge, ["code", "name_ja", "name_en"]),
        )
        badge.delete()


# Achievements


def sanitize_summary(text: str) -> str:
    """Plain text only: tags, e-mail addresses and URLs removed, whitespace tidied."""
    text = strip_tags(text)
    text = re.sub(r"\S+@\S+", "", text)
    text = re.sub(r"https?://\S+", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _achievement_search_text(achievement: Achievement) -> str:
    return normalize_ja(f"{achievement.title} {achievement.description} {achievement.industry}")


def _claimable(badges: Iterable[Badge]) -> list[Badge]:
    badges = list(badges)
    if not badges:
        raise _field_error("badges", _("Claim at least one badge."), "no_badge")
    retired = [b.name for b in badges if b.is_retired]
    if retired:
        names = ", ".join(retired)
        raise _field_error(
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
        raise _field_error(
            "completed_on", _("The completion date is in the future."), "future_date"
        )
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
        achievement.search_text = _achievement_search_text(achievement)
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
            {"achievement_id": achievement.pk, "partner_id": partner.pk},
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


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise _field_error(
            "reason", _("Give a reason; the partner will read it."), "reason_required"
        )
    return reason


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
            {"achievement_id": achievement.pk, "partner_id": achievement.partner_id},
            actor=actor,
        )
        badge_awards_sync(partner=achievement.partner)
    return achievement


def achievement_reject(*, actor: Any, achievement: Achievement, reason: str) -> Achievement:
    reason = _require_reason(reason)
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
                "partner_id": achievement.partner_id,
                "reason": reason,
            },
            actor=actor,
        )
    return achievement


def achievement_request_info(*, actor: Any, achievement: Achievement, reason: str) -> Achievement:
    reason = _require_reason(reason)
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
        raise _field_error("public_summary", _("Write the summary to publish."), "empty_summary")
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
            {"achievement_id": achievement.pk, "partner_id": achievement.partner_id},
            actor=actor,
        )
    return achievement


# Badges earned from verified achievements


def badge_level_for(count: int) -> int:
    """0 (no badge), or 1/2/3 for badge/silver/gold by the configured thresholds."""
    return sum(1 for threshold in settings.KIZUNA_BADGE_LEVEL_THRESHOLDS if count >= threshold)


def badge_window_start(today: date) -> date:
    return today - timedelta(days=settings.KIZUNA_BADGE_WINDOW_DAYS)


def _verified_counts(partner: PartnerProfile | None, today: date) -> dict[tuple[int, int], Any]:
    claims = Achievement.badges.through.objects.filter(
        achievement__status=AchievementStatus.VERIFIED,
        achievement__completed_on__gte=badge_window_start(today),
    )
    if partner is not None:
        claims = claims.filter(achievement__partner=partner)
    rows = claims.values("achievement__partner_id", "badge_id").annotate(
        n=Count("achievement_id"), last=Max("achievement__verified_at")
    )
    return {(r["achievement__partner_id"], r["badge_id"]): r for r in rows}


def badge_awards_sync(
    *, partner: PartnerProfile | None = None, now: datetime | None = None
) -> dict:
    """Bring awarded badges in line with verified achievements inside the recency window.

    Awards, level changes and lapses all happen here, for one partner (after a review) or
    for all (the daily job). Running it twice changes nothing the second time.
    """
    now = now or timezone.now()
    counts = _verified_counts(partner, timezone.localdate(now))
    awards = BadgeAward.objects.select_related("partner__organization", "badge")
    if partner is not None:
        awards = awards.filter(partner=partner)
    # Active awards may lapse or change level; lapsed ones may come back.
    revivable = {badge_id for _partner_id, badge_id in counts}
    existing = {
        (a.partner_id, a.badge_id): a
        for a in awards.filter(Q(lapsed_at__isnull=True) | Q(badge_id__in=revivable))
    }
    result = {"awarded": 0, "changed": 0, "lapsed": 0}
    lapsed: list[BadgeAward] = []
    with transaction.atomic():
        for key, row in counts.items():
            level = badge_level_for(row["n"])
            award = existing.get(key)
            if level == 0:
                continue
            if award is None or award.lapsed_at is not None:
                award = _award(award, key, level, row, now)
                result["awarded"] += 1
            elif (award.level, award.evidence_count, award.last_verified_at) != (
                level,
                row["n"],
                row["last"],
            ):
                raised = level > award.level
                result["changed"] += level != award.level
                award.level, award.evidence_count, award.last_verified_at = (
                    level,
                    row["n"],
                    row["last"],
                )
                award.save(update_fields=["level", "evidence_count", "last_verified_at"])
                if raised:
                    _emit_award(award, "badge.awarded")
        for key, award in existing.items():
            if award.lapsed_at is None and badge_level_for(counts.get(key, {}).get("n", 0)) == 0:
                award.lapsed_at, award.evidence_count = now, 0
                award.save(update_fields=["lapsed_at", "evidence_count"])
                _emit_award(award, "badge.lapsed")
                lapsed.append(award)
        result["lapsed"] = len(lapsed)
        if lapsed:
            transaction.on_commit(lambda: notices.badges_lapsed(lapsed), robust=True)
    return result


def _award(
    award: BadgeAward | None, key: tuple[int, int], level: int, row: dict, now: datetime
) -> BadgeAward:
    if award is None:
        award = BadgeAward(partner_id=key[0], badge_id=key[1])
    award.level, award.evidence_count, award.last_verified_at = level, row["n"], row["last"]
    award.awarded_at, award.lapsed_at = now, None
    award.save()
    _emit_award(award, "badge.awarded")
    return award


def _emit_award(award: BadgeAward, event_type: str) -> None:
    emit(
        event_type,
        {
            "partner_id": award.partner_id,
            "badge_id": award.badge_id,
            "badge_code": award.badge.code,
            "level": award.level,
            "evidence_count": award.evidence_count,
        },
    )


# Contribution points and rank


def contribution_kind_create(
    *, actor: Any, code: str, name_ja: str, name_en: str, points: int
) -> ContributionKind:
    with transaction.atomic():
        if ContributionKind.objects.filter(code=code).exists():
            raise _field_error("code", _("A kind with this code exists."), "duplicate")
        position = (ContributionKind.objects.aggregate(m=Max("position"))["m"] or 0) + 1
        kind = ContributionKind.objects.create(
            code=code, name_ja=name_ja, name_en=name_en, points=points, position=position
        )
        audit.record(
            actor=actor,
            action="contribution_kind.created",
            obj=kind,
            after=audit.snapshot(kind, ["code", "name_ja", "name_en", "points"]),
        )
    return kind


def contribution_kind_set_points(
    *, actor: Any, kind: ContributionKind, points: int
) -> ContributionKind:
    """New points apply to contributions recorded from now on; past ones keep theirs."""
    with transaction.atomic():
        before = audit.snapshot(kind, ["points"])
        kind.points = points
        kind.save(update_fields=["points"])
        audit.record(
            actor=actor,
            action="contribution_kind.points_changed",
            obj=kind,
            before=before,
            after=audit.snapshot(kind, ["points"]),
        )
    return kind


def contribution_record(
    *,
    partner: PartnerProfile,
    kind: str,
    occurred_on: date,
    source: str,
    external_id: str,
    points: int | None = None,
    note: str = "",
    actor: Any = None,
) -> tuple[Contribution, bool]:
    """Add points to a partner, once per (source, external_id); return (row, created).

    `kind` is a ContributionKind code; `points` defaults to that kind's value in the points
    table. Sources in use: "staff", "import", and the community app's own name.
    A promotion this earns happens at once; a demotion never happens here.
    """
    contribution_kind = ContributionKind.objects.filter(code=kind).first()
    if contribution_kind is None:
        raise _field_error(
            "kind", _("Unknown contribution kind: %(kind)s") % {"kind": kind}, "unknown_kind"
        )
    with transaction.atomic():
        contribution, created = Contribution.objects.get_or_create(
            source=source,
            external_id=external_id,
            defaults={
                "partner": partner,
                "kind": contribution_kind,
                "points": contribution_kind.points if points is None else points,
                "occurred_on": occurred_on,
                "note": note,
                "recorded_by": actor,
            },
        )
        if created:
            if actor is not None:
                audit.record(
                    actor=actor,
                    action="contribution.recorded",
                    obj=partner,
                    after={
                        "kind": kind,
                        "points": contribution.points,
                        "occurred_on": occurred_on.isoformat(),
                        "note": note,
                    },
                )
            partner_rank_promote(partner=partner)
    return contribution, created


def rank_for_points(points: int) -> str:
    ladder = list(Rank)
    reached = sum(1 for threshold in settings.KIZUNA_RANK_THRESHOLDS if points >= threshold)
    return ladder[min(reached, len(ladder) - 1)].value


def rank_order(rank: str) -> int:
    return [r.value for r in Rank].index(rank)


def rank_window_start(today: date) -> date:
    return today - timedelta(days=settings.KIZUNA_RANK_WINDOW_DAYS)


def rolling_points(partner: PartnerProfile, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return (
        partner.contributions.filter(
            occurred_on__gt=rank_window_start(today), occurred_on__lte=today
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )


def _change_rank(partner: PartnerProfile, to_rank: str, points: int) -> None:
    RankChange.objects.create(
        partner=partner, from_rank=partner.rank, to_rank=to_rank, points=points
    )
    emit(
        "rank.changed",
        {"partner_id": partner.pk, "from": partner.rank, "to": to_rank, "points": points},
    )
    partner.rank = to_rank
    partner.demotion_noticed_at = None


def partner_rank_promote(*, partner: PartnerProfile, today: date | None = None) -> PartnerProfile:
    """Refresh the rolling points; promote at once if they reach a higher rank."""
    with transaction.atomic():
        points = rolling_points(partner, today)
        target = rank_for_points(points)
        partner.rank_points = points
        if rank_order(target) > rank_order(partner.rank):
            _change_rank(partner, target, points)
        if rank_order(target) >= rank_order(partner.rank):
            partner.demotion_noticed_at = None
        partner.save(update_fields=["rank", "rank_points", "demotion_noticed_at", "updated_at"])
    return partner


def ranks_review(*, now: datetime | None = None) -> dict:
    """The scheduled rank review: promote, give notice of a coming demotion, or demote.

    A partner whose points fall below its rank is told first; only if they are still below
    after the grace period does a later review demote it. Recovering in time cancels it.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    grace = timedelta(days=settings.KIZUNA_RANK_GRACE_DAYS)
    points_by_partner = dict(
        Contribution.objects.filter(
            occurred_on__gt=rank_window_start(today), occurred_on__lte=today
        )
        .values_list("partner_id")
        .annotate(total=Sum("points"))
    )
    result = {"promoted": 0, "noticed": 0, "demoted": 0}
    noticed: list[PartnerProfile] = []
    demoted: list[PartnerProfile] = []
    candidates = PartnerProfile.objects.select_for_update().filter(
        Q(pk__in=list(points_by_partner)) | ~Q(rank=Rank.MEMBER) | ~Q(rank_points=0)
    )
    with transaction.atomic():
        for partner in candidates.select_related("organization"):
            points = points_by_partner.get(partner.pk, 0)
            target = rank_for_points(points)
            partner.rank_points = points
            if rank_order(target) > rank_order(partner.rank):
                _change_rank(partner, target, points)
                result["promoted"] += 1
            elif rank_order(target) == rank_order(partner.rank):
                partner.demotion_noticed_at = None
            elif partner.demotion_noticed_at is None:
                partner.demotion_noticed_at = now
                noticed.append(partner)
            elif now - partner.demotion_noticed_at >= grace:
                _change_rank(partner, target, points)
                demoted.append(partner)
            partner.save(update_fields=["rank", "rank_points", "demotion_noticed_at", "updated_at"])
        result["noticed"], result["demoted"] = len(noticed), len(demoted)
        if noticed or demoted:
            transaction.on_commit(lambda: notices.ranks_reviewed(noticed, demoted), robust=True)
    return result


# Evangelists


def _clean_links(links: Iterable[str]) -> list[str]:
    return [link.strip() for link in links if link.strip()]


def nomination_submit(
    *,
    actor: Any,
    statement: str,
    links: Iterable[str] = (),
    nominee_name: str = "",
    nominee_email: str = "",
    self_nomination: bool = False,
) -> EvangelistNomination:
    if self_nomination:
        nominee_name, nominee_email = str(actor), actor.email
    if not nominee_name or not nominee_email:
        raise ValidationError(_("Say whom you nominate: name and email."), code="no_nominee")
    nominee = actor if self_nomination else User.objects.filter(email=nominee_email.lower()).first()
    with transaction.atomic():
        nomination = EvangelistNomination.objects.create(
            nominated_by=actor,
            nominee=nominee,
            nominee_name=nominee_name,
            nominee_email=nominee_email.lower(),
            statement=statement,
            links=_clean_links(links),
        )
        emit("evangelist.nominated", {"nomination_id": nomination.pk}, actor=actor)
    return nomination


def _check_term(term_start: date, term_end: date) -> None:
    if term_end < term_start:
        raise _field_error("term_end", _("The term must end after it starts."), "term_order")


def nomination_accept(
    *,
    actor: Any,
    nomination: EvangelistNomination,
    term_start: date,
    term_end: date,
    reason: str = "",
) -> Evangelist:
    _check_term(term_start, term_end)
    with transaction.atomic():
        _decide_nomination(actor, nomination, NominationStatus.ACCEPTED, reason)
        evangelist = Evangelist(
            user=nomination.nominee,
            name=nomination.nominee_name,
            email=nomination.nominee_email,
            bio=nomination.statement,
            links=nomination.links,
            term_start=term_start,
            term_end=term_end,
            nomination=nomination,
            appointed_by=actor,
        )
        _save_evangelist(actor, evangelist)
    return evangelist


def nomination_decline(
    *, actor: Any, nomination: EvangelistNomination, reason: str
) -> EvangelistNomination:
    reason = _require_reason(reason)
    with transaction.atomic():
        _decide_nomination(actor, nomination, NominationStatus.DECLINED, reason)
    return nomination


def _decide_nomination(
    actor: Any, nomination: EvangelistNomination, status: str, reason: str
) -> None:
    if nomination.status != NominationStatus.PENDING:
        raise ValidationError(_("This nomination has already been decided."), code="decided")
    nomination.status, nomination.decision_reason = status, reason
    nomination.decided_by, nomination.decided_at = actor, timezone.now()
    nomination.save()
    audit.record(
        actor=actor,
        action=f"evangelist_nomination.{status}",
        obj=nomination,
        after={"status": status, "reason": reason},
    )


def evangelist_appoint(
    *,
    actor: Any,
    name: str,
    email: str,
    term_start: date,
    term_end: date,
    bio: str = "",
    links: Iterable[str] = (),
) -> Evangelist:
    """Staff appoint someone directly, without a nomination."""
    _check_term(term_start, term_end)
    with transaction.atomic():
        evangelist = Evangelist(
            user=User.objects.filter(email=email.lower()).first(),
            name=name,
            email=email.lower(),
            bio=bio,
            links=_clean_links(links),
            term_start=term_start,
            term_end=term_end,
            appointed_by=actor,
        )
        _save_evangelist(actor, evangelist)
    return evangelist


def _save_evangelist(actor: Any, evangelist: Evangelist) -> None:
    evangelist.search_text = normalize_ja(f"{evangelist.name} {evangelist.bio}")
    evangelist.save()
    audit.record(
        actor=actor,
        action="evangelist.appointed",
        obj=evangelist,
        after=audit.snapshot(evangelist, ["name", "email", "term_start", "term_end"]),
    )
    emit(
        "evangelist.accepted",
        {
            "evangelist_id": evangelist.pk,
            "user_id": evangelist.user_id,
            "term_start": evangelist.term_start,
            "term_end": evangelist.term_end,
        },
        actor=actor,
    )


def evangelist_request_submit(
    *,
    actor: Any,
    group_name: str,
    event_title: str,
    event_date: date,
    location: str,
    message: str = "",
) -> EvangelistRequest:
    with transaction.atomic():
        request = EvangelistRequest.objects.create(
            requested_by=actor,
            group_name=group_name,
            event_title=event_title,
            event_date=event_date,
            location=location,
            message=message,
        )
        emit("evangelist_request.submitted", {"request_id": request.pk}, actor=actor)
    return request


def evangelist_request_route(
    *, actor: Any, request: EvangelistRequest, evangelist: Evangelist
) -> EvangelistRequest:
    if request.status == EvangelistRequestStatus.ACCEPTED:
        raise ValidationError(_("An evangelist already accepted this request."), code="decided")
    with transaction.atomic():
        request.evangelist, request.status = evangelist, EvangelistRequestStatus.ROUTED
        request.response_note = ""
        request.save()
        audit.record(
            actor=actor,
            action="evangelist_request.routed",
            obj=request,
            after={"evangelist_id": evangelist.pk},
        )
        transaction.on_commit(lambda: notices.evangelist_request_routed(request), robust=True)
    return request


def evangelist_request_respond(
    *, actor: Any, request: EvangelistRequest, accept: bool, note: str = ""
) -> EvangelistRequest:
    if request.status != EvangelistRequestStatus.ROUTED:
        raise ValidationError(_("This request is not waiting for your answer."), code="not_routed")
    with transaction.atomic():
        request.status = (
            EvangelistRequestStatus.ACCEPTED if accept else EvangelistRequestStatus.DECLINED
        )
        request.response_note = note.strip()
        request.save()
        audit.record(
            actor=actor,
            action=f"evangelist_request.{request.status}",
            obj=request,
            after={"note": request.response_note},
        )
    return request


# Carry-over of the old program


def partner_import(*, line: Any) -> str:
    """Create or update one partner from an import line (see importing.ImportLine).

    Idempotent on the external ids of the partner and its achievements; points are keyed
    on their content, so importing the same file twice adds nothing. Returns "created" or
    "updated"; raises ValidationError (and stores nothing of the line) when it cannot apply.
    """
    codes = {code for a in line.achievements for code in (*a.work_badges, *a.site_badges)}
    badges = {b.code: b for b in Badge.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(badges))
    if unknown:
        raise ValidationError(
            _("Unknown badge codes: %(codes)s") % {"codes": ", ".join(unknown)},
            code="unknown_badge",
        )
    with transaction.atomic():
        partner = (
            PartnerProfile.objects.select_related("organization")
            .filter(external_id=line.external_id)
            .first()
        )
        fields = {
            "name_kana": line.name_kana,
            "summary": line.summary,
            "description": line.description,
            "website": line.website,
            "head_office_prefecture": line.prefecture,
            "service_prefectures": line.service_prefectures,
            "languages": line.languages,
            "team_size": line.team_size,
            "budget_min": line.budget_min,
            "budget_max": line.budget_max,
            "accepting_new_clients": line.accepting_new_clients,
        }
        if partner is None:
            organization = Organization.objects.create(
                name=line.name, slug=_free_slug(line.external_id)
            )
            partner = partner_create(
                actor=None, organization=organization, external_id=line.external_id, **fields
            )
            outcome = "created"
        else:
            if partner.organization.name != line.name:
                partner.organization.name = line.name
                partner.organization.save(update_fields=["name"])
            partner_update(actor=None, partner=partner, by_owner=False, **fields)
            outcome = "updated"
        for item in line.achievements:
            _import_achievement(
                partner, item, [badges[c] for c in (*item.work_badges, *item.site_badges)]
            )
        for points in line.contribution_points:
            contribution_record(
                partner=partner,
                kind=points.kind,
                points=points.points,
                occurred_on=points.occurred_on,
                note=points.note,
                source="import",
                external_id=_points_key(line.external_id, points),
            )
        badge_awards_sync(partner=partner)
    return outcome


def _points_key(partner_external_id: str, points: Any) -> str:
    # The old program's points have no ids: their content is their identity.
    content = (
        f"{partner_external_id}|{points.kind}|{points.occurred_on}|{points.points}|{points.note}"
    )
    return "sha1:" + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()


def _free_slug(external_id: str) -> str:
    base = slugify(f"partner-{external_id}")[:90] or "partner"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _import_achievement(partner: PartnerProfile, item: Any, badges: list[Badge]) -> None:
    achievement = Achievement.objects.filter(external_id=item.external_id).first()
    if achievement is not None and achievement.partner_id != partner.pk:
        raise ValidationError(
            _("Achievement %(id)s belongs to another partner.") % {"id": item.external_id},
            code="foreign_achievement",
        )
    if achievement is None:
        achievement = Achievement(partner=partner, external_id=item.external_id)
    achievement.title, achievement.description = item.title, item.description
    achievement.industry, achievement.completed_on = item.industry, item.completed_on
    achievement.search_text = _achievement_search_text(achievement)
    newly_verified = item.verified and achievement.status != AchievementStatus.VERIFIED
    if newly_verified:
        achievement.status, achievement.verified_at = AchievementStatus.VERIFIED, timezone.now()
    achievement.save()
    achievement.badges.set(badges)
    if newly_verified:
        AchievementReview.objects.create(achievement=achievement, decision=ReviewDecision.IMPORTED)
        audit.record(
            actor=None,
            action="achievement.imported_as_verified",
            obj=achievement,
            after={"external_id": item.external_id},
        )
        emit(
            "achievement.verified",
            {"achievement_id": achievement.pk, "partner_id": partner.pk, "imported": True},
        )
