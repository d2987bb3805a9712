"""Pieces of KPI arithmetic shared by the rollup and the raw computations."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q

from kizuna.accounts.models import OrganizationKind
from kizuna.community.models import Affiliation
from kizuna.insights.settings import insights_setting


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 4) if whole else None


def fewest_making_half(amounts: Iterable[int]) -> int | None:
    """How many of the largest amounts it takes to reach half of the total."""
    ordered = sorted((a for a in amounts if a > 0), reverse=True)
    total = sum(ordered)
    if not total:
        return None
    running = 0
    for count, amount in enumerate(ordered, start=1):
        running += amount
        if 2 * running >= total:
            return count
    return len(ordered)


def tier(weight: int) -> str:
    if weight >= insights_setting("CORE_MIN_WEIGHT"):
        return "core"
    if weight >= insights_setting("REGULAR_MIN_WEIGHT"):
        return "regular"
    return "casual"


def organizations_on(day: date, member_ids: Any) -> dict[int, tuple[int, bool]]:
    """Each member's organization on `day` (the latest-started affiliation): (id, is partner).

    `member_ids` is a list or a query of ids, so large sets stay in the database.
    """
    rows = (
        Affiliation.objects.filter(member_id__in=member_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("member_id", "start_date", "id")
        .values_list("member_id", "organization_id", "organization__kind")
    )
    # Later rows win: the affiliation that started last.
    return {member: (org, kind == OrganizationKind.PARTNER) for member, org, kind in rows}


def contribution_figures(
    outputs_by_member: dict[int, int], last_day: date, member_ids: Any
) -> dict[str, float | None]:
    organizations = organizations_on(last_day, member_ids)
    by_organization: dict[int, int] = {}
    partner_outputs = 0
    for member, outputs in outputs_by_member.items():
        if member in organizations:
            organization, is_partner = organizations[member]
            by_organization[organization] = by_organization.get(organization, 0) + outputs
            partner_outputs += outputs if is_partner else 0
    return {
        "absence_factor": fewest_making_half(outputs_by_member.values()),
        "elephant_factor": fewest_making_half(by_organization.values()),
        "partner_share": percent(partner_outputs, sum(outputs_by_member.values())),
    }


def movement_figures(
    previous: dict[int, tuple[int, int]], current: dict[int, tuple[int, int]]
) -> dict[str, float | None]:
    """Retention, inactive contributors and conversions from (weight, outputs) per member."""
    retained = sum(1 for member in previous if member in current)
    inactive = sum(
        1
        for member, (_w, outputs) in previous.items()
        if outputs > 0 and current.get(member, (0, 0))[1] == 0
    )
    casual = [m for m, (w, _o) in previous.items() if tier(w) == "casual"]
    regular = [m for m, (w, _o) in previous.items() if tier(w) == "regular"]
    casual_up = sum(1 for m in casual if m in current and tier(current[m][0]) != "casual")
    regular_up = sum(1 for m in regular if m in current and tier(current[m][0]) == "core")
    return {
        "retention": percent(retained, len(previous)),
        "inactive_contributors": inactive,
        "conversion_casual_regular": percent(casual_up, len(casual)),
        "conversion_regular_core": percent(regular_up, len(regular)),
    }
