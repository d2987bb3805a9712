"""Leads: a merchant's project offered to partners, who accept or decline before it expires.

A slot (Assignment) changes state only through a conditional UPDATE on its current state,
under a lock on the lead, so two people accepting the same slot at once cannot both win,
and an expiry running at the same time as an accept cannot undo it. A recommended slot
that is declined or expires is offered to the next eligible partner by the same ranking
the directory search uses.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.errors import Conflict
from kizuna.core.events import emit
from kizuna.core.transitions import transition
from kizuna.directory import permissions, search
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DeclineReason,
    DirectoryEntry,
    JointProposal,
    Lead,
    LeadPreferences,
    LeadRouting,
    ProposalStatus,
)
from kizuna.partners.events import partner_ref
from kizuna.partners.models import Badge, PartnerProfile


class LeadStateError(Conflict):
    """The slot is no longer in the state the action needs (someone else acted first)."""


def _expiry() -> timedelta:
    return timedelta(hours=settings.KIZUNA_LEAD_EXPIRY_HOURS)


def _check_picked(partners: list[PartnerProfile]) -> None:
    if len(partners) > settings.KIZUNA_LEAD_MAX_PARTNERS:
        raise ValidationError(
            {
                "partners": ValidationError(
                    _("Choose at most %(max)s partners.")
                    % {"max": settings.KIZUNA_LEAD_MAX_PARTNERS},
                    code="too_many_partners",
                )
            }
        )
    listed = set(
        DirectoryEntry.objects.filter(
            pk__in=[p.pk for p in partners], listed=True, accepting=True
        ).values_list("pk", flat=True)
    )
    if any(p.pk not in listed for p in partners):
        raise ValidationError(
            {
                "partners": ValidationError(
                    _("One of the chosen partners does not take new requests at the moment."),
                    code="partner_unavailable",
                )
            }
        )


def lead_create(
    *,
    merchant: Any,
    products: str,
    budget: int,
    timeline: str,
    prefecture: str,
    message: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    site_type: Badge | None = None,
    services: list[Badge] | None = None,
    partners: list[PartnerProfile] | None = None,
    now: datetime | None = None,
) -> Lead:
    """Save the request and offer it to the chosen partners, or to the best eligible ones."""
    now = now or timezone.now()
    partners = partners or []
    if partners:
        _check_picked(partners)
    with transaction.atomic():
        lead = Lead.objects.create(
            merchant=merchant,
            products=products,
            site_type=site_type,
            budget=budget,
            timeline=timeline,
            prefecture=prefecture,
            message=message,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            routing=LeadRouting.PICKED if partners else LeadRouting.RECOMMENDED,
            wanted_partners=len(partners) or settings.KIZUNA_LEAD_MAX_PARTNERS,
        )
        lead.services.set(services or [])
        emit("lead.created", {"lead_id": lead.pk, "routing": lead.routing}, actor=merchant)
        for partner in partners:
            _offer(lead, partner.pk, recommended=False, now=now)
        if not partners:
            _offer_recommended(lead, count=lead.wanted_partners, now=now)
    return lead


def _offer(lead: Lead, partner_id: int, *, recommended: bool, now: datetime) -> Assignment:
    assignment = Assignment.objects.create(
        lead=lead,
        partner_id=partner_id,
        recommended=recommended,
        offered_at=now,
        expires_at=now + _expiry(),
    )
    emit("lead.offered", _slot_payload(assignment))
    return assignment


def _offer_recommended(lead: Lead, *, count: int, now: datetime) -> list[Assignment]:
    already = list(lead.assignments.values_list("partner_id", flat=True))
    chosen = search.recommended_partner_ids(lead, exclude=already, limit=count)
    return [_offer(lead, partner_id, recommended=True, now=now) for partner_id in chosen]


def _locked_lead(assignment: Assignment) -> Lead:
    return Lead.objects.select_for_update().get(pk=assignment.lead_id)


def _transition(
    assignment: Assignment, *, from_status: str, now: datetime, check_expiry: bool, **changes: Any
) -> None:
    """Move the slot on only if it is still in from_status: the UPDATE is the arbiter."""
    slots = Assignment.objects.filter(expires_at__gt=now) if check_expiry else Assignment.objects
    transition(
        slots.all(),
        assignment.pk,
        from_states=from_status,
        to_state=changes.pop("status"),
        refused=LeadStateError(
            _("This request was already answered, withdrawn or has expired."), code="lead_not_open"
        ),
        **changes,
    )
    assignment.refresh_from_db()


def _slot_payload(assignment: Assignment, **extra: Any) -> dict[str, Any]:
    return {
        "lead_id": assignment.lead_id,
        "assignment_id": assignment.pk,
        **partner_ref(assignment.partner),
        **extra,
    }


def _contact(lead: Lead) -> dict[str, str]:
    """The merchant's contact: only ever in `lead.accepted` (see directory/events.py)."""
    return {
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
    }


