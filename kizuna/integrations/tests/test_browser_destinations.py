import json
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.billing import services as billing
from kizuna.billing.tests.conftest import bob_account, choose, rules  # noqa: F401
from kizuna.core.tests.browser import sign_in
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.models import Destination
from kizuna.integrations.tests import freee_fake
from kizuna.integrations.tests.hubspot_fake import serve
from kizuna.partners.services.profiles import partner_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APRIL = date(2026, 4, 1)


@pytest.fixture
def hubspot(settings):
    fake, server = serve()
    settings.KIZUNA_HUBSPOT_HOST = fake.url
    yield fake
    server.shutdown()
    server.server_close()


def test_staff_configure_hubspot_and_see_the_records_it_rejected(
    page, alice, bob, bob_org, hubspot
):
    partner_create(actor=bob, organization=bob_org)
    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/integrations/destinations/")
    page.get_by_role("link", name="連携先を追加").click()
    page.get_by_label("種類").select_option("hubspot")
    page.get_by_label("名前").fill("HubSpot (営業)")
    page.get_by_label(re.compile(r"^設定")).fill('{"pipeline": "partners", "daily_call_limit": 0}')
    page.get_by_label(re.compile(r"^認証情報")).fill('{"access_token": "pat-test"}')
    page.get_by_label(re.compile(r"^項目対応")).fill('{"partners": {"rank": "kizuna_tier"}}')
    page.get_by_role("button", name="保存").click()
    expect(page.locator("form.card")).to_contain_text("daily_call_limit")  # the schema said no
    page.get_by_label(re.compile(r"^設定")).fill('{"pipeline": "partners"}')
    page.get_by_label(re.compile(r"^認証情報")).fill('{"access_token": "pat-test"}')
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message-success")).to_contain_text("連携先を保存しました")
    expect(page.locator("h1")).to_contain_text("HubSpot (営業)")
    expect(page.locator(".facts")).to_contain_text("未同期")

    services.destination_sync(destination=Destination.objects.get())  # what the worker does

    page.reload()
    rejected = page.locator("table.rejections tbody tr").filter(has_text="partners #")
    expect(rejected).to_contain_text("kizuna_tier does not exist")
    expect(page.locator("table.mapping")).to_contain_text("kizuna_tier")
    page.get_by_role("link", name="設定する").click()
    page.get_by_label(re.compile(r"^項目対応")).fill("")
    page.get_by_role("button", name="保存").click()

    services.destination_sync(destination=Destination.objects.get())

    page.reload()
    expect(page.locator("section").filter(has_text="拒否されたレコード")).to_contain_text(
        "連携先はすべてのレコードを受け付けました"
    )
    expect(page.locator(".facts")).to_contain_text("最新")
    assert len(hubspot.objects["companies"]) == 1


@pytest.fixture
def salesforce_org(settings, monkeypatch):
    from kizuna.integrations.destinations import salesforce
    from kizuna.integrations.tests import salesforce_fake

    fake, server = salesforce_fake.serve()
    settings.KIZUNA_SALESFORCE_DOMAINS = ["salesforce.com", "127.0.0.1"]
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", salesforce_fake.ca_bundle())
    monkeypatch.setattr(salesforce, "BULK_POLL_SECONDS", 0)
    yield fake
    server.shutdown()
    server.server_close()


def test_staff_configure_salesforce_check_it_and_see_the_records_it_refused(
    page, alice, bob, bob_org, salesforce_org
):
    from kizuna.integrations.tests import salesforce_fake

    partner_create(actor=bob, organization=bob_org)
    secrets = {
        "consumer_key": salesforce_fake.CONSUMER_KEY,
        "username": salesforce_fake.USERNAME,
        "private_key": salesforce_fake.private_key_pem(),
    }
    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/integrations/destinations/new/")
    page.get_by_label("種類").select_option("salesforce")
    page.get_by_label("名前").fill("Salesforce (営業)")
    page.get_by_label(re.compile(r"^設定")).fill('{"instance_url": "https://intranet.example.com"}')
    page.get_by_label(re.compile(r"^認証情報")).fill(json.dumps(secrets))
    page.get_by_label(re.compile(r"^項目対応")).fill('{"partners": {"rank": "Tier__c"}}')
    page.get_by_role("button", name="保存").click()
    expect(page.locator("form.card")).to_contain_text("is not a Salesforce domain")
    page.get_by_label(re.compile(r"^設定")).fill(json.dumps({"instance_url": salesforce_org.url}))
    page.get_by_label(re.compile(r"^認証情報")).fill(json.dumps(secrets))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message-success")).to_contain_text("連携先を保存しました")
    expect(page.locator("h1")).to_contain_text("Salesforce (営業)")

    page.get_by_role("button", name="接続を確認").click()
    expect(page.locator(".message-success")).to_contain_text("Salesforce OK: Kizuna_Id__c found")

    services.destination_sync(destination=Destination.objects.get())  # what the worker does

    page.reload()
    rejected = page.locator("table.rejections tbody tr").filter(has_text="partners #")
    expect(rejected).to_contain_text("INVALID_FIELD: No such column 'Tier__c'")
    page.get_by_role("link", name="設定する").click()
    page.get_by_label(re.compile(r"^項目対応")).fill("")
    page.get_by_role("button", name="保存").click()

    services.destination_sync(destination=Destination.objects.get())

    page.reload()
    expect(page.locator("section").filter(has_text="拒否されたレコード")).to_contain_text(
        "連携先はすべてのレコードを受け付けました"
    )
    expect(page.locator(".facts")).to_contain_text("最新")
    assert len(salesforce_org.records["Account"]) == 1


@pytest.fixture
def freee(settings):
    fake, server = freee_fake.serve()
    settings.KIZUNA_FREEE_API_URL = fake.url
    settings.KIZUNA_FREEE_TOKEN_URL = f"{fake.url}/public_api/token"
    yield fake
    server.shutdown()
    server.server_close()


def test_staff_configure_freee_see_an_unknown_account_item_and_fix_it(
    page,
    alice,
    bob_account,  # noqa: F811
    freee,
):
    choose(bob_account, monthly_fee=30_000)
    billing.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=APRIL, issue_date=APRIL
    )
    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/integrations/destinations/new/")
    page.get_by_label("種類").select_option("freee")
    page.get_by_label("名前").fill("freee (経理)")
    company = freee_fake.COMPANY_ID
    page.get_by_label(re.compile(r"^設定")).fill(
        f'{{"company_id": {company}, "account_items": {{"invoices": "会費収入"}}}}'
    )
    page.get_by_label(re.compile(r"^認証情報")).fill(
        '{"client_id": "app", "client_secret": "shh", "refresh_token": "refresh-test"}'
    )
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message-success")).to_contain_text("連携先を保存しました")
    expect(page.locator("table.settings")).to_contain_text("会費収入")

    services.destination_sync(destination=Destination.objects.get())  # what the worker does

    page.reload()
    rejected = page.locator("table.rejections tbody tr").filter(has_text="invoices #")
    expect(rejected).to_contain_text("freee has no account item '会費収入'")
    page.get_by_role("link", name="設定する").click()
    page.get_by_label(re.compile(r"^設定")).fill(f'{{"company_id": {company}}}')
    page.get_by_role("button", name="保存").click()

    services.destination_sync(destination=Destination.objects.get())

    page.reload()
    expect(page.locator("section").filter(has_text="拒否されたレコード")).to_contain_text(
        "連携先はすべてのレコードを受け付けました"
    )
    expect(page.locator("table.settings")).to_contain_text("売上高")
    assert len(freee.deals) == 1
