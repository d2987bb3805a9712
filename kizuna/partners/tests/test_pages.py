import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kizuna.partners.models import (
    AchievementStatus,
    Badge,
    ContributionKind,
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    PartnerProfile,
)
from kizuna.partners.services.achievements import (
    achievement_add_evidence,
    achievement_publish_summary,
)
from kizuna.partners.services.evangelists import evangelist_appoint
from kizuna.partners.services.profiles import partner_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_partner_without_profile_is_invited_to_set_it_up_and_saving_creates_it(client, bob):
    client.force_login(bob)
    assert "プロフィールを設定する" in client.get(reverse("partners:portal")).content.decode()
    response = client.post(
        reverse("partners:profile_edit"),
        {
            "summary": "新しいパートナーです",
            "head_office_prefecture": "27",
            "service_prefectures": ["27", "28"],
            "languages": ["ja"],
            "accepting_new_clients": "on",
            "contact_name": "小川",
        },
    )
    assert response.status_code == 302
    profile = PartnerProfile.objects.get(organization__slug="bob-web-works")
    assert (profile.service_prefectures, profile.contact_name) == (["27", "28"], "小川")


def test_portal_shows_achievements_with_status_badges_and_rank(
    client, bob, bob_partner, verified, submit, badge
):
    verified(bob_partner, title="検証済みの案件")
    submit(bob_partner, title="審査待ちの案件")
    client.force_login(bob)
    page = client.get(reverse("partners:portal")).content.decode()
    assert "検証済みの案件" in page
    assert "審査待ちの案件" in page
    assert '<span class="pill status-submitted">確認待ち</span>' in page
    assert '<span class="pill status-verified">検証済み</span>' in page
    assert badge.name_ja in page
    assert "メンバー" in page


def test_portal_is_not_for_people_outside_partner_organizations(client, carol):
    client.force_login(carol)
    assert client.get(reverse("partners:portal")).status_code == 404


def test_partner_submits_an_achievement_with_a_file_and_a_link(client, bob, bob_partner):
    client.force_login(bob)
    response = client.post(
        reverse("partners:achievement_new"),
        {
            "title": "アパレルEC構築",
            "description": "詳細",
            "work_badges": [Badge.objects.get(code="site_design").pk],
            "completed_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
            "evidence_links": "https://example.com/a\nhttps://example.com/b",
            "evidence_files": [SimpleUploadedFile("kenshu.pdf", b"%PDF-1.4")],
        },
    )
    achievement = bob_partner.achievements.get()
    assert response["Location"] == reverse("partners:achievement", args=[achievement.pk])
    assert achievement.evidence.count() == 3


def test_achievement_form_without_a_badge_or_evidence_says_what_is_missing(
    client, bob, bob_partner
):
    client.force_login(bob)
    page = client.post(
        reverse("partners:achievement_new"),
        {
            "title": "t",
            "description": "d",
            "completed_on": "2026-01-01",
        },
    ).content.decode()
    assert "少なくとも1つのバッジを申請してください" in page
    assert not bob_partner.achievements.exists()


def test_other_partner_gets_not_found_for_an_achievement_and_its_evidence(
    client, eve, bob_partner, eve_partner, submit
):
    achievement = submit(bob_partner)
    evidence = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("secret.pdf", b"secret")
    )
    client.force_login(eve)
    assert client.get(reverse("partners:achievement", args=[achievement.pk])).status_code == 404
    assert client.get(reverse("partners:evidence_download", args=[evidence.pk])).status_code == 404


