"""Pages that change groups, events, attendance and affiliations: who may use each, and what
each does."""

from datetime import date

import pytest
from django.urls import reverse

from kizuna.community import services
from kizuna.community.models import (
    Affiliation,
    AffiliationSuggestion,
    Attendance,
    Event,
    Group,
    SuggestionState,
)
from kizuna.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave_member(alice, dave):
    member = services.member_create(actor=alice, display_name="Dave", platform="github", handle="d")
    member.user = dave
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def taro(alice):
    return services.member_create(
        actor=alice, display_name="Taro", platform="github", handle="taro"
    )


@pytest.fixture
def group(alice, dave_member):
    return services.group_create(actor=alice, name="Kizuna Users Tokyo", leaders=[dave_member])


@pytest.fixture
def event(alice, group):
    return services.event_create(
        actor=alice, title="もくもく会", starts_at="2026-12-10T10:00Z", group=group
    )


@pytest.fixture
def affiliation(alice, bob_org, dave_member):
    return services.affiliation_add(
        actor=alice, member=dave_member, organization=bob_org, start_date=date(2025, 4, 1)
    )


@pytest.fixture
def suggestion(bob, bob_org, taro):
    return services.affiliation_propose(
        actor=bob, organization=bob_org, member=taro, start_date=date(2025, 1, 1)
    )


# page -> personas who may open it (everyone else gets 403).
PAGES = {
    "group_new": {"alice"},
    "group_edit": {"alice", "dave"},
    "event_new": {"alice", "dave"},
    "event_edit": {"alice", "dave"},
    "affiliation_staff": {"alice"},
    "affiliation_edit": {"alice"},
    "affiliation_propose": {"bob", "eve"},
    "my_affiliations": {"dave"},
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve"])
def test_who_may_open_each_page(client, personas, persona, page, group, event, affiliation):
    args = {
        "group_edit": [group.pk],
        "event_edit": [event.pk],
        "affiliation_edit": [affiliation.pk],
    }.get(page, [])
    client.force_login(personas[persona])
    response = client.get(reverse(f"community:{page}", args=args))
    assert response.status_code == (200 if persona in PAGES[page] else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client, group):
    response = client.get(reverse("community:group_edit", args=[group.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("alice", True), ("bob", False), ("carol", False), ("dave", True), ("eve", False)],
)
def test_who_may_change_attendance(client, personas, persona, allowed, event, taro):
    services.attendance_set(actor=None, event=event, member=taro)
    client.force_login(personas[persona])
    response = client.post(
        reverse("community:attendance_edit", args=[event.pk]),
        {"member": taro.pk, "role": "speaker", "status": "attended"},
    )
    assert response.status_code == (302 if allowed else 403)
    attendance = Attendance.objects.get(event=event, member=taro)
    assert (attendance.status == "attended") == allowed


def test_an_organizer_cannot_add_a_stranger_to_attendance(client, dave, event, taro):
    client.force_login(dave)
    client.post(
        reverse("community:attendance_edit", args=[event.pk]),
        {"member": taro.pk, "role": "attendee", "status": "attended"},
    )
    assert not Attendance.objects.filter(member=taro).exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("alice", True), ("bob", False), ("carol", False), ("dave", False), ("eve", False)],
)
def test_who_may_decide_a_suggestion(client, personas, persona, allowed, suggestion):
    client.force_login(personas[persona])
    response = client.post(
        reverse("community:suggestion_decide", args=[suggestion.pk]),
        {"decision": "confirm", "start_date": "2025-02-01"},
    )
    assert response.status_code == (302 if allowed else 403)
    assert Affiliation.objects.filter(member=suggestion.member).exists() == allowed


