"""Destination pages: staff with the integrations role only, and what they show and do."""

import pytest
from django.urls import reverse

from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.models import Destination, DestinationRejection

pytestmark = pytest.mark.django_db


@pytest.fixture
def destination(alice):
    return services.destination_create(
        actor=alice,
        kind="hubspot",
        name="HubSpot (sales)",
        settings={},
        secrets={"access_token": "pat-test"},
    )


@pytest.fixture
def integrations_staff(make_user):
    return make_user("ivy@example.com", display_name="Ivy", staff_roles=["integrations"])


@pytest.fixture
def partner_manager(make_user):
    return make_user("pam@example.com", display_name="Pam", staff_roles=["partner_manager"])


def _pages(destination):
    pk = destination.pk
    return [
        ("get", reverse("integrations:destination_list")),
        ("get", reverse("integrations:destination_create")),
        ("get", reverse("integrations:destination_detail", args=[pk])),
        ("get", reverse("integrations:destination_edit", args=[pk])),
        ("post", reverse("integrations:destination_sync_now", args=[pk])),
        ("post", reverse("integrations:destination_resync", args=[pk])),
        ("post", reverse("integrations:destination_check", args=[pk])),
    ]


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve", "partner_manager"])
def test_only_integrations_staff_reach_destination_pages(
    client, request, persona, destination, personas
):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _pages(destination):
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, destination):
    for method, url in _pages(destination):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["alice", "integrations_staff"])
def test_integrations_staff_and_admins_see_every_page(client, request, persona, destination):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _pages(destination):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_the_page_shows_state_lag_and_rejections(client, alice, destination):
    DestinationRejection.objects.create(
        destination=destination,
        kind="partner_owners",
        object_id=7,
        reason="Property values were not valid: INVALID_EMAIL bob@example",
        mapping_version=1,
        last_rejected_at=destination.created_at,
    )
    client.force_login(alice)
    page = client.get(reverse("integrations:destination_detail", args=[destination.pk]))
    text = page.content.decode()
    assert "INVALID_EMAIL bob@example" in text
    assert "partner_owners #7" in text
    assert "未同期" in text  # not synced yet
    overview = client.get(reverse("integrations:destination_list")).content.decode()
    assert "HubSpot (sales)" in overview


def test_saving_a_destination_with_settings_outside_its_schema_shows_the_errors(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("integrations:destination_create"),
        {
            "kind": "hubspot",
            "name": "HubSpot",
            "settings": '{"daily_call_limit": 0}',
            "secrets": '{"access_token": "pat"}',
            "mapping": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "daily_call_limit" in response.content.decode()
    assert not Destination.objects.exists()


def test_staff_queue_a_resync_of_one_object_kind(client, alice, destination):
    client.force_login(alice)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "destination_sync", lambda **kw: None)
        client.post(
            reverse("integrations:destination_resync", args=[destination.pk]), {"kind": "leads"}
        )
    destination.refresh_from_db()
    assert destination.resyncs == {"leads": 0}
