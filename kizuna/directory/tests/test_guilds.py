from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kizuna.core import consumers
from kizuna.core.models import OutboxEvent
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DirectoryEntry,
    JointProposal,
    ProposalStatus,
    Review,
)
from kizuna.directory.search import guild_suggested_partner_ids
from kizuna.directory.services import guilds, leads
from kizuna.directory.tests.conftest import invite
from kizuna.directory.tests.test_api import token_for
from kizuna.directory.tests.test_leads import project
from kizuna.outreach.testing import send_queued

pytestmark = pytest.mark.django_db


def event_types():
    return list(OutboxEvent.objects.order_by("id").values_list("type", flat=True))


# Forming a guild


def test_partner_that_accepted_forms_a_guild_and_invites_a_partner_with_role_and_scope(
    bob, guild, partners
):
    member = invite(bob, guild, partners["eve"])
    assert member.assignment.guild_invitation
    assert member.assignment.status == AssignmentStatus.OFFERED
    assert (member.role, member.scope) == ("デザイン", "トップとLP")
    assert {"guild.created", "guild.invited"} <= set(event_types())


def test_partner_that_did_not_accept_cannot_form_a_guild(carol, bob, partners):
    lead = leads.lead_create(merchant=carol, partners=[partners["bob"]], **project())
    with pytest.raises(ValidationError) as error:
        guilds.guild_create(actor=bob, assignment=lead.assignments.get(), role="開発")
    assert error.value.code == "lead_not_accepted"


def test_other_partner_cannot_form_a_guild_on_someone_elses_slot(eve, accepted_slot):
    with pytest.raises(PermissionDenied):
        guilds.guild_create(actor=eve, assignment=accepted_slot, role="開発")


def test_partner_already_assigned_to_the_lead_cannot_be_invited(bob, guild, partners):
    with pytest.raises(ValidationError) as error:
        invite(bob, guild, partners["bob"])
    assert error.value.error_dict["partner"][0].code == "already_assigned"


def test_a_guild_invites_at_most_three_partners(bob, guild, partners, make_partner):
    invite(bob, guild, partners["eve"])
    invite(bob, guild, partners["frank"])
    invite(bob, guild, make_partner("Third", badges={"seo": 1}))
    with pytest.raises(ValidationError) as error:
        invite(bob, guild, make_partner("Fourth", badges={"seo": 1}))
    assert error.value.error_dict["partner"][0].code == "too_many_members"


def test_a_role_is_required(bob, guild, partners):
    with pytest.raises(ValidationError) as error:
        invite(bob, guild, partners["eve"], role="  ")
    assert error.value.error_dict["role"][0].code == "role_required"


def test_suggestions_cover_what_the_lead_needs_and_the_initiator_lacks_by_evidence(
    guild, partners, make_partner
):
    make_partner("Aardvark Plugins", badges={"plugin_development": 5})
    ids = guild_suggested_partner_ids(
        guild.lead, initiator_id=partners["bob"].pk, exclude=[partners["bob"].pk], limit=5
    )
    # Only site design is missing; more verified evidence ranks first, whatever the name.
    assert ids == [partners["frank"].pk, partners["eve"].pk]


def test_suggestions_leave_out_partners_already_on_the_lead(bob, guild, partners):
    invite(bob, guild, partners["frank"])
    taken = list(guild.lead.assignments.values_list("partner_id", flat=True))
    ids = guild_suggested_partner_ids(
        guild.lead, initiator_id=partners["bob"].pk, exclude=taken, limit=5
    )
    assert ids == [partners["eve"].pk]


# Answering, proposing, deciding


def test_invited_partner_sees_the_lead_without_contact_until_the_merchant_accepts(
    client, carol, bob, eve, guild, partners
):
    member = invite(bob, guild, partners["eve"])
    leads.lead_accept(actor=eve, assignment=member.assignment)
    slot = Assignment.objects.get(pk=member.assignment.pk)
    assert slot.status == AssignmentStatus.ACCEPTED
    assert not slot.contact_visible
    assert event_types()[-1] == "guild.joined"
    client.force_login(eve)
    page = client.get(f"/directory/guilds/{guild.pk}/").content.decode()
    assert "carol.shop@example.jp" not in page
    api = client.get("/api/v1/directory/inbox", **token_for(eve, "leads:respond")).json()
    assert api["items"][0]["contact"] is None
    guilds.guild_propose(actor=bob, proposal=guild)
    guilds.guild_proposal_accept(actor=carol, proposal=guild)
    assert Assignment.objects.get(pk=slot.pk).contact_visible
    assert "carol.shop@example.jp" in client.get(f"/directory/guilds/{guild.pk}/").content.decode()


def test_invitation_payloads_never_carry_the_merchants_contact(bob, eve, proposed, carol):
    guilds.guild_proposal_accept(actor=carol, proposal=proposed)
    for event in OutboxEvent.objects.filter(type__startswith="guild."):
        assert "carol.shop@example.jp" not in str(event.payload)


def test_proposal_waits_until_every_invitation_is_answered(bob, eve, guild, partners):
    invite(bob, guild, partners["eve"])
    with pytest.raises(ValidationError) as error:
        guilds.guild_propose(actor=bob, proposal=guild)
    assert error.value.code == "invitations_pending"


def test_proposal_needs_one_member_who_joined(bob, eve, guild, partners):
    member = invite(bob, guild, partners["eve"])
    leads.lead_decline(actor=eve, assignment=member.assignment, reason="busy")
    with pytest.raises(ValidationError) as error:
        guilds.guild_propose(actor=bob, proposal=guild)
    assert error.value.code == "no_member_joined"


