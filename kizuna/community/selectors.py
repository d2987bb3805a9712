"""Reads of community data used in several places (pages, API, other apps)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DateField, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from kizuna.accounts.models import Organization, OrganizationKind
from kizuna.community.lines import TOKYO
from kizuna.community.models import (
    Activity,
    Affiliation,
    Attendance,
    AttendanceStatus,
    Event,
    Level,
    Member,
    MemberLevel,
    MemberMerge,
    MergeSuggestion,
)
from kizuna.core.text import normalize_ja


def member_search(
    *, query: str = "", tag: str = "", prefecture: str = "", group_slug: str = ""
) -> QuerySet[Member]:
    members = Member.objects.current().filter(erased_at__isnull=True)
    for term in normalize_ja(query).split():
        members = members.filter(search_text__contains=term)
    if tag:
        members = members.filter(tags__name=tag)
    if prefecture:
        members = members.filter(prefecture=prefecture)
    if group_slug:
        members = members.filter(
            Q(led_groups__slug=group_slug) | Q(attendances__event__group__slug=group_slug)
        )
    return members.distinct().order_by("-id")


def member_seen(member_ids: list[int]) -> dict[int, tuple[datetime | None, datetime | None]]:
    """First and last activity time of each member: derived, so merges never make it stale."""
    rows = (
        Activity.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
    )
    return {row["member_id"]: (row["first"], row["last"]) for row in rows}


def member_timeline(member: Member, *, limit: int = 50) -> QuerySet[Activity]:
    return member.activities.select_related("type", "event").order_by("-occurred_at")[:limit]


# The member page's activity chart: this many weeks, the current one included (a year).
ACTIVITY_CHART_WEEKS = 52


@dataclass(frozen=True)
class ActivityWeeks:
    """Activities per Asia/Tokyo week (from Monday) and type; the last week is in progress."""

    weeks: list[date]  # each week's Monday, oldest first
    counts: dict[str, list[int]]  # type key -> one count per week; types with none left out

    @property
    def current(self) -> date:
        return self.weeks[-1]


def member_activity_weeks(
    member: Member, *, today: date, weeks: int = ACTIVITY_CHART_WEEKS
) -> ActivityWeeks:
    """The member's activities per week and type over `weeks` weeks up to `today`'s."""
    current = today - timedelta(days=today.weekday())
    mondays = [current - timedelta(weeks=n) for n in reversed(range(weeks))]
    since = datetime.combine(mondays[0], time(), tzinfo=TOKYO)
    rows = (
        member.activities.filter(occurred_at__gte=since)
        .annotate(week=TruncWeek("occurred_at", output_field=DateField(), tzinfo=TOKYO))
        .values("week", type_key=F("type"))
        .annotate(n=Count("id"))
        .order_by()
    )
    position = {monday: index for index, monday in enumerate(mondays)}
    counts: dict[str, list[int]] = {}
    for row in rows:
        if row["week"] in position:  # anything dated after today's week stays out
            counts.setdefault(row["type_key"], [0] * weeks)[position[row["week"]]] = row["n"]
    # The busiest type first: it sits at the bottom of the stack and heads the legend.
    ordered = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    return ActivityWeeks(weeks=mondays, counts=dict(ordered))


def event_attendance(event: Event) -> QuerySet[Attendance]:
    """The event's attendance, each marked first_time when it is the person's first event."""
    earlier = Attendance.objects.filter(
        member=OuterRef("member"),
        status=AttendanceStatus.ATTENDED,
        event__starts_at__lt=event.starts_at,
    )
    return (
        event.attendances.select_related("member")
        .annotate(first_time=~Exists(earlier))
        .order_by("role", "member__display_name")
    )


def member_events(member: Member) -> QuerySet[Attendance]:
    return member.attendances.select_related("event", "event__group").order_by("-event__starts_at")


def open_merges(member: Member) -> QuerySet[MemberMerge]:
    return MemberMerge.objects.filter(into=member, undone_at__isnull=True).select_related("merged")


def merge_suggestions() -> QuerySet[MergeSuggestion]:
    return MergeSuggestion.objects.select_related("member_a", "member_b")


def activities_while_affiliated(organizations: QuerySet[Organization]) -> QuerySet[Activity]:
    """Activities of members done while affiliated with one of the organizations.

    Bots and erased people are left out: they are not anybody's contribution.
    """
    affiliated = Affiliation.objects.filter(
        organization__in=organizations,
        member=OuterRef("member"),
        start_date__lte=OuterRef("occurred_at__date"),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("occurred_at__date")))
    return (
        Activity.objects.filter(
            member__in=Affiliation.objects.filter(organization__in=organizations).values("member"),
            member__is_bot=False,
            member__erased_at__isnull=True,
        )
        .filter(Exists(affiliated))
        .select_related("type", "member")
    )


def partner_contribution_activities(
    organization: Organization, since: datetime, until: datetime
) -> QuerySet[Activity]:
    """The partner program's seam: activities counting for the organization in [since, until).

    Its contribution points are computed from this; the `activity.ingested` event names
    the organizations to recompute.
    """
    organizations = Organization.objects.filter(pk=organization.pk)
    return activities_while_affiliated(organizations).filter(
        occurred_at__gte=since, occurred_at__lt=until
    )


def member_export(member: Member, *, with_staff_notes: bool) -> dict[str, Any]:
    """Everything stored about one person, for a data access request (個人情報保護法).

    The staff's internal notes go only into an export staff make; the person's own
    download leaves them out, as their profile page does.
    """
    people = [member, *Member.objects.filter(merged_into=member)]
    profile: dict[str, Any] = {
        "id": member.pk,
        "display_name": member.display_name,
        "name_ja": member.name_ja,
        "name_kana": member.name_kana,
        "name_romaji": member.name_romaji,
        "prefecture": member.prefecture,
        "tags": list(member.tags.values_list("name", flat=True)),
        "is_bot": member.is_bot,
        "is_staff": member.is_staff,
        "created_at": member.created_at,
    }
    if with_staff_notes:
        profile["notes"] = member.notes
    return {
        "member": profile,
        "identities": list(
            member.identities.values("platform", "handle", "email", "display_name", "verified")
        ),
        "affiliations": list(
            Affiliation.objects.filter(member__in=people).values(
                "organization__name", "title", "start_date", "end_date"
            )
        ),
        "attendances": list(
            Attendance.objects.filter(member__in=people).values(
                "event__title", "event__starts_at", "role", "status"
            )
        ),
        "activities": list(
            Activity.objects.filter(member__in=people)
            .order_by("occurred_at")
            .values("source", "external_id", "type_id", "occurred_at", "url", "title", "body")
        ),
    }


def activity_external_ids_by_url(source: str, urls: set[str]) -> dict[str, str]:
    """The external ids of a source's activities with these URLs: how a connector finds
    what a reply replies to when the platform gives the parent's URL but not its id."""
    if not urls:
        return {}
    return dict(
        Activity.objects.filter(source=source, url__in=urls).values_list("url", "external_id")
    )


