"""Contests (issue 18, item 2): announce, enter, moderate, judge blind with conflicts of
interest, publish ranked results; accepted entries become output activities that count for
KPIs and, through affiliation, for partners' contribution points."""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from kizuna.community import services as community
from kizuna.community.contest_ranking import Score, entry_totals, rank
from kizuna.community.contest_selectors import scores_visible_to_judges, scoring_progress
from kizuna.community.models import (
    Activity,
    ContestConflict,
    ContestEntry,
    ContestState,
    EntryStatus,
)
from kizuna.community.services import contests
from kizuna.community.tests.contest_helpers import (
    announced_contest,
    enter,
    linked_member,
    score_all,
    start_judging,
    today,
)
from kizuna.core.audit import AuditEntry
from kizuna.core.consumers import dispatch
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("mika@example.com", display_name="Mika", staff_roles=["community_manager"])


@pytest.fixture
def judge_user(make_user):
    return make_user("jun@example.com", display_name="Jun", kind="community_member")


@pytest.fixture
def contest(manager, alice, judge_user):
    return announced_contest(manager, [alice, judge_user])


@pytest.fixture
def dave_member(dave):
    return linked_member(dave, "Dave")


def judges_of(contest):
    return {judge.user.email: judge for judge in contest.judges.select_related("user")}


# The ranking rule on its own


def test_total_is_the_weighted_mean_of_each_criterions_mean_score():
    weights = {1: 3, 2: 1}
    scores = [Score(10, 1, 8), Score(10, 1, 6), Score(10, 2, 10), Score(10, 2, 10)]
    # criterion 1: mean 7, criterion 2: mean 10 -> (3*7 + 1*10) / 4
    assert entry_totals(scores, weights) == {10: Fraction(31, 4)}


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    totals = {1: Fraction(8), 2: Fraction(9), 3: Fraction(8), 4: Fraction(5)}
    ranked = rank([1, 2, 3, 4], totals)
    assert [(r.entry_id, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 2), (4, 4)]


def test_totals_that_differ_only_past_two_decimals_are_not_a_tie():
    totals = {1: Fraction(2, 3), 2: Fraction(6667, 10000)}
    ranked = rank([1, 2], totals)
    assert [(r.entry_id, r.rank) for r in ranked] == [(2, 1), (1, 2)]
    assert ranked[0].total_display == ranked[1].total_display == Decimal("0.67")


def test_an_entry_nobody_could_score_gets_no_rank_and_comes_last():
    ranked = rank([5, 6], {6: Fraction(4)})
    assert [(r.entry_id, r.rank) for r in ranked] == [(6, 1), (5, None)]


# Announcing


def test_a_contest_needs_criteria_and_judges(manager, alice):
    with pytest.raises(ValidationError) as error:
        announced_contest(manager, [])
    assert error.value.code == "no_judges"


def test_announcing_twice_is_refused_the_second_time(manager, alice):
    contest = announced_contest(manager, [alice])
    with pytest.raises(ValidationError) as error:
        contests.contest_publish(actor=manager, contest=contest)
    assert error.value.code == "state_changed"


def test_announcing_emits_contest_published_and_is_audited(contest, manager):
    assert OutboxEvent.objects.filter(
        type="contest.published", payload__contest_id=contest.pk
    ).exists()
    actions = set(AuditEntry.objects.filter(actor=manager).values_list("action", flat=True))
    assert {"contest.created", "contest.published"} <= actions


# Entering and moderating


def test_member_enters_once_and_the_entry_waits_for_review(contest, dave_member):
    entry = enter(contest, dave_member)
    assert entry.status == EntryStatus.SUBMITTED
    assert OutboxEvent.objects.filter(type="contest.entry_submitted").count() == 1
    with pytest.raises(ValidationError) as error:
        enter(contest, dave_member, title="二作目")
    assert error.value.code == "already_entered"


def test_entries_are_refused_outside_the_entry_period(contest, dave_member):
    with pytest.raises(ValidationError) as error:
        enter(contest, dave_member, now=contest.entries_close_at)
    assert error.value.code == "entries_closed"


def test_a_judge_cannot_enter_their_own_contest(contest, judge_user):
    member = linked_member(judge_user, "Jun")
    with pytest.raises(ValidationError) as error:
        enter(contest, member)
    assert error.value.code == "judge_entering"


