"""Reads of the partner program used in several places."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Prefetch, QuerySet, Value, When
from django.utils import timezone

from kizuna.accounts.models import Organization
from kizuna.partners.models import (
    Achievement,
    AchievementStatus,
    Badge,
    BadgeAward,
    BadgeFamily,
    Contribution,
    Evangelist,
    EvangelistRequest,
    EvangelistWork,
    PartnerProfile,
    Rank,
    RankChange,
    WorkImage,
)
from kizuna.partners.services.badges import badge_window_start
from kizuna.partners.services.rank import rank_order, rank_window_start


def partner_of_user(user: Any) -> PartnerProfile | None:
    """The partner profile of the first partner organization the user belongs to."""
    if not user.is_authenticated:
        return None
    return (
        PartnerProfile.objects.select_related("organization")
        .filter(organization__memberships__user=user)
        .order_by("organization__memberships__created_at")
        .first()
    )


def partner_organization_of_user(user: Any) -> Organization | None:
    if not user.is_authenticated:
        return None
    membership = (
        user.memberships.filter(organization__kind="partner").select_related("organization").first()
    )
    return membership.organization if membership else None


def partner_by_slug(slug: str) -> QuerySet[PartnerProfile]:
    return PartnerProfile.objects.select_related("organization").filter(organization__slug=slug)


def public_partners() -> QuerySet[PartnerProfile]:
    return PartnerProfile.objects.select_related("organization").prefetch_related(
        Prefetch("badge_awards", queryset=active_badge_awards_all(), to_attr="active_awards")
    )


def active_badge_awards_all() -> QuerySet[BadgeAward]:
    return BadgeAward.objects.filter(lapsed_at__isnull=True).select_related("badge")


def active_badge_awards(partner: PartnerProfile) -> QuerySet[BadgeAward]:
    return active_badge_awards_all().filter(partner=partner)


def lapsed_badge_awards(partner: PartnerProfile) -> QuerySet[BadgeAward]:
    return BadgeAward.objects.filter(partner=partner, lapsed_at__isnull=False).select_related(
        "badge"
    )


def partner_achievements(partner: PartnerProfile) -> QuerySet[Achievement]:
    """All achievements of one partner: for its own members and for staff only."""
    return partner.achievements.prefetch_related("badges").annotate(
        evidence_count=Count("evidence")
    )


def published_summaries(partner: PartnerProfile) -> QuerySet[Achievement]:
    """The only achievement data anyone outside the partner and the vendor may see."""
    return partner.achievements.filter(
        status=AchievementStatus.VERIFIED, summary_published=True
    ).only("id", "public_summary", "completed_on", "partner_id")


def published_work_images(partner: PartnerProfile) -> list[WorkImage]:
    """The screenshots on a partner's public page, in the partner's order (those without a
    position after, the most recent work first), at most KIZUNA_WORK_IMAGES_MAX.

    Only what staff verified and the partner made public: a withdrawn summary, a client who
    may not be named or an achievement no longer verified hides the image at once.
    """
    return list(
        WorkImage.objects.filter(
            published=True,
            achievement__partner=partner,
            achievement__status=AchievementStatus.VERIFIED,
            achievement__summary_published=True,
            achievement__client_may_be_named=True,
        )
        .select_related("achievement")
        .prefetch_related(
            Prefetch(
                "achievement__badges",
                queryset=Badge.objects.filter(family=BadgeFamily.SITE_TYPE),
                to_attr="site_types",
            )
        )
        .order_by(
            F("position").asc(nulls_last=True), "-achievement__completed_on", "-achievement_id"
        )[: settings.KIZUNA_WORK_IMAGES_MAX]
    )


@dataclass(frozen=True)
class WorkExamples:
    images: list[WorkImage]  # the screenshots shown, each captioned with its summary
    summaries: list[Achievement]  # the other published summaries


def work_examples(partner: PartnerProfile, summaries: int | None = None) -> WorkExamples:
    """What a public page shows of a partner's work: its screenshots, then up to
    `summaries` published summaries of the other achievements."""
    images = published_work_images(partner)
    others = published_summaries(partner).exclude(pk__in=[w.achievement_id for w in images])
    return WorkExamples(images, list(others[:summaries] if summaries is not None else others))


def work_image_is_public(work: WorkImage) -> bool:
    return work in published_work_images(work.achievement.partner)


REVIEWABLE_STATUSES = [AchievementStatus.SUBMITTED, AchievementStatus.NEEDS_INFO]


def review_queue(status: str = "") -> QuerySet[Achievement]:
    """What staff review: what they can act on (submitted) first, the oldest first; those
    waiting on the partner's answer after. `status` narrows it to one of the two."""
    statuses = [status] if status in REVIEWABLE_STATUSES else REVIEWABLE_STATUSES
    actionable_first = Case(
        When(status=AchievementStatus.SUBMITTED, then=Value(0)), default=Value(1)
    )
    return (
        Achievement.objects.filter(status__in=statuses)
        .select_related("partner__organization")
        .prefetch_related("badges")
        .annotate(evidence_count=Count("evidence"))
        .order_by(actionable_first, "updated_at", "pk")
    )