def members_at_level(members: QuerySet[Member], level: int | None) -> QuerySet[Member]:
    """The member list and API filter: members currently at that engagement level."""
    return members if not level else members.filter(engagement__level=level)


def member_level(member_id: int) -> int | None:
    return MemberLevel.objects.filter(member_id=member_id).values_list("level", flat=True).first()


def level_counts() -> dict[int, int]:
    counts = dict(
        MemberLevel.objects.values_list("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    return {level: counts.get(level, 0) for level in Level.values}


@dataclass(frozen=True)
class AffiliatedActivity:
    activity_id: int
    organization_id: int
    type_key: str
    occurred_on: date


def affiliated_activities(
    *,
    member_ids: Collection[int] | None = None,
    organization_ids: Collection[int] | None = None,
    type_keys: Collection[str] | None = None,
    day_from: date | None = None,
    day_until: date | None = None,
) -> list[AffiliatedActivity]:
    """(activity, partner organization) pairs: an activity done while its member was affiliated.

    The partner program's seam for contribution points. Each argument narrows the pairs
    to what a change affects (members, organizations, activity types, inclusive Tokyo
    days), so a recomputation reads only those. Bots and erased people are left out, as in
    activities_while_affiliated(); the day is the Tokyo day, as affiliations' dates are.
    """
    affiliations = Affiliation.objects.filter(
        organization__kind=OrganizationKind.PARTNER,
        member__is_bot=False,
        member__erased_at__isnull=True,
    )
    if member_ids is not None:
        affiliations = affiliations.filter(member_id__in=list(member_ids))
    if organization_ids is not None:
        affiliations = affiliations.filter(organization_id__in=list(organization_ids))
    spans: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for member_id, organization_id, start, end in affiliations.values_list(
        "member_id", "organization_id", "start_date", "end_date"
    ):
        spans[member_id].append((organization_id, start, end))
    if not spans:
        return []
    activities = Activity.objects.filter(member_id__in=list(spans))
    if type_keys is not None:
        activities = activities.filter(type_id__in=list(type_keys))
    zone = timezone.get_current_timezone()
    if day_from is not None:
        activities = activities.filter(
            occurred_at__gte=datetime.combine(day_from, time.min, tzinfo=zone)
        )
    if day_until is not None:
        activities = activities.filter(
            occurred_at__lt=datetime.combine(day_until + timedelta(days=1), time.min, tzinfo=zone)
        )
    pairs = set()
    for activity_id, member_id, type_key, occurred_at in activities.values_list(
        "pk", "member_id", "type_id", "occurred_at"
    ).iterator(chunk_size=2000):
        day = timezone.localdate(occurred_at)
        for organization_id, start, end in spans[member_id]:
            if start <= day and (end is None or day <= end):
                pairs.add(AffiliatedActivity(activity_id, organization_id, str(type_key), day))
    return sorted(pairs, key=lambda pair: (pair.activity_id, pair.organization_id))