def test_owner_downloads_their_own_evidence(client, bob, bob_partner, submit):
    achievement = submit(bob_partner)
    evidence = achievement_add_evidence(
        actor=bob, achievement=achievement, file=SimpleUploadedFile("kenshu.pdf", b"%PDF-1.4")
    )
    client.force_login(bob)
    response = client.get(reverse("partners:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert response["Cache-Control"] == "private, no-store"


def test_merchant_sees_only_public_data_on_the_public_profile(
    client, carol, bob, bob_partner, verified, submit
):
    published = verified(bob_partner)
    achievement_publish_summary(
        actor=bob, achievement=published, public_summary="食品ECの構築を担当", publish=True
    )
    verified(bob_partner, title="非公開の検証済み案件")
    client.force_login(carol)
    page = client.get(reverse("partners:public_profile", args=["bob-web-works"])).content.decode()
    assert "食品ECの構築を担当" in page
    assert "非公開の検証済み案件" not in page
    assert "株式会社ヒミツ" not in page
    assert "小川 ボブ" not in page
    assert "contact@bob.example.jp" not in page
    assert "検証済み実績" in page


def test_staff_verifies_from_the_review_page(client, alice, bob_partner, submit):
    achievement = submit(bob_partner, title="審査対象")
    client.force_login(alice)
    assert "審査対象" in client.get(reverse("partners:review_queue")).content.decode()
    response = client.post(
        reverse("partners:achievement_review", args=[achievement.pk]), {"decision": "verify"}
    )
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.VERIFIED


def test_staff_rejecting_without_a_reason_sees_the_error(client, alice, bob_partner, submit):
    achievement = submit(bob_partner)
    client.force_login(alice)
    response = client.post(
        reverse("partners:achievement_review", args=[achievement.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400
    assert "理由を入力してください" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
def test_staff_pages_are_forbidden_to_everyone_else(client, personas, bob_partner, persona):
    client.force_login(personas[persona])
    for name in ["review_queue", "staff_partners", "program_settings", "staff_evangelists"]:
        assert client.get(reverse(f"partners:{name}")).status_code == 403
    assert client.get(reverse("partners:staff_partner", args=["bob-web-works"])).status_code == 403


def test_staff_edits_a_profile_and_records_a_contribution(client, alice, bob_partner):
    client.force_login(alice)
    page = client.get(reverse("partners:staff_partners"), {"q": "Bob"}).content.decode()
    assert "Bob Web Works" in page
    client.post(
        reverse("partners:staff_partner", args=["bob-web-works"]),
        {
            "summary": "スタッフが修正",
            "head_office_prefecture": "13",
            "accepting_new_clients": "on",
        },
    )
    kind = ContributionKind.objects.get(code="event_hosting")
    client.post(
        reverse("partners:staff_contribution_add", args=["bob-web-works"]),
        {"kind": kind.pk, "occurred_on": timezone.localdate().isoformat(), "points": "10"},
    )
    bob_partner.refresh_from_db()
    assert (bob_partner.summary, bob_partner.rank) == ("スタッフが修正", "bronze")


def test_staff_renames_and_retires_a_badge_and_sets_points(client, alice):
    badge = Badge.objects.get(code="seo")
    client.force_login(alice)
    client.post(
        reverse("partners:badge_change", args=[badge.pk]),
        {"name_ja": "検索エンジン最適化", "name_en": "SEO"},
    )
    client.post(
        reverse("partners:badge_change", args=[badge.pk]),
        {"name_ja": "検索エンジン最適化", "name_en": "SEO", "retire": "1"},
    )
    badge.refresh_from_db()
    assert (badge.name_ja, badge.is_retired) == ("検索エンジン最適化", True)
    kind = ContributionKind.objects.get(code="blog_article")
    client.post(reverse("partners:kind_points", args=[kind.pk]), {"points": "3"})
    kind.refresh_from_db()
    assert kind.points == 3


def test_nomination_review_and_public_list(client, alice, dave):
    client.force_login(dave)
    client.post(
        reverse("partners:nominate"), {"self_nomination": "on", "statement": "毎月ハンズオンを開催"}
    )
    nomination = EvangelistNomination.objects.get()
    client.force_login(alice)
    assert (
        "毎月ハンズオンを開催" in client.get(reverse("partners:staff_evangelists")).content.decode()
    )
    client.post(
        reverse("partners:nomination_decide", args=[nomination.pk]),
        {
            "decision": "accept",
            "term_start": timezone.localdate().isoformat(),
            "term_end": (timezone.localdate() + timedelta(days=365)).isoformat(),
        },
    )
    client.logout()
    assert Evangelist.objects.get().user == dave
    assert "Dave" in client.get(reverse("partners:evangelists")).content.decode()


def test_evangelist_answers_a_routed_request_from_the_inbox(client, alice, carol, dave):
    evangelist = evangelist_appoint(
        actor=alice,
        name="Dave",
        email="dave@example.com",
        term_start=timezone.localdate(),
        term_end=timezone.localdate(),
    )
    client.force_login(carol)
    client.post(
        reverse("partners:evangelist_request"),
        {
            "group_name": "福岡もくもく会",
            "event_title": "第5回",
            "event_date": "2026-12-24",
            "location": "福岡",
        },
    )
    request = EvangelistRequest.objects.get()
    client.force_login(alice)
    client.post(
        reverse("partners:evangelist_request_route", args=[request.pk]),
        {"evangelist": evangelist.pk},
    )
    client.force_login(carol)
    assert (
        client.post(
            reverse("partners:evangelist_request_respond", args=[request.pk]), {"accept": "1"}
        ).status_code
        == 404
    )
    client.force_login(dave)
    assert "福岡もくもく会" in client.get(reverse("partners:evangelist_inbox")).content.decode()
    client.post(
        reverse("partners:evangelist_request_respond", args=[request.pk]),
        {"accept": "1", "note": "伺います"},
    )
    request.refresh_from_db()
    assert request.status == "accepted"


def test_navigation_links_depend_on_the_persona(client, alice, bob):
    client.force_login(bob)
    page = client.get(reverse("site:home")).content.decode()
    assert reverse("partners:portal") in page
    assert reverse("partners:review_queue") not in page
    client.force_login(alice)
    assert reverse("partners:review_queue") in client.get(reverse("site:home")).content.decode()


def test_portal_is_english_after_switching_language(client, bob, bob_partner, verified, badge):
    verified(bob_partner)
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("partners:portal")).content.decode()
    assert "Partner portal" in page
    assert badge.name_en in page
    assert "1 verified achievement" in page


def test_uploaded_logo_is_shown_on_the_public_profile(client, bob, bob_partner):
    from kizuna.partners.tests.test_uploads import image_bytes

    png = image_bytes("PNG")
    partner_update(
        actor=bob, partner=bob_partner, by_owner=True, logo=SimpleUploadedFile("logo.png", png)
    )
    page = client.get(reverse("partners:public_profile", args=["bob-web-works"])).content.decode()
    assert reverse("partners:logo", args=["bob-web-works"]) in page
    response = client.get(reverse("partners:logo", args=["bob-web-works"]))
    # Kept as Kizuna re-drew it: the same picture, as a WebP.
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        assert (served.format, served.size) == ("WEBP", Image.open(io.BytesIO(png)).size)


def test_a_logo_that_is_not_a_raster_image_is_refused(client, bob, bob_partner):
    client.force_login(bob)
    upload = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>")
    response = client.post(
        reverse("partners:profile_edit"), {"accepting_new_clients": "on", "logo": upload}
    )
    assert response.status_code == 200
    bob_partner.refresh_from_db()
    assert not bob_partner.logo
