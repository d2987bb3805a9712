"""Event KPIs, computed from the event and attendance tables (small), so filters apply."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kizuna.community.models import Attendance, AttendanceStatus, Event
from kizuna.insights.factors import percent
from kizuna.insights.periods import next_start, tokyo_midnight
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


def counted_attendances() -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        member__is_bot=False, member__is_staff=False, member__merged_into__isnull=True
    )


def event_kpis(
    interval: str, start: date, where: EventFilter = NO_FILTER
) -> dict[str, float | None]:
    events = list(
        events_in(interval, start, where).annotate(
            attended=Count(
                "attendances",
                filter=Q(
                    attendances__status=AttendanceStatus.ATTENDED,
                    attendances__member__is_bot=False,
                    attendances__member__is_staff=False,
                    attendances__member__merged_into__isnull=True,
                ),
            )
        )
    )
    attended = counted_attendances().filter(
        event__in=[e.pk for e in events], status=AttendanceStatus.ATTENDED
    )
    earlier = Attendance.objects.filter(
        member=OuterRef("member"),
        status=AttendanceStatus.ATTENDED,
        event__starts_at__lt=OuterRef("event__starts_at"),
    )
    attendance = attended.count()
    new = attended.exclude(Exists(earlier)).count()
    no_shows = (
        counted_attendances()
        .filter(event__in=[e.pk for e in events], status=AttendanceStatus.NO_SHOW)
        .count()
    )
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


def _hours(event: Event) -> float:
    duration = (event.ends_at - event.starts_at) if event.ends_at else DEFAULT_DURATION
    return max(duration.total_seconds(), 0) / 3600
