"""Guilds: a partner that accepted a lead invites up to three others into a joint proposal.

Each invited partner gets a slot (Assignment, `guild_invitation`) on the lead, answered like
any other slot: accepting it joins the guild (`guild.joined`, never the merchant's contact),
declining or letting it expire leaves it. The initiator sends the proposal once nobody is
still to answer; the merchant accepts or declines it as a whole, and only an accepted
proposal shows the merchant's contact to the invited members. When the merchant marks the
project done, every member's slot is completed, and one review of the guild is stored as a
review of each member's slot, so each partner is credited in its own rating.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core.errors import Conflict
from kizuna.core.events import emit
from kizuna.core.transitions import transition
from kizuna.directory import permissions
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DirectoryEntry,
    GuildMember,
    GuildMessage,
    JointProposal,
    Lead,
    ProposalStatus,
    Review,
)
from kizuna.directory.services import reviews
from kizuna.directory.services.leads import _expiry, _slot_payload
from kizuna.partners.events import partner_ref
from kizuna.partners.models import PartnerProfile

MAX_INVITED = 3
ROLE_MAX_LENGTH = 80
MESSAGE_MAX_LENGTH = 4000


class ProposalStateError(Conflict):
    """The proposal is no longer in the state the action needs."""


def _refused(message: str, code: str = "proposal_not_open") -> ProposalStateError:
    return ProposalStateError(message, code=code)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _role(role: str) -> str:
    role = role.strip()
    if not role:
        raise _field_error("role", _("Say what this partner will do."), "role_required")
    if len(role) > ROLE_MAX_LENGTH:
        raise _field_error(
            "role",
            _("Keep the role under %(max)s characters.") % {"max": ROLE_MAX_LENGTH},
            "role_too_long",
        )
    return role


def _payload(proposal: JointProposal, **extra: Any) -> dict[str, Any]:
    return {
        "proposal_id": proposal.pk,
        "lead_id": proposal.lead_id,
        **partner_ref(proposal.initiator.partner),
        **extra,
    }


def _locked(proposal: JointProposal) -> JointProposal:
    Lead.objects.select_for_update().get(pk=proposal.lead_id)
    return JointProposal.objects.select_related("initiator__partner", "lead").get(pk=proposal.pk)


def guild_create(
    *, actor: Any, assignment: Assignment, role: str, scope: str = ""
) -> JointProposal:
    """Start a joint proposal on a lead the actor's partner accepted, with its own role."""
    if not permissions.can_lead_guild(actor, assignment):
        raise PermissionDenied
    role = _role(role)
    with transaction.atomic():
        Lead.objects.select_for_update().get(pk=assignment.lead_id)
        assignment.refresh_from_db()
        if assignment.status != AssignmentStatus.ACCEPTED or assignment.guild_invitation:
            raise _refused(
                _("Only a partner that accepted the merchant's request can form a guild."),
                "lead_not_accepted",
            )
        if JointProposal.objects.filter(initiator=assignment).exists():
            raise _refused(_("You already formed a guild for this request."), "guild_exists")
        proposal = JointProposal.objects.create(lead_id=assignment.lead_id, initiator=assignment)
        GuildMember.objects.create(
            proposal=proposal, assignment=assignment, role=role, scope=scope.strip()
        )
        emit("guild.created", _payload(proposal), actor=actor)
    return proposal


def guild_invite(
    *,
    actor: Any,
    proposal: JointProposal,
    partner: PartnerProfile,
    role: str,
    scope: str = "",
    now: datetime | None = None,
) -> GuildMember:
    """Invite a listed partner not yet on the lead; it answers within the lead expiry."""
    if not permissions.can_lead_guild(actor, proposal.initiator):
        raise PermissionDenied
    role = _role(role)
    now = now or timezone.now()
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != ProposalStatus.FORMING:
            raise _refused(_("The proposal was already sent to the merchant."))
        invited = proposal.members.filter(assignment__guild_invitation=True).count()
        if invited >= MAX_INVITED:
            raise _field_error(
                "partner",
                _("A guild invites at most %(max)s partners.") % {"max": MAX_INVITED},
                "too_many_members",
            )
        if Assignment.objects.filter(lead_id=proposal.lead_id, partner=partner).exists():
            raise _field_error(
                "partner",
                _("This partner already has this request."),
                "already_assigned",
            )
        if not DirectoryEntry.objects.filter(pk=partner.pk, listed=True, accepting=True).exists():
            raise _field_error(
                "partner",
                _("This partner does not take new requests at the moment."),
                "partner_unavailable",
            )
        slot = Assignment.objects.create(
            lead_id=proposal.lead_id,
            partner=partner,
            guild_invitation=True,
            offered_at=now,
            expires_at=now + _expiry(),
        )
        member = GuildMember.objects.create(
            proposal=proposal, assignment=slot, role=role, scope=scope.strip(), invited_by=actor
        )
        emit(
            "guild.invited",
            {
                **_slot_payload(slot),
                "proposal_id": proposal.pk,
                "role": role,
            },
            actor=actor,
        )
    return member


