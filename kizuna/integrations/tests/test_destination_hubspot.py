"""HubSpot against a local fake HubSpot (hubspot_fake.py): the official SDK, no network."""

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.core.errors import ServiceError
from kizuna.core.feed import PRUNED_CURSOR
from kizuna.core.models import AuditEntry, EventCursor, OutboxEvent
from kizuna.directory.services import leads
from kizuna.directory.tests.conftest import make_partner  # noqa: F401 - a fixture
from kizuna.directory.tests.test_leads import project
from kizuna.integrations.destinations import services, tasks
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
)
from kizuna.integrations.tests.hubspot_fake import serve
from kizuna.partners.services.profiles import partner_create, partner_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubspot(settings):
    fake, server = serve()
    settings.KIZUNA_HUBSPOT_HOST = fake.url
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def bob_partner(make_partner, bob):  # noqa: F811
    return make_partner("Bob Web Works", owner=bob, website="https://bob.example.jp")


@pytest.fixture
def eve_partner(eve):
    return partner_create(actor=eve, organization=eve.memberships.get().organization)


def sync(destination):
    run = services.destination_sync(destination=destination)
    assert run is not None
    return run


def make_destination(alice, **overrides):
    fields = {
        "kind": "hubspot",
        "name": "HubSpot (sales)",
        "settings": {"pipeline": "partners"},
        "secrets": {"access_token": "pat-test"},
    }
    return services.destination_create(actor=alice, **{**fields, **overrides})


def test_first_sync_writes_partners_as_companies_and_owners_as_associated_contacts(
    alice, hubspot, bob_partner
):
    destination = make_destination(alice)
    run = sync(destination)
    assert run.error == ""
    assert run.accepted == 2
    [company] = hubspot.objects["companies"].values()
    assert company["properties"]["name"] == "Bob Web Works"
    assert company["properties"]["website"] == "https://bob.example.jp"
    assert company["properties"]["kizuna_id"] == str(bob_partner.pk)
    [contact] = hubspot.objects["contacts"].values()
    assert contact["properties"]["email"] == "bob@example.com"
    assert ("contacts", contact["id"], company["id"]) in hubspot.associations
    assert destination.cursor > 0
    assert destination.last_synced_at is not None


def test_incremental_sync_writes_only_what_changed_and_leads_become_deals_in_the_pipeline(
    alice, bob, carol, hubspot, bob_partner, eve_partner
):
    destination = make_destination(alice)
    services.destination_sync(destination=destination)
    partner_update(
        actor=bob, partner=bob_partner, by_owner=True, website="https://new.bob.example.jp"
    )
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    hubspot.requests.clear()

    run = sync(destination)

    assert run.accepted == 2  # Bob's company again, and the deal
    upserts = [path for method, path in hubspot.requests if path.endswith("/batch/upsert")]
    assert upserts == [
        "/crm/v3/objects/companies/batch/upsert",
        "/crm/v3/objects/deals/batch/upsert",
    ]
    assert hubspot.objects["companies"][str(bob_partner.pk)]["properties"]["website"] == (
        "https://new.bob.example.jp"
    )
    deal = hubspot.objects["deals"][str(slot.pk)]
    assert deal["properties"]["pipeline"] == "partners"
    assert deal["properties"]["dealstage"] == "appointmentscheduled"
    assert deal["properties"]["amount"] == 1_000_000
    company_id = hubspot.objects["companies"][str(bob_partner.pk)]["id"]
    assert ("deals", deal["id"], company_id) in hubspot.associations

    runs, calls = destination.runs.count(), len(hubspot.requests)
    assert sync(destination).accepted == 0  # nothing new: no call, and no row in the log
    assert destination.runs.count() == runs
    assert len(hubspot.requests) == calls
    leads.lead_accept(actor=bob, assignment=slot)
    services.destination_sync(destination=destination)
    assert hubspot.objects["deals"][str(slot.pk)]["properties"]["dealstage"] == "qualifiedtobuy"
    assert len(hubspot.objects["deals"]) == 1


