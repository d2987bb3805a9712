"""Carry-over of the old program: partners, their past achievements and points, line by line.

Idempotent on the external ids of the partner and its achievements; points are keyed on
their content, so importing the same file twice adds nothing.
"""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.partners.events import partner_ref
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    AchievementStatus,
    Badge,
    PartnerProfile,
    ReviewDecision,
)
from kizuna.partners.services.achievements import achievement_search_text
from kizuna.partners.services.badges import badge_awards_sync
from kizuna.partners.services.profiles import partner_create, partner_update
from kizuna.partners.services.rank import contribution_record


def partner_import(*, line: Any) -> str:
    """Create or update one partner from an import line (see importing.ImportLine).

    Returns "created" or "updated"; raises ValidationError (and stores nothing of the line)
    when it cannot apply.
    """
    badges = _claimed_badges(line)
    with transaction.atomic():
        partner, outcome = _upsert_partner(line)
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


def _claimed_badges(line: Any) -> dict[str, Badge]:
    codes = {code for a in line.achievements for code in (*a.work_badges, *a.site_badges)}
    badges = {b.code: b for b in Badge.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(badges))
    if unknown:
        raise ValidationError(
            _("Unknown badge codes: %(codes)s") % {"codes": ", ".join(unknown)},
            code="unknown_badge",
        )
    return badges


def _upsert_partner(line: Any) -> tuple[PartnerProfile, str]:
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
        return partner, "created"
    if partner.organization.name != line.name:
        partner.organization.name = line.name
        partner.organization.save(update_fields=["name"])
    partner_update(actor=None, partner=partner, by_owner=False, **fields)
    return partner, "updated"


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
    achievement.search_text = achievement_search_text(achievement)
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
            {"achievement_id": achievement.pk, **partner_ref(partner), "imported": True},
        )
