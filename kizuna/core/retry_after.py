"""When a server that answered 429 or 503 lets us call again: its `Retry-After` header.

Every outbound client (webhooks, destinations, channels) reads the header the same way:
either a number of seconds or an HTTP date (RFC 9110, 10.2.3).
"""

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime


def retry_after(value: str | None, *, now: datetime) -> datetime | None:
    """The moment `value` names, or None when it is absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
