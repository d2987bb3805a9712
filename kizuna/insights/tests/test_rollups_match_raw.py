"""The rollups give exactly what a straightforward computation over raw activities gives:
with bots, staff, merges, erased people, late data, and at the edges of Tokyo days."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuna.accounts.models import Organization, OrganizationKind
from kizuna.community import services as community
from kizuna.community.models import Activity, Affiliation
from kizuna.core.consumers import dispatch_all
from kizuna.insights import fill
from kizuna.insights.metrics import ROLLUP_METRICS
from kizuna.insights.models import DirtyDay, FillState, KpiValue, MemberFirst, MemberPeriod
from kizuna.insights.periods import INTERVALS, periods_between
from kizuna.insights.raw import raw_member_kpis
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
FIRST, TODAY = date(2026, 7, 1), date(2026, 10, 31)


def assert_rollups_match_raw() -> None:
    for interval in INTERVALS:
        for start in periods_between(interval, FIRST, TODAY):
            stored = dict(
                KpiValue.objects.filter(interval=interval, period_start=start).values_list(
                    "metric", "value"
                )
            )
            raw = raw_member_kpis(interval, start)
            for metric in ROLLUP_METRICS:
                if not stored:  # a period nothing happened in is never computed
                    assert raw[metric] in (0, None), (interval, start, metric)
                    continue
                assert stored.get(metric) == pytest.approx(raw[metric]), (interval, start, metric)


def refill() -> None:
    dispatch_all()
    fill.fill(today=TODAY)


@pytest.fixture
def community_data():
    partner = Organization.objects.create(
        name="Partner KK", slug="partner-kk", kind=OrganizationKind.PARTNER
    )
    other = Organization.objects.create(
        name="Other KK", slug="other-kk", kind=OrganizationKind.OTHER
    )
    people = [member(f"p{n}") for n in range(6)]
    bot = member("bot", is_bot=True)
    staff = member("staff", is_staff=True)
    Affiliation.objects.create(member=people[0], organization=partner, start_date=date(2026, 1, 1))
    Affiliation.objects.create(member=people[1], organization=other, start_date=date(2026, 8, 1))
    plan = [
        (people[0], date(2026, 7, 3), "talk", True),
        (people[0], date(2026, 8, 10), "blog_post", True),
        (people[0], date(2026, 9, 1), "pull_request", True),
        (people[1], date(2026, 7, 20), "chat_join", False),
        (people[1], date(2026, 8, 11), "answer", True),
        (people[1], date(2026, 9, 14), "chat_message", False),
        (people[2], date(2026, 8, 30), "question", False),
        (people[2], date(2026, 9, 2), "lightning_talk", True),
        (people[3], date(2026, 9, 28), "social_post", False),
        (people[4], date(2026, 7, 7), "review", True),
        (people[5], date(2026, 10, 5), "attended_event", False),
        (bot, date(2026, 8, 10), "pull_request", True),
        (staff, date(2026, 8, 10), "talk", True),
    ]
    for who, day, type_key, output in plan:
        activity(who, day, type_key, output=output)
    for extra in range(12):  # enough weight to make people[0] core
        activity(people[0], date(2026, 8, 1) + timedelta(days=extra), "release", output=True)
    fill.fill(today=TODAY)
    return people


def test_rollup_kpis_equal_raw_kpis(community_data):
    assert_rollups_match_raw()


def test_late_activity_corrects_its_old_day(community_data):
    before = KpiValue.objects.get(
        metric="active_members", interval="month", period_start=date(2026, 7, 1)
    )
    activity(community_data[3], date(2026, 7, 15), "talk", output=True)  # arrives late
    refill()
    after = KpiValue.objects.get(
        metric="active_members", interval="month", period_start=date(2026, 7, 1)
    )
    assert after.value == (before.value or 0) + 1
    assert_rollups_match_raw()


def test_merged_members_count_once(community_data, alice):
    community.member_merge(actor=alice, into=community_data[0], merged=community_data[4])
    refill()
    assert not MemberPeriod.objects.filter(member=community_data[4]).exists()
    assert_rollups_match_raw()


def test_erased_members_still_count(community_data, alice):
    community.member_erase(actor=alice, member=community_data[1])
    refill()
    assert MemberPeriod.objects.filter(member=community_data[1]).exists()
    assert_rollups_match_raw()


def test_a_member_flagged_as_bot_drops_out(community_data, alice):
    community.member_update(actor=alice, member=community_data[0], is_bot=True)
    refill()
    assert not MemberFirst.objects.filter(member=community_data[0]).exists()
    assert_rollups_match_raw()


def test_tokyo_day_boundaries_decide_the_period(db):
    person = member()
    # 2026-07-31 15:30 UTC is 08-01 00:30 in Tokyo: an August activity.
    activity(person, date(2026, 7, 31), at=datetime(2026, 7, 31, 15, 30, tzinfo=UTC))
    fill.fill(today=TODAY)
    assert MemberPeriod.objects.get(interval="month").period_start == date(2026, 8, 1)
    assert MemberPeriod.objects.get(interval="week").period_start == date(2026, 7, 27)
    assert MemberPeriod.objects.get(interval="quarter").period_start == date(2026, 7, 1)


def test_rebuild_gives_what_the_incremental_fill_gave(community_data):
    def values():
        return {
            (m, i, p): v
            for m, i, p, v in KpiValue.objects.values_list(
                "metric", "interval", "period_start", "value"
            )
        }

    incremental = values()
    fill.rebuild(FIRST, TODAY, today=TODAY)
    rebuilt = values()
    assert {key: rebuilt[key] for key in incremental} == incremental
    assert not DirtyDay.objects.exists()


activities_strategy = st.lists(
    st.tuples(
        st.integers(0, 4),  # which member
        st.integers(0, 120),  # day offset from FIRST
        st.sampled_from(["chat_message", "talk", "blog_post", "answer", "chat_join", "release"]),
        st.integers(0, 23),  # UTC hour: crosses Tokyo midnight
    ),
    max_size=40,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first_batch=activities_strategy, late_batch=activities_strategy, bot=st.integers(0, 4))
def test_any_activities_roll_up_like_raw(db, first_batch, late_batch, bot):
    Activity.objects.all().delete()
    for model in (MemberPeriod, MemberFirst, KpiValue, DirtyDay, FillState):
        model.objects.all().delete()
    people = [member(is_bot=(n == bot)) for n in range(5)]
    outputs = {"talk", "blog_post", "answer", "release"}

    def add(batch):
        for who, offset, type_key, hour in batch:
            day = FIRST + timedelta(days=offset)
            at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
            activity(people[who], day, type_key, output=type_key in outputs, at=at)

    add(first_batch)
    fill.fill(today=TODAY)
    add(late_batch)
    fill.fill(today=TODAY)
    assert_rollups_match_raw()


def test_ingestion_fills_the_rollups_through_the_worker(alice):
    from kizuna.community import services as community_services

    community_services.activities_ingest(
        records=[
            (
                1,  # line number, for the import report
                {
                    "source": "slack",
                    "external_id": "m-1",
                    "type": "answer",
                    "occurred_at": "2026-09-10T10:00:00+09:00",
                    "member": {"platform": "slack", "handle": "u01", "name": "山田 太郎"},
                },
            )
        ]
    )
    dispatch_all()  # the worker: activity.ingested → fill task (inline in tests)
    assert MemberPeriod.objects.filter(interval="month", period_start=date(2026, 9, 1)).exists()
    assert FillState.objects.get().last_activity_id == Activity.objects.get().pk


def test_rebuild_command_rebuilds_a_range(community_data):
    from django.core.management import call_command

    MemberPeriod.objects.all().delete()
    call_command("rebuild_insights", "--from", "2026-07-01", "--to", "2026-10-31", "--no-progress")
    assert MemberPeriod.objects.filter(interval="quarter").exists()
    assert_rollups_match_raw()
