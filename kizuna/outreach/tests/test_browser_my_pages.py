"""Browser tests of a person's own outreach pages: reading the team's answer and replying,
linking LINE, choosing the order of channels; screenshots at 1366 and 390 px."""

import os
from pathlib import Path

import pytest

from conftest import PASSWORD
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.outreach import inbox, links
from kizuna.outreach.models import InboxThread

pytestmark = pytest.mark.django_db
SHOTS = Path(os.environ.get("KIZUNA_SHOTS_DIR", "var/screenshots"))
LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width} px"
        page.screenshot(path=str(SHOTS / f"outreach-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.browser
def test_a_partner_reads_the_answer_and_replies_from_the_messages_link(page, alice, bob):
    thread = inbox.inbox_receive(channel="email", address=bob.email, text="見積もりの件です").thread
    inbox.inbox_reply(actor=alice, thread=thread, text="ご連絡ありがとうございます。")
    sign_in(page, bob.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.locator("header").get_by_role("link", name="メッセージ").click()
    messages = page.locator("#my-messages")
    assert "ご連絡ありがとうございます。" in messages.inner_text()
    page.locator("#my-message-form textarea").fill("来週お返事します。")
    page.locator("#my-message-form button[type=submit]").click()
    assert "来週お返事します。" in page.locator("#my-messages").inner_text()
    assert page.get_by_role("status").count() or page.locator(".messages").count()
    shoot(page, "my-thread-partner")
    thread.refresh_from_db()
    assert thread.needs_answer is True


@pytest.mark.browser
def test_a_member_links_line_with_the_code_and_sees_it_linked(page, dave):
    sign_in(page, dave.email, PASSWORD)
    page.goto("/outreach/me/line/")
    assert page.locator("#line-state").get_attribute("data-state") == "not_linked"
    code = page.locator("#line-link-code").inner_text()
    assert code == links.line_link_code(dave)
    shoot(page, "my-line-member")
    # What the webhook does when the code arrives from LINE.
    assert inbox.line_link_attempt(address=LINE_USER, text=code)
    page.reload()
    assert page.locator("#line-state").get_attribute("data-state") == "linked"
    shoot(page, "my-line-linked-member")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="LINE の連携を解除").click()
    assert page.locator("#line-state").get_attribute("data-state") == "not_linked"


@pytest.mark.browser
def test_a_member_moves_line_below_slack(page, dave):
    for channel, address in (("line", LINE_USER), ("slack", "U0DAVE")):
        inbox.identity_follow(channel=channel, address=address)
        inbox.identity_link(channel=channel, address=address, user=dave)
    sign_in(page, dave.email, PASSWORD)
    page.goto("/outreach/me/channels/")
    items = page.locator("#channel-order li")
    first = items.nth(0).get_attribute("data-channel")
    second = items.nth(1).get_attribute("data-channel")
    items.nth(0).locator("button[value=down]").click()
    order = [items.nth(i).get_attribute("data-channel") for i in range(items.count())]
    assert order == [second, first, "email"]
    shoot(page, "my-channels-member")


@pytest.mark.browser
def test_staff_see_the_persons_reply_in_the_staff_inbox(page, alice, dave):
    inbox.inbox_post(user=dave, text="オンライン参加できますか？")
    sign_in(page, alice.email, PASSWORD)
    page.goto(f"/outreach/inbox/{InboxThread.objects.get().pk}/")
    assert "オンライン参加できますか？" in page.locator(".inbox-messages").inner_text()
    shoot(page, "staff-thread")
    page.goto(links.preferences_url(f"user:{dave.pk}").split("8000", 1)[-1])
    assert page.locator("#my-channel-links").is_visible()
    shoot(page, "preferences-staff")
