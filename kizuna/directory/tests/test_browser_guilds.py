"""Click-through in Chromium: a partner that accepted a lead forms a guild, invites a
suggested partner, who joins without seeing the merchant's contact; the merchant accepts
the joint proposal, marks it done and reviews the guild, which credits every member."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.core import consumers
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.directory.services import leads
from kizuna.directory.tests.test_leads import project
from kizuna.partners.models import Badge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()


def test_joint_proposal_from_invitation_to_review(page, make_partner, bob, eve, carol):
    bob_partner = make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 3})
    make_partner("Eve Commerce Lab", owner=eve, badges={"site_design": 2})
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    lead.services.set(Badge.objects.filter(code__in=["plugin_development", "site_design"]))
    leads.lead_accept(actor=bob, assignment=lead.assignments.get())
    consumers.dispatch_all()

    sign_in(page, bob.email, PASSWORD)
    page.get_by_role("link", name="リード受信箱").click()
    page.get_by_role("link", name="手作りの革小物").click()
    page.get_by_label("あなたの役割").fill("プラグイン開発と取りまとめ")
    page.get_by_role("button", name="ギルドを編成").click()
    page.get_by_text("ギルドを編成しました。").wait_for()
    suggestion = page.locator(".guild-suggestion").filter(has_text="Eve Commerce Lab")
    assert "サイトデザイン" in suggestion.inner_text()
    suggestion.get_by_label("役割").fill("デザイン")
    suggestion.get_by_label("担当範囲").fill("トップページと商品ページ")
    suggestion.get_by_role("button", name="招待する").click()
    page.get_by_text("Eve Commerce Labに招待を送りました。").wait_for()
    sign_out(page)

    sign_in(page, eve.email, PASSWORD)
    page.get_by_role("link", name="リード受信箱").click()
    page.get_by_role("link", name="手作りの革小物").click()
    main = page.locator("main")
    assert "carol.shop@example.jp" not in main.inner_text()
    page.get_by_role("button", name="ギルドに参加する").click()
    page.get_by_text("ギルドに参加しました。").wait_for()
    assert "carol.shop@example.jp" not in main.inner_text()
    page.get_by_label("メッセージ").fill("デザイン案を来週共有します")
    page.get_by_role("button", name="投稿する").click()
    page.get_by_text("メッセージを投稿しました。").wait_for()
    sign_out(page)

    sign_in(page, bob.email, PASSWORD)
    page.goto(f"/directory/guilds/{lead.joint_proposals.get().pk}/")
    assert "デザイン案を来週共有します" in page.locator("#guild-thread").inner_text()
    page.get_by_label("ショップ事業者へのメッセージ").fill("二社で責任をもって担当します。")
    page.get_by_role("button", name="共同提案を送信").click()
    page.get_by_text("共同提案をショップ事業者に送信しました。").wait_for()
    sign_out(page)

    sign_in(page, carol.email, PASSWORD)
    page.goto(f"/directory/requests/{lead.pk}/")
    page.get_by_role("link", name="共同提案").click()
    members = page.locator(".guild-member")
    expect(members).to_have_count(2)  # waits for the proposal's page, unlike count()
    assert "トップページと商品ページ" in members.nth(1).inner_text()
    assert page.locator("#guild-thread").count() == 0
    page.get_by_role("button", name="共同提案を承認する").click()
    page.get_by_text("共同提案を承認しました。").wait_for()
    page.get_by_role("button", name="プロジェクトを完了にする").click()
    page.get_by_text("ギルドをレビューできます。").wait_for()
    page.get_by_label("★★★★★", exact=True).check()
    page.get_by_label("あなたのレビュー").fill("二社の連携がすばらしかったです。")
    page.get_by_role("button", name="レビューを投稿").click()
    page.get_by_text("メンバー全員へのレビューを投稿しました。").wait_for()
    consumers.dispatch_all()
    sign_out(page)

    sign_in(page, eve.email, PASSWORD)
    page.goto(f"/directory/guilds/{lead.joint_proposals.get().pk}/")
    assert "carol.shop@example.jp" in page.locator("#guild-contact").inner_text()
    page.goto("/directory/p/eve-commerce-lab/")
    assert "二社の連携がすばらしかったです。" in page.locator("#reviews").inner_text()


def test_collaboration_board_from_post_to_exchanged_contacts(page, make_partner, bob, eve):
    make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 3})
    make_partner("Eve Commerce Lab", owner=eve, badges={"site_design": 2})

    sign_in(page, bob.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="協業ボード").click()
    page.get_by_role("link", name="協力の募集を掲載する").click()
    page.get_by_label("タイトル").fill("デザインの協力先を探しています")
    page.get_by_label("求めている協力の内容").fill("年末のリニューアル案件です。")
    page.get_by_label("サイトデザイン").check()
    page.get_by_label("都道府県").select_option("13")
    today = timezone.localdate()
    page.get_by_label("開始日", exact=True).fill(today.isoformat())
    page.get_by_label("終了日", exact=True).fill((today + timedelta(days=60)).isoformat())
    page.get_by_label("回答の受付期限").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="投稿する").click()
    page.get_by_text("募集を掲載しました。").wait_for()
    sign_out(page)

    sign_in(page, eve.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="協業ボード").click()
    assert "実績が条件に合っています" in page.locator(".board-post").inner_text()
    page.get_by_role("link", name="デザインの協力先を探しています").click()
    page.get_by_label("回答", exact=True).fill("トップページのデザインを担当できます。")
    page.get_by_role("button", name="回答を送信").click()
    page.get_by_text("回答を投稿者に非公開で送りました。").wait_for()
    assert bob.email not in page.locator("main").inner_text()
    sign_out(page)

    sign_in(page, bob.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="協業ボード").click()
    page.get_by_role("link", name="デザインの協力先を探しています").click()
    assert eve.email not in page.locator("main").inner_text()
    page.get_by_role("button", name="連絡先の交換に同意する").click()
    page.get_by_text("お互いの連絡先が表示されます。").wait_for()
    assert eve.email in page.locator(".board-contact").inner_text()
    sign_out(page)

    sign_in(page, eve.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="協業ボード").click()
    page.goto(page.url)  # the post is still listed while open
    page.get_by_role("link", name="デザインの協力先を探しています").click()
    assert bob.email in page.locator(".board-contact").inner_text()
