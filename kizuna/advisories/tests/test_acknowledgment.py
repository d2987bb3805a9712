"""The one-click acknowledgment link: single purpose, single use, for one partner."""

import time

import pytest
from django.urls import reverse

from kizuna.advisories import services
from kizuna.advisories.tests.conftest import advisory_fields
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _link(advisory):
    target = advisory.targets.get()
    return reverse("advisories:ack_link", args=[services.acknowledgment_token(target)]), target


def test_the_link_asks_first_and_records_on_post(client, shared_advisory):
    url, target = _link(shared_advisory)
    assert client.get(url).status_code == 200
    target.refresh_from_db()
    assert target.acknowledged_at is None  # a mail scanner's GET acknowledges nothing
    assert client.post(url).status_code == 200
    target.refresh_from_db()
    assert target.acknowledged_at is not None


def test_the_link_is_single_use(client, shared_advisory):
    url, _target = _link(shared_advisory)
    client.post(url)
    first = shared_advisory.targets.get().acknowledged_at
    response = client.post(url)
    assert response.status_code == 200
    assert shared_advisory.targets.get().acknowledged_at == first
    assert OutboxEvent.objects.filter(type="advisory.acknowledged").count() == 1


def test_an_expired_link_is_refused(client, shared_advisory, settings, monkeypatch):
    url, target = _link(shared_advisory)
    days = settings.KIZUNA_ADVISORY_ACK_LINK_MAX_AGE_DAYS
    later = time.time() + days * 86400 + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(url)
    assert response.status_code == 400
    assert "expired" in response.content.decode() or "期限" in response.content.decode()
    target.refresh_from_db()
    assert target.acknowledged_at is None


def test_a_forged_link_is_refused(client, shared_advisory):
    url, _target = _link(shared_advisory)
    assert client.post(url[:-3] + "xx/").status_code == 400


def test_another_partner_signed_in_cannot_use_the_link(client, eve, shared_advisory):
    url, target = _link(shared_advisory)
    client.force_login(eve)
    assert client.post(url).status_code == 403
    target.refresh_from_db()
    assert target.acknowledged_at is None


def test_a_revision_that_changes_what_is_affected_asks_again(client, alice, shared_advisory):
    url, target = _link(shared_advisory)
    client.post(url)
    services.advisory_update(
        actor=alice,
        advisory=shared_advisory,
        fields={
            "affected": [{"package": "ec-cube/ec-cube", "introduced": "4.0.0", "fixed": "4.2.4"}]
        },
        summary="4.2.3 was not enough",
    )
    target.refresh_from_db()
    assert target.acknowledged_at is None
    assert client.post(url).status_code == 400  # the old link names the old revision
    assert OutboxEvent.objects.filter(type="advisory.revised").count() == 1


def test_a_wording_fix_does_not_ask_again(client, alice, shared_advisory):
    url, target = _link(shared_advisory)
    client.post(url)
    services.advisory_update(
        actor=alice,
        advisory=shared_advisory,
        fields={"title_en": "XSS in the order admin"},
        summary="typo",
    )
    target.refresh_from_db()
    assert target.acknowledged_at is not None


def test_the_signed_in_partner_acknowledges_from_the_page(client, bob, shared_advisory):
    client.force_login(bob)
    response = client.post(reverse("advisories:acknowledge", args=[shared_advisory.identifier]))
    assert response.status_code == 302
    assert shared_advisory.targets.get().acknowledged_by == bob


def test_a_partner_outside_the_targets_cannot_acknowledge(client, eve, shared_advisory):
    client.force_login(eve)
    response = client.post(reverse("advisories:acknowledge", args=[shared_advisory.identifier]))
    assert response.status_code == 404


def test_targeting_by_badge_reaches_only_partners_holding_it(alice, partners):
    from django.utils import timezone

    from kizuna.advisories.models import Targeting
    from kizuna.partners.models import Badge, BadgeAward

    badge = Badge.objects.order_by("pk").first()
    assert badge is not None
    BadgeAward.objects.create(
        partner=partners["eve"].partner_profile,
        badge=badge,
        level=1,
        evidence_count=1,
        awarded_at=timezone.now(),
    )
    advisory = services.advisory_create(
        actor=alice, fields=advisory_fields(targeting=Targeting.BADGES), badge_ids=[badge.pk]
    )
    services.advisory_share(actor=alice, advisory=advisory)
    assert [t.organization for t in advisory.targets.all()] == [partners["eve"]]
