import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kizuna.accounts import services
from kizuna.accounts.models import AccountKind, MembershipRole, User
from kizuna.accounts.permissions import SCOPES
from kizuna.core.request_context import client_ip


class SignInForm(AuthenticationForm):
    """Django's sign-in form, behind the login rate limits."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email address or password is not correct."),
        "throttled": _("Too many sign-in attempts. Please wait %(minutes)s minutes and try again."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        self.cleaned_data["username"] = email  # emails are stored lower-case
        assert self.request is not None, "the sign-in view passes the request"
        ip = client_ip(self.request)
        decision = services.login_attempt_register(email=email, ip=ip)
        if not decision.allowed:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, -(-decision.retry_after_s // 60))},
            )
        cleaned = super().clean()
        services.login_succeeded(email=email, ip=ip)
        return cleaned


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} — {label}") for code, label in SCOPES.items()
        ]


class ThrottledPasswordResetForm(PasswordResetForm):
    """A public form that sends email: limited per client and per address."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = (cleaned.get("email") or "").lower()
        if not services.password_reset_attempt_register(email=email, ip=client_ip(self.request)):
            raise forms.ValidationError(
                _("Too many reset requests. Please try again in an hour."), code="throttled"
            )
        return cleaned

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def get_users(self, email: str) -> Any:
        """Active accounts of the address, also those without a password yet.

        Django leaves out accounts without a usable password; a merchant whose account was
        made by confirming a visitor's request chooses their first password here.
        """
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """The reset link goes out through outreach, like every other message."""
        from kizuna.outreach.models import Topic
        from kizuna.outreach.services import email_written_enqueue

        def write() -> tuple[str, str]:
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            return subject, render_to_string(email_template_name, context)

        email_written_enqueue(
            to=to_email,
            write=write,
            topic=Topic.ACCOUNT,
            # Each request is its own message: the link in it is new.
            idempotency_key=f"accounts.password_reset:{uuid.uuid4()}",
            # The account's language, else the page's the request came from.
            language=context["user"].language or translation.get_language() or "",
        )


class NewPasswordMixin(forms.Form):
    """Two password fields checked by the project's password validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> Any:
        return None

    def clean_password2(self) -> str:
        first = self.cleaned_data.get("password1") or ""
        second = self.cleaned_data.get("password2") or ""
        if first and second and first != second:
            raise forms.ValidationError(
                _("The two passwords are not the same."), code="password_mismatch"
            )
        password_validation.validate_password(second, self.password_user())
        return second


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)


class InvitationAcceptForm(NewPasswordMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    field_order = ["display_name", "password1", "password2"]


class SignUpForm(NewPasswordMixin):
    """Self-service sign-up. `website` is a honeypot: people never see it, bots fill it."""

    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    kind = forms.ChoiceField(
        label=_("I am"),
        choices=[
            (AccountKind.MERCHANT, _("a shop owner looking for partners")),
            (AccountKind.COMMUNITY_MEMBER, _("a community member")),
        ],
        widget=forms.RadioSelect,
        initial=AccountKind.MERCHANT,
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    agree = forms.BooleanField(label=_("I agree to the terms of use and the privacy policy"))
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = ["email", "display_name", "password1", "password2", "kind", "language", "agree"]

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def password_user(self) -> Any:
        # Validators that compare the password with the person's details see the form's.
        return User(
            email=self.cleaned_data.get("email", ""),
            display_name=self.cleaned_data.get("display_name", ""),
        )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or self.is_spam:
            return cleaned
        decision = services.signup_attempt_register(
            email=cleaned.get("email", ""), ip=client_ip(self.request)
        )
        if not decision.allowed:
            self.throttled = decision
            raise forms.ValidationError(
                _(
                    "Too many sign-ups from here or for this address. Please try again in "
                    "%(minutes)s minutes."
                ),
                code="throttled",
                params={"minutes": max(1, -(-decision.retry_after_s // 60))},
            )
        return cleaned

    throttled: Any = None
