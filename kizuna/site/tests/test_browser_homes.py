"""Each persona's home page and the shell in Chromium: what needs doing, the collapsible
navigation on a phone, the one-line header on a laptop, and confirmed decline buttons."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.community.models import Attendance, Event, Group, Member
from kizuna.core import consumers
from kizuna.core.tests.browser import sign_in
from kizuna.directory.services import leads
from kizuna.directory.tests.conftest import _catalog_and_index  # noqa: F401 - autouse
from kizuna.directory.tests.test_leads import project
from kizuna.partners.models import AchievementStatus, Badge
from kizuna.partners.services.achievements import achievement_submit
from kizuna.partners.services.profiles import partner_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def bob_partner(bob, bob_org):
    partner = partner_create(actor=bob, organization=bob_org, head_office_prefecture="13")
    consumers.dispatch_all()
    return partner


def submit(partner, title):
    return achievement_submit(
        actor=None,
        partner=partner,
        title=title,
        description="詳細",
        badges=[Badge.objects.get(code="plugin_development")],
        completed_on=timezone.localdate() - timedelta(days=10),
        evidence_links=["https://example.com/case"],
    )


def header_is_one_line(page):
    return page.evaluate(
        "document.querySelector('.site-header .header-row').getBoundingClientRect().height < 80"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_partner_home_leads_to_the_lead_waiting_for_an_answer(page, bob, carol, bob_partner):
    leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    page.set_viewport_size(LAPTOP)
    sign_in(page, bob.email, PASSWORD)
    page.locator("#home-rank progress").wait_for()
    assert "回答期限" in page.locator("#home-leads").inner_text()
    assert header_is_one_line(page)
    page.locator("#home-leads").get_by_role("link", name=re.compile("手作りの革小物")).click()
    page.wait_for_url(re.compile(r"/directory/inbox/\d+/"))
    decline = page.get_by_role("button", name="辞退する")
    assert "button-decline" in decline.get_attribute("class")


def test_staff_home_queue_opens_the_filtered_review_queue(page, alice, bob_partner):
    submit(bob_partner, "審査してほしい実績")
    page.set_viewport_size(LAPTOP)
    sign_in(page, alice.email, PASSWORD)
    queue = page.locator("#queue-achievements")
    assert queue.locator(".queue-count").inner_text() == "1"
    assert header_is_one_line(page)
    queue.get_by_role("link").click()
    page.wait_for_url(re.compile(r"status=submitted"))
    assert page.locator(".state-tabs [aria-current=page]").inner_text() == "審査待ち"
    page.get_by_role("link", name="審査してほしい実績").click()
    assert page.locator("input[name=decision]:checked").count() == 0


def test_reject_asks_for_confirmation_and_cancelling_keeps_the_achievement_pending(
    page, alice, bob_partner
):
    achievement = submit(bob_partner, "却下するかもしれない実績")
    sign_in(page, alice.email, PASSWORD)
    page.goto(f"/partners/achievements/{achievement.pk}/")
    page.get_by_label("パートナーへの理由・コメント").fill("要件を満たしていません。")
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="却下する").click()
    assert messages == ["この操作は取り消せません。続けますか？"]
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.SUBMITTED

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="却下する").click()
    page.wait_for_url(re.compile(r"/partners/staff/reviews/"))
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.REJECTED


def test_member_home_shows_the_next_event_of_their_group(page, dave):
    member = Member.objects.create(display_name="Dave", user=dave)
    group = Group.objects.create(name="Kizuna 東京", slug="tokyo")
    now = timezone.now()
    past = Event.objects.create(
        title="前回の勉強会", external_id="1", group=group, starts_at=now - timedelta(days=30)
    )
    Attendance.objects.create(event=past, member=member)
    Event.objects.create(
        title="年末の勉強会", external_id="2", group=group, starts_at=now + timedelta(days=7)
    )
    sign_in(page, dave.email, PASSWORD)
    events = page.locator("#home-events")
    events.get_by_text("年末の勉強会").wait_for()
    assert "Kizuna 東京" in events.inner_text()
    assert "前回の勉強会" not in events.inner_text()
    page.locator("#home-level").wait_for()


def test_merchant_home_offers_the_directory(page, carol):
    page.set_viewport_size(LAPTOP)
    sign_in(page, carol.email, PASSWORD)
    page.get_by_role("link", name="パートナーを探す").first.wait_for()
    assert header_is_one_line(page)


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave"])
def test_navigation_collapses_behind_a_menu_button_on_a_phone(page, personas, persona):
    page.set_viewport_size(PHONE)
    sign_in(page, personas[persona].email, PASSWORD)
    toggle = page.get_by_role("button", name="メニュー")
    home_link = page.locator(".main-nav").get_by_role("link", name="ホーム")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not home_link.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert home_link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    toggle.click()
    assert not home_link.is_visible()


def test_navigation_shows_in_full_on_a_phone_without_javascript(browser, live_server, bob):
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    sign_in(page, bob.email, PASSWORD)
    assert not page.get_by_role("button", name="メニュー").is_visible()
    assert page.locator(".main-nav").get_by_role("link", name="ホーム").is_visible()
    context.close()


def test_a_desktop_menu_closes_when_another_opens(page, alice):
    page.set_viewport_size(LAPTOP)
    sign_in(page, alice.email, PASSWORD)
    page.locator("summary", has_text="パートナープログラム").click()
    page.locator("summary", has_text="コミュニティ").click()
    open_menus = "document.querySelectorAll('details.nav-menu[open]').length"
    page.wait_for_function(f"{open_menus} === 1")  # the toggle event comes after the click
    assert page.locator("details.nav-menu[open] summary").inner_text().startswith("コミュニティ")
    page.keyboard.press("Escape")
    page.wait_for_function(f"{open_menus} === 0")
