"""A partner's rank follows what its people do in the community (issue 13, item 4).

Activities come in through the real import path (`import_activities`), affiliations and
merges through the community services, and every recomputation is the
`partners.community_points` consumer reading the events they emit.
"""

import json
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kizuna.community import services as community
from kizuna.community.models import ActivityType, Affiliation
from kizuna.core.consumers import dispatch
from kizuna.partners.models import Contribution, ContributionKind, Rank
from kizuna.partners.services.community_points import activity_contribution_rule_set
from kizuna.partners.services.rank import contribution_record, ranks_review

pytestmark = pytest.mark.django_db

CONSUMER = "partners.community_points"


@pytest.fixture(autouse=True)
def _low_thresholds(settings):
    # Bronze at 5 points: one talk (5 points in the default table) promotes.
    settings.KIZUNA_RANK_THRESHOLDS = [5, 30, 60, 100]


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def kenji(alice):
    return community.member_create(
        actor=alice, display_name="鈴木 健二", platform="connpass", handle="kenji_dev"
    )


@pytest.fixture
def import_lines(tmp_path):
    def run(*lines: dict) -> None:
        path = tmp_path / "activities.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        call_command("import_activities", str(path), verbosity=0)
        dispatch(CONSUMER)

    return run


def talk(external_id: str, when: datetime, handle: str = "kenji_dev", **more) -> dict:
    return {
        "source": "meetup-sheet",
        "external_id": external_id,
        "type": "talk",
        "occurred_at": when.isoformat(),
        "member": {"platform": "connpass", "handle": handle},
        "title": "Kizuna で作る会員ランク",
        "url": f"https://example.connpass.com/event/{external_id}/",
        **more,
    }


def affiliate(actor, member, partner, start: date, end: date | None = None) -> Affiliation:
    affiliation = community.affiliation_add(
        actor=actor,
        member=member,
        organization=partner.organization,
        start_date=start,
        end_date=end,
    )
    dispatch(CONSUMER)
    return affiliation


def change_end(affiliation: Affiliation, end: date | None) -> None:
    """Move (or, with None, remove) the end date through community's service, as staff do."""
    community.affiliation_update(actor=None, affiliation=affiliation, end_date=end)
    dispatch(CONSUMER)


def community_points(partner) -> list[tuple[int, str, int]]:
    return list(
        Contribution.objects.filter(partner=partner, source="community")
        .order_by("activity_id")
        .values_list("activity_id", "kind__code", "points")
    )


def test_imported_talk_of_affiliated_member_earns_points_and_promotes_once(
    alice, bob_partner, kenji, import_lines
):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))

    import_lines(talk("t-1", days_ago(3)))

    [(activity_id, kind, points)] = community_points(bob_partner)
    assert (kind, points) == ("talk", 5)
    contribution = Contribution.objects.get(activity_id=activity_id)
    assert contribution.occurred_on == timezone.localdate(days_ago(3))
    bob_partner.refresh_from_db()
    assert (bob_partner.rank, bob_partner.rank_points) == (Rank.BRONZE, 5)
    assert bob_partner.rank_changes.count() == 1

    import_lines(talk("t-1", days_ago(3)))

    assert community_points(bob_partner) == [(activity_id, "talk", 5)]
    bob_partner.refresh_from_db()
    assert (bob_partner.rank, bob_partner.rank_points) == (Rank.BRONZE, 5)
    assert bob_partner.rank_changes.count() == 1


def test_activity_before_the_affiliation_started_earns_nothing(
    alice, bob_partner, kenji, import_lines
):
    affiliate(alice, kenji, bob_partner, start=timezone.localdate() - timedelta(days=2))

    import_lines(talk("t-old", days_ago(10)))

    assert community_points(bob_partner) == []


def test_unmapped_activity_type_earns_nothing(alice, bob_partner, kenji, import_lines):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))

    import_lines({**talk("q-1", days_ago(1)), "type": "question"})

    assert community_points(bob_partner) == []


def test_late_affiliation_counts_past_activities(alice, bob_partner, kenji, import_lines):
    import_lines(talk("t-1", days_ago(30)), talk("t-2", days_ago(3)))
    assert community_points(bob_partner) == []

    affiliate(alice, kenji, bob_partner, start=timezone.localdate() - timedelta(days=10))

    assert [points for _id, _kind, points in community_points(bob_partner)] == [5]
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.BRONZE


