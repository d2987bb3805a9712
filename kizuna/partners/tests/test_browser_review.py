"""The review queue in Chromium: staff filter it by state and see image and PDF evidence in
the achievement page itself, which only a real browser can tell (the frame and image are
loaded under the page's Content Security Policy)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import PASSWORD
from kizuna.core.tests.browser import sign_in
from kizuna.partners.services.achievements import achievement_add_evidence, achievement_request_info

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def minimal_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 720, "Evidence")
    document.save()
    return buffer.getvalue()


def test_staff_filter_the_queue_and_see_evidence_inline(page, alice, bob_partner, submit):
    waiting = submit(bob_partner, title="質問中の実績")
    achievement_request_info(actor=alice, achievement=waiting, reason="URL を教えてください。")
    achievement = submit(bob_partner, title="画像つきの実績")
    for name, content in (("top.png", png_bytes()), ("spec.pdf", minimal_pdf())):
        achievement_add_evidence(
            actor=None, achievement=achievement, file=SimpleUploadedFile(name, content)
        )
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(page, alice.email, PASSWORD)
    page.goto("/partners/staff/reviews/")
    page.locator(".state-tabs").get_by_role("link", name="審査待ち").click()
    page.wait_for_url(re.compile(r"status=submitted"))
    rows = page.locator("main table tbody").inner_text()
    assert "画像つきの実績" in rows
    assert "質問中の実績" not in rows

    page.get_by_role("link", name="画像つきの実績").click()
    image = page.locator(".evidence-preview img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.evidence-preview img').complete")
    assert image.evaluate("img => img.naturalWidth") == 40
    frame = page.frame_locator("iframe.evidence-pdf")
    assert frame.locator("body").count() == 1
    assert page.locator("input[name=decision]:checked").count() == 0
    assert errors == []