def test_a_replay_from_an_old_cursor_and_a_resync_never_duplicate(
    alice, hubspot, bob_partner, eve_partner
):
    destination = make_destination(alice)
    services.destination_sync(destination=destination)
    before = {kind: dict(objs) for kind, objs in hubspot.objects.items()}
    # A worker that died after HubSpot accepted and before the cursor was saved.
    Destination.objects.filter(pk=destination.pk).update(cursor=0)
    destination.refresh_from_db()
    services.destination_sync(destination=destination)
    services.destination_resync_request(actor=alice, destination=destination, kind="partners")
    run = sync(destination)

    assert run.accepted == 2
    assert {kind: dict(objs) for kind, objs in hubspot.objects.items()} == before
    assert len(hubspot.objects["companies"]) == 2
    assert DestinationRecord.objects.filter(destination=destination, kind="partners").count() == 2
    destination.refresh_from_db()
    assert destination.resyncs == {}


def test_a_rejected_record_is_listed_with_its_reason_and_the_others_are_accepted(
    alice, bob, hubspot, bob_partner, eve_partner
):
    User.objects.filter(pk=bob.pk).update(email="bob@example")  # HubSpot refuses it
    destination = make_destination(alice)
    run = sync(destination)

    assert run.rejected == 1
    [rejection] = DestinationRejection.objects.filter(destination=destination)
    assert rejection.kind == "partner_owners"
    assert "INVALID_EMAIL" in rejection.reason
    assert [c["properties"]["email"] for c in hubspot.objects["contacts"].values()] == [
        "eve@example.com"
    ]
    assert destination.cursor > 0  # the rest of the page moved on


def test_records_rejected_for_the_mapping_are_retried_once_staff_fix_it(
    alice, hubspot, bob_partner
):
    destination = make_destination(alice, mapping={"partners": {"rank": "kizuna_tier"}})
    services.destination_sync(destination=destination)
    rejection = DestinationRejection.objects.get(destination=destination, kind="partners")
    assert "kizuna_tier does not exist" in rejection.reason
    assert hubspot.objects["companies"] == {}
    # Bob's contact waits for its company rather than being written without one.
    assert DestinationRejection.objects.get(kind="partner_owners").reason.startswith(
        "Waits for its partners"
    )
    assert hubspot.objects["contacts"] == {}
    services.destination_sync(destination=destination)  # same mapping: not retried
    rejection.refresh_from_db()
    assert rejection.attempts == 1

    services.destination_update(
        actor=alice,
        destination=destination,
        name=destination.name,
        settings=destination.settings,
        enabled=True,
        mapping={"partners": {"rank": "kizuna_rank"}},
    )
    services.destination_sync(destination=destination)

    assert not DestinationRejection.objects.filter(destination=destination).exists()
    assert (
        hubspot.objects["companies"][str(bob_partner.pk)]["properties"]["kizuna_rank"] == "member"
    )
    [contact] = hubspot.objects["contacts"].values()
    company_id = hubspot.objects["companies"][str(bob_partner.pk)]["id"]
    assert ("contacts", contact["id"], company_id) in hubspot.associations


def test_a_429_defers_the_destination_until_retry_after_without_moving_the_cursor(
    alice, hubspot, bob_partner
):
    destination = make_destination(alice)
    hubspot.queue(
        429, {"Retry-After": "120"}, {"policyName": "TEN_SECONDLY_ROLLING", "message": "slow down"}
    )
    run = sync(destination)

    assert "rate limit" in run.error
    assert destination.cursor == 0
    wait = destination.deferred_until - timezone.now()
    assert timedelta(seconds=100) < wait <= timedelta(seconds=120)
    assert services.destination_sync(destination=destination) is None  # the worker skips it
    assert destination not in services.destinations_due()

    Destination.objects.filter(pk=destination.pk).update(deferred_until=timezone.now())
    run = sync(destination)
    assert run.error == ""
    assert run.accepted == 2
    destination.refresh_from_db()
    assert destination.deferred_until is None
    assert destination.cursor > 0


