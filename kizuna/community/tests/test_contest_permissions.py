"""Who may do what with a contest: every persona x every page and action.

Personas: staff (a community manager), the judge, the entrant (dave), another member, a
partner (bob, owner of Bob Web Works) and an anonymous visitor.
"""

import pytest
from django.utils import timezone

from kizuna.accounts import services as accounts
from kizuna.community.models import Contest, ContestEntry, EntryStatus
from kizuna.community.services import contests
from kizuna.community.tests.contest_helpers import (
    CRITERIA,
    announced_contest,
    enter,
    linked_member,
    score_all,
    start_judging,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["staff", "judge", "entrant", "other_member", "partner", "anonymous"]


@pytest.fixture
def world(make_user, dave, bob):
    staff = make_user("mika@example.com", display_name="Mika", staff_roles=["community_manager"])
    judge = make_user("jun@example.com", display_name="Jun", kind="community_member")
    other = make_user("olive@example.com", display_name="Olive", kind="community_member")
    entrant_member = linked_member(dave, "Dave")
    linked_member(other, "Olive")
    contest = announced_contest(staff, [judge])
    entry = enter(contest, entrant_member)
    users = {
        "staff": staff,
        "judge": judge,
        "entrant": dave,
        "other_member": other,
        "partner": bob,
        "anonymous": None,
    }
    return {"contest": contest, "entry": entry, "users": users, "staff": staff}


def as_persona(client, world, persona):
    user = world["users"][persona]
    if user is not None:
        client.force_login(user)
    return client


def denied(status: int) -> bool:
    """Refused: 403, 404, or the sign-in redirect for an anonymous visitor."""
    return status in (403, 404) or status == 302


# While entries are open: (page, who gets it; everyone else is refused)
OPEN_PAGES = {
    "list": ("/community/contests/", set(PERSONAS)),
    "detail": ("/community/contests/{c}/", set(PERSONAS)),
    "gallery": ("/community/contests/{c}/gallery/", set(PERSONAS)),
    "enter": ("/community/contests/{c}/enter/", {"entrant", "other_member"}),
    "manage": ("/community/contests/{c}/manage/", {"staff"}),
    "edit": ("/community/contests/{c}/edit/", {"staff"}),
    "new": ("/community/contests/new/", {"staff"}),
    "judge": ("/community/contests/{c}/judge/", {"judge"}),
    "results": ("/community/contests/{c}/results/", set()),  # not published yet
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", OPEN_PAGES)
def test_pages_while_entries_are_open(client, world, persona, page):
    url, allowed = OPEN_PAGES[page]
    response = as_persona(client, world, persona).get(url.format(c=world["contest"].pk))
    if persona in allowed:
        assert response.status_code == 200
    else:
        assert denied(response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_entrant_withdraws_their_entry(client, world, persona):
    entry = world["entry"]
    as_persona(client, world, persona).post(
        f"/community/contests/{entry.contest_id}/entries/{entry.pk}/withdraw/"
    )
    withdrawn = ContestEntry.objects.get(pk=entry.pk).status == EntryStatus.WITHDRAWN
    assert withdrawn == (persona == "entrant")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_staff_moderate_entries(client, world, persona):
    entry = world["entry"]
    as_persona(client, world, persona).post(
        f"/community/contests/{entry.contest_id}/entries/{entry.pk}/moderate/",
        {"decision": "accept"},
    )
    accepted = ContestEntry.objects.get(pk=entry.pk).status == EntryStatus.ACCEPTED
    assert accepted == (persona == "staff")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_staff_start_judging(client, world, persona):
    contest = world["contest"]
    contests.entry_accept(actor=world["staff"], entry=world["entry"])
    # The entry period is over.
    Contest.objects.filter(pk=contest.pk).update(entries_close_at=timezone.now())
    as_persona(client, world, persona).post(
        f"/community/contests/{contest.pk}/manage/start_judging/"
    )
    contest.refresh_from_db()
    assert (contest.state == "judging") == (persona == "staff")


@pytest.fixture
def judging(world):
    contests.entry_accept(actor=world["staff"], entry=world["entry"])
    start_judging(world["staff"], world["contest"])
    return world


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_judge_scores(client, judging, persona):
    contest, entry = judging["contest"], judging["entry"]
    fields = {"entry": entry.pk}
    for criterion in contest.criteria.all():
        fields[f"e{entry.pk}-c{criterion.pk}"] = 7
    as_persona(client, judging, persona).post(f"/community/contests/{contest.pk}/judge/", fields)
    assert entry.scores.exists() == (persona == "judge")


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_published_results(client, judging, persona):
    contest, entry = judging["contest"], judging["entry"]
    score_all(contest.judges.get(), entry, [8, 6])
    contests.contest_results_publish(actor=judging["staff"], contest=contest)
    response = as_persona(client, judging, persona).get(
        f"/community/contests/{contest.pk}/results/"
    )
    assert response.status_code == 200
    assert entry.title in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_is_seen_by_staff_only(client, world, persona):
    draft = contests.contest_create(
        actor=world["staff"],
        criteria=CRITERIA,
        judges=[world["users"]["judge"]],
        title_ja="下書き",
        entries_open_at=world["contest"].entries_open_at,
        entries_close_at=world["contest"].entries_close_at,
        eligibility="everyone",
    )
    client = as_persona(client, world, persona)
    response = client.get(f"/community/contests/{draft.pk}/")
    assert (response.status_code == 200) == (persona == "staff")
    assert ("下書き" in client.get("/community/contests/").content.decode()) == (persona == "staff")


# API


def bearer(user):
    _token, plaintext = accounts.api_token_create(user=user, name="t", scopes=["community:read"])
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_api_lists_announced_contests_and_hides_results_until_published(client, world, bob):
    contest = world["contest"]
    listed = client.get("/api/v1/community/contests", **bearer(bob)).json()
    assert [item["id"] for item in listed["items"]] == [contest.pk]
    assert listed["items"][0]["criteria"][0]["weight"] == 3
    response = client.get(f"/api/v1/community/contests/{contest.pk}/results", **bearer(bob))
    assert (response.status_code, response.json()["code"]) == (404, "results_not_published")


def test_api_gives_published_results_with_ranks(client, judging, bob):
    contest, entry = judging["contest"], judging["entry"]
    score_all(contest.judges.get(), entry, [8, 6])
    contests.contest_results_publish(actor=judging["staff"], contest=contest)
    results = client.get(f"/api/v1/community/contests/{contest.pk}/results", **bearer(bob)).json()
    assert results == [
        {
            "entry_id": entry.pk,
            "rank": 1,
            "score": "7.50",
            "title": entry.title,
            "url": entry.url,
            "kind": "article",
            "member_id": entry.member_id,
            "judges_excluded": 0,
        }
    ]


def test_api_needs_a_token(client, world):
    assert client.get("/api/v1/community/contests").status_code == 401
