import pytest
from django.db import transaction

from kizuna.accounts import services
from kizuna.accounts.models import User
from kizuna.core import audit
from kizuna.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_staff_action_records_who_what_when_object_and_before_after(alice, carol):
    services.user_set_staff_roles(actor=alice, user=carol, staff_roles=["partner_manager"])
    entry = AuditEntry.objects.get(action="user.staff_role_changed")
    assert entry.actor == alice
    assert entry.actor_label == "alice@example.com"
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(carol.pk)
    assert entry.before == {"staff_roles": []}
    assert entry.after == {"staff_roles": ["partner_manager"]}
    assert entry.at is not None


def change_role_then_fail(actor, user) -> None:
    with transaction.atomic():
        services.user_set_staff_roles(actor=actor, user=user, staff_roles=["admin"])
        raise RuntimeError


def test_audit_entry_rolls_back_with_the_change(alice, carol):
    with pytest.raises(RuntimeError):
        change_role_then_fail(alice, carol)
    assert not AuditEntry.objects.filter(action="user.staff_role_changed").exists()


def test_changed_fields_keeps_only_what_differs():
    before, after = audit.changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert (before, after) == ({"b": 2}, {"b": 3})


def test_requests_record_the_client_ip(client, bob):
    client.force_login(bob)
    client.post(
        "/accounts/settings/tokens/",
        {"name": "ci", "scopes": ["account:read"]},
        REMOTE_ADDR="203.0.113.9",
    )
    assert AuditEntry.objects.get(action="api_token.created").ip_address == "203.0.113.9"


def test_actions_without_a_person_are_attributed_to_the_system(bob):
    entry = AuditEntry.objects.get(action="organization.created")
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_changing_a_staff_role_in_the_admin_is_audited(client, alice, carol):
    client.force_login(alice)
    response = client.post(
        f"/admin/accounts/user/{carol.pk}/change/",
        {
            "email": carol.email,
            "display_name": carol.display_name,
            "kind": carol.kind,
            "staff_roles": ["community_manager", "outreach"],
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    carol = User.objects.get(pk=carol.pk)
    assert carol.staff_roles == {"community_manager", "outreach"}
    entry = AuditEntry.objects.get(action="user.staff_role_changed")
    assert (entry.actor, entry.after) == (alice, {"staff_roles": ["community_manager", "outreach"]})
