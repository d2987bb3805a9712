import json
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import PASSWORD
from kizuna.community import services
from kizuna.community.models import Activity, Member, MemberMerge
from kizuna.core.models import ImportJob
from kizuna.core.tests.browser import sign_in

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parents[2] / "connectors" / "tests" / "fixtures"
TOKYO = ZoneInfo("Asia/Tokyo")
# Screenshots for a person to look at after a run.
SCREENSHOTS = Path(tempfile.gettempdir())


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


@pytest.fixture
def taro(alice):
    member = services.member_create(
        actor=alice,
        display_name="山田 太郎",
        platform="slack",
        handle="u01",
        email="taro@example.jp",
    )
    services.activities_ingest(
        records=[
            (
                1,
                {
                    "source": "t",
                    "external_id": "1",
                    "type": "talk",
                    "occurred_at": "2026-03-18T19:30:00+09:00",
                    "member": {"platform": "slack", "handle": "u01"},
                    "title": "Kizuna で作る会員ランク",
                },
            )
        ]
    )
    return member


def test_member_list_finds_people_by_japanese_name(client, alice, taro):
    client.force_login(alice)
    page = client.get(reverse("community:member_list"), {"q": "山田"}).content.decode()
    assert "山田 太郎" in page
    assert "slack: u01" in page


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
def test_member_pages_are_for_community_staff_only(client, personas, taro, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("community:member_list")).status_code == 403
    assert client.get(reverse("community:member_detail", args=[taro.pk])).status_code == 403


def test_member_profile_shows_identities_and_timeline(client, alice, taro):
    client.force_login(alice)
    page = client.get(reverse("community:member_detail", args=[taro.pk])).content.decode()
    assert "taro@example.jp" in page
    assert "Kizuna で作る会員ランク" in page


def test_member_can_see_their_own_profile(client, dave, alice):
    member = services.member_create(actor=alice, display_name="Dave 大野")
    Member.objects.filter(pk=member.pk).update(user=dave)
    client.force_login(dave)
    page = client.get(reverse("community:member_detail", args=[member.pk])).content.decode()
    assert "Dave 大野" in page
    assert reverse("community:member_erase", args=[member.pk]) not in page
    assert "削除" not in page


