"""Click-through in Chromium: a merchant types サブスク and is told it was read as 定期販売,
finding the partners with that verified work; a partner not taking new requests comes last
and says so on its card and its page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merchant_types_a_synonym_and_sees_the_badge_partners_and_who_is_not_taking_requests(
    page, make_partner
):
    make_partner("定期便ラボ", summary="食品の通販サイト構築", badges={"subscription": 3})
    make_partner(
        "多忙な制作所",
        summary="化粧品の通販サイト",
        badges={"subscription": 5},
        accepting_new_clients=False,
    )
    make_partner("港デザイン", summary="バナー制作", badges={"creative": 1})

    page.goto("/directory/")
    page.get_by_label("キーワード").fill("サブスク")
    page.get_by_text("「サブスク」を「定期販売」として検索しました").wait_for()
    page.get_by_text("2社のパートナーが見つかりました").wait_for()
    cards = page.locator(".directory-hit")
    assert cards.nth(0).locator("h2").inner_text() == "定期便ラボ"
    assert "定期販売の検証済み実績 3件" in cards.nth(0).inner_text()
    busy = cards.nth(1)
    assert busy.locator("h2").inner_text() == "多忙な制作所"
    assert "現在、新規のご依頼を受け付けていません" in busy.inner_text()
    assert busy.get_by_role("link", name="見積もりを依頼").count() == 0
    assert "港デザイン" not in page.locator("#results").inner_text()

    busy.get_by_role("link", name="多忙な制作所").click()
    page.get_by_role("heading", name="多忙な制作所").wait_for()
    main = page.locator("main")
    assert "現在、新規のご依頼を受け付けていません" in main.inner_text()
    assert main.get_by_role("link", name="見積もりを依頼").count() == 0
