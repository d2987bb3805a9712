"""In Chromium, on a phone (390 px) and a desktop (1366 px): the directory's filters fold
behind a button on the phone with the results first, and the lead form warns about a low
budget as the merchant types and stops adding partners at the limit."""

import pytest

from conftest import PASSWORD
from kizuna.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def plugin_makers(make_partner, bob):
    return [
        make_partner(
            "Bob Web Works", owner=bob, badges={"plugin_development": 3}, budget_min=3_000_000
        ),
        *(
            make_partner(f"Plugin Maker {n}", badges={"plugin_development": 1}, budget_min=500_000)
            for n in range(1, 5)
        ),
    ]


def box(locator):
    return locator.bounding_box()


def test_on_a_phone_the_results_come_first_and_the_filters_fold_behind_a_button(
    page, plugin_makers
):
    page.set_viewport_size(PHONE)
    page.goto("/directory/?service=plugin_development&accepting=on")
    toggle = page.locator(".directory-filter-toggle")
    filters = page.locator("#directory-filters")
    results = page.locator("#results")
    assert toggle.is_visible()
    assert " ".join(toggle.inner_text().split()) == "絞り込み (2)"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not filters.is_visible()
    assert results.get_by_role("link", name="Bob Web Works").is_visible()
    assert box(toggle)["y"] < box(results)["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    toggle.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard opens it
    assert toggle.get_attribute("aria-expanded") == "true"
    assert filters.is_visible()
    assert box(filters)["y"] < box(results)["y"]
    page.get_by_label("新規受付中のパートナーのみ").uncheck()
    page.get_by_role("button", name="絞り込み (1)").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not filters.is_visible()


def test_on_a_desktop_the_filters_stay_at_the_side(page, plugin_makers):
    page.set_viewport_size(DESKTOP)
    page.goto("/directory/?service=plugin_development")
    filters = page.locator("#directory-filters")
    results = page.locator("#results")
    assert not page.locator(".directory-filter-toggle").is_visible()
    assert filters.is_visible()
    assert box(filters)["x"] + box(filters)["width"] <= box(results)["x"]
    assert abs(box(filters)["y"] - box(results)["y"]) < 1  # side by side, top-aligned


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_lead_form_warns_about_a_low_budget_and_stops_adding_partners_at_the_limit(
    page, plugin_makers, carol, viewport
):
    page.set_viewport_size(viewport)
    sign_in(page, carol.email, PASSWORD)
    page.goto("/directory/?service=plugin_development")
    page.locator("#results").get_by_role("link", name="見積もりを依頼").first.click()
    warning = page.locator("[data-budget-warning]")
    page.get_by_label("予算(円)").fill("800000")
    warning.wait_for()
    assert "Bob Web Works:¥3,000,000〜" in warning.inner_text()
    page.get_by_label("予算(円)").fill("3000000")
    warning.wait_for(state="hidden")

    suggested = page.locator(".directory-partner-options input[name=partners]")
    assert suggested.count() == 5  # Bob, and four suggestions
    unticked = [suggested.nth(n) for n in range(1, 5)]
    unticked[0].check()
    unticked[1].check()
    assert page.get_by_text("3社 / 3社を選択中です。 上限に達しました。").is_visible()
    assert unticked[2].is_disabled()
    assert unticked[3].is_disabled()
    unticked[1].uncheck()
    assert unticked[2].is_enabled()
    unticked[2].check()
    page.get_by_label("予算(円)").fill("800000")
    assert "Plugin Maker" not in warning.inner_text()  # their ¥500,000 minimum is met
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.get_by_label("販売する商品").fill("手作りの革小物")
    page.get_by_label("時期").select_option("quarter")
    page.get_by_label("都道府県").select_option("13")
    page.get_by_label("お名前").fill("中島 キャロル")
    page.get_by_role("button", name="依頼を送信").click()
    summary = page.locator("#error-summary")
    assert summary.evaluate("element => element === document.activeElement")
    summary.get_by_role("link", name="プロジェクトの内容:この項目は必須です。").click()
    assert page.evaluate("document.activeElement.id") == "id_message"
    assert page.get_by_label("販売する商品").input_value() == "手作りの革小物"
    assert page.locator("input[name=partners]:checked").count() == 3
    page.get_by_label("プロジェクトの内容").fill("定期購入のあるネットショップを作りたいです。")
    page.get_by_role("button", name="依頼を送信").click()
    page.get_by_text("依頼を送信しました。").wait_for()
    assert "Bob Web Works" in page.locator(".message-warning").inner_text()
