"""Event KPIs, computed from the event and attendance tables (small), so filters apply."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from kizuna.community.models import Attendance, AttendanceStatus, Event
from kizuna.insights.factors import percent
from kizuna.insights.periods import next_start, period_start, tokyo_day, tokyo_midnight
from kizuna.insights.settings import insights_setting

DEFAULT_DURATION = timedelta(hours=2)


@dataclass(frozen=True)
class EventFilter:
    group: str = ""  # group slug
    prefecture: str = ""  # JIS code
    kind: str = ""  # EventKind value

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        if self.group:
            events = events.filter(group__slug=self.group)
        if self.prefecture:
            events = events.filter(prefecture=self.prefecture)
        if self.kind:
            events = events.filter(kind=self.kind)
        return events

    def attendees(self, interval: str, start: date) -> QuerySet[Attendance, Any]:
        """Whom the member KPIs count under this filter: the members who attended a
        matching event held in the period (their attendance marked attended)."""
        return Attendance.objects.filter(
            event__in=events_in(interval, start, self), status=AttendanceStatus.ATTENDED
        ).values("member_id")


NO_FILTER = EventFilter()


def events_in(interval: str, start: date, where: EventFilter = NO_FILTER) -> QuerySet[Event]:
    since, until = tokyo_midnight(start), tokyo_midnight(next_start(interval, start))
    return where.apply(Event.objects.filter(starts_at__gte=since, starts_at__lt=until))


def event_kpis(
    interval: str, start: date, where: EventFilter = NO_FILTER
) -> dict[str, float | None]:
    return event_kpis_for(interval, [start], where)[start]


def event_kpis_for(
    interval: str, starts: list[date], where: EventFilter = NO_FILTER
) -> dict[date, dict[str, float | None]]:
    """The event KPIs of several periods of one interval, from one statement: each event
    of their span with its counted attendance, first-timers and no-shows, grouped into
    periods here (events are few; a statement per period cost more to build than to run)."""
    if not starts:
        return {}
    since = tokyo_midnight(min(starts))
    until = tokyo_midnight(next_start(interval, max(starts)))
    events_by_period: dict[date, list[_Held]] = {start: [] for start in starts}
    for event in _with_attendance(
        where.apply(Event.objects.filter(starts_at__gte=since, starts_at__lt=until))
    ):
        period = events_by_period.get(period_start(interval, tokyo_day(event.starts_at)))
        if period is not None:
            period.append(event)
    return {start: _figures(interval, start, events) for start, events in events_by_period.items()}


@dataclass
class _Held:
    """An event with its counted attendances (members not bots, staff or merged away)."""

    starts_at: datetime
    ends_at: datetime | None
    prefecture: str
    staff_run: bool
    attended: int = 0
    no_shows: int = 0
    first_timers: int = 0  # attended, and never attended an earlier event


def _with_attendance(events: QuerySet[Event]) -> list[_Held]:
    """The events with their counted attendances.

    One grouped statement: first-timers are compared with each attendee's first attended
    event, computed once for all members; a correlated "no earlier attendance" subquery
    per attendance took minutes on SQLite over a few years of events.
    """
    listed = {
        pk: _Held(starts_at, ends_at, prefecture, staff_run)
        for pk, starts_at, ends_at, prefecture, staff_run in events.values_list(
            "pk", "starts_at", "ends_at", "prefecture", "staff_run"
        )
    }
    if not listed:
        return []
    chosen, params = events.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.event_id, a.status, COUNT(*),
                   SUM(CASE WHEN e.starts_at = f.first_at THEN 1 ELSE 0 END)
            FROM community_attendance a
            JOIN community_event e ON e.id = a.event_id
            JOIN community_member m ON m.id = a.member_id
            LEFT JOIN (
                SELECT a2.member_id, MIN(e2.starts_at) AS first_at
                FROM community_attendance a2 JOIN community_event e2 ON e2.id = a2.event_id
                WHERE a2.status = %s GROUP BY a2.member_id
            ) f ON f.member_id = a.member_id AND a.status = %s
            WHERE a.event_id IN ({chosen})
              AND NOT m.is_bot AND NOT m.is_staff AND m.merged_into_id IS NULL
            GROUP BY a.event_id, a.status""",  # noqa: S608 - only constant SQL is interpolated
            [AttendanceStatus.ATTENDED, AttendanceStatus.ATTENDED, *params],
        )
        for event_id, status, count, first_timers in cursor.fetchall():
            event = listed[event_id]
            if status == AttendanceStatus.ATTENDED:
                event.attended, event.first_timers = count, first_timers or 0
            elif status == AttendanceStatus.NO_SHOW:
                event.no_shows = count
    return list(listed.values())


def _figures(interval: str, start: date, events: list[_Held]) -> dict[str, float | None]:
    attendance = sum(e.attended for e in events)
    new = sum(e.first_timers for e in events)
    no_shows = sum(e.no_shows for e in events)
    days = (next_start(interval, start) - start).days
    large = insights_setting("LARGE_EVENT_MIN_ATTENDEES")
    return {
        "events_held": len(events),
        "event_frequency": round(len(events) * 7 / days, 4),
        "prefectures_covered": len({e.prefecture for e in events if e.prefecture}),
        "attendance": attendance,
        "new_participants": new,
        "new_participant_ratio": percent(new, attendance),
        "repeat_ratio": percent(attendance - new, attendance),
        "no_show_rate": percent(no_shows, attendance + no_shows),
        "exposure_hours": round(sum(e.attended * _hours(e) for e in events), 4),
        "large_event_attendance": sum(e.attended for e in events if e.attended >= large),
        "self_running_share": percent(sum(1 for e in events if not e.staff_run), len(events)),
    }


def _hours(event: _Held) -> float:
    duration = (event.ends_at - event.starts_at) if event.ends_at else DEFAULT_DURATION
    return max(duration.total_seconds(), 0) / 3600
