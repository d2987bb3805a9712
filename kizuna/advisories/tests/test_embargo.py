"""Under embargo an advisory exists only for the partners it targets (and staff)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.advisories import services
from kizuna.advisories.models import AdvisoryState, AdvisoryView
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("persona", ["eve", "carol", "dave", None])
def test_before_the_public_date_others_get_404_everywhere(
    client, personas, shared_advisory, persona
):
    user = personas[persona] if persona else None
    detail = reverse("advisories:detail", args=[shared_advisory.identifier])
    osv = reverse("advisories:osv", args=[shared_advisory.identifier])
    assert _get(client, user, detail).status_code == 404
    assert _get(client, user, osv).status_code == 404
    listing = _get(client, user, reverse("advisories:list")).content.decode()
    assert shared_advisory.identifier not in listing
    assert (
        shared_advisory.identifier
        not in _get(client, user, reverse("advisories:feed")).content.decode()
    )


def test_the_targeted_partner_reads_it_and_its_read_is_logged(client, bob, shared_advisory):
    response = _get(client, bob, reverse("advisories:detail", args=[shared_advisory.identifier]))
    assert response.status_code == 200
    assert "受注管理画面" in response.content.decode()
    view = AdvisoryView.objects.get(advisory=shared_advisory)
    assert view.user == bob
    assert view.organization is not None
    assert view.organization.name == "Bob Web Works"


def test_partner_not_reached_by_the_targeting_is_not_a_target(shared_advisory, partners):
    assert list(shared_advisory.targets.values_list("organization", flat=True)) == [
        partners["bob"].pk
    ]


def test_the_osv_json_is_not_served_even_to_the_target_before_publication(
    client, bob, shared_advisory
):
    assert (
        _get(client, bob, reverse("advisories:osv", args=[shared_advisory.identifier])).status_code
        == 404
    )


def test_on_the_public_date_the_worker_publishes_it_for_everyone(client, shared_advisory):
    assert services.advisories_publish_due(now=timezone.now()) == 0
    later = shared_advisory.public_at + dt.timedelta(minutes=1)
    assert services.advisories_publish_due(now=later) == 1
    shared_advisory.refresh_from_db()
    assert shared_advisory.state == AdvisoryState.PUBLISHED
    assert (
        client.get(reverse("advisories:detail", args=[shared_advisory.identifier])).status_code
        == 200
    )
    assert shared_advisory.identifier in client.get(reverse("advisories:feed")).content.decode()
    types = list(OutboxEvent.objects.values_list("type", flat=True))
    assert types.count("advisory.shared") == 1
    assert types.count("advisory.published") == 1


def test_sharing_needs_a_public_date_in_the_future(alice, bob_site):
    from django.core.exceptions import ValidationError

    from kizuna.advisories.tests.conftest import advisory_fields

    advisory = services.advisory_create(
        actor=alice, fields=advisory_fields(public_at=timezone.now() - dt.timedelta(hours=1))
    )
    with pytest.raises(ValidationError):
        services.advisory_share(actor=alice, advisory=advisory)


def test_two_staff_cannot_publish_the_same_advisory_twice(alice, shared_advisory):
    from django.core.exceptions import ValidationError

    stale_copy = type(shared_advisory).objects.get(pk=shared_advisory.pk)
    services.advisory_publish(actor=alice, advisory=shared_advisory)
    with pytest.raises(ValidationError):
        services.advisory_publish(actor=alice, advisory=stale_copy)
    assert OutboxEvent.objects.filter(type="advisory.published").count() == 1


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve", None])
def test_only_security_staff_reach_the_staff_pages(client, personas, shared_advisory, persona):
    user = personas[persona] if persona else None
    for url in (
        reverse("advisories:staff_list"),
        reverse("advisories:staff_detail", args=[shared_advisory.identifier]),
        reverse("advisories:staff_new"),
    ):
        response = _get(client, user, url)
        assert response.status_code in (302, 403), (persona, url)


def test_security_staff_see_the_desk(client, alice, shared_advisory):
    response = _get(
        client, alice, reverse("advisories:staff_detail", args=[shared_advisory.identifier])
    )
    assert response.status_code == 200
    assert "Bob Web Works" in response.content.decode()


def test_an_advisory_reference_must_be_an_http_link(alice):
    from kizuna.advisories.forms import AdvisoryForm

    form = AdvisoryForm(
        data={
            "title_ja": "題",
            "title_en": "Title",
            "details_ja": "詳細",
            "details_en": "Details",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "targeting": "all",
            "public_at": "2027-01-01T10:00",
            "affected_text": "ec-cube/ec-cube, 4.0.0, 4.2.3",
            "references_text": "https://example.com/ok\njavascript:alert(1)",
        }
    )
    assert not form.is_valid()
    assert "references_text" in form.errors