def test_a_contest_for_individuals_refuses_a_partners_person(manager, alice, bob_org, dave):
    contest = announced_contest(manager, [alice], eligibility="individuals")
    member = linked_member(dave, "Dave")
    community.affiliation_add(
        actor=manager, member=member, organization=bob_org, start_date=today()
    )
    with pytest.raises(ValidationError) as error:
        enter(contest, member)
    assert error.value.code == "not_eligible"


def test_withdrawing_before_judging_frees_the_member_to_enter_again(contest, dave_member):
    entry = enter(contest, dave_member)
    contests.entry_withdraw(actor=dave_member.user, entry=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert enter(contest, dave_member, title="書き直し版").status == EntryStatus.SUBMITTED


def test_rejecting_needs_a_reason_and_keeps_the_entry_out_of_the_gallery(
    contest, dave_member, manager, client
):
    entry = enter(contest, dave_member)
    with pytest.raises(ValidationError) as error:
        contests.entry_reject(actor=manager, entry=entry, reason=" ")
    assert error.value.code == "reason_required"
    contests.entry_reject(actor=manager, entry=entry, reason="テーマと関係がありません")
    page = client.get(f"/community/contests/{contest.pk}/gallery/")
    assert entry.title not in page.content.decode()
    assert AuditEntry.objects.filter(action="contest.entry_rejected").exists()


def test_accepted_entries_are_in_the_public_gallery(contest, dave_member, manager, client):
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    page = client.get(f"/community/contests/{contest.pk}/gallery/")
    assert entry.title in page.content.decode()
    assert OutboxEvent.objects.filter(
        type="contest.entry_accepted", payload__entry_id=entry.pk
    ).exists()


def test_two_staff_accepting_at_once_accept_once(contest, dave_member, manager, alice):
    entry = enter(contest, dave_member)
    stale = ContestEntry.objects.get(pk=entry.pk)
    contests.entry_accept(actor=manager, entry=entry)
    with pytest.raises(ValidationError) as error:
        contests.entry_accept(actor=alice, entry=stale)
    assert error.value.code == "state_changed"
    assert OutboxEvent.objects.filter(type="contest.entry_accepted").count() == 1


# Judging


def test_judging_waits_for_the_entry_period_and_for_every_decision(contest, dave_member, manager):
    enter(contest, dave_member)
    with pytest.raises(ValidationError) as error:
        contests.contest_judging_start(actor=manager, contest=contest)
    assert error.value.code == "entries_still_open"
    with pytest.raises(ValidationError) as error:
        start_judging(manager, contest)
    assert error.value.code == "entries_pending"


def test_an_entry_cannot_be_withdrawn_once_judging_started(contest, dave_member, manager):
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    with pytest.raises(ValidationError) as error:
        contests.entry_withdraw(actor=dave_member.user, entry=entry)
    assert error.value.code == "not_withdrawable"


def test_a_judge_affiliated_with_the_entrants_organization_is_excluded(manager, bob, bob_org, dave):
    judge_member = linked_member(bob, "Bob")
    contest = announced_contest(manager, [bob])
    dave_member = linked_member(dave, "Dave")
    for member in (judge_member, dave_member):
        community.affiliation_add(
            actor=manager, member=member, organization=bob_org, start_date=today()
        )
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    judge = judges_of(contest)["bob@example.com"]
    assert ContestConflict.objects.filter(entry=entry, judge=judge, organization=bob_org).exists()
    with pytest.raises(ValidationError) as error:
        score_all(judge, entry, [5, 5])
    assert error.value.code == "conflict_of_interest"
    # Nobody else can score it: it is complete without scores, and gets no rank.
    assert scoring_progress(contest).complete
    contests.contest_results_publish(actor=manager, contest=contest)
    entry.refresh_from_db()
    assert entry.rank is None


def test_affiliations_count_as_they_were_on_the_day_of_entry(manager, bob_org, dave, judge_user):
    contest = announced_contest(manager, [judge_user])
    judge_member = linked_member(judge_user, "Jun")
    dave_member = linked_member(dave, "Dave")
    community.affiliation_add(
        actor=manager, member=dave_member, organization=bob_org, start_date=today()
    )
    # The judge joins the entrant's organization only after the entry was made.
    community.affiliation_add(
        actor=manager,
        member=judge_member,
        organization=bob_org,
        start_date=today() + timedelta(days=3),
    )
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    assert not ContestConflict.objects.filter(entry=entry).exists()


def test_judges_score_blind_until_every_score_is_in(contest, dave_member, manager, client):
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    judges = judges_of(contest)
    score_all(judges["alice@example.com"], entry, [9, 7])
    assert not scores_visible_to_judges(contest)
    client.force_login(judges["jun@example.com"].user)
    sheet = client.get(f"/community/contests/{contest.pk}/judge/").content.decode()
    assert "other-scores" not in sheet
    score_all(judges["jun@example.com"], entry, [3, 1])
    assert scores_visible_to_judges(contest)
    sheet = client.get(f"/community/contests/{contest.pk}/judge/").content.decode()
    assert "other-scores" in sheet


def test_results_are_refused_while_scores_are_missing(contest, dave_member, manager):
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    score_all(judges_of(contest)["alice@example.com"], entry, [9, 7])
    with pytest.raises(ValidationError) as error:
        contests.contest_results_publish(actor=manager, contest=contest)
    assert error.value.code == "scores_missing"


def test_published_results_rank_entries_and_share_a_rank_on_a_tie(
    contest, dave_member, manager, make_user, client
):
    others = [linked_member(make_user(f"m{i}@example.com"), f"メンバー{i}") for i in range(2)]
    entries = [
        enter(contest, member, title=f"作品{n}") for n, member in enumerate([dave_member, *others])
    ]
    for entry in entries:
        contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    judges = judges_of(contest).values()
    for judge in judges:
        score_all(judge, entries[0], [6, 6])
        score_all(judge, entries[1], [8, 4])  # (3*8 + 4) / 4 = 7
        score_all(judge, entries[2], [7, 7])  # 7: a tie with entries[1]
    contests.contest_results_publish(actor=manager, contest=contest)
    ranks = {e.pk: (e.rank, e.total) for e in ContestEntry.objects.all()}
    assert ranks[entries[1].pk] == ranks[entries[2].pk] == (1, Decimal("7.00"))
    assert ranks[entries[0].pk] == (3, Decimal("6.00"))
    contest.refresh_from_db()
    assert contest.state == ContestState.FINISHED
    event = OutboxEvent.objects.get(type="contest.results_published")
    assert event.payload["ranked_entry_ids"] == [entries[1].pk, entries[2].pk, entries[0].pk]
    page = client.get(f"/community/contests/{contest.pk}/results/").content.decode()
    assert page.index("作品1") < page.index("作品2") < page.index("作品0")


# Activities, KPIs and partner points


def test_accepted_entries_become_output_activities_once(contest, dave_member, manager, make_user):
    rejected_member = linked_member(make_user("r@example.com"), "R")
    accepted = enter(contest, dave_member)
    rejected = enter(contest, rejected_member)
    contests.entry_accept(actor=manager, entry=accepted)
    contests.entry_reject(actor=manager, entry=rejected, reason="重複")
    start_judging(manager, contest)
    contests.contest_entry_activities_record(actor=manager, contest=contest)
    activity = Activity.objects.get()
    assert (activity.member_id, activity.type_id, activity.is_output) == (
        dave_member.pk,
        "contest_entry",
        True,
    )
    assert activity.url == accepted.url
    assert OutboxEvent.objects.filter(type="activity.ingested").count() == 1


def test_an_entry_by_a_partners_person_earns_the_partner_contribution_points(
    contest, dave_member, manager, bob_org
):
    from kizuna.partners.models import Contribution
    from kizuna.partners.services.profiles import partner_create

    partner = partner_create(
        actor=None, organization=bob_org, summary="EC", contact_name="小川", contact_email="c@b.jp"
    )
    community.affiliation_add(
        actor=manager, member=dave_member, organization=bob_org, start_date=today()
    )
    entry = enter(contest, dave_member)
    contests.entry_accept(actor=manager, entry=entry)
    start_judging(manager, contest)
    event = OutboxEvent.objects.get(type="activity.ingested")
    assert event.payload["organization_ids"] == [bob_org.pk]
    dispatch("partners.community_points")
    contribution = Contribution.objects.get(partner=partner, source="community")
    assert contribution.kind.code == "evangelist_activity"


def test_erasing_an_entrant_keeps_the_entry_in_results_without_their_work(
    contest, dave_member, manager
):
    entry = enter(contest, dave_member)
    community.member_erase(actor=manager, member=dave_member)
    entry.refresh_from_db()
    assert (entry.title, entry.url, entry.summary) == ("", "", "")
