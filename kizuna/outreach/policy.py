"""What may be sent, decided when each delivery is about to be sent (not when it was queued).

Consent, the suppression list, the advertising frequency cap and quiet hours. Each check
returns None (go ahead) or a Decision saying to skip or to defer, with the reason recorded.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kizuna.outreach.models import (
    Consent,
    Delivery,
    Purpose,
    State,
    Suppression,
    SuppressionReason,
)
from kizuna.outreach.settings import outreach_setting

# Reasons, stored on the delivery (machine-readable: the staff page translates them).
NO_CONSENT = "no_consent"
OPTED_OUT = "opted_out"
SUPPRESSED = "suppressed"
CAPPED = "frequency_cap"
QUIET_HOURS = "quiet_hours"
RATE_LIMITED = "rate_limited"
QUOTA = "quota_exhausted"


@dataclass(frozen=True)
class Decision:
    state: str  # State.SKIPPED or State.DEFERRED
    reason: str
    until: datetime | None = None


def address_hash(channel: str, address: str) -> str:
    normalized = address.strip().lower() if channel == "email" else address.strip()
    return hashlib.sha256(normalized.encode()).hexdigest()


def latest_consent(recipient_key: str, channel: str, topic: str) -> bool | None:
    """The person's current choice (True, False), or None when they never said."""
    entry = (
        Consent.objects.filter(recipient_key=recipient_key, channel=channel, topic=topic)
        .order_by("-at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return entry


# Reasons that stop service notices too; the others stop advertising only (an invoice still
# reaches a person who unsubscribed from the newsletter or marked it as spam).
BLOCKS_EVERYTHING = {SuppressionReason.HARD_BOUNCE, SuppressionReason.ERASURE}


def suppression_reason(channel: str, address: str) -> str | None:
    return (
        Suppression.objects.filter(channel=channel, address_hash=address_hash(channel, address))
        .values_list("reason", flat=True)
        .first()
    )


def decide(delivery: Delivery, *, now: datetime) -> Decision | None:
    suppressed = suppression_reason(delivery.channel, delivery.address)
    if suppressed and (suppressed in BLOCKS_EVERYTHING or delivery.purpose == Purpose.ADVERTISING):
        return Decision(State.SKIPPED, SUPPRESSED)
    consent = latest_consent(delivery.recipient_key, delivery.channel, delivery.topic)
    if delivery.purpose == Purpose.SERVICE:
        # Service notices need no opt-in, but a topic the person turned off stays off.
        return Decision(State.SKIPPED, OPTED_OUT) if consent is False else None
    if not consent:
        return Decision(State.SKIPPED, NO_CONSENT)
    if advertising_sent_recently(delivery, now=now) >= outreach_setting("ADVERTISING_PER_WEEK"):
        return Decision(State.SKIPPED, CAPPED)
    quiet_until = quiet_hours_end(now)
    if quiet_until is not None:
        return Decision(State.DEFERRED, QUIET_HOURS, quiet_until)
    return None


def advertising_sent_recently(delivery: Delivery, *, now: datetime) -> int:
    """Advertising the recipient got on any channel in the last 7 days."""
    return (
        Delivery.objects.filter(
            recipient_key=delivery.recipient_key,
            purpose=Purpose.ADVERTISING,
            claimed_at__gt=now - timedelta(days=7),
            state__in=[State.SENT, State.SENDING, State.AWAITING_CONFIRMATION, State.UNKNOWN],
        )
        .exclude(pk=delivery.pk)
        .count()
    )


def quiet_hours_end(now: datetime) -> datetime | None:
    """When the quiet hours around `now` end, or None outside them."""
    start, end = outreach_setting("QUIET_HOURS")
    local = now.astimezone(ZoneInfo(outreach_setting("QUIET_HOURS_TIME_ZONE")))
    in_quiet = (
        (local.hour >= start or local.hour < end) if start > end else start <= local.hour < end
    )
    if not in_quiet:
        return None
    end_day = (
        local.date() + timedelta(days=1) if local.hour >= start and start > end else local.date()
    )
    return datetime(end_day.year, end_day.month, end_day.day, end, tzinfo=local.tzinfo)
