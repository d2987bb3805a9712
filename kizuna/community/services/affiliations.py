"""Affiliations: who works where, from when until when, and the evidence that suggests it.

Every change of an affiliation goes through the four functions at the top, and each emits
one `affiliation.*` event with the dates before and after, so whatever is computed per
affiliation (a partner's contribution points) can recompute exactly the days that changed.
Suggestions (from a verified email at a partner's domain, or proposed by the partner's
owner) become affiliations only when staff confirm them.
"""

from datetime import date
from types import EllipsisType
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.community.models import (
    Affiliation,
    AffiliationSuggestion,
    Identity,
    Member,
    SuggestionSource,
    SuggestionState,
)
from kizuna.core import audit
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.events import emit
from kizuna.core.serialization import json_ready


def _dates(affiliation: Affiliation) -> dict[str, Any]:
    return json_ready({"start_date": affiliation.start_date, "end_date": affiliation.end_date})


def _check_range(start_date: date, end_date: date | None) -> None:
    if end_date is not None and end_date < start_date:
        raise ServiceError(_("An affiliation cannot end before it starts."), code="bad_range")


def _payload(
    affiliation: Affiliation, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "affiliation_id": affiliation.pk,
        "member_id": affiliation.member_id,
        "organization_id": affiliation.organization_id,
        "before": before,
        "after": after,
    }


def affiliation_add(
    *,
    actor: Any,
    member: Member,
    organization: Organization,
    start_date: date,
    end_date: date | None = None,
    title: str = "",
) -> Affiliation:
    _check_range(start_date, end_date)
    if member.merged_into_id is not None or member.erased_at is not None:
        raise ServiceError(_("This member was merged or erased."), code="member_gone")
    with transaction.atomic():
        affiliation = Affiliation.objects.create(
            member=member,
            organization=organization,
            start_date=start_date,
            end_date=end_date,
            title=title,
        )
        after = _dates(affiliation)
        audit.record(
            actor=actor,
            action="affiliation.added",
            obj=affiliation,
            after={"member_id": member.pk, "organization_id": organization.pk, **after},
        )
        emit("affiliation.added", _payload(affiliation, None, after), actor=actor)
    return affiliation


def affiliation_update(
    *,
    actor: Any,
    affiliation: Affiliation,
    start_date: date | None = None,
    end_date: date | EllipsisType | None = ...,
    title: str | None = None,
) -> Affiliation:
    """Change the dates or title; `end_date=None` reopens, leaving it out keeps it."""
    with transaction.atomic():
        affiliation = Affiliation.objects.select_for_update().get(pk=affiliation.pk)
        before = audit.snapshot(affiliation, ["start_date", "end_date", "title"])
        dates_before = _dates(affiliation)
        if start_date is not None:
            affiliation.start_date = start_date
        if end_date is not ...:
            affiliation.end_date = end_date
        if title is not None:
            affiliation.title = title
        _check_range(affiliation.start_date, affiliation.end_date)
        affiliation.save()
        old, new = audit.changed_fields(
            before, audit.snapshot(affiliation, ["start_date", "end_date", "title"])
        )
        if not new:
            return affiliation
        audit.record(
            actor=actor, action="affiliation.changed", obj=affiliation, before=old, after=new
        )
        if _dates(affiliation) != dates_before:
            emit(
                "affiliation.changed",
                _payload(affiliation, dates_before, _dates(affiliation)),
                actor=actor,
            )
    return affiliation


def affiliation_end(*, actor: Any, affiliation: Affiliation, end_date: date) -> Affiliation:
    """The member left on `end_date` (the last day they worked there)."""
    return affiliation_update(actor=actor, affiliation=affiliation, end_date=end_date)


def affiliation_remove(*, actor: Any, affiliation: Affiliation) -> None:
    """Delete an affiliation entered by mistake (it never was true, unlike one that ended)."""
    with transaction.atomic():
        before = _dates(affiliation)
        audit.record(
            actor=actor,
            action="affiliation.removed",
            obj=affiliation,
            before={
                "member_id": affiliation.member_id,
                "organization_id": affiliation.organization_id,
                **before,
            },
        )
        emit("affiliation.removed", _payload(affiliation, before, None), actor=actor)
        affiliation.delete()


# Suggestions


def _domain(url_or_email: str) -> str:
    if "@" in url_or_email and "://" not in url_or_email:
        host = url_or_email.rsplit("@", 1)[1]
    else:
        host = urlsplit(url_or_email).hostname or ""
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


