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


def sites_over_time(advisory: Advisory) -> dict[str, list]:
    """Per day since release: sites still open, and sites patched or mitigated."""
    start = released_at(advisory)
    if start is None:
        return {"days": [], "open": [], "resolved": []}
    changes = SiteStatusChange.objects.filter(status__advisory=advisory).order_by("changed_at")
    first_seen = {
        status.pk: timezone.localdate(status.updated_at)
        for status in SiteStatus.objects.filter(advisory=advisory)
    }
    state_by_day: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for change in changes:
        state_by_day[change.status_id].append((timezone.localdate(change.changed_at), change.state))
    days, open_, resolved = [], [], []
    day, today = timezone.localdate(start), timezone.localdate()
    while day <= today:
        counts = Counter()
        for status_id in first_seen:
            history = [state for on, state in state_by_day[status_id] if on <= day]
            counts[history[-1] if history else SiteState.AFFECTED] += 1
        days.append(day.isoformat())
        open_.append(sum(counts[s] for s in OPEN_SITE_STATES))
        resolved.append(counts[SiteState.PATCHED] + counts[SiteState.MITIGATED])
        day += dt.timedelta(days=1)
    return {"days": days, "open": open_, "resolved": resolved}


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
