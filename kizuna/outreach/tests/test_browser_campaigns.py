"""Browser test: one staff member writes a campaign, a colleague approves it, and they watch
it go out with a result per recipient."""

import tempfile
from pathlib import Path

import pytest

from conftest import PASSWORD
from kizuna.community.models import Identity, Member
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.outreach.campaign_models import Audience, Campaign, CampaignState
from kizuna.outreach.campaigns import campaigns_advance
from kizuna.outreach.models import Consent
from kizuna.outreach.testing import send_queued

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(tempfile.gettempdir())


def shoot(page, name):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"campaigns-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"campaigns-{name}-390.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{name} scrolls sideways on a phone"
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.browser
def test_write_approve_as_a_colleague_and_watch_a_campaign(page, alice, make_user, settings):
    settings.KIZUNA_OUTREACH_QUIET_HOURS = (0, 0)
    olive = make_user("olive@example.com", display_name="Olive", staff_roles=["outreach"])
    for name, consent in (("花子", True), ("健太", False)):
        person = Member.objects.create(display_name=name, name_ja=name, prefecture="13")
        Identity.objects.create(
            member=person,
            platform="connpass",
            handle=f"h{person.pk}",
            email=f"m{person.pk}@example.jp",
            verified=True,
        )
        if consent:
            Consent.objects.create(
                recipient_key=f"member:{person.pk}",
                channel="email",
                topic="news",
                granted=True,
                method="form",
            )

    # Olive makes an audience, previews it and writes the campaign.
    sign_in(page, olive.email, PASSWORD)
    open_menu(page, "管理")
    page.get_by_role("link", name="キャンペーン").click()
    page.get_by_role("link", name="オーディエンス").click()
    page.get_by_role("link", name="新しいオーディエンス").click()
    page.get_by_label("名前").fill("東京のメンバー")
    page.get_by_label("対象").select_option("members")
    page.get_by_role("button", name="プレビュー").click()
    page.get_by_text("2 人が該当します。").wait_for()
    shoot(page, "audience")
    page.get_by_role("button", name="保存").click()
    assert Audience.objects.filter(name="東京のメンバー").exists()

    page.get_by_role("link", name="キャンペーン").first.click()
    page.get_by_role("link", name="キャンペーンを作成").click()
    page.get_by_label("タイトル（スタッフのみに表示）").fill("冬のお知らせ")
    page.get_by_label("オーディエンス").select_option(label="東京のメンバー")
    page.get_by_label("トピック").select_option("news")
    page.get_by_label("メール").check()
    page.get_by_label("件名（日本語）").fill("{{ name }}さんへ 冬のお知らせ")
    page.get_by_label("本文（日本語）").fill("{{ name }}さん、今年もありがとうございました。")
    page.get_by_label("件名（英語）").fill("Winter news for {{ name }}")
    page.get_by_label("本文（英語）").fill("Thank you, {{ name }}.")
    shoot(page, "form")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("heading", name="冬のお知らせ", exact=True).wait_for()
    page.get_by_text("同意なし: 1").wait_for()
    # The author cannot approve their own campaign.
    assert page.get_by_role("button", name="承認", exact=True).count() == 0
    page.get_by_role("button", name="自分にテスト送信").click()
    page.get_by_text("テスト送信をあなたのメールアドレスに送りました。").wait_for()
    shoot(page, "draft")

    # Alice, a colleague, approves it.
    page.context.clear_cookies()
    sign_in(page, alice.email, PASSWORD)
    campaign = Campaign.objects.get(title="冬のお知らせ")
    page.goto(f"/outreach/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="承認", exact=True).click()
    page.get_by_text("承認しました。予定の日時に送信されます。").wait_for()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.approved_by) == (CampaignState.APPROVED, alice)

    # The worker starts and sends it; the page follows along without a reload.
    campaigns_advance()
    send_queued()
    campaigns_advance()
    state = page.get_by_test_id("campaign-state")
    state.filter(has_text="送信済み").wait_for()
    page.reload()
    results = page.locator(".campaign-results tbody tr")
    assert results.count() == 2
    text = results.all_inner_texts()
    assert any("送信済み" in row for row in text)
    assert any("同意なし" in row for row in text)
    shoot(page, "sent")
