"""Who sees and changes which endpoint, by page and by API; partners' events stay theirs."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from kizuna.accounts.services import api_token_create
from kizuna.core.consumers import dispatch
from kizuna.core.events import emit
from kizuna.integrations import permissions, services
from kizuna.integrations.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _org(user):
    return user.memberships.get().organization


def _partner_endpoint(user, url="https://hooks.example.com/bob"):
    return services.webhook_endpoint_create(
        actor=user, organization=_org(user), url=url, event_types=["lead.accepted"]
    )


def _lead_accepted_for(organization):
    with transaction.atomic():
        emit(
            "lead.accepted",
            {
                "lead_id": 1,
                "assignment_id": 2,
                "partner_id": 3,
                "organization_id": organization.pk,
                "contact_name": "Carol",
                "contact_email": "carol@example.com",
                "contact_phone": "03-0000-0000",
            },
        )


def test_a_partner_endpoint_receives_only_its_own_organizations_events(bob, eve):
    bobs = _partner_endpoint(bob)
    eves = _partner_endpoint(eve, url="https://hooks.example.com/eve")
    _lead_accepted_for(_org(bob))
    dispatch("integrations.webhooks")
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [bobs.pk]
    assert not eves.deliveries.exists()


def test_a_partner_may_subscribe_only_to_types_tied_to_a_partner(bob):
    with pytest.raises(ValidationError) as refused:
        services.webhook_endpoint_create(
            actor=bob,
            organization=_org(bob),
            url="https://hooks.example.com/x",
            event_types=["lead.created"],
        )
    assert refused.value.error_dict["event_types"][0].code == "unknown_event_type"


def test_personal_fields_reach_only_endpoints_allowed_personal_data(bob):
    without = _partner_endpoint(bob)
    with_personal = services.webhook_endpoint_create(
        actor=bob,
        organization=_org(bob),
        url="https://hooks.example.com/crm",
        event_types=["lead.accepted"],
        personal_data=True,
    )
    _lead_accepted_for(_org(bob))
    dispatch("integrations.webhooks")
    assert "carol@example.com" not in without.deliveries.get().body
    assert "carol@example.com" in with_personal.deliveries.get().body


def test_a_partner_cannot_register_an_endpoint_for_another_organization(bob, eve):
    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_create(
            actor=bob,
            organization=_org(eve),
            url="https://hooks.example.com/x",
            event_types=["lead.accepted"],
        )


ACTIONS = {
    "list_staff": lambda user, endpoint: permissions.can_list_endpoints(user, None),
    "view": permissions.can_view_endpoint,
    "change": permissions.can_change_endpoint,
    "delete": permissions.can_delete_endpoint,
    "replay": permissions.can_replay,
    "test": permissions.can_send_test_event,
}
# On bob's endpoint: who may do what.
ALLOWED = {
    "alice": set(ACTIONS),
    "bob": set(ACTIONS) - {"list_staff"},
    "carol": set(),
    "dave": set(),
    "eve": set(),
}


@pytest.mark.parametrize("persona", sorted(ALLOWED))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permissions_matrix_on_bobs_endpoint(personas, persona, action):
    endpoint = _partner_endpoint(personas["bob"])
    allowed = ACTIONS[action](personas[persona], endpoint)
    assert allowed == (action in ALLOWED[persona])


def test_eve_never_sees_bobs_endpoint_in_pages(client, bob, eve):
    endpoint = _partner_endpoint(bob)
    client.force_login(eve)
    assert endpoint.url not in client.get(reverse("integrations:endpoint_list")).content.decode()
    detail = reverse("integrations:endpoint_detail", args=[endpoint.pk])
    assert client.get(detail).status_code == 404
    replay = reverse("integrations:endpoint_test", args=[endpoint.pk])
    assert client.post(replay).status_code == 404
    assert not endpoint.deliveries.exists()


def test_merchants_and_members_get_no_webhook_pages(client, carol, dave):
    for user in (carol, dave):
        client.force_login(user)
        assert client.get(reverse("integrations:endpoint_list")).status_code == 403


def test_a_partner_registers_an_endpoint_on_the_page(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("integrations:endpoint_create"),
        {"url": "https://hooks.example.com/bob", "event_types": ["lead.accepted"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == reverse("integrations:endpoint_detail", args=[endpoint.pk])
    assert endpoint.organization == _org(bob)
    assert endpoint.notify_user == bob
    assert endpoint.secret.startswith("whsec_")


def test_the_page_refuses_a_private_url_with_a_form_error(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("integrations:endpoint_create"),
        {"url": "http://10.0.0.5/", "event_types": ["partner.updated"]},
    )
    assert response.status_code == 200
    assert "この URL には Webhook を送信できません" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


# API


def _token(user, *scopes):
    _, plaintext = api_token_create(user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_the_api_registers_lists_and_changes_an_endpoint(client, bob):
    headers = _token(bob, "webhooks:read", "webhooks:write")
    created = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.example.com/bob", "event_types": ["lead.accepted"]},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    endpoint_id = created.json()["id"]
    listed = client.get("/api/v1/webhooks/endpoints", **headers).json()
    assert [e["id"] for e in listed] == [endpoint_id]
    patched = client.patch(
        f"/api/v1/webhooks/endpoints/{endpoint_id}",
        {"description": "CRM"},
        content_type="application/json",
        **headers,
    )
    assert patched.json()["description"] == "CRM"
    deliveries = client.get(f"/api/v1/webhooks/endpoints/{endpoint_id}/deliveries", **headers)
    assert deliveries.json() == {"deliveries": [], "next_before": None}
    assert client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}", **headers).status_code == 204


def test_the_api_needs_the_webhooks_scopes(client, bob):
    headers = _token(bob, "webhooks:read")
    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.example.com/bob", "event_types": ["lead.accepted"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert (
        client.get("/api/v1/webhooks/endpoints", **_token(bob, "account:read")).status_code == 403
    )


def test_the_api_refuses_an_unsafe_url_with_a_code(client, bob):
    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "http://127.0.0.1:8000/", "event_types": ["lead.accepted"]},
        content_type="application/json",
        **_token(bob, "webhooks:write"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unsafe_url"


def test_eve_cannot_read_or_replay_bobs_endpoint_through_the_api(client, bob, eve):
    endpoint = _partner_endpoint(bob)
    headers = _token(eve, "webhooks:read", "webhooks:write")
    for method, path in [
        ("get", f"/api/v1/webhooks/endpoints/{endpoint.pk}"),
        ("get", f"/api/v1/webhooks/endpoints/{endpoint.pk}/deliveries"),
        ("post", f"/api/v1/webhooks/endpoints/{endpoint.pk}/test"),
        ("delete", f"/api/v1/webhooks/endpoints/{endpoint.pk}"),
    ]:
        assert getattr(client, method)(path, **headers).status_code == 404
    assert client.get("/api/v1/webhooks/endpoints", **headers).json() == []


def test_a_merchant_cannot_register_through_the_api(client, carol):
    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.example.com/c", "event_types": ["lead.accepted"]},
        content_type="application/json",
        **_token(carol, "webhooks:write"),
    )
    assert response.status_code == 403