def test_the_daily_call_limit_defers_until_midnight(alice, hubspot, bob_partner):
    destination = make_destination(alice, settings={"daily_call_limit": 1})
    run = sync(destination)
    assert "Daily API limit" in run.error
    assert timezone.localtime(destination.deferred_until).hour == 0
    assert destination.calls_today == 1
    assert destination.cursor == 0


def test_an_expired_oauth_token_is_refreshed_and_stored_encrypted(alice, hubspot, bob_partner):
    destination = make_destination(
        alice,
        secrets={
            "access_token": "expired",
            "client_id": "app",
            "client_secret": "shh",
            "refresh_token": "refresh-test",
        },
    )
    run = sync(destination)

    assert run.error == ""
    assert run.accepted == 2
    assert ("POST", "/oauth/v1/token") in hubspot.requests
    destination.refresh_from_db()
    assert destination.credentials["access_token"] in hubspot.valid_tokens
    assert destination.credentials["access_token"] not in destination.credentials_encrypted


def test_settings_and_credentials_are_checked_against_the_schema_when_saved(alice):
    with pytest.raises(ServiceError) as error:
        make_destination(
            alice,
            settings={"daily_call_limit": 0, "colour": "blue"},
            secrets={"client_id": "app"},
            mapping={"partners": {"no_such_field": "name"}, "invoices": {}},
        )
    assert set(error.value.error_dict) == {"settings", "secrets", "mapping"}
    assert not Destination.objects.exists()


def test_credentials_are_stored_encrypted_and_staff_actions_are_audited(alice, hubspot):
    destination = make_destination(alice)
    assert "pat-test" not in destination.credentials_encrypted
    assert destination.credentials == {"access_token": "pat-test"}
    assert services.destination_check(actor=alice, destination=destination).startswith("HubSpot OK")
    services.destination_resync_request(actor=alice, destination=destination, kind="leads")
    actions = list(
        AuditEntry.objects.filter(actor=alice, action__startswith="destination.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "destination.checked",
        "destination.created",
        "destination.resync_requested",
    ]
    entry = AuditEntry.objects.get(action="destination.created")
    assert "pat-test" not in str(entry.after)


def test_a_check_with_a_refused_token_says_so(alice, hubspot):
    destination = make_destination(alice, secrets={"access_token": "wrong"})
    with pytest.raises(ServiceError) as error:
        services.destination_check(actor=alice, destination=destination)
    assert "refused the credentials" in str(error.value)


def test_the_worker_syncs_enabled_destinations_that_are_not_waiting(alice, hubspot, bob_partner):
    ready = make_destination(alice, name="ready")
    waiting = make_destination(alice, name="waiting")
    off = make_destination(alice, name="off")
    Destination.objects.filter(pk=waiting.pk).update(
        deferred_until=timezone.now() + timedelta(minutes=5)
    )
    Destination.objects.filter(pk=off.pk).update(enabled=False)

    tasks.sync_due_destinations.enqueue()  # the periodic job; tasks run inline in tests

    assert ready.runs.count() == 1
    assert waiting.runs.count() == 0
    assert off.runs.count() == 0


def test_a_cursor_older_than_the_feed_retention_resyncs_everything(alice, hubspot, bob_partner):
    destination = make_destination(alice)
    head = OutboxEvent.objects.aggregate(head=Max("id"))["head"]
    EventCursor.objects.create(name=PRUNED_CURSOR, last_event_id=head)
    Destination.objects.filter(pk=destination.pk).update(cursor=1)
    destination.refresh_from_db()

    run = sync(destination)

    assert run.error == ""
    assert destination.cursor >= head
    assert destination.resyncs == {}
    assert str(bob_partner.pk) in hubspot.objects["companies"]
    assert len(hubspot.objects["contacts"]) == 1
