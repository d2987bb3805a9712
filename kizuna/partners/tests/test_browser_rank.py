"""Click-through in Chromium: staff map an activity type, bob's person talks, bob sees why.

Staff set the talk rule on the program settings page; a talk by a member affiliated with
Bob Web Works is imported; bob follows the portal to the rank page and sees the talk by
title and link, then follows a badge on his public profile to the achievements behind it.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from kizuna.community import services as community
from kizuna.core.consumers import dispatch
from kizuna.core.tests.browser import open_menu, sign_in
from kizuna.partners.services.achievements import achievement_publish_summary
from kizuna.partners.services.badges import badge_awards_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_rule_then_imported_talk_shows_on_bobs_rank_page_and_badges_link_to_evidence(
    page, alice, bob, bob_partner, verified
):
    sign_in(page, alice.email, PASSWORD)
    open_menu(page, "パートナープログラム")
    page.get_by_role("link", name="プログラム設定").click()
    row = page.locator(
        "#activity-rules tr", has=page.locator("code", has_text=re.compile("^talk$"))
    )
    row.get_by_label("ポイント(上書き)").fill("12")
    row.get_by_role("button", name="保存").click()
    page.get_by_text("保存しました。「登壇」").wait_for()
    page.get_by_role("button", name=re.compile("サインアウト|Sign out")).click()

    member = community.member_create(
        actor=alice, display_name="小川 健太", platform="connpass", handle="kenta"
    )
    community.affiliation_add(
        actor=alice,
        member=member,
        organization=bob_partner.organization,
        start_date=date(2020, 1, 1),
    )
    when = timezone.now() - timedelta(days=3)
    community.activities_ingest(
        records=[
            (
                1,
                {
                    "source": "meetup-sheet",
                    "external_id": "talk-1",
                    "type": "talk",
                    "occurred_at": when.isoformat(),
                    "member": {"platform": "connpass", "handle": "kenta"},
                    "url": "https://kizuna.connpass.com/event/1/",
                    "title": "受注データを会計へ流す",
                },
            )
        ]
    )
    dispatch("partners.community_points")
    achievement = verified(bob_partner)
    achievement_publish_summary(
        actor=bob, achievement=achievement, public_summary="定期購入プラグインの開発", publish=True
    )
    badge_awards_sync(partner=bob_partner)

    sign_in(page, bob.email, PASSWORD)
    page.goto("/partners/portal/")
    page.get_by_role("link", name="ポイントの内訳").click()
    public = page.locator("#public-activities")
    link = public.get_by_role("link", name="受注データを会計へ流す")
    assert link.get_attribute("href") == "https://kizuna.connpass.com/event/1/"
    assert "12" in public.inner_text()

    page.goto(f"/partners/p/{bob_partner.slug}/")
    page.locator("#badges").get_by_role("link").first.click()
    assert "定期購入プラグインの開発" in page.locator("#achievements").inner_text()
    assert "日以内" in page.locator("#recency-window").inner_text()
