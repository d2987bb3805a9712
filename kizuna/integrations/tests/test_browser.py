import re

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from conftest import PASSWORD
from kizuna.core.tests.browser import sign_in
from kizuna.integrations import services
from kizuna.integrations.models import WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_registers_an_endpoint_sends_a_test_event_and_sees_its_delivery(
    page, bob, receiver, loopback_allowed
):
    sign_in(page, "bob@example.com", PASSWORD)
    page.goto("/integrations/webhooks/")
    page.get_by_role("link", name="エンドポイントを追加").click()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("説明").fill("CRM sync")
    page.get_by_label("lead.accepted").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".message-success")).to_contain_text("登録しました")
    page.get_by_role("button", name="テストイベントを送信").click()
    expect(page.locator(".message-success")).to_contain_text("テストイベント")

    services.deliver_due()  # what the worker does

    endpoint = WebhookEndpoint.objects.get()
    [request] = receiver.requests
    assert Webhook(endpoint.secret).verify(request.body, request.headers)["type"] == "webhook.test"
    page.reload()
    row = page.locator("table.deliveries tbody tr")
    expect(row).to_contain_text("webhook.test")
    expect(row).to_contain_text("成功")
    row.get_by_text(re.compile("1 回の試行")).click()
    expect(row).to_contain_text("HTTP 200")
