import pytest
from django.core.management import call_command

from kizuna.directory.models import AssignmentStatus, DirectoryEntry, Lead, Review
from kizuna.directory.search import SearchParams, search
from kizuna.partners.models import PartnerProfile

pytestmark = pytest.mark.django_db


def test_seed_demo_indexes_every_partner_and_gives_carol_and_bob_leads():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    assert DirectoryEntry.objects.count() == PartnerProfile.objects.count()
    carol_states = set(
        Lead.objects.filter(merchant__email="carol@example.com").values_list(
            "assignments__status", flat=True
        )
    )
    assert set(AssignmentStatus.values) <= carol_states
    bob = PartnerProfile.objects.get(organization__slug="bob-web-works")
    assert bob.lead_assignments.filter(status=AssignmentStatus.OFFERED).count() >= 4
    assert Review.objects.exists()
    # Carol has one finished project still waiting for her review.
    assert Lead.objects.filter(
        merchant__email="carol@example.com",
        assignments__status=AssignmentStatus.COMPLETED,
        assignments__review__isnull=True,
    ).exists()
    assert search(SearchParams(q="構築")).count > 0


def test_seed_demo_has_a_guild_in_each_state_and_credits_every_member_of_the_done_one():
    from kizuna.directory.models import JointProposal, ProposalStatus

    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    proposals = JointProposal.objects.filter(lead__merchant__email="carol@example.com")
    assert set(proposals.values_list("status", flat=True)) == set(ProposalStatus.values)
    done = proposals.get(status=ProposalStatus.ACCEPTED)
    assert done.members.count() == 3
    assert Review.objects.filter(assignment__lead=done.lead).count() == 3
