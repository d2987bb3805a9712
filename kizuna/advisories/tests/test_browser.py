"""Click-through in Chromium: staff write and share an advisory under embargo, the partner
acknowledges it and patches its site, and the security team's desk shows both."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.core.tests.browser import open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()


def test_staff_share_partner_acknowledges_and_patches_staff_see_it(page, alice, bob, bob_site):
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="セキュリティ勧告").click()
    page.get_by_role("link", name="勧告を作成").click()
    page.get_by_label("タイトル（日本語）").fill("受注管理画面のクロスサイトスクリプティング")
    page.get_by_label("タイトル（英語）").fill("XSS in the order admin")
    page.get_by_label("詳細（日本語）").fill("検索欄の入力がエスケープされません。")
    page.get_by_label("詳細（英語）").fill("The search box does not escape its input.")
    page.get_by_label("CVSS ベクター").fill("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")
    page.get_by_label("通知対象").select_option("sites")
    public_at = timezone.localtime() + dt.timedelta(days=7)
    page.get_by_label("公開日時").fill(public_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("影響を受けるバージョン").fill("ec-cube/ec-cube, 4.0.0, 4.2.3")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("勧告を保存しました。").wait_for()
    page.get_by_role("button", name="パートナーに先行共有").click()
    page.get_by_text("完了しました。").wait_for()
    identifier = page.locator("h1").inner_text().split()[0]
    sign_out(page)

    sign_in(page, bob.email, PASSWORD)
    page.goto("/advisories/sites/")
    page.get_by_role("link", name=re.compile("受注管理画面のクロスサイトスクリプティング")).click()
    page.get_by_text("公開前の先行共有です").wait_for()
    page.get_by_role("button", name="確認しました").click()
    page.get_by_text("確認を記録しました。").wait_for()
    page.get_by_label("状態").select_option("patched")
    page.get_by_label("メモ").fill("4.2.3 に更新")
    page.get_by_role("button", name="状況を保存").click()
    page.get_by_text("「アパレルA社」の状況を保存しました。").wait_for()
    sign_out(page)

    sign_in(page, alice.email, PASSWORD)
    page.goto(f"/advisories/staff/{identifier}/")
    stats = page.locator(".stats")
    assert stats.locator(".stat", has_text="確認済み").locator(".stat-value").inner_text() == "1"
    assert (
        stats.locator(".stat", has_text="修正・緩和済みのサイト")
        .locator(".stat-value")
        .inner_text()
        == "1"
    )
    assert page.get_by_role("cell", name="4.2.3 に更新").is_visible()
