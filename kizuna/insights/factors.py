"""Pieces of KPI arithmetic shared by the rollup and the raw computations."""

from collections.abc import Iterable
from datetime import date
from typing import Any

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


class Organizations:
    """Members' affiliations, read once, to ask many days which organization each member
    belonged to. `member_ids` (a list or a query of ids) limits what is read; None reads all.
    """

    def __init__(self, member_ids: Any = None) -> None:
        rows = Affiliation.objects.order_by("member_id", "start_date", "id")
        if member_ids is not None:
            rows = rows.filter(member_id__in=member_ids)
        self._by_member: dict[int, list[tuple[date, date | None, int, bool]]] = {}
        for member, start, end, organization, kind in rows.values_list(
            "member_id", "start_date", "end_date", "organization_id", "organization__kind"
        ):
            self._by_member.setdefault(member, []).append(
                (start, end, organization, kind == OrganizationKind.PARTNER)
            )

    def on(self, day: date, members: Iterable[int]) -> dict[int, tuple[int, bool]]:
        """Each member's organization on `day` (the latest-started affiliation): (id, is
        partner)."""
        organizations = {}
        for member in members:
            for start, end, organization, is_partner in self._by_member.get(member, ()):
                if start <= day and (end is None or end >= day):
                    # Later rows win: the affiliation that started last.
                    organizations[member] = (organization, is_partner)
        return organizations


def contribution_figures(
    outputs_by_member: dict[int, int], organizations: dict[int, tuple[int, bool]]
) -> dict[str, float | None]:
    """`organizations`: each contributor's organization on the period's last day."""
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