def affiliation_suggestions_refresh(*, actor: Any = None) -> int:
    """Suggest (member, partner) pairs where a verified email's domain is the partner's site's.

    A pair already affiliated (at any time), already pending or once dismissed is not
    suggested again. Free-mail domains never match: no partner's website is at gmail.com.
    Returns how many suggestions were made.
    """
    partners: dict[str, int] = {}
    for organization_id, website in Organization.objects.exclude(
        partner_profile__website=""
    ).values_list("id", "partner_profile__website"):
        if website and (domain := _domain(website)):
            partners.setdefault(domain, organization_id)
    if not partners:
        return 0
    taken = set(Affiliation.objects.values_list("member_id", "organization_id"))
    taken |= set(
        AffiliationSuggestion.objects.filter(
            Q(state=SuggestionState.PENDING) | Q(source=SuggestionSource.EMAIL_DOMAIN)
        ).values_list("member_id", "organization_id")
    )
    identities = (
        Identity.objects.filter(
            verified=True,
            member__merged_into__isnull=True,
            member__erased_at__isnull=True,
            member__is_bot=False,
        )
        .exclude(email="")
        .values_list("member_id", "email", "created_at")
        .order_by("created_at")
    )
    new: dict[tuple[int, int], AffiliationSuggestion] = {}
    for member_id, email, created_at in identities:
        partner_id = partners.get(_domain(email))
        if partner_id is None or (member_id, partner_id) in taken:
            continue
        new.setdefault(
            (member_id, partner_id),
            AffiliationSuggestion(
                member_id=member_id,
                organization_id=partner_id,
                source=SuggestionSource.EMAIL_DOMAIN,
                evidence=email,
                start_date=timezone.localdate(created_at),
            ),
        )
    with transaction.atomic():
        AffiliationSuggestion.objects.bulk_create(new.values())
        if new:
            audit.record(
                actor=actor, action="affiliation_suggestions.refreshed", after={"made": len(new)}
            )
    return len(new)


def affiliation_propose(
    *,
    actor: Any,
    organization: Organization,
    member: Member,
    start_date: date,
    title: str = "",
) -> AffiliationSuggestion:
    """A partner's owner says one of its people works there; staff confirm it."""
    if member.merged_into_id is not None or member.erased_at is not None:
        raise ServiceError(_("This member was merged or erased."), code="member_gone")
    with transaction.atomic():
        if Affiliation.objects.filter(
            member=member, organization=organization, end_date__isnull=True
        ).exists():
            raise Conflict(
                _("This person is already affiliated with the organization."), code="affiliated"
            )
        if AffiliationSuggestion.objects.filter(
            member=member, organization=organization, state=SuggestionState.PENDING
        ).exists():
            raise Conflict(_("This affiliation is already waiting for staff."), code="pending")
        suggestion = AffiliationSuggestion.objects.create(
            member=member,
            organization=organization,
            source=SuggestionSource.PARTNER,
            title=title,
            start_date=start_date,
            proposed_by=actor,
        )
        audit.record(
            actor=actor,
            action="affiliation.proposed",
            obj=suggestion,
            after={"member_id": member.pk, "organization_id": organization.pk},
        )
    return suggestion


def _decide(actor: Any, suggestion: AffiliationSuggestion, state: str) -> AffiliationSuggestion:
    suggestion = AffiliationSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state != SuggestionState.PENDING:
        raise Conflict(_("This suggestion was already decided."), code="decided")
    suggestion.state = state
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    return suggestion


def affiliation_suggestion_confirm(
    *,
    actor: Any,
    suggestion: AffiliationSuggestion,
    start_date: date | None = None,
) -> Affiliation:
    with transaction.atomic():
        suggestion = _decide(actor, suggestion, SuggestionState.CONFIRMED)
        affiliation = affiliation_add(
            actor=actor,
            member=suggestion.member,
            organization=suggestion.organization,
            start_date=start_date or suggestion.start_date,
            title=suggestion.title,
        )
        suggestion.affiliation = affiliation
        suggestion.save()
        audit.record(actor=actor, action="affiliation_suggestion.confirmed", obj=suggestion)
    return affiliation


def affiliation_suggestion_dismiss(
    *, actor: Any, suggestion: AffiliationSuggestion
) -> AffiliationSuggestion:
    with transaction.atomic():
        suggestion = _decide(actor, suggestion, SuggestionState.DISMISSED)
        suggestion.save()
        audit.record(actor=actor, action="affiliation_suggestion.dismissed", obj=suggestion)
    return suggestion
