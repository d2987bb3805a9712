import pytest
from django.urls import reverse

from conftest import PASSWORD
from kizuna.core.models import AuditEntry
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, email, password, ip="198.51.100.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_correct_password_signs_in_and_lands_on_home(client, bob):
    response = sign_in(client, "bob@example.com", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")


def test_email_is_matched_case_insensitively(client, bob):
    assert sign_in(client, "BOB@Example.com", PASSWORD).status_code == 302


def test_wrong_password_shows_a_clear_error(client, bob):
    response = sign_in(client, "bob@example.com", "wrong")
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_out_even_with_the_right_one(
    client, bob, settings
):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL = 3
    for _ in range(3):
        sign_in(client, "bob@example.com", "wrong")
    response = sign_in(client, "bob@example.com", PASSWORD)
    assert response.status_code == 200
    assert "試行回数が多すぎます" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_so_other_people_can_still_sign_in(client, bob, eve, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL = 3
    for _ in range(3):
        sign_in(client, "bob@example.com", "wrong")
    assert sign_in(client, "eve@example.com", PASSWORD, ip="198.51.100.2").status_code == 302


def test_one_address_spraying_many_accounts_is_stopped(client, bob, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_IP = 4
    for n in range(4):
        sign_in(client, f"nobody{n}@example.com", "guess")
    response = sign_in(client, "bob@example.com", PASSWORD)
    assert "試行回数が多すぎます" in response.content.decode()


def test_many_successful_sign_ins_from_one_address_are_never_limited(client, bob, eve, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_IP = 3
    for _ in range(5):
        for email in ("bob@example.com", "eve@example.com"):
            assert sign_in(client, email, PASSWORD).status_code == 302
            client.logout()


def test_failed_sign_ins_from_one_address_are_limited_even_between_successes(client, bob, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_IP = 3
    for n in range(2):
        assert sign_in(client, f"nobody{n}@example.com", "guess").status_code == 200
        assert sign_in(client, "bob@example.com", PASSWORD).status_code == 302
        client.logout()
    sign_in(client, "nobody2@example.com", "guess")  # the third failure empties the bucket
    response = sign_in(client, "bob@example.com", PASSWORD)
    assert "試行回数が多すぎます" in response.content.decode()


def test_a_successful_sign_in_clears_the_accounts_failed_attempts(client, bob, settings):
    settings.KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL = 3
    sign_in(client, "bob@example.com", "wrong")
    sign_in(client, "bob@example.com", "wrong")
    assert sign_in(client, "bob@example.com", PASSWORD).status_code == 302
    client.logout()
    sign_in(client, "bob@example.com", "wrong")
    sign_in(client, "bob@example.com", "wrong")
    assert sign_in(client, "bob@example.com", PASSWORD).status_code == 302


def test_sign_out_requires_post_and_ends_the_session(client, bob):
    client.force_login(bob)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_sign_in_rotates_the_session_key(client, bob):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    sign_in(client, "bob@example.com", PASSWORD)
    assert client.session.session_key != before


def test_password_reset_sends_a_link_that_sets_a_new_password(client, bob):
    client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    assert len(sent_mail()) == 1
    link = next(line for line in sent_mail()[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    new = "a brand new passphrase 42"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    client.logout()
    assert sign_in(client, "bob@example.com", new).status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert sent_mail() == []


def test_password_reset_requests_are_rate_limited(client, bob):
    for _ in range(5):
        client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    response = client.post("/accounts/password-reset/", {"email": "bob@example.com"})
    assert response.status_code == 200
    assert len(sent_mail()) == 5


def test_password_change_is_audited(client, bob):
    client.force_login(bob)
    new = "another long passphrase 7"
    response = client.post(
        "/accounts/settings/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="user.password_changed", actor=bob).exists()
