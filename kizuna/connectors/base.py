"""What every connector shares: paced HTTP through httpx, cursors, and ingesting a page.

Every URL a connector fetches goes through the SSRF guard (kizuna.core.ssrf): settings give
the feed and API URLs, and a source's owner must not be able to point them at the office
network. Tests pass an httpx.MockTransport that serves recorded fixtures; nothing reaches the
network.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.db import transaction

from kizuna.community import services as community
from kizuna.community.ingest import Summary
from kizuna.community.lines import Record
from kizuna.connectors.models import Cursor, Source
from kizuna.core import ssrf

USER_AGENT = "Kizuna community connector (+https://github.com/kizuna)"


class Pacer:
    """At most one request per `interval_s` seconds, the way each source asks to be called."""

    def __init__(
        self,
        interval_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval_s, self.clock, self.sleep = interval_s, clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self.interval_s - (self.clock() - self._last)
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


@dataclass
class SyncContext:
    source: Source
    client: httpx.Client
    pacer: Pacer
    summary: Summary = field(default_factory=Summary)

    def get(
        self,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        self.pacer.wait()
        response = ssrf.guarded_request(
            "GET", url, client=self.client, params=params, headers=headers
        )
        if response.status_code != 304:
            response.raise_for_status()
        return response

    def post(
        self, url: str, *, json: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        self.pacer.wait()
        response = ssrf.guarded_request("POST", url, client=self.client, json=json, headers=headers)
        response.raise_for_status()
        return response

    def cursor(self, stream: str) -> Cursor:
        cursor, _created = Cursor.objects.get_or_create(source=self.source, stream=stream)
        return cursor

    def ingest(self, records: Iterable[dict[str, Any]], *, cursor: Cursor | None = None) -> None:
        """Store a page of records and move the cursor in one transaction.

        A crash before commit leaves both as they were; the next run fetches the page again.
        """
        numbered: list[Record] = list(enumerate(records, start=1))
        with transaction.atomic():
            summary = community.activities_ingest(records=numbered)
            if cursor is not None:
                cursor.save()
        for name in ("created", "unchanged", "rejected", "members_created"):
            setattr(self.summary, name, getattr(self.summary, name) + getattr(summary, name))


def make_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return ssrf.guarded_client(
        timeout=30,
        headers={"User-Agent": USER_AGENT},
        transport=transport or ssrf.GuardedTransport(),
    )
