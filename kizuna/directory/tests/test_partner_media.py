"""Logos on result cards and partner pages, and the gallery of published work."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kizuna.core import consumers
from kizuna.partners.models import Achievement
from kizuna.partners.services.profiles import partner_update
from kizuna.partners.services.work_images import work_image_save


def picture(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def bob_with_media(make_partner, bob):
    """Bob Web Works with a logo and one screenshot on show; Minato Design with neither."""
    partner = make_partner(
        "Bob Web Works",
        owner=bob,
        summary="決済連携が得意です",
        summaries=["アパレルブランドの定期通販サイトを構築しました。"],
    )
    make_partner("Minato Design", summary="決済画面のデザイン")
    partner_update(
        actor=bob, partner=partner, by_owner=True, logo=picture("logo.png", (20, 60, 160))
    )
    achievement = Achievement.objects.get(partner=partner, summary_published=True)
    achievement.client_may_be_named = True
    achievement.save(update_fields=["client_may_be_named"])
    work_image_save(
        actor=bob, achievement=achievement, image=picture("shot.png", (200, 80, 20)), published=True
    )
    consumers.dispatch_all()
    return partner


@pytest.mark.django_db
def test_result_cards_show_the_logo_or_the_initials(client, bob_with_media):
    page = client.get(reverse("directory:search")).content.decode()
    assert bob_with_media.logo_url in page
    assert 'alt="Bob Web Works のロゴ"' in page
    assert ">MD<" in page  # Minato Design has no logo


@pytest.mark.django_db
def test_the_partner_page_shows_the_gallery_captioned_with_the_summary(client, bob_with_media):
    page = client.get(reverse("directory:partner", args=[bob_with_media.slug])).content.decode()
    gallery = page[page.index('class="work-gallery"') :]
    assert "アパレルブランドの定期通販サイトを構築しました。" in gallery
    assert (
        reverse(
            "partners:work_image",
            args=[bob_with_media.achievements.get(summary_published=True).work_image.pk],
        )
        in gallery
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_visitor_sees_logos_in_results_and_the_logo_and_gallery_on_the_partner_page(
    page, bob_with_media
):
    page.goto(reverse("directory:search"))
    card = page.locator("article.directory-hit", has_text="Bob Web Works")
    logo = card.get_by_role("img", name="Bob Web Works のロゴ")
    logo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    box = logo.bounding_box()
    assert box is not None
    assert round(box["width"]) == round(box["height"]) == 56
    other = page.locator("article.directory-hit", has_text="Minato Design")
    assert other.locator(".partner-logo-initials").inner_text() == "MD"

    card.get_by_role("link", name="Bob Web Works").click()
    page.get_by_role("heading", name="Bob Web Works").wait_for()
    header_logo = page.get_by_role("img", name="Bob Web Works のロゴ")
    assert header_logo.evaluate("img => img.complete && img.naturalWidth > 0")
    gallery = page.locator(".work-gallery figure")
    assert gallery.count() == 1
    shot = gallery.first.get_by_role("img")
    shot.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shot.element_handle())
    assert "アパレルブランドの定期通販サイトを構築しました。" in gallery.first.inner_text()
