"""Reads of the directory used by pages and the API (the search itself is in search.py)."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from kizuna.directory import permissions
from kizuna.directory.models import Assignment, DirectoryEntry, Lead, Review


def listed_entry(slug: str) -> DirectoryEntry | None:
    return (
        DirectoryEntry.objects.select_related("partner__organization")
        .filter(partner__organization__slug=slug, listed=True)
        .first()
    )


def visible_reviews(partner_id: int) -> QuerySet[Review]:
    return Review.objects.filter(partner_id=partner_id, hidden_at__isnull=True)


def partner_reviews(partner_id: int) -> QuerySet[Review]:
    """Hidden ones included, with the reason: for the partner itself and staff."""
    return Review.objects.filter(partner_id=partner_id).select_related("assignment__lead")


def _leads_with_slots() -> QuerySet[Lead]:
    slots = Assignment.objects.select_related("partner__organization", "review").order_by(
        "offered_at", "pk"
    )
    return Lead.objects.select_related("site_type", "merchant").prefetch_related(
        "services", Prefetch("assignments", queryset=slots)
    )


def leads_visible_to(user: Any) -> QuerySet[Lead]:
    """A merchant's own requests; every lead for partner-program staff."""
    leads = _leads_with_slots()
    return leads if permissions.is_staff(user) else leads.filter(merchant=user)


def lead_of_merchant(user: Any, lead_id: int) -> Lead | None:
    return leads_visible_to(user).filter(pk=lead_id).first()


def inbox_of(user: Any) -> QuerySet[Assignment]:
    """Slots offered to any partner organization the user belongs to."""
    return (
        Assignment.objects.filter(partner__organization__memberships__user=user)
        .select_related("lead__site_type", "partner__organization", "review")
        .order_by("-offered_at", "-pk")
    )


def recent_reviews_for_moderation() -> QuerySet[Review]:
    return Review.objects.select_related("partner__organization", "merchant").order_by(
        "-created_at", "-pk"
    )
