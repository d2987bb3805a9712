import pytest
from django.core.management import call_command

from kizuna.partners.models import (
    AchievementStatus,
    BadgeAward,
    Evangelist,
    EvangelistNomination,
    PartnerProfile,
    RankChange,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_bob_verified_and_pending_achievements_badges_and_a_rank():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    bob = PartnerProfile.objects.get(organization__slug="bob-web-works")
    statuses = set(bob.achievements.values_list("status", flat=True))
    assert {
        AchievementStatus.VERIFIED,
        AchievementStatus.SUBMITTED,
        AchievementStatus.NEEDS_INFO,
    } <= statuses
    assert BadgeAward.objects.filter(partner=bob, level__gte=2).exists()
    assert bob.rank != "member"
    assert RankChange.objects.filter(partner=bob).exists()
    assert not bob.is_stale
    # Points earned by Bob's people in the community, through the consumer: a contest
    # entry of the demo's finished contest counts as evangelist activity.
    community = bob.contributions.filter(source="community")
    assert sorted(community.values_list("kind__code", flat=True)) == [
        "answered_question",
        "blog_article",
        "evangelist_activity",
        "talk",
        "talk",
    ]


def test_seed_demo_fills_every_partner_and_the_evangelist_program():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    assert (
        PartnerProfile.objects.count()
        == PartnerProfile.objects.filter(organization__kind="partner").count()
        > 20
    )
    assert PartnerProfile.objects.filter(stale_since__isnull=False).exists()
    assert Evangelist.objects.filter(works__isnull=False).exists()
    assert EvangelistNomination.objects.filter(nominee__email="dave@example.com").exists()


def test_seed_demo_has_an_application_in_every_state_a_stated_focus_and_a_partner_leaving():
    from kizuna.partners.models import ApplicationStatus, PartnerApplication, ProgramExit

    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    states = set(PartnerApplication.objects.values_list("status", flat=True))
    assert states == set(ApplicationStatus.values)
    approved = PartnerApplication.objects.get(status=ApplicationStatus.APPROVED)
    assert approved.partner is not None
    assert PartnerApplication.objects.get(status="info_requested").steps.count() == 2
    bob = PartnerProfile.objects.get(organization__slug="bob-web-works")
    assert bob.focus_badges.count() == 2
    assert ProgramExit.objects.count() == 1
