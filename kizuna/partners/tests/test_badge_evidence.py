"""Every badge links to the verified achievements behind it (issue 13, item 5)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.partners.services.achievements import achievement_publish_summary
from kizuna.partners.services.badges import badge_awards_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_url(bob_partner):
    return reverse("partners:badge_evidence", args=[bob_partner.slug, "plugin_development"])


@pytest.fixture
def bobs_badge(bob, bob_partner, verified, submit, settings):
    """Two verified achievements in the window (one published), one too old, one pending."""
    settings.KIZUNA_BADGE_WINDOW_DAYS = 365
    published = verified(bob_partner, title="公開する案件")
    achievement_publish_summary(
        actor=bob,
        achievement=published,
        public_summary="食品メーカーの定期購入プラグイン",
        publish=True,
    )
    verified(bob_partner, title="非公開の案件")
    old = verified(bob_partner, completed_on=timezone.localdate() - timedelta(days=400))
    achievement_publish_summary(
        actor=bob, achievement=old, public_summary="古い案件の要約", publish=True
    )
    submit(bob_partner, title="審査中の案件")
    badge_awards_sync(partner=bob_partner)
    return published


def test_badge_page_shows_public_summaries_with_verification_date_and_the_window(
    client, bobs_badge, evidence_url
):
    page = client.get(evidence_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    verified_on = timezone.localtime(bobs_badge.verified_at).date().isoformat()
    assert "食品メーカーの定期購入プラグイン" in page
    assert f"verified {verified_on}" in page
    assert "古い案件の要約" not in page  # outside the recency window
    # Private titles never show.
    assert "非公開" not in page
    assert "審査中" not in page
    window_start = (timezone.localdate() - timedelta(days=365)).isoformat()
    assert window_start in page
    assert "1 more verified achievement has no public summary" in page


def test_badge_page_says_when_the_partner_does_not_hold_the_badge(client, bob_partner):
    url = reverse("partners:badge_evidence", args=[bob_partner.slug, "b2b"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This partner does not hold this badge now." in page
    assert "No verified achievements in the window." in page


def test_unknown_badge_or_partner_is_not_found(client, bob_partner):
    assert client.get(reverse("partners:badge_evidence", args=["nobody", "b2b"])).status_code == 404
    url = reverse("partners:badge_evidence", args=[bob_partner.slug, "no-such-badge"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve", None])
def test_badge_evidence_is_public_to_every_persona(
    client, personas, bobs_badge, evidence_url, persona
):
    if persona:
        client.force_login(personas[persona])
    response = client.get(evidence_url)
    assert response.status_code == 200
    assert "食品メーカーの定期購入プラグイン" in response.content.decode()


def test_badges_on_the_public_profile_and_the_portal_link_to_their_evidence(
    client, bob, bobs_badge, bob_partner, evidence_url
):
    profile = client.get(reverse("partners:public_profile", args=[bob_partner.slug]))
    assert f'href="{evidence_url}"' in profile.content.decode()
    client.force_login(bob)
    portal = client.get(reverse("partners:portal"))
    assert f'href="{evidence_url}"' in portal.content.decode()
