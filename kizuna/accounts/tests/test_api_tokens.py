import pytest
from django.core.management import call_command
from django.urls import reverse

from kizuna.accounts import services
from kizuna.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client, bob):
    client.force_login(bob)
    page = client.post(
        reverse("accounts:token_create"), {"name": "CRM sync", "scopes": ["account:read"]}
    ).content.decode()
    token = ApiToken.objects.get(user=bob)
    plaintext = page.split('id="token-value">', 1)[1].split("<", 1)[0]
    assert plaintext.startswith("kz_")
    assert plaintext not in token.token_hash
    assert plaintext not in client.get(reverse("accounts:settings")).content.decode()


def test_the_api_accepts_a_bearer_token_and_answers_as_its_owner(client, bob):
    _, plaintext = services.api_token_create(user=bob, name="t", scopes=["account:read"])
    body = client.get("/api/v1/accounts/me", **bearer(plaintext)).json()
    assert body["email"] == "bob@example.com"
    assert body["persona"] == "partner"
    assert body["organizations"][0]["role"] == "owner"


def test_last_use_is_recorded(client, bob):
    token, plaintext = services.api_token_create(user=bob, name="t", scopes=["account:read"])
    assert token.last_used_at is None
    client.get("/api/v1/accounts/me", **bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_no_token_or_a_wrong_token_gets_401_with_a_code(client, bob):
    assert client.get("/api/v1/accounts/me").json()["code"] == "unauthenticated"
    response = client.get("/api/v1/accounts/me", **bearer("kz_not-a-token"))
    assert response.status_code == 401


def test_a_revoked_token_no_longer_works(client, bob):
    token, plaintext = services.api_token_create(user=bob, name="t", scopes=["account:read"])
    client.force_login(bob)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert client.get("/api/v1/accounts/me", **bearer(plaintext)).status_code == 401


def test_a_token_without_the_scope_gets_403_missing_scope(client, bob, monkeypatch):
    from kizuna.accounts import permissions

    monkeypatch.setitem(permissions.SCOPES, "other:read", "Other")
    _, plaintext = services.api_token_create(user=bob, name="t", scopes=["other:read"])
    response = client.get("/api/v1/accounts/me", **bearer(plaintext))
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_unknown_scopes_are_refused_with_a_form_error(client, bob):
    client.force_login(bob)
    response = client.post(reverse("accounts:token_create"), {"name": "t", "scopes": ["nope"]})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_user_cannot_revoke_someone_elses_token(client, bob, eve):
    token, _ = services.api_token_create(user=bob, name="t", scopes=["account:read"])
    client.force_login(eve)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_of_a_deactivated_user_stops_working(client, bob):
    _, plaintext = services.api_token_create(user=bob, name="t", scopes=["account:read"])
    bob.is_active = False
    bob.save()
    assert client.get("/api/v1/accounts/me", **bearer(plaintext)).status_code == 401


def test_create_api_token_command_prints_a_working_token(client, bob, capsys):
    call_command("create_api_token", "--user", "bob@example.com", "--scopes", "account:read")
    plaintext = capsys.readouterr().out.strip()
    assert client.get("/api/v1/accounts/me", **bearer(plaintext)).status_code == 200


def test_create_api_token_command_refuses_unknown_users_and_scopes(bob):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "--user", "x@example.com", "--scopes", "account:read")
    with pytest.raises(CommandError, match="root"):
        call_command("create_api_token", "--user", "bob@example.com", "--scopes", "root")
