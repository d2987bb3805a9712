"""Browser tests: staff watch the delivery list; a person sets their preferences by link."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.outreach import links
from kizuna.outreach.models import Consent, Delivery, State
from kizuna.outreach.services import Content, Recipient, delivery_enqueue

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.mark.browser
def test_staff_find_an_unknown_delivery_and_send_it_again(page, alice, dave):
    for key, state in (("sent", State.SENT), ("unknown", State.UNKNOWN)):
        delivery = delivery_enqueue(
            channel="email",
            recipient=Recipient(address=dave.email, user=dave),
            purpose="service",
            topic="billing",
            idempotency_key=key,
            content=Content(f"請求書のお知らせ ({key})", "本文"),
        )
        Delivery.objects.filter(pk=delivery.pk).update(state=state)
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "管理")
    page.get_by_role("link", name="配信一覧").click()
    assert page.get_by_role("alert").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "outreach-deliveries.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "outreach-deliveries-390.png"), full_page=True)
    page.get_by_role("link", name="表示する").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)  # waits for the filtered page; count() would not
    assert "請求書のお知らせ (unknown)" in rows.first.inner_text()
    page.get_by_role("button", name="再送する").click()
    assert Delivery.objects.get(idempotency_key="unknown").state == State.QUEUED


@pytest.mark.browser
def test_a_person_opens_their_preferences_link_and_turns_news_off(page, dave):
    Consent.objects.create(
        recipient_key=f"user:{dave.pk}", channel="email", topic="news", granted=True, method="form"
    )
    url = links.preferences_url(f"user:{dave.pk}")
    page.goto(url[url.index("/outreach/") :])
    assert page.get_by_role("heading", name="メッセージの受け取り設定").is_visible()
    news = page.get_by_label("ニュースをメールで受け取る")
    assert news.is_checked()
    news.uncheck()
    page.get_by_label("イベントをメールで受け取る").check()
    page.screenshot(path=str(SCREENSHOTS / "outreach-preferences.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "outreach-preferences-390.png"), full_page=True)
    page.get_by_role("button", name="設定を保存").click()
    assert page.get_by_role("status").is_visible()
    latest = {
        c.topic: c.granted
        for c in Consent.objects.filter(recipient_key=f"user:{dave.pk}").order_by("at", "id")
    }
    assert latest == {"news": False, "events": True}
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", name="Your message preferences").is_visible()


@pytest.mark.browser
def test_staff_answer_a_line_message_from_the_inbox(page, alice):
    from kizuna.outreach import inbox

    inbox.identity_follow(channel="line", address="U4af4980629a1b2c3d4e5f60718293a4b")
    inbox.inbox_receive(
        channel="line",
        address="U4af4980629a1b2c3d4e5f60718293a4b",
        text="12月のもくもく会はオンライン参加もできますか？",
    )
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "管理")
    page.get_by_role("link", name="受信箱").click()
    page.get_by_label("回答待ち (1)").check()
    page.locator("form[role=search] button[type=submit]").click()
    page.screenshot(path=str(SCREENSHOTS / "outreach-inbox.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "outreach-inbox-390.png"), full_page=True)
    page.get_by_role("link", name="U4af4980629a1b2c3d4e5f60718293a4b").click()
    expect(page.get_by_text("オンライン参加もできますか")).to_be_visible()
    page.get_by_label("返信").fill("はい、YouTube Live で配信します。")
    page.get_by_role("button", name="返信を送信").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator(".inbox-out")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "outreach-inbox-thread-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "outreach-inbox-thread.png"), full_page=True)
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.text) == ("line", "はい、YouTube Live で配信します。")
