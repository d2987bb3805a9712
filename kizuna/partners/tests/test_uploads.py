"""Uploads are checked by content: logos must be images; evidence has size and count limits."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kizuna.core import images
from kizuna.partners.models import Badge, Evidence
from kizuna.partners.services.achievements import achievement_add_evidence
from kizuna.partners.services.profiles import partner_update

pytestmark = pytest.mark.django_db


def image_bytes(image_format, size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buffer, format=image_format)
    return buffer.getvalue()


def post_logo(client, name, content):
    return client.post(
        reverse("partners:profile_edit"),
        {"accepting_new_clients": "on", "logo": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("image_format", "name"), [("PNG", "l.png"), ("JPEG", "l.jpg"), ("WEBP", "l.webp")]
)
def test_a_real_png_jpeg_or_webp_logo_is_accepted(client, bob, bob_partner, image_format, name):
    client.force_login(bob)
    assert post_logo(client, name, image_bytes(image_format)).status_code == 302
    bob_partner.refresh_from_db()
    assert bob_partner.logo


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", b"<html><script>alert(1)</script></html>"),
        ("logo.png", image_bytes("PNG")[:40]),  # truncated
        ("logo.png", image_bytes("GIF")),  # an image, not one of the formats allowed
        ("logo.jpg", b""),
    ],
    ids=["html", "truncated", "gif", "empty"],
)
def test_a_logo_that_is_not_really_an_image_is_a_form_error(
    client, bob, bob_partner, name, content
):
    client.force_login(bob)
    response = post_logo(client, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "PNG、JPEG、WebP" in page or "空です" in page
    bob_partner.refresh_from_db()
    assert not bob_partner.logo


def test_the_profile_service_refuses_a_file_that_is_not_an_image(bob, bob_partner):
    with pytest.raises(ValidationError) as refused:
        partner_update(
            actor=bob,
            partner=bob_partner,
            by_owner=True,
            logo=SimpleUploadedFile("logo.png", b"GIF89a not really"),
        )
    assert refused.value.error_dict["logo"][0].code == "not_an_image"


def test_an_image_with_too_many_pixels_is_refused(bob, bob_partner, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    with pytest.raises(ValidationError) as refused:
        partner_update(
            actor=bob,
            partner=bob_partner,
            by_owner=True,
            logo=SimpleUploadedFile("logo.png", image_bytes("PNG", size=(20, 20))),
        )
    assert refused.value.error_dict["logo"][0].code == "image_too_large"


def submit_with_files(client, files):
    return client.post(
        reverse("partners:achievement_new"),
        {
            "title": "アパレルEC構築",
            "description": "詳細",
            "work_badges": [Badge.objects.get(code="site_design").pk],
            "completed_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
            "evidence_files": files,
        },
    )


def test_an_evidence_file_over_the_size_limit_is_a_form_error(client, bob, bob_partner, settings):
    settings.KIZUNA_EVIDENCE_MAX_BYTES = 1000
    client.force_login(bob)
    response = submit_with_files(client, [SimpleUploadedFile("big.pdf", b"x" * 1001)])
    assert response.status_code == 200
    assert "big.pdf" in response.content.decode()
    assert "より大きい" in response.content.decode()
    assert not bob_partner.achievements.exists()


def test_more_evidence_files_than_the_limit_is_a_form_error(client, bob, bob_partner, settings):
    settings.KIZUNA_EVIDENCE_MAX_FILES = 2
    client.force_login(bob)

    def files(count):
        return [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4") for n in range(count)]

    response = submit_with_files(client, files(3))
    assert response.status_code == 200
    assert "証拠ファイルは1件の実績につき2個まで" in response.content.decode()
    assert not Evidence.objects.exists()
    assert submit_with_files(client, files(2)).status_code == 302


def test_adding_evidence_counts_the_files_already_there(client, bob, bob_partner, submit, settings):
    settings.KIZUNA_EVIDENCE_MAX_FILES = 1
    achievement = submit(bob_partner)  # one link, no file
    achievement_add_evidence(
        actor=bob, achievement=achievement, file=SimpleUploadedFile("a.pdf", b"%PDF")
    )
    client.force_login(bob)
    response = client.post(
        reverse("partners:achievement_evidence_add", args=[achievement.pk]),
        {"file": SimpleUploadedFile("b.pdf", b"%PDF")},
    )
    assert response.status_code == 400
    assert "2個まで" not in response.content.decode()
    assert "1個まで" in response.content.decode()
    assert achievement.evidence.exclude(file="").count() == 1
    with pytest.raises(ValidationError) as refused:
        achievement_add_evidence(
            actor=bob, achievement=achievement, file=SimpleUploadedFile("c.pdf", b"%PDF")
        )
    assert refused.value.error_dict["file"][0].code == "too_many_evidence_files"
    # Links are not files: they stay possible.
    achievement_add_evidence(actor=bob, achievement=achievement, url="https://example.com/x")
