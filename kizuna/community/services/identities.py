"""A member's accounts on platforms, checked against the erasure blocklist."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kizuna.community.matching import identifier_hash, name_key, reading_key
from kizuna.community.models import ErasureBlock, Identity, IdentityName, Member
from kizuna.community.services.search import member_refresh_search
from kizuna.core import audit
from kizuna.core.errors import Conflict


def identity_checked(*, platform: str, handle: str, email: str) -> tuple[str, str, str]:
    """The identity's keys normalized; ValidationError when erased or already someone's."""
    platform, email = platform.strip().lower(), email.strip().lower()
    handle = handle.strip().lower().removeprefix("@") or email
    if is_blocked(platform, handle, email):
        raise Conflict(
            _("This person asked to be erased; their identity cannot be added."),
            code="erased_person",
        )
    if Identity.objects.filter(platform=platform, handle=handle).exists():
        raise Conflict(_("This identity already belongs to a member."), code="duplicate")
    return platform, handle, email


def identity_add(
    *,
    actor: Any,
    member: Member,
    platform: str,
    handle: str = "",
    email: str = "",
    display_name: str = "",
    verified: bool = False,
) -> Identity:
    platform, handle, email = identity_checked(platform=platform, handle=handle, email=email)
    if (
        verified
        and email
        and Identity.objects.filter(platform=platform, email=email, verified=True).exists()
    ):
        raise Conflict(
            _("This verified email already belongs to a member."), code="duplicate_verified_email"
        )
    with transaction.atomic():
        identity = Identity.objects.create(
            member=member,
            platform=platform,
            handle=handle,
            email=email,
            display_name=display_name,
            verified=verified,
        )
        identity_names_record([(identity.pk, display_name)])
        member_refresh_search(member)
        audit.record(
            actor=actor,
            action="identity.added",
            obj=member,
            after={"identity": str(identity), "verified": verified},
        )
    return identity


def is_blocked(platform: str, handle: str, email: str) -> bool:
    hashes = [identifier_hash(platform, handle)] + (
        [identifier_hash("email", email)] if email else []
    )
    return ErasureBlock.objects.filter(identifier_hash__in=hashes).exists()


def identity_names_record(names: Iterable[tuple[int, str]]) -> None:
    """Remember each (identity id, name) it was seen under; names already known are skipped."""
    rows = {}
    for identity_id, name in names:
        key = name_key(name)[:200]
        if key and (identity_id, key) not in rows:
            rows[(identity_id, key)] = IdentityName(
                identity_id=identity_id,
                name=name[:200],
                name_key=key,
                reading_key=reading_key(name)[:200],
            )
    if rows:
        IdentityName.objects.bulk_create(rows.values(), ignore_conflicts=True)
