"""Click-through in Chromium: a merchant finds a partner in Japanese and asks for a quote,
the partner accepts, the merchant reviews the finished project."""

import re

import pytest

from conftest import PASSWORD
from kizuna.core import consumers
from kizuna.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()


def test_merchant_finds_a_partner_sends_a_lead_partner_accepts_merchant_reviews(
    page, make_partner, bob, carol
):
    make_partner(
        "Bob Web Works",
        owner=bob,
        summary="決済連携とプラグイン開発が得意です",
        badges={"plugin_development": 3},
    )
    make_partner("Minato Design", summary="決済画面のデザイン", badges={"site_design": 1})

    sign_in(page, carol.email, PASSWORD)
    page.get_by_role("link", name="パートナーを探す").first.click()
    page.get_by_label("キーワード").fill("決済")
    page.get_by_text("2社のパートナーが見つかりました").wait_for()
    page.get_by_label("プラグイン開発").check()
    page.get_by_text("1社のパートナーが見つかりました").wait_for()
    results = page.locator("#results")
    assert "プラグイン開発の検証済み実績 3件" in results.inner_text()
    assert "Minato Design" not in results.inner_text()
    results.get_by_role("link", name="Bob Web Works").click()

    page.get_by_role("link", name="見積もりを依頼").click()
    page.get_by_label("販売する商品").fill("手作りの革小物")
    page.get_by_label("予算(円)").fill("1500000")
    page.get_by_label("時期").select_option("quarter")
    page.get_by_label("都道府県").select_option("13")
    page.get_by_label("プロジェクトの内容").fill("定期購入のあるネットショップを作りたいです。")
    page.get_by_label("お名前").fill("中島 キャロル")
    page.get_by_role("button", name="依頼を送信").click()
    page.get_by_text("依頼を送信しました。").wait_for()
    assert "パートナーの回答待ち" in page.locator("main").inner_text()
    consumers.dispatch_all()
    sign_out(page)

    sign_in(page, bob.email, PASSWORD)
    page.get_by_role("link", name="リード受信箱").click()
    page.get_by_role("link", name="手作りの革小物").click()
    assert carol.email not in page.locator("main").inner_text()
    page.get_by_role("button", name="受諾する").click()
    page.get_by_text("受諾しました。").wait_for()
    assert carol.email in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, carol.email, PASSWORD)
    page.get_by_role("link", name="依頼一覧").first.click()
    page.get_by_role("link", name="手作りの革小物").click()
    page.get_by_role("button", name="プロジェクトを完了にする").click()
    page.get_by_label("★★★★★", exact=True).check()
    page.get_by_label("あなたのレビュー").fill("丁寧な対応で、予定どおり公開できました。")
    page.get_by_role("button", name="レビューを投稿").click()
    page.get_by_text("レビューを投稿しました。").wait_for()
    consumers.dispatch_all()
    page.goto("/directory/p/bob-web-works/")
    assert "丁寧な対応で、予定どおり公開できました。" in page.locator("#reviews").inner_text()