def test_invited_member_cannot_send_the_proposal(eve, proposed):
    with pytest.raises(PermissionDenied):
        guilds.guild_propose(actor=eve, proposal=proposed)


def test_merchant_declines_the_proposal_as_a_whole(carol, proposed):
    guilds.guild_proposal_decline(actor=carol, proposal=proposed)
    assert JointProposal.objects.get(pk=proposed.pk).status == ProposalStatus.DECLINED
    assert event_types()[-1] == "guild.proposal_declined"
    with pytest.raises(ValidationError):
        guilds.guild_proposal_accept(actor=carol, proposal=proposed)


def test_only_the_merchant_decides_the_proposal(bob, alice, proposed):
    for someone in (bob, alice):
        with pytest.raises(PermissionDenied):
            guilds.guild_proposal_accept(actor=someone, proposal=proposed)


def test_review_after_done_credits_each_member_on_its_own_slot(carol, proposed, partners):
    guilds.guild_proposal_accept(actor=carol, proposal=proposed)
    assert "guild.proposal_accepted" in event_types()
    slots = guilds.guild_complete(actor=carol, proposal=proposed)
    assert {s.status for s in slots} == {AssignmentStatus.COMPLETED}
    guilds.guild_review_publish(actor=carol, proposal=proposed, rating=5, text="息が合っていた")
    consumers.dispatch_all()
    credited = set(Review.objects.values_list("assignment__partner_id", flat=True))
    assert credited == {partners["bob"].pk, partners["eve"].pk}
    for name in ("bob", "eve"):
        assert DirectoryEntry.objects.get(pk=partners[name].pk).review_count == 1


def test_a_guild_review_is_given_once(carol, proposed):
    guilds.guild_proposal_accept(actor=carol, proposal=proposed)
    guilds.guild_complete(actor=carol, proposal=proposed)
    guilds.guild_review_publish(actor=carol, proposal=proposed, rating=4, text="良かった")
    with pytest.raises(ValidationError):
        guilds.guild_review_publish(actor=carol, proposal=proposed, rating=4, text="もう一度")


def test_no_review_before_the_project_is_done(carol, proposed):
    guilds.guild_proposal_accept(actor=carol, proposal=proposed)
    with pytest.raises(ValidationError) as error:
        guilds.guild_review_publish(actor=carol, proposal=proposed, rating=4, text="早すぎ")
    assert error.value.code == "not_completed"


def test_guild_slots_are_marked_done_on_the_proposal_not_one_by_one(carol, proposed):
    guilds.guild_proposal_accept(actor=carol, proposal=proposed)
    with pytest.raises(ValidationError) as error:
        leads.lead_complete(actor=carol, assignment=proposed.initiator)
    assert error.value.code == "guild_project"


def test_each_members_responsiveness_counts_its_own_answers(bob, eve, frank, guild, partners):
    eve_slot = invite(bob, guild, partners["eve"]).assignment
    frank_slot = invite(bob, guild, partners["frank"]).assignment
    leads.lead_accept(actor=eve, assignment=eve_slot, now=eve_slot.offered_at + timedelta(hours=2))
    leads.leads_expire(now=timezone.now() + timedelta(hours=73))
    consumers.dispatch_all()
    eve_entry = DirectoryEntry.objects.get(pk=partners["eve"].pk)
    frank_entry = DirectoryEntry.objects.get(pk=partners["frank"].pk)
    assert (eve_entry.answered_leads, eve_entry.acceptance_rate) == (1, 1.0)
    assert eve_entry.median_response_hours == pytest.approx(2.0)
    assert (frank_entry.answered_leads, frank_entry.acceptance_rate) == (0, 0.0)
    assert Assignment.objects.get(pk=frank_slot.pk).status == AssignmentStatus.EXPIRED


def test_invitation_answers_are_emailed_to_the_initiator_never_the_merchant(
    bob, eve, guild, partners
):
    member = invite(bob, guild, partners["eve"])
    consumers.dispatch_all()
    send_queued()
    assert any("contact2@example.jp" in m.to or "eve@example.com" in m.to for m in mail.outbox)
    mail.outbox.clear()
    leads.lead_decline(actor=eve, assignment=member.assignment, reason="busy")
    consumers.dispatch_all()
    send_queued()
    recipients = {address for message in mail.outbox for address in message.to}
    assert "bob@example.com" in recipients
    assert not recipients & {"carol.shop@example.jp", "carol@example.com"}


def test_merchant_is_emailed_when_the_proposal_is_sent(proposed):
    consumers.dispatch_all()
    send_queued()
    merchant_mail = [m for m in mail.outbox if "carol.shop@example.jp" in m.to]
    assert any(f"/directory/guilds/{proposed.pk}/" in m.body for m in merchant_mail)


# The thread


def test_joined_members_share_a_thread_and_the_merchant_cannot_post(bob, eve, carol, proposed):
    guilds.guild_message_post(actor=eve, proposal=proposed, text="デザイン案を共有します")
    guilds.guild_message_post(actor=bob, proposal=proposed, text="ありがとう")
    assert proposed.messages.count() == 2
    with pytest.raises(PermissionDenied):
        guilds.guild_message_post(actor=carol, proposal=proposed, text="見せて")


def test_invited_partner_reads_the_thread_only_once_joined(bob, frank, guild, partners):
    invite(bob, guild, partners["frank"])
    with pytest.raises(PermissionDenied):
        guilds.guild_message_post(actor=frank, proposal=guild, text="まだ")