def guild_propose(*, actor: Any, proposal: JointProposal, pitch: str = "") -> JointProposal:
    """Send the proposal to the merchant: every invitation answered, at least one joined."""
    if not permissions.can_lead_guild(actor, proposal.initiator):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        proposal = _locked(proposal)
        members = proposal.members.filter(assignment__guild_invitation=True)
        if members.filter(
            assignment__status=AssignmentStatus.OFFERED, assignment__expires_at__gt=now
        ).exists():
            raise _refused(
                _("Wait until every invited partner has answered."), "invitations_pending"
            )
        if not members.filter(assignment__status=AssignmentStatus.ACCEPTED).exists():
            raise _refused(
                _("At least one invited partner must join before you send the proposal."),
                "no_member_joined",
            )
        transition(
            JointProposal,
            proposal.pk,
            from_states=ProposalStatus.FORMING,
            to_state=ProposalStatus.PROPOSED,
            refused=_refused(_("The proposal was already sent to the merchant.")),
            proposed_at=now,
            pitch=pitch.strip(),
        )
        proposal.refresh_from_db()
        emit("guild.proposed", _payload(proposal), actor=actor)
    return proposal


def _joined_slots(proposal: JointProposal) -> list[Assignment]:
    return [
        member.assignment
        for member in proposal.members.select_related("assignment__partner").filter(
            assignment__status__in=permissions.GUILD_JOINED
        )
    ]


def _decide(actor: Any, proposal: JointProposal, to_state: str) -> JointProposal:
    if not permissions.can_decide_proposal(actor, proposal):
        raise PermissionDenied
    with transaction.atomic():
        proposal = _locked(proposal)
        transition(
            JointProposal,
            proposal.pk,
            from_states=ProposalStatus.PROPOSED,
            to_state=to_state,
            refused=_refused(_("This proposal was already decided or is not sent yet.")),
            decided_at=timezone.now(),
        )
        proposal.refresh_from_db()
        members = [slot.partner_id for slot in _joined_slots(proposal)]
        if to_state == ProposalStatus.ACCEPTED:
            emit(
                "guild.proposal_accepted",
                _payload(proposal, member_partner_ids=members),
                actor=actor,
            )
        else:
            emit(
                "guild.proposal_declined",
                _payload(proposal, member_partner_ids=members),
                actor=actor,
            )
    return proposal


def guild_proposal_accept(*, actor: Any, proposal: JointProposal) -> JointProposal:
    """The merchant takes the guild: every joined member now sees the contact details."""
    return _decide(actor, proposal, ProposalStatus.ACCEPTED)


def guild_proposal_decline(*, actor: Any, proposal: JointProposal) -> JointProposal:
    return _decide(actor, proposal, ProposalStatus.DECLINED)


def guild_complete(*, actor: Any, proposal: JointProposal) -> list[Assignment]:
    """The merchant marks the guild's project done: every member's slot is completed."""
    if not permissions.can_decide_proposal(actor, proposal):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.status != ProposalStatus.ACCEPTED:
            raise _refused(_("Only an accepted proposal can be marked done."), "not_accepted")
        slots = [s for s in _joined_slots(proposal) if s.status == AssignmentStatus.ACCEPTED]
        if not slots:
            raise _refused(_("This project is already marked done."), "already_completed")
        for slot in slots:
            transition(
                Assignment,
                slot.pk,
                from_states=AssignmentStatus.ACCEPTED,
                to_state=AssignmentStatus.COMPLETED,
                completed_at=now,
            )
            slot.refresh_from_db()
            emit("lead.completed", _slot_payload(slot), actor=actor)
    return slots


def guild_review_publish(
    *, actor: Any, proposal: JointProposal, rating: int, text: str
) -> list[Review]:
    """One review of the guild's work, stored as a review of each member's slot."""
    if not permissions.can_decide_proposal(actor, proposal):
        raise PermissionDenied
    with transaction.atomic():
        proposal = _locked(proposal)
        slots = [s for s in _joined_slots(proposal) if s.status == AssignmentStatus.COMPLETED]
        if proposal.status != ProposalStatus.ACCEPTED or not slots:
            raise ValidationError(
                _("You can review the guild once the project is marked done."),
                code="not_completed",
            )
        return [
            reviews.review_publish(actor=actor, assignment=slot, rating=rating, text=text)
            for slot in slots
        ]


def guild_message_post(*, actor: Any, proposal: JointProposal, text: str) -> GuildMessage:
    partner_id = permissions.guild_partner_of(actor, proposal, joined=True)
    if partner_id is None:
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise _field_error("text", _("Write a message."), "required")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise _field_error(
            "text",
            _("Keep a message under %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH},
            "too_long",
        )
    with transaction.atomic():
        return GuildMessage.objects.create(
            proposal=proposal, partner_id=partner_id, author=actor, text=text
        )