def rank_history(partner: PartnerProfile) -> QuerySet[RankChange]:
    return partner.rank_changes.all()


def claimable_badges() -> QuerySet[Badge]:
    return Badge.objects.filter(retired_at__isnull=True)


def active_evangelists(today: date | None = None) -> QuerySet[Evangelist]:
    today = today or timezone.localdate()
    return Evangelist.objects.filter(term_start__lte=today, term_end__gte=today).prefetch_related(
        Prefetch("works", queryset=EvangelistWork.objects.all())
    )


def evangelist_requests_for(user: Any) -> QuerySet[EvangelistRequest]:
    return EvangelistRequest.objects.filter(evangelist__user=user).select_related("evangelist")


@dataclass(frozen=True)
class PrivateActivityCount:
    type_name: str
    count: int
    points: int


@dataclass(frozen=True)
class RankBreakdown:
    """What a partner's points in the rank window are made of."""

    public_activities: list[Contribution]  # community points from activities with a link
    private_activities: list[PrivateActivityCount]  # the others, counted per activity type
    other_contributions: list[Contribution]  # recorded by staff or imported


def rank_breakdown(partner: PartnerProfile, today: date | None = None) -> RankBreakdown:
    """The contributions behind the rolling points, for the partner's rank page.

    An activity is public when it has a link where anyone can see it (a talk's event page,
    an article); the others (attendance, chat, private repositories) are only counted, so
    the page shows no more about the people than the community's own pages do.
    """
    today = today or timezone.localdate()
    contributions = (
        partner.contributions.filter(
            occurred_on__gt=rank_window_start(today), occurred_on__lte=today
        )
        .select_related("kind", "activity", "activity__type")
        .order_by("-occurred_on", "-id")
    )
    public, others = [], []
    private: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for contribution in contributions:
        activity = contribution.activity
        if activity is None:
            others.append(contribution)
        elif activity.url:
            public.append(contribution)
        else:
            counted = private[activity.type.name]
            counted[0] += 1
            counted[1] += contribution.points
    return RankBreakdown(
        public_activities=public,
        private_activities=[
            PrivateActivityCount(name, count, points)
            for name, (count, points) in sorted(private.items())
        ],
        other_contributions=others,
    )


@dataclass(frozen=True)
class BadgeEvidence:
    """What anyone may see behind one partner's badge: the public summaries and a count."""

    award: BadgeAward | None
    window_start: date
    summaries: list[Achievement]  # verified, published, claiming the badge, in the window
    unpublished: int  # verified achievements behind the badge without a public summary


def badge_evidence(
    partner: PartnerProfile, badge: Badge, today: date | None = None
) -> BadgeEvidence:
    """The verified achievements a badge stands on, as the public may see them.

    The same achievements badges.badge_awards_sync counts: verified, claiming the badge,
    completed inside the recency window. Only published summaries are shown; the rest are
    a number, as the badge's own count already is.
    """
    window_start = badge_window_start(today or timezone.localdate())
    counted = partner.achievements.filter(
        status=AchievementStatus.VERIFIED, badges=badge, completed_on__gte=window_start
    )
    summaries = list(
        counted.filter(summary_published=True)
        .only("id", "public_summary", "completed_on", "verified_at", "partner_id")
        .order_by("-completed_on", "-id")
    )
    return BadgeEvidence(
        award=BadgeAward.objects.filter(partner=partner, badge=badge, lapsed_at__isnull=True)
        .select_related("badge")
        .first(),
        window_start=window_start,
        summaries=summaries,
        unpublished=counted.count() - len(summaries),
    )


@dataclass(frozen=True)
class RankProgress:
    """Where a partner stands on the rank ladder, for a progress bar."""

    rank: str  # the label of the current rank
    points: int
    next_rank: str | None  # None at the top of the ladder
    next_threshold: int | None
    floor: int  # the points the current rank starts at

    @property
    def missing(self) -> int:
        return max(0, (self.next_threshold or 0) - self.points)

    @property
    def percent(self) -> int:
        """How far from this rank's floor to the next threshold (100 at the top)."""
        if self.next_threshold is None:
            return 100
        span = max(1, self.next_threshold - self.floor)
        return max(0, min(100, (self.points - self.floor) * 100 // span))


def rank_progress(partner: PartnerProfile) -> RankProgress:
    thresholds = settings.KIZUNA_RANK_THRESHOLDS
    order = rank_order(partner.rank)
    ranks = list(Rank)
    at_top = order >= len(thresholds)
    return RankProgress(
        rank=str(Rank(partner.rank).label),
        points=partner.rank_points,
        next_rank=None if at_top else str(ranks[order + 1].label),
        next_threshold=None if at_top else thresholds[order],
        floor=thresholds[order - 1] if order > 0 else 0,
    )
