from datetime import timedelta

import pytest
from django.utils import timezone

from kizuna.core.models import OutboxEvent
from kizuna.outreach.testing import sent_mail
from kizuna.partners import tasks
from kizuna.partners.models import BadgeAward, BadgeLevel
from kizuna.partners.services.badges import badge_awards_sync

pytestmark = pytest.mark.django_db


def award(partner, badge):
    return BadgeAward.objects.get(partner=partner, badge=badge)


def test_one_verified_achievement_earns_the_badge(bob_partner, verified, badge):
    verified(bob_partner)
    got = award(bob_partner, badge)
    assert (got.level, got.evidence_count, got.is_active) == (BadgeLevel.BADGE, 1, True)
    assert got.last_verified_at is not None
    assert OutboxEvent.objects.filter(type="badge.awarded", payload__badge_code=badge.code).exists()


def test_submitted_but_unverified_achievement_earns_nothing(bob_partner, submit):
    submit(bob_partner)
    assert not BadgeAward.objects.exists()


def test_three_verified_achievements_make_silver_and_ten_make_gold(bob_partner, verified, badge):
    for _ in range(3):
        verified(bob_partner)
    assert award(bob_partner, badge).level == BadgeLevel.SILVER
    for _ in range(7):
        verified(bob_partner)
    assert (award(bob_partner, badge).level, award(bob_partner, badge).evidence_count) == (
        BadgeLevel.GOLD,
        10,
    )


def test_level_thresholds_are_settings(settings, bob_partner, verified, badge):
    settings.KIZUNA_BADGE_LEVEL_THRESHOLDS = [2, 4, 6]
    verified(bob_partner)
    assert not BadgeAward.objects.exists()
    verified(bob_partner)
    assert award(bob_partner, badge).level == BadgeLevel.BADGE


def test_achievements_older_than_the_window_do_not_count(bob_partner, verified, badge):
    verified(bob_partner, completed_on=timezone.localdate() - timedelta(days=3 * 365 + 1))
    assert not BadgeAward.objects.exists()


def test_badge_lapses_when_its_evidence_ages_out_and_the_owner_is_told(
    bob, bob_partner, verified, badge, django_capture_on_commit_callbacks
):
    verified(bob_partner, completed_on=timezone.localdate() - timedelta(days=3 * 365 - 10))
    later = timezone.now() + timedelta(days=11)
    with django_capture_on_commit_callbacks(execute=True):
        result = badge_awards_sync(now=later)
    assert result["lapsed"] == 1
    lapsed = award(bob_partner, badge)
    assert not lapsed.is_active
    assert OutboxEvent.objects.filter(type="badge.lapsed").count() == 1
    assert sent_mail()[0].to == [bob.email]
    assert badge.name_ja in sent_mail()[0].subject


def test_lapse_job_is_idempotent(bob_partner, verified, badge, django_capture_on_commit_callbacks):
    verified(bob_partner, completed_on=timezone.localdate() - timedelta(days=3 * 365 - 10))
    later = timezone.now() + timedelta(days=11)
    with django_capture_on_commit_callbacks(execute=True):
        badge_awards_sync(now=later)
        second = badge_awards_sync(now=later)
    assert second == {"awarded": 0, "changed": 0, "lapsed": 0}
    assert len(sent_mail()) == 1


def test_level_drops_as_older_evidence_ages_out(bob_partner, verified, badge):
    today = timezone.localdate()
    verified(bob_partner, completed_on=today - timedelta(days=3 * 365 - 5))
    verified(bob_partner)
    verified(bob_partner)
    assert award(bob_partner, badge).level == BadgeLevel.SILVER
    badge_awards_sync(now=timezone.now() + timedelta(days=6))
    assert (award(bob_partner, badge).level, award(bob_partner, badge).evidence_count) == (
        BadgeLevel.BADGE,
        2,
    )


def test_lapsed_badge_comes_back_with_new_verified_work(bob_partner, verified, badge):
    verified(bob_partner, completed_on=timezone.localdate() - timedelta(days=3 * 365))
    badge_awards_sync(now=timezone.now() + timedelta(days=2))
    assert not award(bob_partner, badge).is_active
    verified(bob_partner)
    assert award(bob_partner, badge).is_active


def test_periodic_lapse_task_runs_the_sync(bob_partner, verified, badge):
    verified(bob_partner)
    result = tasks.lapse_expired_badges.enqueue().return_value
    assert result == {"awarded": 0, "changed": 0, "lapsed": 0}


def test_one_partners_verification_does_not_touch_another_partners_badges(
    bob_partner, eve_partner, verified, badge
):
    verified(eve_partner)
    verified(bob_partner)
    assert award(eve_partner, badge).evidence_count == 1
    assert award(bob_partner, badge).evidence_count == 1
