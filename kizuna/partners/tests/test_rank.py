from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kizuna.core.models import OutboxEvent
from kizuna.partners import tasks
from kizuna.partners.models import Contribution, ContributionKind, Rank
from kizuna.partners.services.program import contribution_kind_set_points
from kizuna.partners.services.rank import contribution_record, ranks_review

pytestmark = pytest.mark.django_db


def add_points(partner, points, *, days_ago=1, external_id=None, source="staff"):
    return contribution_record(
        partner=partner,
        kind="talk",
        points=points,
        source=source,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        external_id=external_id or f"{partner.pk}:{points}:{days_ago}",
    )


def test_new_partner_starts_as_member(bob_partner):
    assert bob_partner.rank == Rank.MEMBER


def test_promotion_is_immediate_and_kept_in_the_history(bob_partner):
    add_points(bob_partner, 30)
    bob_partner.refresh_from_db()
    assert (bob_partner.rank, bob_partner.rank_points) == (Rank.SILVER, 30)
    change = bob_partner.rank_changes.get()
    assert (change.from_rank, change.to_rank) == (Rank.MEMBER, Rank.SILVER)
    assert OutboxEvent.objects.filter(type="rank.changed", payload__to_rank="silver").exists()


def test_points_default_to_the_points_table(alice, bob_partner):
    contribution_kind_set_points(
        actor=alice, kind=ContributionKind.objects.get(code="talk"), points=7
    )
    contribution, _ = contribution_record(
        partner=bob_partner,
        kind="talk",
        occurred_on=timezone.localdate(),
        source="staff",
        external_id="x",
    )
    assert contribution.points == 7


def test_recording_the_same_activity_twice_adds_points_once(bob_partner):
    first, created = add_points(bob_partner, 5, external_id="activity:42", source="community")
    again, created_again = add_points(bob_partner, 5, external_id="activity:42", source="community")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Contribution.objects.count() == 1


def test_unknown_contribution_kind_is_refused(bob_partner):
    with pytest.raises(ValidationError):
        contribution_record(
            partner=bob_partner,
            kind="karaoke",
            occurred_on=timezone.localdate(),
            source="staff",
            external_id="1",
        )


def test_points_older_than_twelve_months_do_not_count(bob_partner):
    add_points(bob_partner, 100, days_ago=366)
    bob_partner.refresh_from_db()
    assert (bob_partner.rank, bob_partner.rank_points) == (Rank.MEMBER, 0)


def test_falling_points_never_demote_outside_a_review(bob_partner):
    add_points(bob_partner, 30, days_ago=360)
    add_points(bob_partner, 1, days_ago=1)  # recomputed after the 30 points aged out of the window
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.SILVER


def test_review_gives_notice_then_demotes_only_after_the_grace_period(
    settings, bob, bob_partner, django_capture_on_commit_callbacks
):
    settings.KIZUNA_RANK_GRACE_DAYS = 30
    add_points(bob_partner, 30, days_ago=360)
    now = timezone.now() + timedelta(days=10)  # the 30 points are now older than 12 months
    with django_capture_on_commit_callbacks(execute=True):
        assert ranks_review(now=now)["noticed"] == 1
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.SILVER
    assert bob_partner.demotion_noticed_at is not None
    assert mail.outbox[-1].to == [bob.email]

    assert ranks_review(now=now + timedelta(days=29))["demoted"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert ranks_review(now=now + timedelta(days=30))["demoted"] == 1
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.MEMBER
    assert [(c.from_rank, c.to_rank) for c in bob_partner.rank_changes.all()] == [
        (Rank.SILVER, Rank.MEMBER),
        (Rank.MEMBER, Rank.SILVER),
    ]
    assert len(mail.outbox) == 2


def test_recovering_points_during_the_grace_period_cancels_the_demotion(bob_partner):
    add_points(bob_partner, 10, days_ago=360)
    now = timezone.now() + timedelta(days=10)
    ranks_review(now=now)
    add_points(bob_partner, 10, days_ago=0)
    result = ranks_review(now=now + timedelta(days=100))
    bob_partner.refresh_from_db()
    assert result["demoted"] == 0
    assert (bob_partner.rank, bob_partner.demotion_noticed_at) == (Rank.BRONZE, None)


def test_review_is_idempotent(bob_partner):
    add_points(bob_partner, 10, days_ago=360)
    now = timezone.now() + timedelta(days=10)
    assert ranks_review(now=now)["noticed"] == 1
    assert ranks_review(now=now) == {"promoted": 0, "noticed": 0, "demoted": 0}


def test_rank_review_task_runs_the_review(bob_partner):
    add_points(bob_partner, 10)
    assert tasks.review_ranks.enqueue().return_value == {"promoted": 0, "noticed": 0, "demoted": 0}