def test_staff_create_a_group_with_organizers_and_links(client, alice, dave_member):
    client.force_login(alice)
    response = client.post(
        reverse("community:group_new"),
        {
            "name": "Kizuna Users Sapporo",
            "prefecture": "01",
            "description": "",
            "links": "https://connpass.example.com/kus/\nhttps://x.example.com/kus",
            "organizers": str(dave_member.pk),
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Kizuna Users Sapporo")
    assert list(group.leaders.all()) == [dave_member]
    assert group.links == ["https://connpass.example.com/kus/", "https://x.example.com/kus"]
    assert AuditEntry.objects.filter(action="group.created").exists()


def test_a_group_form_refuses_unknown_organizers_and_bad_links(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("community:group_new"),
        {"name": "X", "links": "javascript:alert(1)", "organizers": "999999"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"links", "organizers"}
    assert not Group.objects.filter(name="X").exists()


def test_an_organizer_creates_an_event_only_in_their_groups(client, alice, dave, group):
    other = services.group_create(actor=alice, name="Osaka")
    client.force_login(dave)
    body = {
        "title": "LT会",
        "kind": "meetup",
        "format": "hybrid",
        "starts_at": "2026-12-20T19:00",
        "hashtag": "kizuna_lt",
        "capacity": "30",
    }
    refused = client.post(reverse("community:event_new"), {**body, "group": other.pk})
    assert refused.status_code == 200
    assert "group" in refused.context["form"].errors
    response = client.post(reverse("community:event_new"), {**body, "group": group.pk})
    event = Event.objects.get(title="LT会")
    assert response.status_code == 302
    assert (event.group, event.capacity, event.staff_run) == (group, 30, False)
    assert OutboxEvent.objects.filter(type="event.created", payload__event_id=event.pk).exists()


def test_an_event_cannot_end_before_it_starts(client, alice, event):
    client.force_login(alice)
    response = client.post(
        reverse("community:event_edit", args=[event.pk]),
        {
            "title": "x",
            "kind": "meetup",
            "format": "online",
            "starts_at": "2026-12-20T19:00",
            "ends_at": "2026-12-20T18:00",
        },
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.title == "もくもく会"


def test_a_member_ends_their_own_affiliation_and_not_anyone_elses(
    client, alice, dave, bob_org, affiliation, taro
):
    other = services.affiliation_add(
        actor=alice, member=taro, organization=bob_org, start_date=date(2025, 1, 1)
    )
    client.force_login(dave)
    assert (
        client.post(
            reverse("community:my_affiliations"),
            {"affiliation": other.pk, "end_date": "2026-01-31"},
        ).status_code
        == 404
    )
    client.post(
        reverse("community:my_affiliations"),
        {"affiliation": affiliation.pk, "end_date": "2026-01-31"},
    )
    affiliation.refresh_from_db()
    other.refresh_from_db()
    assert affiliation.end_date == date(2026, 1, 31)
    assert other.end_date is None
    payload = OutboxEvent.objects.get(type="affiliation.changed").payload
    assert payload["after"]["end_date"] == "2026-01-31"


def test_a_partner_owner_proposes_one_of_its_people(client, bob, bob_org, taro):
    client.force_login(bob)
    response = client.post(
        reverse("community:affiliation_propose"),
        {
            "organization": bob_org.pk,
            "platform": "github",
            "handle": "Taro",
            "start_date": "2024-04-01",
        },
    )
    assert response.status_code == 302
    suggestion = AffiliationSuggestion.objects.get()
    assert (suggestion.member, suggestion.state) == (taro, SuggestionState.PENDING)
    unknown = client.post(
        reverse("community:affiliation_propose"),
        {
            "organization": bob_org.pk,
            "platform": "github",
            "handle": "nobody",
            "start_date": "2024-04-01",
        },
    )
    assert "handle" in unknown.context["form"].errors


def test_a_partner_owner_cannot_propose_for_another_organization(client, eve, bob_org, taro):
    client.force_login(eve)
    response = client.post(
        reverse("community:affiliation_propose"),
        {
            "organization": bob_org.pk,
            "platform": "github",
            "handle": "taro",
            "start_date": "2024-04-01",
        },
    )
    assert "organization" in response.context["form"].errors
    assert not AffiliationSuggestion.objects.exists()


def test_staff_edit_and_remove_an_affiliation(client, alice, affiliation):
    client.force_login(alice)
    url = reverse("community:affiliation_edit", args=[affiliation.pk])
    client.post(url, {"title": "CTO", "start_date": "2025-05-01", "end_date": ""})
    affiliation.refresh_from_db()
    assert (affiliation.title, affiliation.start_date) == ("CTO", date(2025, 5, 1))
    client.post(url, {"remove": "1"})
    assert not Affiliation.objects.exists()
    assert OutboxEvent.objects.filter(type="affiliation.removed").exists()
