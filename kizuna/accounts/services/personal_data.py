"""A person's own data: the download, and erasure requests that staff confirm."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kizuna.accounts import personal_data
from kizuna.accounts.models import (
    ApiToken,
    Consent,
    DataRequestStatus,
    ErasureRequest,
    Invitation,
    Membership,
    User,
)
from kizuna.accounts.permissions import Action, can
from kizuna.core import audit
from kizuna.core.errors import Conflict
from kizuna.core.events import emit


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Kizuna holds about `user`: the account, then each app's section."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "kind": user.kind,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "organizations": list(
            Membership.objects.filter(user=user).values("organization__name", "role", "created_at")
        ),
        "consents": list(
            Consent.objects.filter(user=user).values(
                "document__kind", "document__version", "agreed_at"
            )
        ),
        "api_tokens": list(
            ApiToken.objects.filter(user=user).values(
                "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"
            )
        ),
        "erasure_requests": list(
            ErasureRequest.objects.filter(user=user).values("status", "reason", "created_at")
        ),
    }
    for part in personal_data.sections():
        data[part.name] = part.export(user)
    return data


def erasure_request_create(*, user: User, reason: str = "") -> ErasureRequest:
    with transaction.atomic():
        if ErasureRequest.objects.filter(user=user, status=DataRequestStatus.OPEN).exists():
            raise Conflict(
                _("You already asked for erasure; staff will answer soon."),
                code="erasure_already_requested",
            )
        request = ErasureRequest.objects.create(user=user, email=user.email, reason=reason)
        audit.record(actor=user, action="user.erasure_requested", obj=request)
        emit("user.erasure_requested", {"request_id": request.pk, "user_id": user.pk}, actor=user)
    return request


def _decide(actor: Any, request: ErasureRequest, status: str, note: str, now: datetime) -> None:
    if not can(actor, Action.MANAGE_PERSONAL_DATA):
        raise PermissionDenied
    decided = ErasureRequest.objects.filter(pk=request.pk, status=DataRequestStatus.OPEN).update(
        status=status, decided_at=now, decided_by=actor, note=note
    )
    if not decided:
        raise Conflict(_("This request was already decided."), code="erasure_decided")
    request.refresh_from_db()


def erasure_request_reject(*, actor: Any, request: ErasureRequest, note: str) -> ErasureRequest:
    """Refuse (for instance, data the law requires to keep); the note says why."""
    with transaction.atomic():
        _decide(actor, request, DataRequestStatus.REJECTED, note, timezone.now())
        audit.record(actor=actor, action="user.erasure_rejected", obj=request, after={"note": note})
    return request


def erasure_request_confirm(*, actor: Any, request: ErasureRequest) -> ErasureRequest:
    """Erase the person: each app's section (community through its erasure service), then
    the account, which stays only as an inactive, anonymous row so references still hold."""
    now = timezone.now()
    with transaction.atomic():
        _decide(actor, request, DataRequestStatus.DONE, "", now)
        user = request.user
        if user is not None:
            for part in personal_data.sections():
                if part.erase is not None:
                    part.erase(actor, user)
            ApiToken.objects.filter(user=user).delete()
            TOTPDevice.objects.filter(user=user).delete()
            Membership.objects.filter(user=user).delete()
            Consent.objects.filter(user=user).delete()
            Invitation.objects.filter(email__iexact=user.email).delete()
            user.email = f"erased-{user.pk}@erased.invalid"
            user.display_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "display_name", "is_active", "password"])
            emit("user.erased", {"user_id": user.pk}, actor=actor)
        ErasureRequest.objects.filter(pk=request.pk).update(email="", reason="")
        audit.record(actor=actor, action="user.erased", obj=request)
    request.refresh_from_db()
    return request