def lead_accept(*, actor: Any, assignment: Assignment, now: datetime | None = None) -> Assignment:
    if not permissions.can_respond(actor, assignment):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        lead = _locked_lead(assignment)
        _transition(
            assignment,
            from_status=AssignmentStatus.OFFERED,
            now=now,
            check_expiry=True,
            status=AssignmentStatus.ACCEPTED,
            responded_at=now,
            responded_by=actor,
        )
        if assignment.guild_invitation:
            # Joining a guild: ids only, the merchant has not accepted the guild yet.
            proposal_id = assignment.guild_membership.proposal_id
            emit("guild.joined", _slot_payload(assignment, proposal_id=proposal_id), actor=actor)
        else:
            emit("lead.accepted", _slot_payload(assignment, **_contact(lead)), actor=actor)
    return assignment


def lead_decline(
    *, actor: Any, assignment: Assignment, reason: str, now: datetime | None = None
) -> Assignment:
    if not permissions.can_respond(actor, assignment):
        raise PermissionDenied
    if reason not in DeclineReason.values:
        raise ValidationError(
            {"reason": ValidationError(_("Choose a reason."), code="invalid_reason")}
        )
    now = now or timezone.now()
    with transaction.atomic():
        lead = _locked_lead(assignment)
        _transition(
            assignment,
            from_status=AssignmentStatus.OFFERED,
            now=now,
            check_expiry=True,
            status=AssignmentStatus.DECLINED,
            decline_reason=reason,
            responded_at=now,
            responded_by=actor,
        )
        emit("lead.declined", _slot_payload(assignment, reason=reason), actor=actor)
        if assignment.recommended:
            _offer_recommended(lead, count=1, now=now)
    return assignment


def lead_complete(*, actor: Any, assignment: Assignment, now: datetime | None = None) -> Assignment:
    """The merchant says the accepted engagement is done: it may now be reviewed."""
    if not permissions.is_lead_merchant(actor, assignment.lead):
        raise PermissionDenied
    if assignment.guild_invitation or JointProposal.objects.filter(
        initiator=assignment, status=ProposalStatus.ACCEPTED
    ):
        raise LeadStateError(
            _("This project is a guild's: mark it done on the joint proposal."),
            code="guild_project",
        )
    now = now or timezone.now()
    with transaction.atomic():
        _locked_lead(assignment)
        _transition(
            assignment,
            from_status=AssignmentStatus.ACCEPTED,
            now=now,
            check_expiry=False,
            status=AssignmentStatus.COMPLETED,
            completed_at=now,
        )
        emit("lead.completed", _slot_payload(assignment), actor=actor)
    return assignment


def leads_expire(*, now: datetime | None = None) -> int:
    """Expire slots past their time and move recommended ones on. Safe to run any time."""
    now = now or timezone.now()
    due = Assignment.objects.filter(status=AssignmentStatus.OFFERED, expires_at__lte=now)
    expired = 0
    for assignment in due.order_by("expires_at", "pk"):
        with transaction.atomic():
            lead = _locked_lead(assignment)
            taken = Assignment.objects.filter(
                pk=assignment.pk, status=AssignmentStatus.OFFERED, expires_at__lte=now
            ).update(status=AssignmentStatus.EXPIRED)
            if not taken:
                continue  # answered (or expired by another worker) in the meantime
            expired += 1
            assignment.refresh_from_db()
            emit("lead.expired", _slot_payload(assignment))
            if assignment.recommended:
                _offer_recommended(lead, count=1, now=now)
    return expired


def lead_preferences_set(*, actor: Any, partner: PartnerProfile, works_remotely: bool) -> None:
    if not permissions.can_manage_partner_leads(actor, partner):
        raise PermissionDenied
    with transaction.atomic():
        preferences, _created = LeadPreferences.objects.get_or_create(partner=partner)
        before = audit.snapshot(preferences, ["works_remotely"])
        preferences.works_remotely = works_remotely
        preferences.save()
        audit.record(
            actor=actor,
            action="directory.lead_preferences_changed",
            obj=partner,
            before=before,
            after=audit.snapshot(preferences, ["works_remotely"]),
        )
