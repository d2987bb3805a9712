"""People link their account to their community records: by a verified email at once, or
by a handle they claim and staff confirm."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.permissions import Action, can
from kizuna.community.models import ClaimStatus, Identity, Member, MemberClaim
from kizuna.core import audit
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.events import emit

CLAIMABLE_PLATFORMS = ("github", "connpass")


def _link(*, actor: Any, member: Member, user: Any, how: str) -> Member:
    Member.objects.filter(pk=member.pk).update(user=user)
    member.user = user
    audit.record(
        actor=actor,
        action="member.claimed",
        obj=member,
        after={"user": user.email, "how": how},
    )
    emit(
        "member.claimed",
        {"member_id": member.pk, "user_id": user.pk, "how": how},
        actor=actor,
    )
    return member


def member_claim_by_email(*, user: Any) -> Member | None:
    """Link the one unclaimed member whose verified email is the person's own verified one."""
    with transaction.atomic():
        if Member.objects.filter(user=user).exists():
            return None
        members = list(
            Member.objects.filter(
                identities__verified=True,
                identities__email__iexact=user.email,
                user__isnull=True,
                erased_at__isnull=True,
                merged_into__isnull=True,
            ).distinct()[:2]
        )
        # Two records with the same verified email are one person staff have not merged yet:
        # they decide, not a guess.
        if len(members) != 1:
            return None
        return _link(actor=user, member=members[0], user=user, how="verified_email")


def member_claim_request(*, user: Any, platform: str, handle: str, note: str = "") -> MemberClaim:
    handle = handle.strip().lstrip("@").lower()
    if platform not in CLAIMABLE_PLATFORMS:
        raise ServiceError(_("Choose GitHub or connpass."), code="unknown_platform")
    if not handle:
        raise ServiceError({"handle": _("Give your handle.")}, code="no_handle")
    with transaction.atomic():
        if MemberClaim.objects.filter(
            user=user, platform=platform, handle=handle, status=ClaimStatus.OPEN
        ).exists():
            raise Conflict(_("You already claimed this handle."), code="claim_exists")
        claim = MemberClaim.objects.create(user=user, platform=platform, handle=handle, note=note)
        audit.record(
            actor=user,
            action="member.claim_requested",
            obj=claim,
            after={"platform": platform, "handle": handle},
        )
    return claim


def _decide(actor: Any, claim: MemberClaim, status: str) -> None:
    if not can(actor, Action.MANAGE_COMMUNITY):
        raise PermissionDenied
    decided = MemberClaim.objects.filter(pk=claim.pk, status=ClaimStatus.OPEN).update(
        status=status, decided_at=timezone.now(), decided_by=actor
    )
    if not decided:
        raise Conflict(_("This claim was already decided."), code="claim_decided")
    claim.refresh_from_db()


def member_claim_confirm(*, actor: Any, claim: MemberClaim) -> Member:
    """Staff checked the claim: the member of that identity becomes the person's."""
    with transaction.atomic():
        identity = (
            Identity.objects.select_related("member")
            .filter(platform=claim.platform, handle=claim.handle)
            .first()
        )
        if identity is None:
            raise ServiceError(_("No community member has this handle."), code="identity_not_found")
        member = identity.member
        while member.merged_into_id is not None:
            member = Member.objects.get(pk=member.merged_into_id)
        if member.user_id not in (None, claim.user_id):
            raise Conflict(
                _("This member is already linked to another account."), code="member_taken"
            )
        if Member.objects.filter(user_id=claim.user_id).exclude(pk=member.pk).exists():
            raise Conflict(
                _("This person is already linked to another member: merge the two members first."),
                code="user_has_member",
            )
        _decide(actor, claim, ClaimStatus.CONFIRMED)
        return _link(actor=actor, member=member, user=claim.user, how="confirmed_claim")


def member_claim_reject(*, actor: Any, claim: MemberClaim) -> MemberClaim:
    with transaction.atomic():
        _decide(actor, claim, ClaimStatus.REJECTED)
        audit.record(actor=actor, action="member.claim_rejected", obj=claim)
    return claim