def test_export_downloads_the_persons_data_as_json(client, alice, taro):
    client.force_login(alice)
    response = client.get(reverse("community:member_export", args=[taro.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["identities"][0]["handle"] == "u01"


def test_erase_button_erases(client, alice, taro):
    client.force_login(alice)
    client.post(reverse("community:member_erase", args=[taro.pk]))
    taro.refresh_from_db()
    assert taro.erased_at is not None
    assert Activity.objects.get().title == ""


@pytest.mark.parametrize("suggestion", ["abc", "", "99999999999999999999999", "7"])
def test_a_decision_on_a_suggestion_that_does_not_exist_is_404(client, alice, suggestion):
    client.force_login(alice)
    response = client.post(
        reverse("community:merge_suggestions"), {"suggestion": suggestion, "decision": "merge"}
    )
    assert response.status_code == 404


def test_suggestion_page_merges_or_marks_not_same(client, alice):
    a = services.member_create(actor=alice, display_name="佐藤 翔太")
    b = services.member_create(actor=alice, display_name="佐藤翔太")
    client.force_login(alice)
    client.post(reverse("community:merge_suggestions"), {"refresh": "1"})
    page = client.get(reverse("community:merge_suggestions")).content.decode()
    suggestion = _found(r'name="suggestion" value="(\d+)"', page)
    client.post(
        reverse("community:merge_suggestions"), {"suggestion": suggestion, "decision": "merge"}
    )
    assert MemberMerge.objects.get().merged_id == b.pk
    assert MemberMerge.objects.get().into_id == a.pk


def test_event_page_marks_first_timers(client, alice, taro):
    event, _ = services.event_upsert(
        actor=alice,
        source="t",
        external_id="e",
        title="福岡 勉強会",
        starts_at=datetime(2026, 5, 1, 19, tzinfo=TOKYO),
    )
    services.attendance_set(actor=alice, event=event, member=taro, status="attended")
    client.force_login(alice)
    page = client.get(reverse("community:event_detail", args=[event.pk])).content.decode()
    assert "山田 太郎" in page
    assert "初参加" in page


def test_partner_sees_events_without_attendance(client, bob, alice, taro):
    event, _ = services.event_upsert(
        actor=alice,
        source="t",
        external_id="e",
        title="福岡 勉強会",
        starts_at=datetime(2026, 5, 1, 19, tzinfo=TOKYO),
    )
    services.attendance_set(actor=alice, event=event, member=taro, status="attended")
    client.force_login(bob)
    page = client.get(reverse("community:event_detail", args=[event.pk])).content.decode()
    assert "福岡 勉強会" in page
    assert "山田 太郎" not in page


@pytest.fixture
def affiliated(alice, bob, eve, taro):
    """Taro works for Bob Web Works since 2026; Hanako, with a private email, for Eve's."""
    hanako = services.member_create(
        actor=alice, display_name="佐藤 花子", platform="slack", handle="u02", email="hanako@x.jp"
    )
    services.activities_ingest(
        records=[
            (
                1,
                {
                    "source": "t",
                    "external_id": "2",
                    "type": "blog_post",
                    "occurred_at": "2026-03-20T10:00:00+09:00",
                    "member": {"platform": "slack", "handle": "u02"},
                    "title": "花子のブログ",
                },
            ),
            (
                2,
                {
                    "source": "t",
                    "external_id": "3",
                    "type": "blog_post",
                    "occurred_at": "2025-06-01T10:00:00+09:00",
                    "member": {"platform": "slack", "handle": "u01"},
                    "title": "入社前のブログ",
                },
            ),
        ]
    )
    for member, owner in ((taro, bob), (hanako, eve)):
        services.affiliation_add(
            actor=alice,
            member=member,
            organization=owner.memberships.get().organization,
            start_date=date(2026, 1, 1),
        )


def test_partner_sees_its_affiliated_peoples_public_activity_only(client, bob, affiliated):
    client.force_login(bob)
    page = client.get(reverse("community:partner_activity")).content.decode()
    assert "山田 太郎" in page
    assert "Kizuna で作る会員ランク" in page
    assert "入社前のブログ" not in page  # before the affiliation began
    assert "佐藤 花子" not in page  # another partner's person
    assert "花子のブログ" not in page
    assert "taro@example.jp" not in page  # no personal data
    assert "u01" not in page


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_partner_activity_page_is_for_people_of_an_organization(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("community:partner_activity")).status_code == 403


def test_partner_activity_link_is_in_partners_menus_not_in_staffs(client, alice, bob):
    link = reverse("community:partner_activity")
    client.force_login(bob)
    assert link in client.get("/", follow=True).content.decode()
    client.force_login(alice)
    assert link not in client.get("/", follow=True).content.decode()


def test_import_page_starts_a_job_that_dry_runs_then_applies(client, alice):
    client.force_login(alice)
    with (FIXTURES / "activities.jsonl").open("rb") as upload:
        report = client.post(
            reverse("connectors:import"), {"file": upload, "format": "jsonl"}, follow=True
        )
    page = report.content.decode()
    assert "unknown_type" in page
    assert not Activity.objects.exists()
    job = ImportJob.objects.get()
    client.post(reverse("imports:apply", args=[job.pk]))
    assert Activity.objects.count() == 2


def test_sources_page_saves_credentials_encrypted_and_queues_a_sync(client, alice):
    from kizuna.connectors.models import Source

    client.force_login(alice)
    client.post(
        reverse("connectors:source_create"),
        {
            "kind": "rss",
            "name": "ブログ",
            "settings": '{"feeds": []}',
            "secrets": '{"token": "s3cret"}',
            "enabled": "on",
            "sync_every_minutes": "60",
        },
    )
    source = Source.objects.get()
    assert source.credentials == {"token": "s3cret"}
    assert (
        "s3cret"
        not in client.get(reverse("connectors:source_edit", args=[source.pk])).content.decode()
    )
    client.post(reverse("connectors:source_sync", args=[source.pk]))
    assert Source.objects.get().last_synced_at is not None


@pytest.mark.browser
def test_staff_reviews_a_member_profile_merges_and_undoes(page, alice, taro):
    other = services.member_create(
        actor=alice, display_name="Taro Yamada", platform="github", handle="taro"
    )
    sign_in(page, alice.email, PASSWORD)
    page.goto(reverse("community:member_list"))
    page.get_by_role("link", name="山田 太郎").click()
    assert page.get_by_role("heading", name=re.compile("山田 太郎")).is_visible()
    assert page.get_by_text("Kizuna で作る会員ランク").is_visible()
    page.get_by_label(re.compile("統合するメンバー番号|Member number")).fill(str(other.pk))
    page.get_by_role("button", name=re.compile("このメンバーに統合|Merge into")).click()
    assert page.get_by_role("cell", name="taro", exact=True).is_visible()
    page.screenshot(path=str(SCREENSHOTS / "community-member.png"), full_page=True)
    page.get_by_role("button", name=re.compile("元に戻す|Undo")).click()
    assert page.get_by_role("cell", name="taro", exact=True).count() == 0


@pytest.mark.browser
def test_staff_imports_a_file_with_a_dry_run_first(page, alice):
    sign_in(page, alice.email, PASSWORD)
    page.goto(reverse("connectors:import"))
    page.get_by_label(re.compile("ファイル|File")).set_input_files(
        str(FIXTURES / "activities.jsonl")
    )
    page.get_by_role("button", name=re.compile("ファイルを確認|Check the file")).click()
    assert page.locator("[data-count=new]").inner_text() == "2"
    assert page.get_by_text("unknown_type", exact=False).is_visible()
    page.screenshot(path=str(SCREENSHOTS / "community-import.png"), full_page=True)
    page.get_by_role("button", name=re.compile("インポートを適用|Apply the import")).click()
    assert page.locator("[data-testid=job-status]").inner_text() in ("適用済み", "applied")
    assert Activity.objects.count() == 2


@pytest.mark.browser
def test_partner_opens_its_affiliated_peoples_activity_from_the_menu(page, bob, affiliated):
    sign_in(page, bob.email, PASSWORD)
    page.goto("/")
    page.locator("summary", has_text=re.compile("コミュニティ|Community")).click()
    page.get_by_role("link", name=re.compile("所属メンバーの活動|Affiliated people")).click()
    assert page.get_by_role("heading", name=re.compile("所属メンバーの活動")).is_visible()
    assert page.get_by_role("cell", name="山田 太郎").is_visible()
    assert page.get_by_role("link", name="Kizuna で作る会員ランク").count() == 0  # no URL given
    assert page.get_by_text("Kizuna で作る会員ランク").is_visible()
    assert page.get_by_text("佐藤 花子").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "community-partner-activity.png"), full_page=True)


def test_a_persons_data_export_is_never_cached(client, alice, taro):
    client.force_login(alice)
    response = client.get(reverse("community:member_export", args=[taro.pk]))
    assert response["Cache-Control"] == "private, no-store"


def test_a_persons_own_export_leaves_out_the_staff_notes(client, alice, dave, taro):
    services.member_update(actor=alice, member=taro, notes="要注意: 競合他社の社員", tags=[])
    Member.objects.filter(pk=taro.pk).update(user=dave)
    client.force_login(dave)
    response = client.get(reverse("community:member_export", args=[taro.pk]))
    assert response.status_code == 200
    assert "notes" not in json.loads(response.content)["member"]
    assert "競合他社" not in response.content.decode()


def test_the_staff_export_of_a_person_keeps_the_staff_notes(client, alice, taro):
    services.member_update(actor=alice, member=taro, notes="要注意: 競合他社の社員", tags=[])
    client.force_login(alice)
    response = client.get(reverse("community:member_export", args=[taro.pk]))
    assert json.loads(response.content)["member"]["notes"] == "要注意: 競合他社の社員"
