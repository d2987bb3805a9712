"""Organization invitations: owners (or staff) invite colleagues by email; people leave."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Invitation, Membership, MembershipRole, Organization, User
from kizuna.accounts.permissions import Action, can
from kizuna.accounts.services.tokens import new_token, token_hash
from kizuna.core import audit
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.events import emit
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue

INVITATION_VALID_FOR = timedelta(days=7)


def invitation_url(plaintext: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", args=[plaintext])


def invitation_issue(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: Any,
    language: str = "",
    now: Any = None,
) -> tuple[Invitation, str]:
    """Open an invitation of `email` into `organization` with `role`, without telling anyone.

    Returns the invitation and its link, for a caller whose own message carries the link
    (an approved partner application tells the new owner in its single welcome email).
    `invited_by` must manage the organization (an owner, or staff of the partner program);
    a service of another app acting for staff passes that staff member. An open invitation
    of the same address to the same organization is replaced, so only the newest link works.
    """
    if not can(invited_by, Action.MANAGE_ORGANIZATION, organization):
        raise PermissionDenied
    if role not in MembershipRole.values:
        raise ServiceError(_("Choose owner or member."), code="unknown_role")
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict(
            _("%(email)s is already in this organization.") % {"email": email},
            code="already_member",
        )
    now = now or timezone.now()
    plaintext, hashed = new_token()
    with transaction.atomic():
        Invitation.objects.filter(
            organization=organization,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            language=language or settings.LANGUAGE_CODE,
            token_hash=hashed,
            invited_by=invited_by if getattr(invited_by, "pk", None) else None,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
        audit.record(
            actor=invited_by,
            action="organization.invitation_created",
            obj=organization,
            after={"email": email, "role": role},
        )
    return invitation, invitation_url(plaintext)


def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: Any,
    language: str = "",
    now: Any = None,
) -> Invitation:
    """Invite `email` into `organization` with `role` and email them the link."""
    with transaction.atomic():
        invitation, url = invitation_issue(
            organization=organization,
            email=email,
            role=role,
            invited_by=invited_by,
            language=language,
            now=now,
        )
        email_enqueue(
            to=invitation.email,
            topic=Topic.ACCOUNT,
            idempotency_key=f"accounts.invitation:{invitation.pk}",
            template="accounts/email/invitation",
            context={
                "organization": organization.name,
                "role": invitation.get_role_display(),
                "invited_by": str(invited_by) if getattr(invited_by, "pk", None) else "",
                "url": url,
                "expires_at": invitation.expires_at,
                "site": settings.KIZUNA_ECOSYSTEM_NAME,
            },
            language=invitation.language,
        )
    return invitation


def invitation_by_token(plaintext: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization")
        .filter(token_hash=token_hash(plaintext))
        .first()
    )


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    if not can(actor, Action.MANAGE_ORGANIZATION, invitation.organization):
        raise PermissionDenied
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise Conflict(
                _("This invitation was already accepted or revoked."), code="invitation_closed"
            )
        invitation.refresh_from_db()
        audit.record(
            actor=actor,
            action="organization.invitation_revoked",
            obj=invitation.organization,
            before={"email": invitation.email, "role": invitation.role},
        )
    return invitation


def _closed() -> Conflict:
    return Conflict(
        _("This invitation has expired, was revoked or was already used."),
        code="invitation_closed",
    )


def invitation_accept(
    *,
    invitation: Invitation,
    user: Any = None,
    password: str = "",
    display_name: str = "",
    now: Any = None,
) -> Membership:
    """Join the organization: as the signed-in `user` (same email), or as a new person.

    A new person sets their password here; their address is proven by the link itself.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(accepted_at=now)
        if not updated:
            raise _closed()
        if user is not None and user.is_authenticated:
            if user.email.lower() != invitation.email.lower():
                raise ServiceError(
                    _(
                        "This invitation was sent to %(email)s. Sign in with that address to "
                        "accept it."
                    )
                    % {"email": invitation.email},
                    code="wrong_account",
                )
        else:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise Conflict(
                    _("An account with this address exists: sign in to accept the invitation."),
                    code="sign_in_first",
                )
            from kizuna.accounts.services import user_create

            user = user_create(email=invitation.email, password=password, display_name=display_name)
            if invitation.language:
                user.language = invitation.language
                user.save(update_fields=["language"])
        membership, _created = Membership.objects.get_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role}
        )
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        audit.record(
            actor=user,
            action="organization.invitation_accepted",
            obj=invitation.organization,
            after={"email": user.email, "role": membership.role},
        )
        emit(
            "organization.member_joined",
            {
                "organization_id": invitation.organization_id,
                "user_id": user.pk,
                "role": membership.role,
            },
            actor=user,
        )
    return membership


def membership_leave(*, user: Any, organization: Organization) -> None:
    """`user` leaves `organization`; the last owner cannot (someone must manage it)."""
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            raise Conflict(_("You are not in this organization."), code="not_member")
        if (
            membership.role == MembershipRole.OWNER
            and not Membership.objects.filter(organization=organization, role=MembershipRole.OWNER)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise Conflict(
                _("You are the last owner: make a colleague an owner before you leave."),
                code="last_owner",
            )
        membership.delete()
        audit.record(
            actor=user,
            action="organization.member_left",
            obj=organization,
            before={"email": user.email, "role": membership.role},
        )
        emit(
            "organization.member_left",
            {"organization_id": organization.pk, "user_id": user.pk},
            actor=user,
        )
