"""What the destination pages show: state, lag behind the feed, rejections."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core.models import OutboxEvent
from kizuna.integrations.destinations import objects
from kizuna.integrations.destinations.models import Destination
from kizuna.integrations.destinations.registry import plugin_for

LAG_COUNT_CAP = 10_000  # counting further costs more than the number tells


@dataclass(frozen=True)
class Lag:
    events: int  # feed events after the cursor that touch what the destination writes
    oldest_at: datetime | None

    @property
    def capped(self) -> bool:
        return self.events >= LAG_COUNT_CAP


def destination_lag(destination: Destination) -> Lag:
    types = objects.event_types(plugin_for(destination.kind).objects)
    behind = OutboxEvent.objects.filter(id__gt=destination.cursor, type__in=types, version__gte=1)
    oldest = behind.order_by("id").values_list("occurred_at", flat=True).first()
    return Lag(events=behind[:LAG_COUNT_CAP].count(), oldest_at=oldest)


def destination_state(destination: Destination, lag: Lag) -> tuple[str, str]:
    """(css tone, label) of what staff most need to know first."""
    now = timezone.now()
    if not destination.enabled:
        return "warn", _("Disabled")
    if destination.deferred_until and destination.deferred_until > now:
        return "warn", _("Waiting (rate limit)")
    if destination.last_error:
        return "warn", _("Failing")
    if destination.last_synced_at is None:
        return "", _("Not synced yet")
    if destination.resyncs:
        return "", _("Resyncing")
    if lag.events:
        return "", _("Behind")
    return "ok", _("Up to date")


def destinations_overview() -> list[dict[str, Any]]:
    rows = []
    for destination in Destination.objects.all():
        lag = destination_lag(destination)
        tone, state = destination_state(destination, lag)
        rows.append(
            {
                "destination": destination,
                "label": plugin_for(destination.kind).label,
                "lag": lag,
                "tone": tone,
                "state": state,
                "rejections": destination.rejections.count(),
            }
        )
    return rows
