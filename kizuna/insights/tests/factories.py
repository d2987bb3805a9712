"""Small hand-built community data for insights tests."""

from datetime import UTC, date, datetime, time
from itertools import count

from kizuna.community.models import Activity, Event, Member

_ids = count(1)
TOKYO_NOON = time(3, 0, tzinfo=UTC)  # 12:00 in Tokyo


def member(name: str = "", **flags: object) -> Member:
    return Member.objects.create(display_name=name or f"member {next(_ids)}", **flags)


def activity(
    who: Member,
    day: date,
    type_key: str = "chat_message",
    *,
    output: bool = False,
    event: Event | None = None,
    at: datetime | None = None,
    reply_to: Activity | None = None,
    source: str = "test",
    text: str = "",
) -> Activity:
    return Activity.objects.create(
        source=source,
        reply_to_external_id=reply_to.external_id if reply_to else "",
        external_id=str(next(_ids)),
        type_id=type_key,
        member=who,
        event=event,
        occurred_at=at or datetime.combine(day, TOKYO_NOON),
        is_output=output,
        body=text,
    )
