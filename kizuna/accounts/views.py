from base64 import b32encode
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kizuna.accounts import services
from kizuna.accounts.forms import (
    ApiTokenForm,
    OTPTokenForm,
    SignInForm,
    ThrottledPasswordResetForm,
)
from kizuna.accounts.models import ApiToken
from kizuna.core import ratelimit
from kizuna.core.forms import call_service


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return response


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# One code guess per few seconds per user is plenty for a person and useless to a script.
OTP_LIMIT = ratelimit.Limit(capacity=5, per_seconds=300)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = ratelimit.consume(f"otp:user:{request.user.pk}", OTP_LIMIT)
        device = match_token(request.user, form.cleaned_data["token"]) if decision.allowed else None
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error(
            "token",
            _("That code is not valid. Check your authenticator app's clock and try again.")
            if decision.allowed
            else _("Too many attempts. Please wait a few minutes."),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html", _settings_context(request, ApiTokenForm()))


def _settings_context(request: HttpRequest, token_form: ApiTokenForm) -> dict[str, Any]:
    user: Any = request.user  # login_required: a real User
    return {
        "has_totp": user_has_device(user, confirmed=True),
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": token_form,
        "memberships": user.memberships.select_related("organization"),
    }


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_device_confirm(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            messages.success(request, _("Two-step verification is on."))
            return redirect("accounts:settings")
        form.add_error("token", _("That code is not valid. Scan the QR code again and retry."))
    device = services.totp_device_start(user=user)
    qr = segno.make(device.config_url, micro=False)
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "qr_data_uri": qr.svg_data_uri(scale=5), "secret": _base32_secret(device)},
    )


def _base32_secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    form = OTPTokenForm(request.POST)
    if form.is_valid() and match_token(request.user, form.cleaned_data["token"]) is not None:
        services.totp_device_remove(user=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Two-step verification is off."))
    else:
        messages.error(request, _("Give a current code from your authenticator to turn it off."))
    return redirect("accounts:settings")


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(
            request, "accounts/settings.html", _settings_context(request, form), status=400
        )
    created = call_service(
        form,
        lambda: services.api_token_create(
            user=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            second_factor_verified=request.user.is_verified(),  # type: ignore[union-attr]
        ),
    )
    if created is None:
        return render(
            request, "accounts/settings.html", _settings_context(request, form), status=400
        )
    token, plaintext = created
    return render(request, "accounts/token_created.html", {"token": token, "plaintext": plaintext})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:settings")
