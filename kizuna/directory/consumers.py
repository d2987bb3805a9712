"""Keep the directory index fresh: each event that changes what search shows refreshes
the partner's entry, in the consumer's transaction (so exactly once per event)."""

from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent
from kizuna.directory.services import index, notifications

PARTNER_EVENTS = {
    "partner.created",
    "partner.updated",
    "achievement.verified",
    "achievement.summary_changed",
    "badge.awarded",
    "badge.lapsed",
    "rank.changed",
    "lead.accepted",
    "lead.declined",
    "lead.expired",
    "lead.completed",
    "guild.joined",
    "review.published",
    "review.hidden",
    "partner.left",
}
SUSPENSION_EVENTS = {"partner.suspended", "partner.unsuspended"}


@consumer("directory.index", event_types=PARTNER_EVENTS | SUSPENSION_EVENTS)
def refresh_directory_entry(event: OutboxEvent) -> None:
    if event.type in SUSPENSION_EVENTS:
        index.suspension_set(
            organization_id=event.payload["organization_id"],
            suspended=event.type == "partner.suspended",
        )
    else:
        index.entry_refresh(partner_id=event.payload["partner_id"])


@consumer("directory.notifications", event_types=notifications.EVENT_TYPES)
def queue_lead_emails(event: OutboxEvent) -> None:
    notifications.queue_for_event(event)