def test_ending_an_affiliation_earlier_withdraws_points_at_once_but_demotes_only_at_review(
    alice, bob_partner, kenji, import_lines
):
    affiliation = affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    import_lines(talk("t-1", days_ago(3)))
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.BRONZE

    change_end(affiliation, timezone.localdate() - timedelta(days=5))

    assert community_points(bob_partner) == []
    bob_partner.refresh_from_db()
    assert (bob_partner.rank, bob_partner.rank_points) == (Rank.BRONZE, 0)
    ranks_review()
    bob_partner.refresh_from_db()
    assert bob_partner.rank == Rank.BRONZE
    assert bob_partner.demotion_noticed_at is not None


def test_reopening_an_affiliation_gives_the_points_back(alice, bob_partner, kenji, import_lines):
    affiliation = affiliate(
        alice, kenji, bob_partner, start=date(2020, 1, 1), end=timezone.localdate() - timedelta(5)
    )
    import_lines(talk("t-1", days_ago(3)))
    assert community_points(bob_partner) == []

    change_end(affiliation, None)

    assert len(community_points(bob_partner)) == 1


def test_affiliation_change_recomputes_only_that_member_and_partner(
    alice, bob_partner, eve_partner, kenji, import_lines
):
    dave_member = community.member_create(
        actor=alice, display_name="Dave", platform="connpass", handle="dave_c"
    )
    affiliate(alice, dave_member, eve_partner, start=date(2020, 1, 1))
    import_lines(talk("d-1", days_ago(3), handle="dave_c"))
    # A stored row the recomputation would correct if it looked at it.
    Contribution.objects.filter(partner=eve_partner).update(points=99)

    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))

    assert [points for _id, _kind, points in community_points(eve_partner)] == [99]


def test_merging_the_person_into_an_affiliated_member_brings_their_activity(
    alice, bob_partner, kenji, import_lines
):
    other = community.member_create(
        actor=alice, display_name="Kenji S.", platform="github", handle="ks"
    )
    import_lines({**talk("t-gh", days_ago(3)), "member": {"platform": "github", "handle": "ks"}})
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    assert community_points(bob_partner) == []

    community.member_merge(actor=alice, into=kenji, merged=other)
    dispatch(CONSUMER)

    assert len(community_points(bob_partner)) == 1


def test_erasing_a_member_withdraws_their_points(alice, bob_partner, kenji, import_lines):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    import_lines(talk("t-1", days_ago(3)))
    contribution_record(
        partner=bob_partner,
        kind="talk",
        occurred_on=timezone.localdate(),
        source="staff",
        external_id="staff-1",
    )

    community.member_erase(actor=alice, member=kenji)
    dispatch(CONSUMER)

    assert community_points(bob_partner) == []
    assert Contribution.objects.filter(partner=bob_partner, source="staff").count() == 1
    bob_partner.refresh_from_db()
    assert bob_partner.rank_points == 5


def test_changing_a_rule_recomputes_only_that_activity_type(
    alice, bob_partner, kenji, import_lines
):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    import_lines(
        talk("t-1", days_ago(3)),
        {**talk("b-1", days_ago(3)), "type": "blog_post"},
    )
    blog = Contribution.objects.get(activity__type__key="blog_post")
    Contribution.objects.filter(pk=blog.pk).update(points=77)

    activity_contribution_rule_set(
        actor=alice,
        activity_type=ActivityType.objects.get(key="talk"),
        kind=ContributionKind.objects.get(code="event_hosting"),
        points=20,
    )
    dispatch(CONSUMER)

    talk_row = Contribution.objects.get(activity__type__key="talk")
    assert (talk_row.kind.code, talk_row.points) == ("event_hosting", 20)
    assert Contribution.objects.get(pk=blog.pk).points == 77
    bob_partner.refresh_from_db()
    assert bob_partner.rank_points == 97


def test_removing_a_rule_withdraws_its_points(alice, bob_partner, kenji, import_lines):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    import_lines(talk("t-1", days_ago(3)))

    activity_contribution_rule_set(
        actor=alice, activity_type=ActivityType.objects.get(key="talk"), kind=None, points=None
    )
    dispatch(CONSUMER)

    assert community_points(bob_partner) == []


def test_an_activity_counts_for_each_partner_the_member_was_with(
    alice, bob_partner, eve_partner, kenji, import_lines
):
    affiliate(alice, kenji, bob_partner, start=date(2020, 1, 1))
    affiliate(alice, kenji, eve_partner, start=date(2020, 1, 1))

    import_lines(talk("t-1", days_ago(3)))

    assert len(community_points(bob_partner)) == 1
    assert len(community_points(eve_partner)) == 1
