"""What every channel implements, and the errors that tell the worker what to do next."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from kizuna.core.ratelimit import Limit

if TYPE_CHECKING:
    from kizuna.outreach.models import Delivery
    from kizuna.outreach.services import Content


class TemporaryError(Exception):
    """Try again later (after `retry_after_s` when the platform said how long)."""

    def __init__(self, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentError(Exception):
    """Sending this message again would fail the same way; `bounced` marks a dead address."""

    def __init__(self, message: str, *, bounced: bool = False) -> None:
        super().__init__(message)
        self.bounced = bounced


class QuotaExhausted(Exception):
    """The platform's message quota is used up until `until`."""

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class Sent:
    provider_id: str = ""
    # True when the platform made a task a person must still confirm (WeCom).
    awaiting_confirmation: bool = False


class Channel:
    name: str = ""
    label: Any = ""
    # True when the platform accepts a retry key, so a send whose outcome is unknown can be
    # repeated with the same key and the platform drops the duplicate (LINE X-Line-Retry-Key).
    idempotent: bool = False
    # Defaults of this channel's settings, each overridable as KIZUNA_OUTREACH_<NAME>_<KEY>.
    DEFAULTS: dict[str, Any] = {}

    def setting(self, key: str) -> Any:
        return getattr(settings, f"KIZUNA_OUTREACH_{self.name.upper()}_{key}", self.DEFAULTS[key])

    def finish(
        self, content: "Content", *, recipient_key: str, purpose: str, topic: str, name: str = ""
    ) -> "Content":
        """The content as sent on this channel to the person called `name` (email adds a
        greeting, a signature, the footer advertising needs and an HTML part)."""
        return content

    def limits(self, delivery: "Delivery") -> list[tuple[str, Limit]]:
        """Token buckets (key, limit) one send of `delivery` takes a token from."""
        return []

    @contextmanager
    def session(self) -> Iterator[None]:
        """Held around a batch of sends (an SMTP connection reused, for example)."""
        yield

    def send(self, delivery: "Delivery") -> Sent:
        raise NotImplementedError
