"""Group and event editing by an organizer, and staff confirming an affiliation suggestion,
in a browser (ja, Asia/Tokyo), at desktop and phone widths."""

import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.community import services
from kizuna.community.models import Affiliation, Event, Group
from kizuna.core.tests.browser import sign_in
from kizuna.partners.services.profiles import partner_create

SCREENSHOTS = Path(tempfile.gettempdir())

pytestmark = pytest.mark.browser


def both_widths(page, name):
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"commdata-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width}px"
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def dave_member(alice, dave):
    member = services.member_create(actor=alice, display_name="Dave", platform="github", handle="d")
    member.user = dave
    member.save(update_fields=["user"])
    return member


def test_an_organizer_edits_their_group_then_creates_and_edits_an_event(
    page, alice, dave, dave_member
):
    group = services.group_create(actor=alice, name="Kizuna Users 福岡", leaders=[dave_member])
    services.group_create(actor=alice, name="Kizuna Users 大阪")
    sign_in(page, dave.email, PASSWORD)
    page.goto("/community/groups/")
    both_widths(page, "groups-organizer")
    # Only his own group offers editing.
    expect(page.get_by_role("link", name="グループを編集")).to_have_count(1)
    page.get_by_role("link", name="グループを編集").click()
    page.get_by_label("説明").fill("毎月第2土曜に天神でもくもく会をしています。")
    page.get_by_label("リンク").fill("https://kuf.connpass.example.com/")
    both_widths(page, "group-edit")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("グループを保存しました。")).to_be_visible()
    expect(page.get_by_text("毎月第2土曜に天神でもくもく会をしています。")).to_be_visible()

    page.get_by_role("link", name="新しいイベント").click()
    page.get_by_label("イベント名").fill("もくもく会 #12")
    page.get_by_label("形式").select_option("hybrid")
    page.get_by_label("開始").fill("2026-12-12T13:00")
    page.get_by_label("会場").fill("天神コワーキング")
    page.get_by_label("ハッシュタグ").fill("kizuna_fukuoka")
    page.get_by_label("定員").fill("30")
    both_widths(page, "event-new")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("イベントを作成しました。")).to_be_visible()
    event = Event.objects.get(title="もくもく会 #12")
    assert (event.group, event.capacity, event.format) == (group, 30, "hybrid")
    assert event.starts_at.isoformat() == "2026-12-12T04:00:00+00:00"  # 13:00 JST

    page.get_by_role("link", name="イベントを編集").click()
    page.get_by_label("定員").fill("40")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("イベントを保存しました。")).to_be_visible()
    both_widths(page, "event-detail-organizer")
    event.refresh_from_db()
    assert event.capacity == 40
    assert Group.objects.get(pk=group.pk).links == ["https://kuf.connpass.example.com/"]


def test_staff_confirm_an_affiliation_suggested_by_a_verified_email(page, alice, bob_org):
    partner_create(actor=None, organization=bob_org, website="https://bobweb.example.jp/")
    member = services.member_create(
        actor=alice,
        display_name="佐藤 健太",
        platform="github",
        handle="kenta",
        email="kenta@bobweb.example.jp",
    )
    member.identities.update(verified=True)
    sign_in(page, alice.email, PASSWORD)
    page.goto("/community/affiliations/")
    page.get_by_role("button", name="新しい候補を探す").click()
    expect(page.get_by_text("kenta@bobweb.example.jp")).to_be_visible()
    both_widths(page, "affiliation-suggestions")
    row = page.get_by_role("row").filter(has_text="kenta@bobweb.example.jp")
    row.get_by_label("開始日").fill("2024-10-01")
    row.get_by_role("button", name="確定").click()
    expect(page.get_by_text("所属を確認しました。")).to_be_visible()
    expect(page.get_by_text("確認待ちの候補はありません。")).to_be_visible()
    affiliation = Affiliation.objects.get()
    assert (affiliation.member, affiliation.organization) == (member, bob_org)
    assert affiliation.start_date == date(2024, 10, 1)


def test_a_member_ends_their_own_affiliation(page, alice, dave, bob_org, dave_member):
    services.affiliation_add(
        actor=alice, member=dave_member, organization=bob_org, start_date=date(2025, 4, 1)
    )
    sign_in(page, dave.email, PASSWORD)
    page.goto("/community/my-affiliations/")
    expect(page.get_by_text("Bob Web Works")).to_be_visible()
    both_widths(page, "my-affiliations")
    page.get_by_label("最終在籍日").fill("2026-03-31")
    page.get_by_role("button", name="この所属を終了").click()
    expect(page.get_by_text("所属を終了しました。")).to_be_visible()
    assert Affiliation.objects.get().end_date == date(2026, 3, 31)


def test_a_partner_owner_proposes_one_of_its_people(page, alice, bob):
    services.member_create(actor=alice, display_name="Hanako", platform="github", handle="hanako")
    sign_in(page, bob.email, PASSWORD)
    page.goto("/community/affiliations/propose/")
    page.get_by_label("ハンドルまたはメールアドレス").fill("hanako")
    page.get_by_label("在籍開始日").fill("2025-06-01")
    both_widths(page, "affiliation-propose")
    page.get_by_role("button", name="申請する").click()
    expect(page.get_by_text("申請しました。スタッフが確認します。")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Hanako")).to_contain_text("スタッフの確認待ち")
