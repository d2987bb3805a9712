"""Keep the rollups current: ingestion starts a fill; member and event changes mark dirt."""

from kizuna.community.models import Event
from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent
from kizuna.insights import fill, hashtags
from kizuna.insights.models import DirtyFiguresDay
from kizuna.insights.periods import tokyo_day
from kizuna.insights.tasks import fill_insights


@consumer("insights.activity", event_types={"activity.ingested"})
def fill_after_ingestion(event: OutboxEvent) -> None:
    # The fill finds new activities by id, so late ones (an old occurred_at) land in their
    # own day and mark it dirty; the event only says that there is something to fold.
    fill_insights.enqueue()


@consumer(
    "insights.members",
    event_types={"member.merged", "member.merge_undone", "member.erased", "member.updated"},
)
def rebuild_changed_members(event: OutboxEvent) -> None:
    payload = event.payload
    ids = [payload.get(key) for key in ("member_id", "into_id", "merged_id")]
    fill.mark_members_dirty(pk for pk in ids if pk)


@consumer(
    "insights.events",
    event_types={"event.created", "attendance.changed", "attendance.imported"},
)
def recompute_event_days(event: OutboxEvent) -> None:
    event_id = event.payload.get("event_id")
    starts_at = Event.objects.filter(pk=event_id).values_list("starts_at", flat=True).first()
    if starts_at is not None:
        fill.mark_figures_dirty(DirtyFiguresDay.Figures.EVENTS, [tokyo_day(starts_at)])


@consumer("insights.hashtags", event_types={"event.created", "event.updated"})
def recount_hashtag_posts(event: OutboxEvent) -> None:
    """An event's hashtag makes older activities hashtag posts (or, changed, no longer):
    their members' rollups are rebuilt by the next fill."""
    if event.type == "event.updated" and "hashtag" not in event.payload.get("fields", []):
        return
    tag = Event.objects.filter(pk=event.payload.get("event_id")).values_list("hashtag", flat=True)
    fill.mark_members_dirty(hashtags.refresh_tag(tag.first() or ""))
