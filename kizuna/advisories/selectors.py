"""Reads of the advisories app: what a partner must do, and what the security team sees."""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from kizuna.accounts.models import Organization
from kizuna.advisories.models import (
    OPEN_SITE_STATES,
    Advisory,
    AdvisoryState,
    AdvisoryTarget,
    Severity,
    SiteState,
    SiteStatus,
    SiteStatusChange,
)

RELEASED = (AdvisoryState.SHARED, AdvisoryState.PUBLISHED)


def released_at(advisory: Advisory) -> dt.datetime | None:
    return advisory.shared_at or advisory.published_at


def deadline(advisory: Advisory) -> dt.datetime | None:
    """When targeted partners must have acknowledged and dealt with their sites."""
    start = released_at(advisory)
    if start is None:
        return None
    days = settings.KIZUNA_ADVISORY_DEADLINE_DAYS.get(advisory.severity, 30)
    return start + dt.timedelta(days=days)


def advisories_for(user: Any) -> QuerySet[Advisory]:
    """What a person may list: public ones, plus those under embargo that target their partner."""
    visible = Q(state=AdvisoryState.PUBLISHED)
    if user.is_authenticated:
        organizations = [m.organization_id for m in user.memberships.all()]
        visible |= Q(state=AdvisoryState.SHARED, targets__organization_id__in=organizations)
    return Advisory.objects.filter(visible).distinct().order_by("-public_at", "-id")


def open_advisories_of(organization: Organization) -> list[AdvisoryTarget]:
    """Advisories a partner has not acknowledged yet or whose sites are still open."""
    targets = AdvisoryTarget.objects.filter(
        organization=organization, advisory__state__in=RELEASED
    ).select_related("advisory")
    open_sites = set(
        SiteStatus.objects.filter(
            site__organization=organization, state__in=OPEN_SITE_STATES
        ).values_list("advisory_id", flat=True)
    )
    return [t for t in targets if t.acknowledged_at is None or t.advisory_id in open_sites]


@dataclass(frozen=True)
class TargetRow:
    target: AdvisoryTarget
    open_sites: int
    overdue: bool


def target_rows(advisory: Advisory, *, now: dt.datetime | None = None) -> list[TargetRow]:
    now = now or timezone.now()
    due = deadline(advisory)
    open_by_org = Counter(
        SiteStatus.objects.filter(advisory=advisory, state__in=OPEN_SITE_STATES).values_list(
            "site__organization_id", flat=True
        )
    )
    rows = []
    for target in advisory.targets.select_related("organization", "acknowledged_by").order_by(
        "organization__name"
    ):
        open_sites = open_by_org.get(target.organization_id, 0)
        late = due is not None and now > due
        overdue = late and (target.acknowledged_at is None or open_sites > 0)
        rows.append(TargetRow(target, open_sites, overdue))
    return rows


def site_counts(advisory: Advisory) -> dict[str, int]:
    counts = Counter(SiteStatus.objects.filter(advisory=advisory).values_list("state", flat=True))
    return {state: counts.get(state, 0) for state in SiteState.values}


def sites_over_time(advisory: Advisory, *, today: dt.date | None = None) -> dict[str, list]:
    """Sites still open, and sites patched or mitigated, from release to today.

    Each affected site counts as open from the release until the date its partner gives for
    a change (the status's own date, not when it was typed in). Daily points for the first
    three weeks, weekly after, so a long-running advisory stays readable.
    """
    start = released_at(advisory)
    if start is None:
        return {"days": [], "open": [], "resolved": []}
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for status_id, on, state in (
        SiteStatusChange.objects.filter(status__advisory=advisory)
        .values_list("status_id", "on", "state")
        .order_by("changed_at", "id")
    ):
        history[status_id].append((on, state))
    statuses = list(SiteStatus.objects.filter(advisory=advisory).values_list("pk", flat=True))
    days, open_, resolved = [], [], []
    for day in _chart_days(timezone.localdate(start), today or timezone.localdate()):
        counts: Counter[str] = Counter()
        for status_id in statuses:
            known = [state for on, state in history[status_id] if on <= day]
            counts[known[-1] if known else SiteState.AFFECTED] += 1
        days.append(day.isoformat())
        open_.append(sum(counts[s] for s in OPEN_SITE_STATES))
        resolved.append(counts[SiteState.PATCHED] + counts[SiteState.MITIGATED])
    return {"days": days, "open": open_, "resolved": resolved}


def _chart_days(first: dt.date, last: dt.date) -> list[dt.date]:
    span = (last - first).days
    step = 1 if span <= 21 else 7
    days = [first + dt.timedelta(days=n) for n in range(0, span + 1, step)]
    if days and days[-1] != last:
        days.append(last)
    return days


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def response_medians() -> list[dict[str, Any]]:
    """Median hours to acknowledge and to patch, by severity, across released advisories."""
    to_ack: dict[str, list[float]] = defaultdict(list)
    to_patch: dict[str, list[float]] = defaultdict(list)
    targets = AdvisoryTarget.objects.filter(
        advisory__state__in=RELEASED, acknowledged_at__isnull=False
    ).select_related("advisory")
    for target in targets:
        start = released_at(target.advisory)
        if start and target.acknowledged_at:
            to_ack[target.advisory.severity].append(_hours(target.acknowledged_at - start))
    fixed = SiteStatusChange.objects.filter(
        state__in=(SiteState.PATCHED, SiteState.MITIGATED), status__advisory__state__in=RELEASED
    ).select_related("status__advisory")
    for change in fixed:
        start = released_at(change.status.advisory)
        if start:
            to_patch[change.status.advisory.severity].append(_hours(change.changed_at - start))
    return [
        {
            "severity": Severity(severity).label,
            "ack_hours": statistics.median(to_ack[severity]) if to_ack[severity] else None,
            "patch_hours": statistics.median(to_patch[severity]) if to_patch[severity] else None,
            "acknowledged": len(to_ack[severity]),
            "patched": len(to_patch[severity]),
        }
        for severity in ("critical", "high", "medium", "low")
    ]
