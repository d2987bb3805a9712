"""The change feed, GET /api/v1/events: cursor, types, scopes, personal data, retention."""

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from kizuna.accounts.services import api_token_create
from kizuna.core import catalog, consumers
from kizuna.core.events import emit
from kizuna.core.feed import feed_page, outbox_prune
from kizuna.core.models import OutboxEvent
from kizuna.directory.models import DeclineReason
from kizuna.directory.services import leads
from kizuna.directory.tests import conftest as directory_fixtures
from kizuna.partners.events import partner_ref

pytestmark = pytest.mark.django_db

# Partners listed in the directory (leads go only to those), made as the directory tests do.
_catalog_and_index = directory_fixtures._catalog_and_index
make_partner = directory_fixtures.make_partner

STAFF_SCOPES = ["events:read", "partners:read", "leads:read", "billing:read", "community:read"]


def token_for(user, *scopes):
    _token, plaintext = api_token_create(user=user, name="feed", scopes=list(scopes))
    return plaintext


def read(client, token, **params):
    response = client.get("/api/v1/events", params, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


@pytest.fixture
def bob_partner(make_partner, bob):
    return make_partner("Bob Web Works", owner=bob)


@pytest.fixture
def eve_partner(make_partner, eve):
    return make_partner("Eve Commerce Lab", owner=eve)


def partner_updated(partner, *fields):
    with transaction.atomic():
        return emit(
            "partner.updated", {**partner_ref(partner), "slug": partner.slug, "fields": fields}
        )


def member_erased(member_id):
    with transaction.atomic():
        return emit("member.erased", {"member_id": member_id})


def test_a_reader_keeping_its_cursor_gets_every_event_once_in_commit_order(
    client, alice, bob_partner
):
    token = token_for(alice, *STAFF_SCOPES)
    expected = [partner_updated(bob_partner, f"field_{n}").id for n in range(5)]
    seen, cursor = [], 0
    for _ in range(3):
        status, page = read(client, token, after=cursor, limit=2, types="partner.updated")
        assert status == 200
        seen += [event["id"] for event in page["events"]]
        cursor = page["next_cursor"]
    expected.append(partner_updated(bob_partner, "late").id)  # committed after a read
    status, page = read(client, token, after=cursor, limit=2, types="partner.updated")
    seen += [event["id"] for event in page["events"]]
    assert seen[-6:] == expected
    assert len(seen) == len(set(seen))
    status, last = read(client, token, after=page["next_cursor"], types="partner.updated")
    assert (last["events"], last["next_cursor"]) == ([], page["next_cursor"])


def test_each_event_has_its_id_type_version_time_and_data(client, alice, bob_partner):
    event = partner_updated(bob_partner, "summary")
    status, page = read(client, token_for(alice, *STAFF_SCOPES), after=event.id - 1)
    assert status == 200
    assert page["events"] == [
        {
            "id": event.id,
            "type": "partner.updated",
            "version": 1,
            "occurred_at": page["events"][0]["occurred_at"],
            "data": {
                "partner_id": bob_partner.pk,
                "organization_id": bob_partner.organization_id,
                "slug": bob_partner.slug,
                "fields": ["summary"],
            },
        }
    ]
    assert page["next_cursor"] == event.id


def test_an_empty_page_still_moves_the_cursor_past_events_of_other_types(
    client, alice, bob_partner
):
    token = token_for(alice, *STAFF_SCOPES)
    newest = member_erased(1)
    status, page = read(client, token, types="partner.updated", after=newest.id - 1)
    assert (status, page["events"], page["next_cursor"]) == (200, [], newest.id)


def test_the_types_filter_takes_a_comma_list_or_repeated_parameters(client, alice, bob_partner):
    token = token_for(alice, *STAFF_SCOPES)
    partner_updated(bob_partner, "x")
    member_erased(7)
    for params in ({"types": "member.erased"}, {"types": ["member.erased", "lead.expired"]}):
        status, page = read(client, token, **params)
        assert status == 200
        assert {e["type"] for e in page["events"]} == {"member.erased"}
    status, page = read(client, token, types="partner.updated,member.erased")
    assert {e["type"] for e in page["events"]} == {"partner.updated", "member.erased"}


def test_an_unknown_or_internal_type_in_the_filter_is_a_400(client, alice):
    token = token_for(alice, *STAFF_SCOPES)
    for name in ("nothing.such", "user.created"):
        status, body = read(client, token, types=name)
        assert (status, body["code"]) == (400, "unknown_event_type")
        assert name in body["detail"]


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_a_limit_outside_1_to_500_is_refused(client, alice, limit):
    status, body = read(client, token_for(alice, *STAFF_SCOPES), limit=limit)
    assert (status, body["code"]) == (422, "invalid_input")


def test_the_limit_caps_a_page_at_500(client, alice, bob_partner):
    with transaction.atomic():
        for n in range(501):
            emit("member.erased", {"member_id": n})
    status, page = read(client, token_for(alice, *STAFF_SCOPES), limit=500)
    assert (status, len(page["events"])) == (200, 500)


def test_reading_the_feed_needs_the_events_read_scope(client, alice):
    status, body = read(client, token_for(alice, "partners:read"))
    assert (status, body["code"]) == (403, "missing_scope")
    assert "events:read" in body["detail"]


def test_each_type_needs_its_own_scope_too(client, alice, bob_partner):
    partner_updated(bob_partner, "x")
    member_erased(3)
    status, page = read(client, token_for(alice, "events:read", "community:read"))
    assert {e["type"] for e in page["events"]} == {"member.erased"}
    status, body = read(
        client, token_for(alice, "events:read", "community:read"), types="partner.updated"
    )
    assert (status, body["code"]) == (403, "missing_scope")
    assert "partners:read" in body["detail"]


def test_a_partner_reads_only_the_events_about_its_own_organization(
    client, bob, bob_partner, eve_partner
):
    partner_updated(bob_partner, "bob")
    partner_updated(eve_partner, "eve")
    member_erased(3)  # no organization: staff only
    status, page = read(client, token_for(bob, "events:read", "partners:read", "community:read"))
    assert status == 200
    assert {e["data"]["organization_id"] for e in page["events"]} == {bob_partner.organization_id}
    assert "member.erased" not in {e["type"] for e in page["events"]}


def project():
    return {
        "products": "手作りの革小物",
        "budget": 1_000_000,
        "timeline": "quarter",
        "prefecture": "13",
        "message": "ネットショップを立ち上げたいです。",
        "contact_name": "中島 キャロル",
        "contact_email": "carol.shop@example.jp",
        "contact_phone": "03-1234-5678",
    }


CONTACT = ("中島 キャロル", "carol.shop@example.jp", "03-1234-5678", "carol@example.com")


def lead_events(client, token):
    status, page = read(client, token, types="lead.offered,lead.accepted,lead.declined")
    assert status == 200
    return page["events"]


def test_a_partner_never_sees_the_merchants_contact_before_accepting(
    client, carol, bob, bob_partner, eve, eve_partner
):
    consumers.dispatch_all()
    lead = leads.lead_create(merchant=carol, partners=[bob_partner, eve_partner], **project())
    bob_token = token_for(bob, "events:read", "leads:read", "personal_data:read")
    eve_token = token_for(eve, "events:read", "leads:read", "personal_data:read")
    offered = lead_events(client, bob_token)
    assert [e["type"] for e in offered] == ["lead.offered"]
    assert not any(value in json.dumps(offered, ensure_ascii=False) for value in CONTACT)

    eve_slot = lead.assignments.get(partner=eve_partner)
    leads.lead_decline(actor=eve, assignment=eve_slot, reason=DeclineReason.BUSY)
    leads.lead_accept(actor=bob, assignment=lead.assignments.get(partner=bob_partner))

    eve_sees = json.dumps(lead_events(client, eve_token), ensure_ascii=False)
    assert not any(value in eve_sees for value in CONTACT)
    accepted = lead_events(client, bob_token)[-1]
    assert accepted["type"] == "lead.accepted"
    assert accepted["data"]["contact_email"] == "carol.shop@example.jp"


def test_personal_fields_are_left_out_without_the_personal_data_scope(
    client, carol, bob, bob_partner
):
    consumers.dispatch_all()
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    leads.lead_accept(actor=bob, assignment=lead.assignments.get())
    events = lead_events(client, token_for(bob, "events:read", "leads:read"))
    accepted = events[-1]
    assert accepted["type"] == "lead.accepted"
    assert set(accepted["data"]) == {"lead_id", "assignment_id", "partner_id", "organization_id"}
    assert not any(value in json.dumps(events, ensure_ascii=False) for value in CONTACT)


def age(days):
    OutboxEvent.objects.update(occurred_at=timezone.now() - timedelta(days=days))


def test_a_cursor_older_than_the_retention_gets_a_410_saying_where_to_resume(
    client, alice, bob_partner
):
    token = token_for(alice, *STAFF_SCOPES)
    old = [partner_updated(bob_partner, f"old_{n}").id for n in range(3)]
    consumers.dispatch_all()
    age(days=91)
    kept = partner_updated(bob_partner, "new")
    consumers.dispatch_all()
    assert outbox_prune() >= 3
    status, body = read(client, token, after=old[0])
    assert (status, body["code"], body["next_cursor"]) == (410, "cursor_expired", old[-1])
    assert "after=0" in body["detail"]
    assert f"after={old[-1]}" in body["detail"]
    status, page = read(client, token, after=body["next_cursor"], types="partner.updated")
    assert [e["id"] for e in page["events"]] == [kept.id]
    status, page = read(client, token, after=0, types="partner.updated")
    assert [e["id"] for e in page["events"]] == [kept.id]


@override_settings(KIZUNA_EVENT_RETENTION_DAYS=7)
def test_the_retention_is_a_setting(bob_partner):
    partner_updated(bob_partner, "x")
    consumers.dispatch_all()
    age(days=6)
    assert outbox_prune() == 0
    age(days=8)
    assert outbox_prune() > 0
    assert not OutboxEvent.objects.exists()


def test_the_prune_keeps_events_a_consumer_has_not_handled_yet(bob_partner):
    unhandled = partner_updated(bob_partner, "x")
    age(days=100)
    outbox_prune()
    assert OutboxEvent.objects.filter(pk=unhandled.pk).exists()
    consumers.dispatch_all()
    outbox_prune()
    assert not OutboxEvent.objects.filter(pk=unhandled.pk).exists()


def test_the_prune_is_a_periodic_job_of_the_worker():
    from kizuna.core.periodic import registered_jobs

    assert "kizuna.core.tasks.prune_outbox" in {job.name for job in registered_jobs()}


def test_events_written_before_the_catalog_are_not_published(client, alice, bob_partner):
    event = partner_updated(bob_partner, "x")
    OutboxEvent.objects.filter(pk=event.pk).update(version=0, payload={"ad": "hoc"})
    status, page = read(client, token_for(alice, *STAFF_SCOPES))
    assert status == 200
    assert event.id not in {e["id"] for e in page["events"]}


def test_the_openapi_document_describes_each_public_event_payload(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    mapping = components["FeedOut"]["properties"]["events"]["items"]["discriminator"]["mapping"]
    assert "lead.accepted" in mapping
    assert "user.created" not in mapping
    accepted = components["LeadAcceptedFeedData"]
    assert "contact_email" not in accepted.get("required", [])
    assert "organization_id" in accepted["required"]
    assert "410" in schema["paths"]["/api/v1/events"]["get"]["responses"]


def test_the_integration_guide_lists_every_public_event_type():
    guide = (Path(__file__).resolve().parents[3] / "docs" / "integrations.md").read_text()
    missing = [t.name for t in catalog.public_types() if f"| `{t.name}` |" not in guide]
    assert missing == []


def waiting_for_the_outbox_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers")
def test_a_page_read_while_an_earlier_transaction_is_open_never_skips_it():
    emitted, commit = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            emit("member.erased", {"member_id": 1})
            emitted.set()
            commit.wait(30)
        connection.close()

    def quick_writer():
        with transaction.atomic():
            emit("member.erased", {"member_id": 2})
        connection.close()

    def page(after):
        public = catalog.public_types()
        return feed_page(
            after=after, types=public, limit=100, organization_ids=None, personal_data=False
        )

    slow = threading.Thread(target=slow_writer)
    slow.start()
    emitted.wait(30)
    quick = threading.Thread(target=quick_writer)
    quick.start()
    while quick.is_alive() and not waiting_for_the_outbox_lock():
        time.sleep(0.01)  # until it has committed, or waits for the slow writer's commit
    first = page(0)
    commit.set()
    slow.join()
    quick.join()
    second = page(first.next_cursor)
    seen = [e["data"]["member_id"] for e in first.events + second.events]
    assert seen == [1, 2]


def test_every_public_event_types_scope_is_a_scope_a_token_can_carry():
    from kizuna.accounts.permissions import SCOPES

    assert {"events:read", "personal_data:read"} <= set(SCOPES)
    assert {t.scope for t in catalog.public_types()} - set(SCOPES) == set()
