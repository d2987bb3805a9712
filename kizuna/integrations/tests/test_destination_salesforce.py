"""Salesforce against a local fake org (salesforce_fake.py): simple-salesforce over TLS on
127.0.0.1, the JWT bearer login, REST upserts, Bulk API 2.0 resyncs; no network."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kizuna.core.errors import ServiceError
from kizuna.directory.services import leads
from kizuna.directory.tests.conftest import make_partner  # noqa: F401 - a fixture
from kizuna.directory.tests.test_leads import project
from kizuna.integrations.destinations import salesforce, services
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
)
from kizuna.integrations.tests.salesforce_fake import (
    CONSUMER_KEY,
    USERNAME,
    ca_bundle,
    private_key_pem,
    serve,
)
from kizuna.partners.models import PartnerProfile
from kizuna.partners.services.profiles import partner_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(settings, monkeypatch):
    fake, server = serve()
    settings.KIZUNA_SALESFORCE_DOMAINS = ["salesforce.com", "127.0.0.1"]
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_bundle())
    monkeypatch.setattr(salesforce, "BULK_POLL_SECONDS", 0)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def bob_partner(make_partner, bob):  # noqa: F811
    return make_partner("Bob Web Works", owner=bob, website="https://bob.example.jp")


@pytest.fixture
def eve_partner(make_partner, eve):  # noqa: F811
    return make_partner("Eve Commerce Lab", owner=eve)


def make_destination(alice, org, settings=None, **overrides):
    fields = {
        "kind": "salesforce",
        "name": "Salesforce (sales)",
        "settings": {"instance_url": org.url, **(settings or {})},
        "secrets": {
            "consumer_key": CONSUMER_KEY,
            "username": USERNAME,
            "private_key": private_key_pem(),
        },
    }
    return services.destination_create(actor=alice, **{**fields, **overrides})


def sync(destination):
    run = services.destination_sync(destination=destination)
    assert run is not None
    return run


def test_first_sync_logs_in_with_a_jwt_and_writes_partners_as_accounts(
    alice, org, bob_partner, eve_partner
):
    destination = make_destination(alice, org)
    run = sync(destination)

    assert run.error == ""
    assert run.accepted == 2
    account = org.records["Account"][str(bob_partner.pk)]
    assert account["Name"] == "Bob Web Works"
    assert account["Website"] == "https://bob.example.jp"
    assert account["Kizuna_Id__c"] == str(bob_partner.pk)
    assert (
        DestinationRecord.objects.get(kind="partners", object_id=bob_partner.pk).remote_id
        == (account["Id"])
    )
    assert org.logins == 1
    assert destination.credentials["access_token"] in org.valid_tokens
    assert destination.cursor > 0


def test_incremental_sync_sends_what_changed_and_leads_become_opportunities_on_the_account(
    alice, bob, carol, org, bob_partner, eve_partner
):
    destination = make_destination(alice, org)
    sync(destination)
    partner_update(
        actor=bob, partner=bob_partner, by_owner=True, website="https://new.bob.example.jp"
    )
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    org.requests.clear()

    run = sync(destination)

    assert run.accepted == 2  # Bob's Account again, and the Opportunity
    assert [path.split("/v62.0/")[1] for _, path in org.api_calls()] == [
        "composite/sobjects/Account/Kizuna_Id__c",
        "composite/sobjects/Opportunity/Kizuna_Id__c",
    ]
    assert org.logins == 1  # the stored token was used again
    account = org.records["Account"][str(bob_partner.pk)]
    assert account["Website"] == "https://new.bob.example.jp"
    opportunity = org.records["Opportunity"][str(slot.pk)]
    assert opportunity["StageName"] == "Prospecting"
    assert opportunity["Amount"] == 1_000_000
    assert opportunity["AccountId"] == account["Id"]

    calls = len(org.requests)
    assert sync(destination).accepted == 0  # nothing new: no call at all
    assert len(org.requests) == calls
    leads.lead_accept(actor=bob, assignment=slot)
    sync(destination)
    assert org.records["Opportunity"][str(slot.pk)]["StageName"] == "Qualification"
    assert len(org.records["Opportunity"]) == 1


def test_a_resync_goes_through_bulk_api_2_and_a_replay_never_duplicates(
    alice, carol, org, bob_partner, eve_partner
):
    leads.lead_create(merchant=carol, partners=[bob_partner, eve_partner], **project())
    destination = make_destination(alice, org)
    sync(destination)
    before = {
        sobject: {k: dict(v) for k, v in rows.items()} for sobject, rows in org.records.items()
    }
    # A worker that died after Salesforce accepted and before the cursor was saved.
    Destination.objects.filter(pk=destination.pk).update(cursor=0)
    destination.refresh_from_db()
    sync(destination)
    for kind in ("partners", "leads"):
        services.destination_resync_request(actor=alice, destination=destination, kind=kind)
    org.requests.clear()

    run = sync(destination)

    assert run.accepted == 4
    assert ("POST", "/services/data/v62.0/jobs/ingest") in org.requests
    assert not [p for _, p in org.requests if "composite" in p]  # no REST upsert in a resync
    assert [job["object"] for job in org.jobs.values()] == ["Account", "Opportunity"]
    after = {
        sobject: {k: dict(v) for k, v in rows.items()} for sobject, rows in org.records.items()
    }
    assert {s: {k: v["Id"] for k, v in rows.items()} for s, rows in after.items()} == {
        s: {k: v["Id"] for k, v in rows.items()} for s, rows in before.items()
    }
    assert len(org.records["Account"]) == 2
    assert len(org.records["Opportunity"]) == 2
    destination.refresh_from_db()
    assert destination.resyncs == {}


def test_a_record_refused_in_a_bulk_job_is_listed_with_salesforces_reason(
    alice, org, bob_partner, eve_partner
):
    destination = make_destination(alice, org)
    sync(destination)
    PartnerProfile.objects.filter(pk=eve_partner.pk).update(website="")
    eve_partner.organization.__class__.objects.filter(pk=eve_partner.organization_id).update(
        name=""
    )
    services.destination_resync_request(actor=alice, destination=destination, kind="partners")

    run = sync(destination)

    assert run.accepted == 1
    assert run.rejected == 1
    rejection = DestinationRejection.objects.get(destination=destination)
    assert rejection.object_id == eve_partner.pk
    assert "REQUIRED_FIELD_MISSING" in rejection.reason


def test_a_rejected_record_is_listed_with_its_reason_and_the_others_are_accepted(
    alice, carol, org, bob_partner, eve_partner
):
    slots = leads.lead_create(
        merchant=carol, partners=[bob_partner, eve_partner], **project()
    ).assignments.order_by("pk")
    destination = make_destination(alice, org, settings={"stages": {"offered": "Prospecting"}})
    slots[1].__class__.objects.filter(pk=slots[1].pk).update(status="accepted")

    run = sync(destination)

    assert run.rejected == 1
    [rejection] = DestinationRejection.objects.filter(destination=destination)
    assert (rejection.kind, rejection.object_id) == ("leads", slots[1].pk)
    assert "REQUIRED_FIELD_MISSING" in rejection.reason
    assert list(org.records["Opportunity"]) == [str(slots[0].pk)]
    assert destination.cursor > 0  # the rest of the page moved on


def test_records_refused_for_the_mapping_are_retried_once_staff_fix_it(alice, org, bob_partner):
    destination = make_destination(alice, org, mapping={"partners": {"rank": "Tier__c"}})
    sync(destination)
    rejection = DestinationRejection.objects.get(destination=destination, kind="partners")
    assert "INVALID_FIELD" in rejection.reason
    assert "Tier__c" in rejection.reason
    assert org.records["Account"] == {}
    sync(destination)  # same mapping: not retried
    rejection.refresh_from_db()
    assert rejection.attempts == 1

    services.destination_update(
        actor=alice,
        destination=destination,
        name=destination.name,
        settings=destination.settings,
        enabled=True,
        mapping={},
    )
    sync(destination)

    assert not DestinationRejection.objects.filter(destination=destination).exists()
    assert org.records["Account"][str(bob_partner.pk)]["Kizuna_Rank__c"] == "member"


def test_a_503_with_retry_after_defers_the_destination_without_moving_the_cursor(
    alice, org, bob_partner
):
    destination = make_destination(alice, org)
    org.valid_tokens.add("00Dfake!cached")
    Destination.objects.filter(pk=destination.pk).update(
        credentials_encrypted=_with_token(destination, "00Dfake!cached", org)
    )
    destination.refresh_from_db()
    org.queue(503, {"Retry-After": "120"}, [{"errorCode": "SERVER_UNAVAILABLE", "message": "busy"}])

    run = sync(destination)

    assert "asked to wait (503)" in run.error
    assert destination.cursor == 0
    wait = destination.deferred_until - timezone.now()
    assert timedelta(seconds=100) < wait <= timedelta(seconds=120)
    assert services.destination_sync(destination=destination) is None  # the worker skips it
    Destination.objects.filter(pk=destination.pk).update(deferred_until=timezone.now())
    run = sync(destination)
    assert run.error == ""
    assert run.accepted == 1
    destination.refresh_from_db()
    assert destination.deferred_until is None


def test_request_limit_exceeded_waits_an_hour_for_the_rolling_allowance(alice, org, bob_partner):
    destination = make_destination(alice, org)
    org.queue(
        403,
        {},
        [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
    )
    sync(destination)  # the login is no API call; the upsert is refused

    destination.refresh_from_db()
    assert "REQUEST_LIMIT_EXCEEDED" in destination.deferred_reason
    wait = destination.deferred_until - timezone.now()
    assert timedelta(minutes=55) < wait <= timedelta(hours=1)
    assert destination.cursor == 0


def test_usage_near_the_orgs_daily_allowance_stops_before_the_reserve_is_touched(
    alice, org, bob_partner, eve_partner
):
    org.api_used, org.api_allowed = 8_500, 10_000  # 85% used; 20% is kept in reserve
    destination = make_destination(alice, org)
    sync(destination)  # the first answer tells the usage
    calls = len(org.api_calls())

    Destination.objects.filter(pk=destination.pk).update(cursor=0)
    destination.refresh_from_db()
    run = sync(destination)

    assert "8501/10000 reached the 20% kept for the org's other integrations" in run.error
    assert len(org.api_calls()) == calls  # refused before any call
    destination.refresh_from_db()
    assert destination.deferred_until > timezone.now() + timedelta(minutes=55)


def test_an_expired_access_token_is_replaced_by_a_new_jwt_login_and_stored_encrypted(
    alice, org, bob_partner
):
    destination = make_destination(alice, org)
    sync(destination)
    old = destination.credentials["access_token"]
    org.valid_tokens.clear()  # Salesforce ended the session
    partner_update(
        actor=bob_partner.organization.memberships.get().user,
        partner=bob_partner,
        by_owner=True,
        website="https://bob2.example.jp",
    )

    run = sync(destination)

    assert run.error == ""
    assert run.accepted == 1
    assert org.logins == 2
    destination.refresh_from_db()
    new = destination.credentials["access_token"]
    assert new != old
    assert new in org.valid_tokens
    assert new not in destination.credentials_encrypted


@pytest.mark.filterwarnings("ignore:\\s+If your connected app policy")  # the SDK's hint
def test_a_login_the_connected_app_refuses_is_the_runs_error(alice, org, bob_partner):
    destination = make_destination(
        alice,
        org,
        secrets={
            "consumer_key": CONSUMER_KEY,
            "username": "someone@else",
            "private_key": private_key_pem(),
        },
    )
    run = sync(destination)
    assert "refused the JWT bearer login" in run.error
    assert destination.cursor == 0


def test_check_finds_the_external_id_fields_and_reports_the_daily_allowance(alice, org):
    destination = make_destination(alice, org)
    result = services.destination_check(actor=alice, destination=destination)
    assert result.startswith("Salesforce OK: Kizuna_Id__c found on Account, Opportunity")
    assert "daily API requests left" in result

    other = make_destination(alice, org, settings={"external_id_field": "Other_Id__c"})
    with pytest.raises(ServiceError) as error:
        services.destination_check(actor=alice, destination=other)
    assert "Other_Id__c is not an External ID field" in str(error.value)


@pytest.mark.parametrize(
    "instance_url",
    [
        "http://acme.my.salesforce.com",
        "https://intranet.example.com",
        "https://acme.my.salesforce.com/x",
    ],
)
def test_an_instance_url_off_salesforces_https_domains_is_refused(alice, instance_url):
    with pytest.raises(ServiceError) as error:
        services.destination_create(
            actor=alice,
            kind="salesforce",
            name="Salesforce",
            settings={"instance_url": instance_url},
            secrets={"consumer_key": "k", "username": "u@x", "private_key": private_key_pem()},
        )
    assert set(error.value.error_dict) == {"settings"}
    assert not Destination.objects.exists()


def test_credentials_need_a_pem_private_key_and_are_stored_encrypted(alice, org):
    with pytest.raises(ServiceError) as error:
        make_destination(
            alice, org, secrets={"consumer_key": "k", "username": "u@x", "private_key": "hunter2"}
        )
    assert "PEM" in str(error.value.error_dict["secrets"])
    destination = make_destination(alice, org)
    assert "PRIVATE KEY" not in destination.credentials_encrypted
    assert destination.credentials["username"] == USERNAME


def _with_token(destination, token, org):
    from kizuna.connectors import credentials

    return credentials.encrypt(
        {
            **destination.credentials,
            "access_token": token,
            "instance": org.url.removeprefix("https://"),
        }
    )


def test_a_private_key_that_cannot_sign_fails_the_check_with_a_reason(alice, org):
    destination = make_destination(
        alice,
        org,
        secrets={
            "consumer_key": CONSUMER_KEY,
            "username": USERNAME,
            "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
        },
    )
    with pytest.raises(ServiceError) as error:
        services.destination_check(actor=alice, destination=destination)
    assert "The private key cannot sign" in str(error.value)
    assert org.requests == []
