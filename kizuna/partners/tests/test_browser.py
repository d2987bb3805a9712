"""Click-through of the partner program in Chromium: submit -> staff verify -> badge shown."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.partners.models import Badge
from kizuna.partners.services.evangelists import evangelist_appoint, nomination_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()


def test_submitted_achievement_verified_by_staff_shows_its_badge_on_the_portal(
    page, alice, bob, bob_partner
):
    badge = Badge.objects.get(code="plugin_development")
    sign_in(page, bob.email, PASSWORD)
    page.goto("/partners/portal/")
    page.get_by_role("link", name="実績を申請").first.click()
    page.get_by_label("案件名").fill("食品メーカー様 定期購入プラグイン開発")
    page.get_by_label("納品内容").fill("定期購入の決済連携プラグインを開発しました。")
    page.get_by_label(badge.name_ja).check()
    page.get_by_label("完了日").fill((timezone.localdate() - timedelta(days=14)).isoformat())
    page.get_by_label("証跡のリンク").fill("https://example.com/case-study")
    page.get_by_role("button", name="審査を申請").click()
    page.get_by_text("実績の審査を申請しました。").wait_for()
    sign_out(page)

    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="審査キュー").click()
    page.get_by_role("link", name="食品メーカー様 定期購入プラグイン開発").click()
    page.get_by_label("パートナーへの理由・コメント").fill("納品物を確認しました。")
    page.get_by_role("button", name="実績を承認する").click()
    page.get_by_text("審査待ちの実績はありません。").wait_for()
    sign_out(page)

    sign_in(page, bob.email, PASSWORD)
    page.goto("/partners/portal/")
    badges = page.locator("#badges")
    assert badge.name_ja in badges.inner_text()
    assert "検証済み実績 1件" in badges.inner_text()
    assert "検証済み" in page.locator("#achievements").inner_text()


def test_staff_pages_and_public_evangelist_list_render(page, alice, bob_partner, dave):
    nomination_submit(
        actor=dave, statement="地域のユーザー会を主催しています。", self_nomination=True
    )
    evangelist_appoint(
        actor=alice,
        name="佐藤 翔太",
        email="shota@example.jp",
        bio="プラグイン開発について登壇しています。",
        term_start=timezone.localdate(),
        term_end=timezone.localdate() + timedelta(days=365),
    )
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="エバンジェリスト制度").click()
    assert "地域のユーザー会を主催しています。" in page.content()
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="プログラム設定").click()
    assert "初期セットアップ" in page.content()
    sign_out(page)
    page.goto("/partners/evangelists/")
    assert "佐藤 翔太" in page.locator("main").inner_text()
