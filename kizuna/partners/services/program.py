"""Program settings: the badge catalog and the points table of contribution kinds."""

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.partners.models import Badge, ContributionKind
from kizuna.partners.services.validation import field_error

CatalogEntry = TypeVar("CatalogEntry", Badge, ContributionKind)


def _catalog_create(
    *,
    actor: Any,
    siblings: models.QuerySet[CatalogEntry],
    action: str,
    duplicate_message: str,
    **fields: Any,
) -> CatalogEntry:
    """Add an entry with a unique code at the end of its siblings (the list staff reorder)."""
    with transaction.atomic():
        if siblings.model.objects.filter(code=fields["code"]).exists():
            raise field_error("code", duplicate_message, "duplicate")
        position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
        entry = siblings.model.objects.create(position=position, **fields)
        audit.record(actor=actor, action=action, obj=entry, after=audit.snapshot(entry, fields))
    return entry


def _catalog_change(*, actor: Any, entry: CatalogEntry, action: str, **values: Any) -> CatalogEntry:
    with transaction.atomic():
        before = audit.snapshot(entry, values)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save(update_fields=list(values))
        audit.record(
            actor=actor,
            action=action,
            obj=entry,
            before=before,
            after=audit.snapshot(entry, values),
        )
    return entry


def badge_create(*, actor: Any, code: str, family: str, name_ja: str, name_en: str) -> Badge:
    return _catalog_create(
        actor=actor,
        siblings=Badge.objects.filter(family=family),
        action="badge.created",
        duplicate_message=_("A badge with this code exists."),
        code=code,
        family=family,
        name_ja=name_ja,
        name_en=name_en,
    )


def badge_rename(*, actor: Any, badge: Badge, name_ja: str, name_en: str) -> Badge:
    return _catalog_change(
        actor=actor, entry=badge, action="badge.renamed", name_ja=name_ja, name_en=name_en
    )


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


def contribution_kind_create(
    *, actor: Any, code: str, name_ja: str, name_en: str, points: int
) -> ContributionKind:
    return _catalog_create(
        actor=actor,
        siblings=ContributionKind.objects.all(),
        action="contribution_kind.created",
        duplicate_message=_("A kind with this code exists."),
        code=code,
        name_ja=name_ja,
        name_en=name_en,
        points=points,
    )


def contribution_kind_set_points(
    *, actor: Any, kind: ContributionKind, points: int
) -> ContributionKind:
    """New points apply to contributions recorded from now on; past ones keep theirs."""
    return _catalog_change(
        actor=actor, entry=kind, action="contribution_kind.points_changed", points=points
    )
