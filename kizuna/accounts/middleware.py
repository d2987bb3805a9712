from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

# Pages a signed-in person must reach before the second factor is done.
_EXEMPT_URL_NAMES = (
    "accounts:otp_verify",
    "accounts:totp_setup",
    "accounts:logout",
    "set_language",
)
_EXEMPT_PREFIXES = ("/static/", "/healthz", "/api/")


class RequireOTPVerificationMiddleware:
    """Ask for the TOTP code of anyone who has an authenticator, and of staff when required.

    Until they give it, every page but the verification and setup pages redirects there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user  # OTPMiddleware adds is_verified()
        if not user.is_authenticated or user.is_verified() or self._exempt(request.path):
            return self.get_response(request)
        if user_has_device(user, confirmed=True):
            return redirect(f"{reverse('accounts:otp_verify')}?next={request.path}")
        if settings.KIZUNA_STAFF_REQUIRE_TOTP and user.is_staff:
            return redirect("accounts:totp_setup")
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        return path.startswith(_EXEMPT_PREFIXES) or path in {reverse(n) for n in _EXEMPT_URL_NAMES}
