"""Partner profiles: created and kept by their owners (or staff), reviewed by the owner yearly."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.images import reencoded, validate_image
from kizuna.core.text import normalize_ja
from kizuna.partners import notices
from kizuna.partners.events import partner_ref
from kizuna.partners.models import Badge, PartnerProfile
from kizuna.partners.services.validation import field_error

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


def _profile_snapshot(profile: PartnerProfile) -> dict[str, Any]:
    return audit.snapshot(profile, PROFILE_FIELDS)


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
        raise field_error(
            "budget_max", _("The maximum budget must not be below the minimum."), "budget_order"
        )


# Shown at most 160 px wide; twice that and more for sharp screens.
LOGO_MAX_SIDE = 512


def _prepared_logo(logo: Any, slug: str) -> Any:
    """A new upload checked and re-drawn (core.images.reencoded); the stored logo as it is;
    no logo ("", also for the False a form's "clear" box gives) otherwise."""
    if not logo:
        return ""
    if getattr(logo, "_committed", False):
        return logo
    limit = settings.KIZUNA_LOGO_MAX_BYTES
    if (logo.size or 0) > limit:
        raise field_error(
            "logo",
            _("The logo is larger than %(limit)s; upload a smaller image.")
            % {"limit": filesizeformat(limit)},
            "logo_too_large",
        )
    try:
        validate_image(logo)
    except ValidationError as error:
        raise field_error("logo", error.messages[0], str(error.code)) from None
    return reencoded(logo, max_side=LOGO_MAX_SIDE, stem=f"{slug}-{secrets.token_hex(4)}")


def _delete_replaced_file(before: str, after: str) -> None:
    """An uploaded file that was replaced or cleared goes once the change is committed."""
    if before and before != after:
        transaction.on_commit(lambda: default_storage.delete(before), robust=True)


def _emit_updated(partner: PartnerProfile, fields: list[str], actor: Any = None) -> None:
    emit(
        "partner.updated",
        {**partner_ref(partner), "slug": partner.slug, "fields": fields},
        actor=actor,
    )


def partner_create(*, actor: Any, organization: Organization, **fields: Any) -> PartnerProfile:
    _check_budget(fields.get("budget_min"), fields.get("budget_max"))
    if "logo" in fields:
        fields["logo"] = _prepared_logo(fields["logo"], organization.slug)
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
                **partner_ref(profile),
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
    if "logo" in changes:
        changes["logo"] = _prepared_logo(changes["logo"], partner.slug)
    with transaction.atomic():
        before = _profile_snapshot(partner)
        logo_before = partner.logo.name or ""
        for name, value in changes.items():
            setattr(partner, name, value)
        if by_owner:
            partner.owner_reviewed_at = timezone.now()
            partner.stale_since = None
        partner.search_text = _profile_search_text(partner)
        partner.save()
        _delete_replaced_file(logo_before, partner.logo.name or "")
        old, new = audit.changed_fields(before, _profile_snapshot(partner))
        audit.record(actor=actor, action="partner.updated", obj=partner, before=old, after=new)
        _emit_updated(partner, sorted(new), actor=actor)
    return partner


def partner_confirm_reviewed(*, actor: Any, partner: PartnerProfile) -> PartnerProfile:
    """The owner looked at the profile and it is still right: it is no longer stale."""
    with transaction.atomic():
        partner.owner_reviewed_at = timezone.now()
        partner.stale_since = None
        partner.save(update_fields=["owner_reviewed_at", "stale_since", "updated_at"])
        audit.record(actor=actor, action="partner.reviewed_by_owner", obj=partner)
        _emit_updated(partner, ["stale_since"], actor=actor)
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
            _emit_updated(profile, ["stale_since"])
        if newly_stale:
            transaction.on_commit(lambda: notices.profiles_stale(newly_stale), robust=True)
    return len(newly_stale)


def partner_focus_set(
    *, actor: Any, partner: PartnerProfile, badges: list[Badge]
) -> PartnerProfile:
    """The badges the partner wants more work in (注力分野): stated, never evidence."""
    with transaction.atomic():
        before = sorted(partner.focus_badges.values_list("code", flat=True))
        after = sorted(badge.code for badge in badges)
        if before == after:
            return partner
        partner.focus_badges.set(badges)
        audit.record(
            actor=actor,
            action="partner.focus_changed",
            obj=partner,
            before={"focus_badges": before},
            after={"focus_badges": after},
        )
        _emit_updated(partner, ["focus_badges"], actor=actor)
    return partner
