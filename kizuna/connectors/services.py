"""Every write to connector configuration and sync state goes through here."""

import time
from collections.abc import Callable
from datetime import timedelta
from types import ModuleType
from typing import Any

import httpx
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kizuna.connectors import connpass, credentials, doorkeeper, github, rss
from kizuna.connectors.base import Pacer, SyncContext, make_client
from kizuna.connectors.models import Source, SourceKind, SyncRun
from kizuna.core import audit
from kizuna.core.events import emit

CONNECTORS: dict[str, ModuleType] = {
    SourceKind.CONNPASS: connpass,
    SourceKind.DOORKEEPER: doorkeeper,
    SourceKind.GITHUB: github,
    SourceKind.RSS: rss,
}
# A sync that has not finished after this long is taken to have crashed.
STALE_SYNC = timedelta(hours=1)


def source_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    sync_every_minutes: int = 60,
) -> Source:
    with transaction.atomic():
        source = Source.objects.create(
            kind=kind,
            name=name,
            settings=settings,
            sync_every_minutes=sync_every_minutes,
            credentials_encrypted=credentials.encrypt(secrets or {}),
        )
        # Never the credentials themselves, only that there are some.
        audit.record(
            actor=actor,
            action="source.created",
            obj=source,
            after={"kind": kind, "settings": settings, "credentials": bool(secrets)},
        )
    return source


def source_update(
    *,
    actor: Any,
    source: Source,
    name: str,
    settings: dict[str, Any],
    enabled: bool,
    sync_every_minutes: int,
    secrets: dict[str, Any] | None = None,
) -> Source:
    """Change a source; `secrets=None` keeps the stored credentials."""
    with transaction.atomic():
        before = audit.snapshot(source, ["name", "settings", "enabled", "sync_every_minutes"])
        source.name, source.settings, source.enabled = name, settings, enabled
        source.sync_every_minutes = sync_every_minutes
        if secrets is not None:
            source.credentials_encrypted = credentials.encrypt(secrets)
        source.save()
        after = audit.snapshot(source, ["name", "settings", "enabled", "sync_every_minutes"])
        old, new = audit.changed_fields(before, after)
        if secrets is not None:
            new["credentials"] = "changed"
        audit.record(actor=actor, action="source.updated", obj=source, before=old, after=new)
    return source


def source_sync(
    *,
    source: Source,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> SyncRun | None:
    """Run one sync of the source; None if another worker is syncing it right now."""
    now = timezone.now()
    claimed = (
        Source.objects.filter(pk=source.pk)
        .filter(Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - STALE_SYNC))
        .update(sync_started_at=now)
    )
    if not claimed:
        return None
    run = SyncRun.objects.create(source=source)
    module = CONNECTORS[source.kind]
    pacer = Pacer(
        module.REQUEST_INTERVAL_S, sleep=sleep or time.sleep, clock=clock or time.monotonic
    )
    with make_client(transport) as client:
        ctx = SyncContext(source=source, client=client, pacer=pacer)
        try:
            module.sync(ctx)
            run.error = ""
        except (httpx.HTTPError, KeyError, ValueError, credentials.UnreadableCredentials) as error:
            run.error = f"{type(error).__name__}: {error}"
    summary = ctx.summary
    run.created, run.unchanged, run.rejected = summary.created, summary.unchanged, summary.rejected
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        Source.objects.filter(pk=source.pk).update(
            sync_started_at=None, last_synced_at=run.finished_at, last_error=run.error
        )
        emit("source.synced", {"source_id": source.pk, "created": run.created, "error": run.error})
    source.refresh_from_db()
    return run


def sources_due(*, now: Any = None) -> list[Source]:
    now = now or timezone.now()
    return [
        source
        for source in Source.objects.filter(enabled=True)
        if source.last_synced_at is None
        or source.last_synced_at + timedelta(minutes=source.sync_every_minutes) <= now
    ]
