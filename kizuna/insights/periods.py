"""Weeks (from Monday), months and quarters in Asia/Tokyo, as the date they start on."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
INTERVALS = ("week", "month", "quarter")


def period_start(interval: str, day: date) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"Unknown interval {interval!r}")


def next_start(interval: str, start: date) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    months = 1 if interval == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def previous_start(interval: str, start: date) -> date:
    return period_start(interval, start - timedelta(days=1))


def periods_between(interval: str, first: date, last: date) -> list[date]:
    """Starts of every period from the one holding `first` to the one holding `last`."""
    starts = []
    start = period_start(interval, first)
    while start <= last:
        starts.append(start)
        start = next_start(interval, start)
    return starts


def tokyo_day(moment: datetime) -> date:
    return moment.astimezone(TOKYO).date()


def tokyo_midnight(day: date) -> datetime:
    """The instant a Tokyo day begins, in UTC (Japan has no daylight saving time)."""
    return datetime.combine(day, time(), tzinfo=TOKYO).astimezone(UTC)
