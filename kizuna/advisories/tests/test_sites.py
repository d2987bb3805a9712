"""A partner's client sites: private, and tracked against each advisory."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.advisories import services
from kizuna.advisories.models import SiteState, SiteStatus, SiteStatusChange
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["eve", "carol", "dave"])
def test_nobody_else_sees_or_edits_a_partners_sites(client, personas, bob_site, persona):
    client.force_login(personas[persona])
    page = client.get(reverse("advisories:sites"))
    assert bob_site.label not in page.content.decode()
    assert client.get(reverse("advisories:site_edit", args=[bob_site.pk])).status_code == 404
    assert client.post(reverse("advisories:site_delete", args=[bob_site.pk])).status_code == 404
    bob_site.refresh_from_db()


def test_anonymous_visitors_are_sent_to_sign_in(client, bob_site):
    assert client.get(reverse("advisories:sites")).status_code == 302


def test_the_partner_lists_and_adds_its_sites(client, bob, bob_site):
    client.force_login(bob)
    assert bob_site.label in client.get(reverse("advisories:sites")).content.decode()
    response = client.post(
        reverse("advisories:site_new"),
        {
            "label": "雑貨B社",
            "url": "https://b.example.jp",
            "product_version": "4.1.0",
            "plugins_text": "coupon-plugin 1.2.0\nreview 2.0",
            "hosting_notes": "",
        },
    )
    assert response.status_code == 302
    site = bob.memberships.get().organization.client_sites.get(label="雑貨B社")
    assert site.plugins == [
        {"name": "coupon-plugin", "version": "1.2.0"},
        {"name": "review", "version": "2.0"},
    ]


def test_a_site_url_must_be_http_or_https(client, bob, bob_site):
    client.force_login(bob)
    response = client.post(
        reverse("advisories:site_new"),
        {"label": "C社", "url": "javascript:alert(1)", "product_version": "4.1.0"},
    )
    assert response.status_code == 200
    assert not bob.memberships.get().organization.client_sites.filter(label="C社").exists()


def test_sharing_opens_a_status_for_each_affected_site_only(bob, partners, alice):
    from kizuna.advisories.tests.conftest import advisory_fields

    patched = services.client_site_save(
        actor=bob,
        organization=partners["bob"],
        fields={"label": "新しい", "product_version": "4.2.3"},
    )
    exposed = services.client_site_save(
        actor=bob,
        organization=partners["bob"],
        fields={"label": "古い", "product_version": "4.1.0"},
    )
    advisory = services.advisory_share(
        actor=alice, advisory=services.advisory_create(actor=alice, fields=advisory_fields())
    )
    assert list(SiteStatus.objects.filter(advisory=advisory).values_list("site", flat=True)) == [
        exposed.pk
    ]
    assert patched.pk not in services.affected_sites(advisory)


def test_the_partner_records_a_patch_with_history_and_an_event(
    client, bob, bob_site, shared_advisory
):
    client.force_login(bob)
    url = reverse("advisories:site_status", args=[shared_advisory.identifier, bob_site.pk])
    prefix = f"s{bob_site.pk}"
    today = timezone.localdate()
    client.post(url, {f"{prefix}-state": "in_progress", f"{prefix}-on": today.isoformat()})
    client.post(
        url,
        {
            f"{prefix}-state": "patched",
            f"{prefix}-on": today.isoformat(),
            f"{prefix}-note": "4.2.3 適用",
        },
    )
    status = SiteStatus.objects.get(advisory=shared_advisory, site=bob_site)
    assert (status.state, status.note) == (SiteState.PATCHED, "4.2.3 適用")
    assert list(SiteStatusChange.objects.filter(status=status).values_list("state", flat=True)) == [
        "in_progress",
        "patched",
    ]
    assert OutboxEvent.objects.filter(type="advisory.site_status_changed").count() == 2


def test_a_status_date_in_the_future_is_refused(client, bob, bob_site, shared_advisory):
    client.force_login(bob)
    url = reverse("advisories:site_status", args=[shared_advisory.identifier, bob_site.pk])
    prefix = f"s{bob_site.pk}"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.post(url, {f"{prefix}-state": "patched", f"{prefix}-on": tomorrow.isoformat()})
    assert (
        SiteStatus.objects.get(advisory=shared_advisory, site=bob_site).state == SiteState.AFFECTED
    )


def test_another_partner_cannot_set_the_status_of_bobs_site(client, eve, bob_site, shared_advisory):
    client.force_login(eve)
    url = reverse("advisories:site_status", args=[shared_advisory.identifier, bob_site.pk])
    prefix = f"s{bob_site.pk}"
    response = client.post(url, {f"{prefix}-state": "patched", f"{prefix}-on": "2026-01-01"})
    assert response.status_code == 404
    assert (
        SiteStatus.objects.get(advisory=shared_advisory, site=bob_site).state == SiteState.AFFECTED
    )


def test_staff_see_every_partners_affected_sites(client, alice, bob_site, shared_advisory):
    client.force_login(alice)
    page = client.get(reverse("advisories:staff_detail", args=[shared_advisory.identifier]))
    assert bob_site.label in page.content.decode()


def test_the_chart_counts_a_site_open_until_the_date_its_partner_gives(
    bob, bob_site, shared_advisory
):
    from kizuna.advisories.selectors import sites_over_time

    released = timezone.localdate(shared_advisory.shared_at)
    services.site_status_set(
        actor=bob,
        advisory=shared_advisory,
        site=bob_site,
        state=SiteState.PATCHED,
        on=released,
    )
    SiteStatusChange.objects.update(on=released + dt.timedelta(days=2))
    series = sites_over_time(shared_advisory, today=released + dt.timedelta(days=3))
    assert series["open"] == [1, 1, 0, 0]
    assert series["resolved"] == [0, 0, 1, 1]
