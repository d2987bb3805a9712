"""freee against a local fake freee (freee_fake.py): httpx, OAuth refresh, no network."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.billing import services as billing
from kizuna.billing.models import BillingCycle, Deposit, Invoice
from kizuna.billing.tests.conftest import bob_account, choose, eve_account, rules  # noqa: F401
from kizuna.core.errors import ServiceError
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.base import Record, WriteContext
from kizuna.integrations.destinations.freee import Freee
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
)
from kizuna.integrations.tests.freee_fake import COMPANY_ID, serve

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)


@pytest.fixture
def freee(settings):
    fake, server = serve()
    settings.KIZUNA_FREEE_API_URL = fake.url
    settings.KIZUNA_FREEE_TOKEN_URL = f"{fake.url}/public_api/token"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def april_invoice(bob_account):  # noqa: F811
    choose(bob_account, monthly_fee=30_000)
    return billing.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=APRIL, issue_date=APRIL
    )


def pay(invoice, alice, amount=None, booked_on=date(2026, 4, 20)):
    statement = (
        "日付,内容,出金金額(円),入金金額(円),残高(円)\n"
        f"{booked_on:%Y/%m/%d},振込 カ）ボブウエブワークス,,{amount or invoice.total},100000\n"
    )
    billing.bank_statement_import(
        actor=alice, filename=f"{booked_on}.csv", content=statement.encode()
    )
    deposit = Deposit.objects.order_by("-pk")[0]
    return billing.deposit_confirm(actor=alice, deposit=deposit, invoice=invoice)


SECRETS = {
    "client_id": "app",
    "client_secret": "shh",
    "refresh_token": "refresh-test",
    "access_token": "access-test",
}


def make_destination(alice, **overrides):
    fields = {
        "kind": "freee",
        "name": "freee (経理)",
        "settings": {"company_id": COMPANY_ID, "walletable_id": 77},
        "secrets": SECRETS,
    }
    return services.destination_create(actor=alice, **{**fields, **overrides})


def sync(destination):
    run = services.destination_sync(destination=destination)
    assert run is not None
    return run


def test_first_sync_books_an_issued_invoice_as_an_income_deal_for_its_partner(
    alice, freee, april_invoice
):
    destination = make_destination(alice)
    run = sync(destination)

    assert run.error == ""
    assert run.accepted == 2  # the partner, the deal
    [partner] = freee.partners.values()
    assert partner["name"] == "株式会社ボブウェブワークス"
    deal = freee.deal_by_ref("KZ-INV-000001")
    assert deal["type"] == "income"
    assert deal["issue_date"] == "2026-04-01"
    assert deal["due_date"] == april_invoice.due_date.isoformat()
    assert deal["partner_id"] == partner["id"]
    lines = list(april_invoice.lines.all())
    assert [d["description"] for d in deal["details"]] == [line.description for line in lines]
    assert {d["account_item_id"] for d in deal["details"]} == {101}  # 売上高
    assert {d["tax_code"] for d in deal["details"]} == {129}  # 課税売上10%
    assert sum(d["amount"] for d in deal["details"]) == april_invoice.total
    assert sum(d["vat"] for d in deal["details"]) == april_invoice.tax
    record = DestinationRecord.objects.get(destination=destination, kind="invoices")
    assert record.remote_id == str(deal["id"])
    assert destination.cursor > 0


def test_a_matched_payment_is_recorded_on_the_deal_and_nothing_else_is_written_again(
    alice, freee, april_invoice
):
    destination = make_destination(alice)
    sync(destination)
    pay(april_invoice, alice)
    freee.requests.clear()

    run = sync(destination)

    assert run.accepted == 1
    assert freee.writes() == [
        ("POST", f"/api/1/deals/{freee.deal_by_ref('KZ-INV-000001')['id']}/payments")
    ]
    deal = freee.deal_by_ref("KZ-INV-000001")
    [payment] = deal["payments"]
    assert payment == {
        "id": payment["id"],
        "date": "2026-04-20",
        "amount": april_invoice.total,
        "from_walletable_type": "bank_account",
        "from_walletable_id": 77,
    }
    assert deal["status"] == "settled"
    assert sync(destination).accepted == 0


def test_a_replay_after_a_crash_and_a_resync_never_duplicate_deals_or_payments(
    alice, freee, april_invoice
):
    destination = make_destination(alice)
    pay(april_invoice, alice)
    sync(destination)
    assert len(freee.deals) == 1
    # A worker that died after freee accepted, before Kizuna kept anything of it.
    DestinationRecord.objects.filter(destination=destination).delete()
    Destination.objects.filter(pk=destination.pk).update(cursor=0)
    destination.refresh_from_db()
    freee.requests.clear()

    sync(destination)
    services.destination_resync_request(actor=alice, destination=destination, kind="invoices")
    services.destination_resync_request(actor=alice, destination=destination, kind="payments")
    sync(destination)

    assert freee.writes() == []  # found by ref_number and by date and amount
    assert len(freee.deals) == 1
    assert len(freee.partners) == 1
    assert len(freee.deal_by_ref("KZ-INV-000001")["payments"]) == 1
    assert DestinationRecord.objects.filter(destination=destination).count() == 3


def test_a_credit_note_is_a_deal_of_minus_rows_and_the_replacement_a_new_deal(
    alice, freee, april_invoice
):
    destination = make_destination(alice)
    sync(destination)
    credit_note, replacement = billing.invoice_correct(
        actor=alice, invoice=april_invoice, reason="金額訂正", today=date(2026, 4, 3)
    )

    run = sync(destination)

    assert run.error == ""
    credit = freee.deal_by_ref("KZ-CN-000001")
    assert credit["type"] == "income"
    assert credit["issue_date"] == "2026-04-03"
    assert credit["amount"] == -credit_note.total
    assert sum(d["vat"] for d in credit["details"]) == -credit_note.tax
    assert {d["tax_code"] for d in credit["details"]} == {129}
    assert all(d["description"].startswith("返還 INV-000001") for d in credit["details"])
    assert replacement is not None
    assert freee.deal_by_ref(f"KZ-{replacement.display_number}")["amount"] == replacement.total
    assert len(freee.deals) == 3


def test_an_unknown_account_item_is_listed_and_the_invoice_is_booked_once_fixed(
    alice, freee, april_invoice
):
    destination = make_destination(
        alice,
        settings={"company_id": COMPANY_ID, "account_items": {"invoices": "会費収入"}},
    )
    run = sync(destination)

    assert run.rejected == 1
    [rejection] = DestinationRejection.objects.filter(destination=destination)
    assert rejection.kind == "invoices"
    assert "会費収入" in rejection.reason
    assert freee.deals == {}
    sync(destination)  # nothing changed: not retried
    rejection.refresh_from_db()
    assert rejection.attempts == 1

    services.destination_update(
        actor=alice,
        destination=destination,
        name=destination.name,
        settings={"company_id": COMPANY_ID, "account_items": {"invoices": "売上高"}},
        enabled=True,
        mapping={},
    )
    sync(destination)

    assert not DestinationRejection.objects.filter(destination=destination).exists()
    assert freee.deal_by_ref("KZ-INV-000001")["details"][0]["account_item_id"] == 101


def test_a_payment_without_a_bank_account_set_is_rejected_with_the_reason(
    alice, freee, april_invoice
):
    destination = make_destination(alice, settings={"company_id": COMPANY_ID})
    pay(april_invoice, alice)
    sync(destination)
    [rejection] = DestinationRejection.objects.filter(destination=destination)
    assert rejection.kind == "payments"
    assert "walletable_id" in rejection.reason
    assert freee.deal_by_ref("KZ-INV-000001")["payments"] == []


def test_a_429_defers_the_destination_until_retry_after_without_moving_the_cursor(
    alice, freee, april_invoice
):
    destination = make_destination(alice)
    freee.queue(429, {"Retry-After": "300"}, {"status_code": 429, "message": "too many requests"})
    run = sync(destination)

    assert "rate limit" in run.error
    assert destination.cursor == 0
    wait = destination.deferred_until - timezone.now()
    assert timedelta(seconds=280) < wait <= timedelta(seconds=300)
    assert services.destination_sync(destination=destination) is None

    Destination.objects.filter(pk=destination.pk).update(deferred_until=timezone.now())
    run = sync(destination)
    assert run.error == ""
    assert len(freee.deals) == 1


def test_the_hourly_budget_per_freee_company_defers_instead_of_calling(alice, freee, april_invoice):
    destination = make_destination(
        alice, settings={"company_id": COMPANY_ID, "hourly_call_limit": 2}
    )
    run = sync(destination)

    assert "hourly API budget" in run.error
    assert destination.deferred_until > timezone.now()
    assert destination.cursor == 0
    assert freee.deals == {}


def test_an_expiring_token_is_refreshed_first_and_the_new_refresh_token_stored_encrypted(
    alice, freee, april_invoice
):
    expired = (timezone.now() - timedelta(minutes=1)).isoformat()
    destination = make_destination(alice, secrets={**SECRETS, "expires_at": expired})
    run = sync(destination)

    assert run.error == ""
    assert freee.requests[0] == ("POST", "/public_api/token")
    destination.refresh_from_db()
    [new_refresh] = freee.issued_refresh_tokens
    assert destination.credentials["refresh_token"] == new_refresh
    assert destination.credentials["access_token"] in freee.valid_tokens
    assert new_refresh not in destination.credentials_encrypted
    assert len(freee.deals) == 1


def test_a_401_refreshes_once_and_a_refused_refresh_token_fails_the_run(
    alice, freee, april_invoice
):
    destination = make_destination(alice, secrets={**SECRETS, "access_token": "revoked"})
    assert sync(destination).error == ""
    assert freee.requests.count(("POST", "/public_api/token")) == 1

    other = make_destination(
        alice, name="stale", secrets={**SECRETS, "access_token": "revoked", "refresh_token": "old"}
    )
    run = sync(other)
    assert "refused the refresh token" in run.error
    assert other.cursor == 0


def test_lines_at_10_8_and_0_percent_get_their_own_tax_categories(alice, freee):
    destination = make_destination(alice)
    partner = freee.handle(
        "POST",
        "/api/1/partners",
        {},
        {"Authorization": "Bearer access-test"},
        b'{"company_id": %d, "name": "X"}' % COMPANY_ID,
    )[2]["partner"]
    lines = [
        {"description": "会費", "amount": 10_000, "tax_rate_percent": 10, "tax": 1_000},
        {"description": "飲食", "amount": 5_000, "tax_rate_percent": 8, "tax": 400},
        {"description": "立替金", "amount": 2_000, "tax_rate_percent": 0, "tax": 0},
    ]
    record = Record(
        kind="invoices",
        object_id=1,
        external_id="1",
        properties={"ref_number": "INV-000009", "issue_date": "2026-05-01", "details": lines},
        related={"billing_accounts": str(partner["id"])},
    )
    ctx = WriteContext(
        settings=destination.settings,
        credentials=dict(SECRETS),
        count_call=lambda: None,
        save_credentials=lambda values: None,
    )
    result = Freee().write(ctx, "invoices", [record])

    assert result.rejected == {}
    details = freee.deal_by_ref("KZ-INV-000009")["details"]
    assert [(d["tax_code"], d["amount"], d.get("vat")) for d in details] == [
        (129, 11_000, 1_000),
        (156, 5_400, 400),
        (23, 2_000, 0),
    ]


def test_settings_are_checked_when_saved(alice):
    with pytest.raises(ServiceError) as error:
        make_destination(
            alice,
            settings={"account_items": {"leads": "売上高"}, "tax_codes": {"ten": "x"}},
            secrets={"client_id": "app"},
        )
    assert set(error.value.error_dict) == {"settings", "secrets"}
    assert not Destination.objects.exists()


def test_check_reads_account_items_and_names_what_freee_lacks(alice, freee):
    destination = make_destination(
        alice, settings={"company_id": COMPANY_ID, "account_items": {"invoices": "会費収入"}}
    )
    result = services.destination_check(actor=alice, destination=destination)
    assert result.startswith(f"freee OK: company {COMPANY_ID}, 3 account items.")
    assert "Not found in freee: 会費収入" in result


def test_the_invoice_lines_tax_shares_add_up_to_the_invoice_tax(alice, freee, bob_account):  # noqa: F811
    choose(bob_account, monthly_fee=33_000, cycle=BillingCycle.ANNUAL)
    invoice = billing.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=APRIL, issue_date=APRIL
    )
    assert invoice is not None
    assert invoice.lines.count() == 3  # the fee and two discounts, all at 10%
    destination = make_destination(alice)
    sync(destination)
    deal = freee.deal_by_ref(f"KZ-{invoice.display_number}")
    assert sum(d["vat"] for d in deal["details"]) == invoice.tax
    assert sum(d["amount"] for d in deal["details"]) == invoice.total
    assert Invoice.objects.count() == 1


@pytest.fixture
def integrations_staff(make_user):
    return make_user("ivy@example.com", display_name="Ivy", staff_roles=["integrations"])


@pytest.fixture
def partner_manager(make_user):
    return make_user("pam@example.com", display_name="Pam", staff_roles=["partner_manager"])


def _pages(destination):
    pk = destination.pk
    return [
        ("get", reverse("integrations:destination_detail", args=[pk])),
        ("get", reverse("integrations:destination_edit", args=[pk])),
        ("post", reverse("integrations:destination_sync_now", args=[pk])),
        ("post", reverse("integrations:destination_resync", args=[pk])),
        ("post", reverse("integrations:destination_check", args=[pk])),
    ]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("alice", True),
        ("integrations_staff", True),
        ("partner_manager", False),
        ("bob", False),
        ("carol", False),
        ("dave", False),
        ("eve", False),
    ],
)
def test_only_integrations_staff_reach_a_freee_destinations_pages(
    client, request, alice, persona, allowed, personas, freee
):
    destination = make_destination(alice)
    client.force_login(request.getfixturevalue(persona))
    for method, url in _pages(destination):
        status = getattr(client, method)(url).status_code
        if allowed:
            assert status in (200, 302), url
        else:
            assert status == 403, url


def test_the_freee_page_shows_its_account_items_and_tax_categories(client, alice):
    destination = make_destination(alice)
    client.force_login(alice)
    page = client.get(reverse("integrations:destination_detail", args=[destination.pk]))
    html = page.content.decode()
    assert "課税売上8%（軽減）" in html
    assert "売上高" in html
    assert "credit_notes" in html


def test_a_429_without_retry_after_waits_for_freees_rate_limit_reset(alice, freee, april_invoice):
    reset = (timezone.now() + timedelta(minutes=10)).replace(microsecond=0)
    freee.queue(
        429,
        {
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(),
        },
        {"status_code": 429, "message": "too many requests"},
    )
    destination = make_destination(alice)
    sync(destination)
    assert destination.deferred_until == reset
    assert destination.cursor == 0
