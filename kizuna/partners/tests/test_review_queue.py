"""The review queue: filtered by state, what staff can act on first, evidence previewed inline,
and a decision never preselected."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kizuna.partners.services.achievements import achievement_add_evidence, achievement_request_info

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def queue_titles(client, query=""):
    page = client.get(reverse("partners:review_queue") + query).content.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [t for t in ("先の質問", "新しい申請", "古い申請") if t in body], body


def test_queue_lists_submitted_work_before_work_waiting_on_the_partner(
    client, alice, bob_partner, submit
):
    asked = submit(bob_partner, title="先の質問")
    achievement_request_info(actor=alice, achievement=asked, reason="資料を追加してください")
    submit(bob_partner, title="古い申請")
    submit(bob_partner, title="新しい申請")
    client.force_login(alice)
    body = queue_titles(client)[1]
    assert body.index("古い申請") < body.index("新しい申請") < body.index("先の質問")


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [("submitted", "古い申請", "先の質問"), ("needs_info", "先の質問", "古い申請")],
)
def test_queue_filters_by_state(client, alice, bob_partner, submit, status, shown, hidden):
    asked = submit(bob_partner, title="先の質問")
    achievement_request_info(actor=alice, achievement=asked, reason="資料を追加してください")
    submit(bob_partner, title="古い申請")
    client.force_login(alice)
    titles, _body = queue_titles(client, f"?status={status}")
    assert shown in titles
    assert hidden not in titles


def test_queue_ignores_an_unknown_state_and_shows_everything(client, alice, bob_partner, submit):
    submit(bob_partner, title="古い申請")
    client.force_login(alice)
    assert queue_titles(client, "?status=verified")[0] == ["古い申請"]


def test_review_form_preselects_no_decision_and_marks_reject_as_a_confirmed_decline(
    client, alice, bob_partner, submit
):
    achievement = submit(bob_partner)
    client.force_login(alice)
    page = client.get(reverse("partners:achievement", args=[achievement.pk])).content.decode()
    form = page.split('action="' + reverse("partners:achievement_review", args=[achievement.pk]))[1]
    form = form.split("</form>", 1)[0]
    assert "checked" not in form
    reject = form.split('value="reject"', 1)[1].split(">", 1)[0]
    assert "button-decline" in reject
    assert "data-confirm=" in reject
    verify = form.split('value="verify"', 1)[1].split(">", 1)[0]
    assert "data-confirm" not in verify


def test_review_by_button_records_the_chosen_decision(client, alice, bob_partner, submit):
    achievement = submit(bob_partner)
    client.force_login(alice)
    client.post(
        reverse("partners:achievement_review", args=[achievement.pk]),
        {"decision": "request_info", "reason": "スクリーンショットをお願いします"},
    )
    achievement.refresh_from_db()
    assert achievement.status == "needs_info"


def test_image_and_pdf_evidence_are_previewed_inline_on_the_achievement_page(
    client, alice, bob_partner, submit
):
    achievement = submit(bob_partner)
    image = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("top.png", png_bytes())
    )
    pdf = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("spec.pdf", b"%PDF-1.4\n")
    )
    other = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("data.zip", b"PK\x03\x04")
    )
    client.force_login(alice)
    page = client.get(reverse("partners:achievement", args=[achievement.pk])).content.decode()
    assert f'<img src="{reverse("partners:evidence_inline", args=[image.pk])}"' in page
    pdf_url = reverse("partners:evidence_inline", args=[pdf.pk])
    assert f'<iframe class="evidence-preview evidence-pdf" src="{pdf_url}"' in page
    assert reverse("partners:evidence_inline", args=[other.pk]) not in page


def test_inline_pdf_is_served_for_a_same_origin_frame_with_its_real_type(
    client, alice, bob_partner, submit
):
    achievement = submit(bob_partner)
    pdf = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("spec.pdf", b"%PDF-1.4\n")
    )
    client.force_login(alice)
    response = client.get(reverse("partners:evidence_inline", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'self'" in policy
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_named_like_an_image_but_not_one_is_only_downloaded(
    client, alice, bob_partner, submit
):
    achievement = submit(bob_partner)
    fake = achievement_add_evidence(
        actor=None,
        achievement=achievement,
        file=SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>"),
    )
    client.force_login(alice)
    response = client.get(reverse("partners:evidence_inline", args=[fake.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:evidence_download", args=[fake.pk])


def test_other_partner_cannot_view_evidence_inline(client, eve, eve_partner, bob_partner, submit):
    achievement = submit(bob_partner)
    image = achievement_add_evidence(
        actor=None, achievement=achievement, file=SimpleUploadedFile("top.png", png_bytes())
    )
    client.force_login(eve)
    assert client.get(reverse("partners:evidence_inline", args=[image.pk])).status_code == 404


def test_regular_pages_keep_refusing_frames(client, alice):
    client.force_login(alice)
    response = client.get(reverse("partners:review_queue"))
    assert response["X-Frame-Options"] == "DENY"
