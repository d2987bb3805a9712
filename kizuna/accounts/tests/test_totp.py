import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kizuna.accounts import services
from kizuna.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def allow_another_code(device: TOTPDevice) -> None:
    """Within one 30 s step django-otp refuses a code already used, and throttles after a
    failure; a test that needs a second valid code in the same step resets both."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_setting_up_an_authenticator_needs_a_valid_code(client, bob):
    client.force_login(bob)
    page = client.get(reverse("accounts:totp_setup")).content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=bob, confirmed=False)
    assert client.post(reverse("accounts:totp_setup"), {"token": "000000"}).status_code == 200
    allow_another_code(device)
    response = client.post(reverse("accounts:totp_setup"), {"token": current_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=bob).confirmed
    assert AuditEntry.objects.filter(action="totp.enabled", actor=bob).exists()


def test_a_user_with_an_authenticator_must_give_a_code_after_the_password(client, bob):
    device = services.totp_device_start(user=bob)
    services.totp_device_confirm(user=bob, token=current_code(device))
    client.force_login(bob)
    response = client.get(reverse("site:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    allow_another_code(device)
    response = client.post(
        reverse("accounts:otp_verify"), {"token": current_code(device), "next": "/home/"}
    )
    assert response["Location"] == "/home/"
    assert client.get(reverse("site:home")).status_code == 200


def test_a_wrong_code_is_refused_and_guessing_is_rate_limited(client, bob):
    device = services.totp_device_start(user=bob)
    services.totp_device_confirm(user=bob, token=current_code(device))
    client.force_login(bob)
    wrong = "111111" if current_code(device) != "111111" else "222222"
    for _ in range(5):
        client.post(reverse("accounts:otp_verify"), {"token": wrong})
    allow_another_code(device)
    response = client.post(reverse("accounts:otp_verify"), {"token": current_code(device)})
    assert response.status_code == 200
    assert "試行回数が多すぎます" in response.content.decode()


def test_staff_are_sent_to_set_up_an_authenticator_when_the_setting_requires_it(
    client, alice, settings
):
    settings.KIZUNA_STAFF_REQUIRE_TOTP = True
    client.force_login(alice)
    response = client.get(reverse("site:home"))
    assert response["Location"] == reverse("accounts:totp_setup")


def test_non_staff_are_not_forced_to_use_an_authenticator(client, carol, settings):
    settings.KIZUNA_STAFF_REQUIRE_TOTP = True
    client.force_login(carol)
    assert client.get(reverse("site:home")).status_code == 200


def test_turning_off_the_authenticator_needs_a_current_code(client, bob):
    device = services.totp_device_start(user=bob)
    services.totp_device_confirm(user=bob, token=current_code(device))
    client.force_login(bob)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.post(reverse("accounts:totp_disable"), {"token": "000000"})
    assert TOTPDevice.objects.filter(user=bob).exists()
    allow_another_code(device)
    client.post(reverse("accounts:totp_disable"), {"token": current_code(device)})
    assert not TOTPDevice.objects.filter(user=bob).exists()
