"""Reads of the directory used by pages and the API (the search itself is in search.py)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kizuna.directory import permissions
from kizuna.directory.models import (
    Assignment,
    DirectoryEntry,
    GuildMember,
    GuildMessage,
    HelpPost,
    HelpPostStatus,
    JointProposal,
    Lead,
    Review,
)
from kizuna.directory.search import entry_badges


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
    # A guild invitation is the guild's business: the merchant sees it in the proposal.
    slots = (
        Assignment.objects.filter(guild_invitation=False)
        .select_related("partner__organization", "review", "led_proposal")
        .order_by("offered_at", "pk")
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
        .select_related("lead__site_type", "partner__organization", "review", "guild_membership")
        .order_by("-offered_at", "-pk")
    )


def recent_reviews_for_moderation() -> QuerySet[Review]:
    return Review.objects.select_related("partner__organization", "merchant").order_by(
        "-created_at", "-pk"
    )


# Guilds


def proposal_visible_to(user: Any, proposal_id: int) -> JointProposal | None:
    """The proposal if the user may see it (members, the merchant once sent, staff)."""
    proposal = (
        JointProposal.objects.select_related(
            "lead__merchant", "lead__site_type", "initiator__partner__organization"
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not permissions.can_view_proposal(user, proposal):
        return None
    return proposal


def proposal_members(proposal: JointProposal) -> list[GuildMember]:
    """Every member, initiator first, each with `badges`: its verified evidence."""
    members = list(
        proposal.members.select_related(
            "assignment__partner__organization", "assignment__review"
        ).order_by("assignment__guild_invitation", "created_at", "pk")
    )
    badges = entry_badges([m.assignment.partner_id for m in members])
    for member in members:
        member.badges = badges.get(member.assignment.partner_id, [])  # type: ignore[attr-defined]
    return members


def proposal_messages(proposal: JointProposal) -> QuerySet[GuildMessage]:
    return proposal.messages.select_related("author", "partner__organization")


def proposals_of_user(user: Any) -> QuerySet[JointProposal]:
    """Guilds any partner of the user is in (invited or joined)."""
    return (
        JointProposal.objects.filter(
            members__assignment__partner__organization__memberships__user=user,
            members__assignment__status__in=permissions.GUILD_PRESENT,
        )
        .select_related("lead", "initiator__partner__organization")
        .distinct()
    )


# The collaboration board


def open_help_posts() -> QuerySet[HelpPost]:
    """Posts still taking answers (open, not past their expiry date in Japan time)."""
    return (
        HelpPost.objects.filter(status=HelpPostStatus.OPEN, expires_on__gte=timezone.localdate())
        .select_related("partner__organization")
        .prefetch_related("badges")
    )


def help_posts_of(partner: Any) -> QuerySet[HelpPost]:
    return HelpPost.objects.filter(partner=partner).prefetch_related("badges", "answers")
