"""Every write to accounts goes through here (see DESIGN.md, rules of the house)."""

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from kizuna.accounts.models import (
    AccountKind,
    ApiToken,
    Membership,
    MembershipRole,
    Organization,
    OrganizationKind,
    StaffRole,
    StaffRoleGrant,
    User,
)
from kizuna.accounts.permissions import SCOPES
from kizuna.core import audit, ratelimit
from kizuna.core.events import emit

TOKEN_PREFIX = "kz_"  # noqa: S105 - a marker, not a secret


def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    kind: str = AccountKind.MERCHANT,
    staff_role: str = "",
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email, password, display_name=display_name, kind=kind, staff_role=staff_role
        )
        emit("user.created", {"user_id": user.pk, "kind": kind, "staff_role": staff_role})
    return user


def user_set_staff_roles(*, actor: Any, user: User, staff_roles: Iterable[str]) -> User:
    """Replace the staff roles `user` holds (a security event: audited)."""
    wanted = set(staff_roles)
    unknown = wanted - set(StaffRole.values)
    if unknown:
        raise ValidationError(_("Unknown staff role: %(roles)s") % {"roles": ", ".join(unknown)})
    with transaction.atomic():
        before = sorted(user.staff_role_grants.values_list("role", flat=True))
        if set(before) == wanted:
            return user
        user.staff_role_grants.exclude(role__in=wanted).delete()
        StaffRoleGrant.objects.bulk_create(
            StaffRoleGrant(user=user, role=role) for role in sorted(wanted - set(before))
        )
        user.__dict__.pop("staff_roles", None)
        audit.record(
            actor=actor,
            action="user.staff_role_changed",
            obj=user,
            before={"staff_roles": before},
            after={"staff_roles": sorted(wanted)},
        )
    return user


def organization_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    owner: User | None,
    kind: str = OrganizationKind.PARTNER,
) -> Organization:
    """A new organization, with its first owner, or with none until an owner invitation
    is accepted (a person who has no account yet)."""
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug, kind=kind)
        if owner is not None:
            Membership.objects.create(
                user=owner, organization=organization, role=MembershipRole.OWNER
            )
        audit.record(
            actor=actor,
            action="organization.created",
            obj=organization,
            after={
                "name": name,
                "slug": slug,
                "kind": kind,
                "owner": owner.email if owner else None,
            },
        )
        emit(
            "organization.created",
            {
                "organization_id": organization.pk,
                "kind": kind,
                "owner_id": owner.pk if owner else None,
            },
            actor=actor,
        )
    return organization


def membership_add(
    *, actor: Any, organization: Organization, user: User, role: str = MembershipRole.MEMBER
) -> Membership:
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="organization.member_added",
            obj=organization,
            after={"user": user.email, "role": role},
        )
    return membership


def _hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(
    *,
    user: User,
    name: str,
    scopes: list[str],
    second_factor_verified: bool = False,
    by_operator: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its plaintext, which is never stored or shown again.

    A staff token opens staff powers without the second factor, so it follows the staff
    two-step rule: made only in a session that verified TOTP (when staff must have it, or
    the person has an authenticator). `by_operator` is the `create_api_token` command: whoever
    runs it already holds the server.
    """
    if user.is_staff and not (second_factor_verified or by_operator) and _needs_second_factor(user):
        raise ValidationError(
            _("Staff API tokens need two-step verification: verify your authenticator first."),
            code="second_factor_required",
        )
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            _("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)}, code="unknown_scope"
        )
    if not scopes:
        raise ValidationError(_("Choose at least one scope."), code="no_scope")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=plaintext[:11],
            token_hash=_hash_token(plaintext),
            scopes=sorted(set(scopes)),
        )
        audit.record(
            actor=user, action="api_token.created", obj=token, after={"scopes": token.scopes}
        )
    return token, plaintext


def _needs_second_factor(user: User) -> bool:
    return settings.KIZUNA_STAFF_REQUIRE_TOTP or user_has_device(user, confirmed=True)


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="api_token.revoked", obj=token)
    return token


# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION_S = 60


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    if not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash_token(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_S
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _login_limits() -> tuple[ratelimit.Limit, ratelimit.Limit]:
    per_email = ratelimit.Limit(
        settings.KIZUNA_LOGIN_ATTEMPTS_PER_EMAIL, settings.KIZUNA_LOGIN_LOCKOUT_S
    )
    per_ip = ratelimit.Limit(settings.KIZUNA_LOGIN_ATTEMPTS_PER_IP, settings.KIZUNA_LOGIN_LOCKOUT_S)
    return per_email, per_ip


def login_attempt_register(*, email: str, ip: str) -> ratelimit.Decision:
    """Count one sign-in attempt against the email and the client IP; say if it may proceed.

    Guessing one account's password and spraying many accounts from one address are both
    stopped. The attempt is taken before the password is checked, so parallel guesses are
    counted too; `login_succeeded` gives it back, so only failures count in the end: an
    office signing in all day behind one address is never locked out by its successes.
    """
    per_email, per_ip = _login_limits()
    by_ip = ratelimit.consume(f"login:ip:{ip}", per_ip)
    by_email = ratelimit.consume(f"login:email:{email.lower()}", per_email)
    if by_ip.allowed and by_email.allowed:
        return by_ip
    return max(by_ip, by_email, key=lambda decision: decision.retry_after_s)


def login_succeeded(*, email: str, ip: str) -> None:
    _per_email, per_ip = _login_limits()
    ratelimit.reset(f"login:email:{email.lower()}")
    ratelimit.refund(f"login:ip:{ip}", per_ip)


def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the user proves it with a code."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(token):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor=user, action="totp.enabled", obj=user)
    return device


def totp_device_remove(*, user: User) -> None:
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        if deleted:
            audit.record(actor=user, action="totp.disabled", obj=user)


def password_changed(*, user: User) -> None:
    with transaction.atomic():
        audit.record(actor=user, action="user.password_changed", obj=user)


PASSWORD_RESET_LIMIT = ratelimit.Limit(capacity=5, per_seconds=3600)


def password_reset_attempt_register(*, email: str, ip: str) -> bool:
    by_ip = ratelimit.consume(f"password_reset:ip:{ip}", PASSWORD_RESET_LIMIT)
    by_email = ratelimit.consume(f"password_reset:email:{email}", PASSWORD_RESET_LIMIT)
    return by_ip.allowed and by_email.allowed


# The rest of accounts' services, one module per feature; import them from here.
from kizuna.accounts.services.invitations import (  # noqa: E402
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_revoke,
    membership_leave,
)

__all__ = [
    "invitation_accept",
    "invitation_by_token",
    "invitation_create",
    "invitation_revoke",
    "membership_leave",
]
from kizuna.accounts.services.signup import (  # noqa: E402
    consent_record,
    email_verification_create,
    email_verification_find,
    email_verification_use,
    merchant_for_verified_email,
    signup_attempt_register,
    signup_start,
    signup_verify,
)

__all__ += [
    "consent_record",
    "email_verification_create",
    "email_verification_find",
    "email_verification_use",
    "merchant_for_verified_email",
    "signup_attempt_register",
    "signup_start",
    "signup_verify",
]
from kizuna.accounts.services.personal_data import (  # noqa: E402
    erasure_request_confirm,
    erasure_request_create,
    erasure_request_reject,
    personal_data_export,
)

__all__ += [
    "erasure_request_confirm",
    "erasure_request_create",
    "erasure_request_reject",
    "personal_data_export",
]
