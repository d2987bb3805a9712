"""Keep partners' community contribution points equal to what their people did.

Each event names what it can change, and the sync reads only that: new activities (the
partner organizations and days of the batch), one affiliation (its member and partner,
over the days before and after the change), the people of a merge or an erasure, or one
activity type whose rule changed.
"""

from datetime import date

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent
from kizuna.partners.models import PartnerProfile
from kizuna.partners.services.community_points import community_points_sync
from kizuna.partners.services.rank import contribution_record

# The points table's kind for a security advisory answered by its deadline (migration 0006).
SECURITY_RESPONSE_KIND = "security_response"

AFFILIATION_EVENTS = {
    "affiliation.added",
    "affiliation.changed",
    "affiliation.removed",
}


@consumer(
    "partners.community_points",
    event_types={
        "activity.ingested",
        *AFFILIATION_EVENTS,
        "member.merged",
        "member.merge_undone",
        "member.erased",
        "contribution_rule.changed",
    },
)
def recompute_community_points(event: OutboxEvent) -> None:
    payload = event.payload
    if event.type == "activity.ingested":
        if payload["organization_ids"]:
            community_points_sync(
                organization_ids=payload["organization_ids"],
                day_from=_tokyo_day(payload["occurred_from"]),
                day_until=_tokyo_day(payload["occurred_until"]),
            )
    elif event.type in AFFILIATION_EVENTS:
        day_from, day_until = _affiliation_days(payload)
        community_points_sync(
            member_ids=[payload["member_id"]],
            organization_ids=[payload["organization_id"]],
            day_from=day_from,
            day_until=day_until,
        )
    elif event.type == "member.erased":
        community_points_sync(member_ids=[payload["member_id"]])
    elif event.type == "contribution_rule.changed":
        community_points_sync(type_keys=[payload["activity_type"]])
    else:
        community_points_sync(member_ids=[payload["into_id"], payload["merged_id"]])


def _tokyo_day(value: str) -> date:
    moment = parse_datetime(value)
    assert moment is not None
    return timezone.localdate(moment)


def _affiliation_days(payload: dict) -> tuple[date | None, date | None]:
    """The days either version of the affiliation covers (None: no limit that side)."""
    spans = [payload[side] for side in ("before", "after") if payload.get(side)]
    if not spans:
        return None, None
    starts = [parse_date(span["start_date"]) for span in spans]
    ends = [parse_date(span["end_date"]) if span["end_date"] else None for span in spans]
    day_until = None if None in ends else max(end for end in ends if end is not None)
    return min(start for start in starts if start is not None), day_until


@consumer("partners.security_points", event_types={"advisory.answered"})
def record_security_points(event: OutboxEvent) -> None:
    """A partner that answered an advisory by its deadline (acknowledged, no site left
    open) earns the points of the security-response kind, once per advisory."""
    payload = event.payload
    if not payload["on_time"]:
        return
    partner = PartnerProfile.objects.filter(organization_id=payload["organization_id"]).first()
    if partner is None:
        return
    contribution_record(
        partner=partner,
        kind=SECURITY_RESPONSE_KIND,
        occurred_on=_tokyo_day(payload["answered_at"]),
        source="advisories",
        external_id=f"advisory:{payload['advisory_id']}",
        note=payload["identifier"],
    )
