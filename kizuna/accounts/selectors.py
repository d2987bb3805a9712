"""Reads of accounts that other apps share."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from kizuna.accounts.models import (
    LegalDocument,
    LegalDocumentKind,
    MembershipRole,
    Organization,
    StaffRole,
    User,
)


def owner_emails(organization: Organization) -> list[str]:
    """Where to write to an organization: its active owners."""
    return list(
        organization.memberships.filter(
            role=MembershipRole.OWNER, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def staff_holding(*roles: str) -> QuerySet[User]:
    """Active staff who hold any of `roles`; an ecosystem admin holds every role."""
    return User.objects.filter(
        is_active=True,
        pk__in=User.objects.filter(staff_role_grants__role__in=[*roles, StaffRole.ADMIN]).values(
            "pk"
        ),
    )


def non_staff_users() -> QuerySet[User]:
    return User.objects.filter(staff_role_grants__isnull=True)


def current_legal_documents(now: datetime | None = None) -> list[LegalDocument]:
    """The version of each legal document in force now (the latest that has taken effect)."""
    now = now or timezone.now()
    current = []
    for kind in LegalDocumentKind.values:
        document = (
            LegalDocument.objects.filter(kind=kind, effective_at__lte=now)
            .order_by("-effective_at", "-pk")
            .first()
        )
        if document is not None:
            current.append(document)
    return current
