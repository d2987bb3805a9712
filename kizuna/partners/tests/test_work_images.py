"""Screenshots of published work and partner logos: who may attach and show them, what the
public pages show, and how uploads are checked and served."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from kizuna.accounts.models import MembershipRole
from kizuna.accounts.services import membership_add
from kizuna.partners import selectors
from kizuna.partners.models import WorkImage
from kizuna.partners.services.achievements import achievement_publish_summary
from kizuna.partners.services.profiles import partner_update
from kizuna.partners.services.work_images import work_image_remove, work_image_save

pytestmark = pytest.mark.django_db


def screenshot(name="shot.png", size=(64, 40), image_format="PNG", exif=False):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 200))
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretPhoneMaker"  # Make
        image.save(buffer, format=image_format, exif=data)
    else:
        image.save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def public_work(verified):
    """A verified achievement whose client may be named, with its summary published."""

    def make(partner, *, summary="アパレルECの構築を担当しました。", **kwargs):
        achievement = verified(partner, **kwargs)
        achievement.client_may_be_named = True
        achievement.save(update_fields=["client_may_be_named"])
        return achievement_publish_summary(
            actor=None, achievement=achievement, public_summary=summary, publish=True
        )

    return make


def post_work_image(client, achievement, **data):
    data.setdefault("image", screenshot())
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(reverse("partners:achievement_work_image", args=[achievement.pk]), data)


# Who may attach and show a screenshot


def test_bob_attaches_and_shows_a_screenshot_of_his_published_work(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    client.force_login(bob)
    response = post_work_image(client, achievement, published="on", position="1")
    assert response.status_code == 302
    work = WorkImage.objects.get(achievement=achievement)
    assert work.published
    assert work.position == 1
    assert selectors.published_work_images(bob_partner) == [work]


def test_eve_cannot_attach_show_or_remove_a_screenshot_on_bobs_achievement(
    client, eve, eve_partner, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=False)
    client.force_login(eve)
    assert post_work_image(client, achievement, published="on").status_code == 404
    remove = reverse("partners:achievement_work_image_remove", args=[achievement.pk])
    assert client.post(remove).status_code == 404
    work = WorkImage.objects.get(achievement=achievement)
    assert not work.published
    # Nor see the screenshot Bob has not shown.
    assert client.get(reverse("partners:work_image", args=[work.pk])).status_code == 404


def test_a_member_who_is_not_an_owner_cannot_show_a_screenshot(
    client, make_user, bob_org, bob_partner, public_work
):
    colleague = make_user("colleague@bob.example.jp")
    membership_add(actor=None, organization=bob_org, user=colleague, role=MembershipRole.MEMBER)
    achievement = public_work(bob_partner)
    client.force_login(colleague)
    assert post_work_image(client, achievement, published="on").status_code == 403
    assert not WorkImage.objects.exists()


@pytest.mark.parametrize("persona", ["dave", "carol"])
def test_people_outside_the_partner_cannot_attach_a_screenshot(
    client, request, persona, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    client.force_login(request.getfixturevalue(persona))
    assert post_work_image(client, achievement, published="on").status_code == 404
    assert not WorkImage.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client, bob_partner, public_work):
    achievement = public_work(bob_partner)
    response = post_work_image(client, achievement, published="on")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not WorkImage.objects.exists()


# What may be shown


def test_a_screenshot_cannot_be_attached_to_unverified_work(bob, bob_partner, submit):
    achievement = submit(bob_partner)
    with pytest.raises(ValidationError) as refused:
        work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    assert refused.value.code == "not_verified"
    assert not WorkImage.objects.exists()


def test_unverified_work_is_never_shown_even_with_an_image_stored(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    work = work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    # However the achievement stops being verified, its screenshot is gone from public view.
    type(achievement).objects.filter(pk=achievement.pk).update(status="submitted")
    assert selectors.published_work_images(bob_partner) == []
    assert client.get(reverse("partners:work_image", args=[work.pk])).status_code == 404
    page = client.get(reverse("partners:public_profile", args=[bob_partner.slug]))
    assert work.url not in page.content.decode()


@pytest.mark.parametrize(
    ("summary_published", "client_may_be_named", "code"),
    [(False, True, "summary_not_published"), (True, False, "client_not_named")],
)
def test_showing_needs_a_published_summary_and_a_client_who_may_be_named(
    bob, bob_partner, verified, summary_published, client_may_be_named, code
):
    achievement = verified(bob_partner)
    achievement.client_may_be_named = client_may_be_named
    achievement.save(update_fields=["client_may_be_named"])
    achievement_publish_summary(
        actor=bob, achievement=achievement, public_summary="要約", publish=summary_published
    )
    with pytest.raises(ValidationError) as refused:
        work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    assert refused.value.error_dict["published"][0].code == code
    # Kept private, it may still be attached.
    work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=False)
    assert selectors.published_work_images(bob_partner) == []


def test_withdrawing_the_summary_hides_the_screenshot_and_publishing_again_shows_it(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    work = work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    url = reverse("partners:work_image", args=[work.pk])
    assert client.get(url).status_code == 200
    achievement_publish_summary(
        actor=bob, achievement=achievement, public_summary="要約", publish=False
    )
    assert client.get(url).status_code == 404
    assert selectors.published_work_images(bob_partner) == []
    achievement_publish_summary(
        actor=bob, achievement=achievement, public_summary="要約", publish=True
    )
    assert selectors.published_work_images(bob_partner) == [work]


def test_a_partner_shows_at_most_six_screenshots(client, bob, bob_partner, public_work, settings):
    assert settings.KIZUNA_WORK_IMAGES_MAX == 6
    works = [public_work(bob_partner, title=f"案件{i}") for i in range(7)]
    for achievement in works[:6]:
        work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    with pytest.raises(ValidationError) as refused:
        work_image_save(actor=bob, achievement=works[6], image=screenshot(), published=True)
    assert refused.value.error_dict["published"][0].code == "too_many_work_images"
    # On the page: the form says so, the screenshot stays private.
    client.force_login(bob)
    response = post_work_image(client, works[6], published="on")
    assert response.status_code == 400
    assert "6" in response.content.decode()
    assert not WorkImage.objects.filter(achievement=works[6], published=True).exists()
    assert len(selectors.published_work_images(bob_partner)) == 6
    # Hiding one makes room.
    work_image_save(actor=bob, achievement=works[0], published=False)
    work_image_save(actor=bob, achievement=works[6], image=screenshot(), published=True)
    assert len(selectors.published_work_images(bob_partner)) == 6


def test_the_gallery_follows_the_partners_order_then_the_most_recent_work(
    bob, bob_partner, public_work
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    old, recent, chosen = (
        public_work(bob_partner, completed_on=today - timedelta(days=days))
        for days in (300, 20, 200)
    )
    for achievement, position in ((old, None), (recent, None), (chosen, 1)):
        work_image_save(
            actor=bob,
            achievement=achievement,
            image=screenshot(),
            published=True,
            position=position,
        )
    shown = [work.achievement_id for work in selectors.published_work_images(bob_partner)]
    assert shown == [chosen.pk, recent.pk, old.pk]


def test_removing_the_screenshot_takes_it_off_the_page(client, bob, bob_partner, public_work):
    achievement = public_work(bob_partner)
    work = work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    work_image_remove(actor=bob, achievement=achievement)
    assert not WorkImage.objects.exists()
    assert client.get(reverse("partners:work_image", args=[work.pk])).status_code == 404


# Uploads


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("shot.png", b"<svg onload='alert(1)'/>"), "PNG、JPEG、WebP"),
        (SimpleUploadedFile("shot.png", b"GIF89a not really"), "PNG、JPEG、WebP"),
    ],
)
def test_a_file_that_is_not_an_image_is_a_form_error(
    client, bob, bob_partner, public_work, upload, message
):
    achievement = public_work(bob_partner)
    client.force_login(bob)
    response = post_work_image(client, achievement, image=upload, published="on")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkImage.objects.exists()


def test_a_screenshot_over_the_size_limit_is_refused(bob, bob_partner, public_work, settings):
    settings.KIZUNA_WORK_IMAGE_MAX_BYTES = 100
    achievement = public_work(bob_partner)
    with pytest.raises(ValidationError) as refused:
        work_image_save(
            actor=bob, achievement=achievement, image=screenshot(size=(200, 200)), published=True
        )
    assert refused.value.error_dict["image"][0].code == "work_image_too_large"


def test_a_screenshot_is_stored_redrawn_without_metadata_and_served_as_webp(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    upload = screenshot(size=(3200, 2000), image_format="JPEG", exif=True)
    work = work_image_save(actor=bob, achievement=achievement, image=upload, published=True)
    response = client.get(work.url)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/webp"
    assert "public" in response["Cache-Control"]
    assert b"SecretPhoneMaker" not in body
    with Image.open(io.BytesIO(body)) as served:
        assert served.format == "WEBP"
        assert max(served.size) == 1600


def test_a_hidden_screenshot_is_served_only_to_the_partner_and_never_cached(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner)
    work = work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=False)
    assert client.get(work.url).status_code == 404
    client.force_login(bob)
    response = client.get(work.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# The public pages


def test_the_public_pages_show_the_gallery_with_the_summary_as_caption(
    client, bob, bob_partner, public_work
):
    achievement = public_work(bob_partner, summary="食品メーカーの定期通販サイトを構築しました。")
    work = work_image_save(actor=bob, achievement=achievement, image=screenshot(), published=True)
    page = client.get(reverse("partners:public_profile", args=[bob_partner.slug])).content.decode()
    assert work.url in page
    assert "食品メーカーの定期通販サイトを構築しました。" in page
    # The private title never appears.
    assert "プラグイン開発案件" not in page


def test_a_partner_without_a_logo_shows_its_initials(client, bob_partner):
    page = client.get(reverse("partners:public_profile", args=[bob_partner.slug])).content.decode()
    assert "partner-logo-initials" in page
    assert ">BW<" in page


def test_a_new_logo_is_redrawn_and_served_at_a_new_cacheable_address(client, bob, bob_partner):
    partner_update(actor=bob, partner=bob_partner, by_owner=True, logo=screenshot("logo.png"))
    first = bob_partner.logo_url
    response = client.get(first)
    assert response["Content-Type"] == "image/webp"
    assert "max-age" in response["Cache-Control"]
    partner_update(actor=bob, partner=bob_partner, by_owner=True, logo=screenshot("logo.jpg"))
    assert bob_partner.logo_url != first
    page = client.get(reverse("partners:public_profile", args=[bob_partner.slug])).content.decode()
    assert bob_partner.logo_url in page
    assert 'alt="Bob Web Works' in page


def test_a_logo_over_the_size_limit_is_a_form_error(client, bob, bob_partner, settings):
    settings.KIZUNA_LOGO_MAX_BYTES = 100
    client.force_login(bob)
    response = client.post(
        reverse("partners:profile_edit"),
        {"accepting_new_clients": "on", "logo": screenshot("logo.png", size=(200, 200))},
    )
    assert response.status_code == 200
    assert "ロゴ" in response.content.decode()
    bob_partner.refresh_from_db()
    assert not bob_partner.logo


def test_the_owner_can_clear_the_logo(client, bob, bob_partner):
    partner_update(actor=bob, partner=bob_partner, by_owner=True, logo=screenshot("logo.png"))
    client.force_login(bob)
    response = client.post(
        reverse("partners:profile_edit"), {"accepting_new_clients": "on", "logo-clear": "on"}
    )
    assert response.status_code == 302
    bob_partner.refresh_from_db()
    assert not bob_partner.logo
