"""Every write to destinations: configuration, and the sync that follows the event feed.

A run (one worker at a time per destination, claimed with a conditional UPDATE) does, in
order: retry the rejections made under an older mapping, follow the feed from the
destination's cursor, and continue any full resync. Records are upserted on the
destination's external-id property, so a page read twice (a crash before the cursor moved,
a resync over synced objects) updates what is there and never duplicates it. The cursor
moves only once the destination accepted (or rejected, with a reason kept) every object a
page touched; `Deferred` (429, daily limit) stops the run with the cursor where it was.
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

import httpx
from django.conf import settings as conf
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from pydantic import ValidationError as SchemaError

from kizuna.connectors import credentials
from kizuna.core import audit, catalog
from kizuna.core.errors import ServiceError
from kizuna.core.feed import CursorExpired, feed_page
from kizuna.core.models import OutboxEvent
from kizuna.core.schema_errors import schema_problems
from kizuna.integrations.destinations import objects
from kizuna.integrations.destinations.base import (
    Deferred,
    DestinationError,
    Record,
    WriteContext,
    WriteResult,
    effective_mapping,
    mapping_errors,
)
from kizuna.integrations.destinations.base import (
    Destination as Plugin,
)
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
    DestinationRun,
)
from kizuna.integrations.destinations.registry import plugin_for

BATCH = 100
FEED_PAGE = 500
MAX_PAGES_PER_RUN = 20  # leave the worker to other jobs; the next run goes on from the cursor
MAX_RESYNC_BATCHES_PER_RUN = 50
STALE_RUN = timedelta(minutes=30)
PRUNE_BATCH = 1000
AUDITED = ["name", "settings", "mapping", "enabled"]


def _validated(
    plugin: Plugin,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None,
    mapping: dict[str, Any],
) -> dict[str, Any]:
    """Settings as the schema normalizes them; a ServiceError names each field at fault."""
    errors: dict[str, list[str]] = {}
    try:
        settings = plugin.settings_schema.model_validate(settings).model_dump(mode="json")
    except SchemaError as error:
        errors["settings"] = schema_problems(error)
    if secrets is not None:
        try:
            plugin.credentials_schema.model_validate(secrets)
        except SchemaError as error:
            errors["secrets"] = schema_problems(error)
    fields = {name: kind.fields for name, kind in objects.KINDS.items()}
    if problems := mapping_errors(plugin, mapping, fields):
        errors["mapping"] = problems
    if errors:
        raise ServiceError(errors, code="invalid_destination")
    return settings


def destination_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    settings: dict[str, Any],
    secrets: dict[str, Any],
    mapping: dict[str, Any] | None = None,
) -> Destination:
    plugin = plugin_for(kind)
    mapping = mapping or {}
    settings = _validated(plugin, settings, secrets, mapping)
    with transaction.atomic():
        destination = Destination.objects.create(
            kind=kind,
            name=name,
            settings=settings,
            mapping=mapping,
            credentials_encrypted=credentials.encrypt(secrets),
        )
        audit.record(
            actor=actor,
            action="destination.created",
            obj=destination,
            after={**audit.snapshot(destination, AUDITED), "kind": kind, "credentials": True},
        )
    return destination


def destination_update(
    *,
    actor: Any,
    destination: Destination,
    name: str,
    settings: dict[str, Any],
    enabled: bool,
    mapping: dict[str, Any],
    secrets: dict[str, Any] | None = None,
) -> Destination:
    """Change a destination; `secrets=None` keeps the stored credentials.

    A changed mapping or settings (freee's account items and tax categories are settings)
    get a new mapping version, so the next run retries every record rejected under the old.
    """
    plugin = plugin_for(destination.kind)
    settings = _validated(plugin, settings, secrets, mapping)
    with transaction.atomic():
        before = audit.snapshot(destination, AUDITED)
        if mapping != destination.mapping or settings != destination.settings:
            destination.mapping_version += 1
        destination.name, destination.settings = name, settings
        destination.enabled, destination.mapping = enabled, mapping
        if secrets is not None:
            destination.credentials_encrypted = credentials.encrypt(secrets)
        destination.save()
        old, new = audit.changed_fields(before, audit.snapshot(destination, AUDITED))
        if secrets is not None:
            new["credentials"] = "changed"
        audit.record(
            actor=actor, action="destination.updated", obj=destination, before=old, after=new
        )
    return destination


def destination_check(*, actor: Any, destination: Destination) -> str:
    """Make the destination's cheap authenticated call; keep and return what it said."""
    plugin = plugin_for(destination.kind)
    try:
        result = plugin.check(_context(destination))
        error = ""
    except (DestinationError, Deferred, httpx.HTTPError, credentials.UnreadableCredentials) as e:
        result, error = "", str(e)
    with transaction.atomic():
        Destination.objects.filter(pk=destination.pk).update(
            last_check=result or error,
            calls_day=destination.calls_day,
            calls_today=destination.calls_today,
        )
        audit.record(
            actor=actor,
            action="destination.checked",
            obj=destination,
            after={"ok": not error, "result": result or error},
        )
    if error:
        raise ServiceError(error, code="check_failed")
    return result


def destination_sync_request(*, actor: Any, destination: Destination) -> None:
    """Staff's "sync now": the worker runs it at once, even while a rate limit is waited out."""
    from kizuna.integrations.destinations import tasks

    with transaction.atomic():
        audit.record(actor=actor, action="destination.sync_requested", obj=destination)
        transaction.on_commit(lambda: tasks.sync_destination.enqueue(destination.pk))


def destination_resync_request(*, actor: Any, destination: Destination, kind: str) -> None:
    """Send every object of `kind` again (upserts: nothing is duplicated)."""
    from kizuna.integrations.destinations import tasks

    if kind not in plugin_for(destination.kind).objects:
        raise ServiceError({"kind": ["This destination does not write that object."]})
    with transaction.atomic():
        locked = Destination.objects.select_for_update().get(pk=destination.pk)
        locked.resyncs = {**locked.resyncs, kind: 0}
        locked.save(update_fields=["resyncs"])
        destination.resyncs = locked.resyncs
        audit.record(
            actor=actor,
            action="destination.resync_requested",
            obj=destination,
            after={"kind": kind},
        )
        transaction.on_commit(lambda: tasks.sync_destination.enqueue(destination.pk))


def _next_midnight(now: datetime) -> datetime:
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _context(destination: Destination) -> WriteContext:
    """What a plugin gets; calls are counted against the destination's daily limit."""
    limit = destination.settings.get("daily_call_limit")

    def count_call() -> None:
        now = timezone.now()
        today = timezone.localdate(now)
        if destination.calls_day != today:
            destination.calls_day, destination.calls_today = today, 0
        if limit and destination.calls_today >= limit:
            raise Deferred(_next_midnight(now), f"Daily API limit of {limit} calls reached")
        destination.calls_today += 1

    def save_credentials(values: dict[str, Any]) -> None:
        destination.credentials_encrypted = credentials.encrypt(values)
        Destination.objects.filter(pk=destination.pk).update(
            credentials_encrypted=destination.credentials_encrypted
        )

    return WriteContext(
        settings=destination.settings,
        credentials=destination.credentials,
        count_call=count_call,
        save_credentials=save_credentials,
    )


class _Run:
    """One run's state: the plugin, its context, the mapping, and the counts."""

    def __init__(self, destination: Destination, run: DestinationRun) -> None:
        self.destination, self.run = destination, run
        self.plugin = plugin_for(destination.kind)
        self.ctx = _context(destination)
        self.mapping = effective_mapping(self.plugin, destination.mapping)

    def write(self, kind: str, ids: Iterable[int], resync: bool = False) -> None:
        ids = sorted(set(ids))
        size = self.plugin.resync_batch if resync else BATCH
        for start in range(0, len(ids), size):
            self._write_batch(kind, ids[start : start + size], resync)

    def _write_batch(self, kind: str, ids: list[int], resync: bool = False) -> None:
        spec = objects.KINDS[kind]
        rows = spec.load(ids)  # a deleted object is skipped: the destination keeps its copy
        related = self._related(kind, rows)
        waiting = {
            object_id: f"Waits for its {', '.join(needed)} record, "
            f"not accepted by {self.plugin.label} yet."
            for object_id in rows
            if (
                needed := [
                    k for k in self._needs(kind, rows[object_id]) if k not in related[object_id]
                ]
            )
        }
        records = [
            Record(
                kind=kind,
                object_id=object_id,
                external_id=str(object_id),
                properties={
                    prop: row[field] for field, prop in self.mapping[kind].items() if field in row
                },
                related=related.get(object_id, {}),
            )
            for object_id, row in sorted(rows.items())
            if object_id not in waiting
        ]
        writer = self.plugin.write_resync if resync else self.plugin.write
        result = writer(self.ctx, kind, records) if records else WriteResult()
        self._record(kind, result, waiting)

    def _record(self, kind: str, result: WriteResult, waiting: dict[int, str]) -> None:
        now = timezone.now()
        with transaction.atomic():
            for object_id, remote_id in result.accepted.items():
                DestinationRecord.objects.update_or_create(
                    destination=self.destination,
                    kind=kind,
                    object_id=object_id,
                    defaults={"remote_id": remote_id, "synced_at": now},
                )
            DestinationRejection.objects.filter(
                destination=self.destination, kind=kind, object_id__in=list(result.accepted)
            ).delete()
            for object_id, reason in waiting.items():
                DestinationRejection.objects.update_or_create(
                    destination=self.destination,
                    kind=kind,
                    object_id=object_id,
                    defaults={"reason": reason, "waiting": True, "last_rejected_at": now},
                    create_defaults={
                        "reason": reason,
                        "waiting": True,
                        "last_rejected_at": now,
                        "mapping_version": self.destination.mapping_version,
                    },
                )
            for object_id, reason in result.rejected.items():
                rejection, created = DestinationRejection.objects.get_or_create(
                    destination=self.destination,
                    kind=kind,
                    object_id=object_id,
                    defaults={
                        "reason": reason,
                        "mapping_version": self.destination.mapping_version,
                        "last_rejected_at": now,
                    },
                )
                if not created:
                    DestinationRejection.objects.filter(pk=rejection.pk).update(
                        reason=reason,
                        waiting=False,
                        mapping_version=self.destination.mapping_version,
                        last_rejected_at=now,
                        attempts=F("attempts") + 1,
                    )
        self.run.accepted += len(result.accepted)
        self.run.rejected += len(result.rejected) + len(waiting)

    def _needs(self, kind: str, row: dict[str, Any]) -> list[str]:
        spec = objects.KINDS[kind]
        return [
            k for k in self.plugin.related_kinds(kind) if k in spec.related and spec.related[k](row)
        ]

    def _related(self, kind: str, rows: dict[int, dict[str, Any]]) -> dict[int, dict[str, str]]:
        """Destination ids of the objects these rows point at, writing missing ones first."""
        spec = objects.KINDS[kind]
        wanted = [k for k in self.plugin.related_kinds(kind) if k in spec.related]
        result: dict[int, dict[str, str]] = {object_id: {} for object_id in rows}
        for related_kind in wanted:
            pointers = {oid: spec.related[related_kind](row) for oid, row in rows.items()}
            needed = {p for p in pointers.values() if p}
            known = self._remote_ids(related_kind, needed)
            # Write the missing ones first, unless the current mapping already failed them.
            refused = set(
                DestinationRejection.objects.filter(
                    destination=self.destination,
                    kind=related_kind,
                    object_id__in=needed,
                    mapping_version=self.destination.mapping_version,
                ).values_list("object_id", flat=True)
            )
            if missing := needed - set(known) - refused:
                self.write(related_kind, missing)
                known = self._remote_ids(related_kind, needed)
            for object_id, pointer in pointers.items():
                if pointer in known:
                    result[object_id][related_kind] = known[pointer]
        return result

    def _remote_ids(self, kind: str, ids: set[int]) -> dict[int, str]:
        return dict(
            DestinationRecord.objects.filter(
                destination=self.destination, kind=kind, object_id__in=ids
            ).values_list("object_id", "remote_id")
        )

    def retry_rejections(self) -> None:
        """Those made under an older mapping, and those that waited for their partner (a
        check in Kizuna: no call is made while the partner is still missing)."""
        stale = DestinationRejection.objects.filter(
            Q(mapping_version__lt=self.destination.mapping_version) | Q(waiting=True),
            destination=self.destination,
        )
        by_kind: dict[str, list[int]] = {}
        for kind, object_id in stale.values_list("kind", "object_id"):
            by_kind.setdefault(kind, []).append(object_id)
        for kind in self.plugin.objects:
            self.write(kind, by_kind.get(kind, []))

    def follow_feed(self) -> None:
        kinds = self.plugin.objects
        types = [catalog.event_type(name) for name in sorted(objects.event_types(kinds))]
        for _page in range(MAX_PAGES_PER_RUN):
            try:
                page = feed_page(
                    after=self.destination.cursor,
                    types=types,
                    limit=FEED_PAGE,
                    organization_ids=None,
                    personal_data=False,
                )
            except CursorExpired as expired:
                # Events were pruned before we read them: send everything again.
                self._move_cursor(expired.next_cursor, resync=kinds)
                continue
            touched = objects.ids_touched(kinds, page.events)
            for kind in kinds:
                self.write(kind, touched[kind])
            self._move_cursor(page.next_cursor)
            if len(page.events) < FEED_PAGE:
                return

    def _move_cursor(self, cursor: int, resync: Iterable[str] = ()) -> None:
        with transaction.atomic():
            self.destination.cursor = self.run.cursor_to = cursor
            self.destination.resyncs = {
                **self.destination.resyncs,
                **dict.fromkeys(resync, 0),
            }
            Destination.objects.filter(pk=self.destination.pk).update(
                cursor=cursor, resyncs=self.destination.resyncs
            )

    def continue_resyncs(self) -> None:
        for _batch in range(MAX_RESYNC_BATCHES_PER_RUN):
            pending = [k for k in self.plugin.objects if k in self.destination.resyncs]
            if not pending:
                return
            kind = pending[0]
            self.run.resync_kind = kind
            after = int(self.destination.resyncs[kind])
            ids = objects.KINDS[kind].ids_after(after, self.plugin.resync_batch)
            if ids:
                self.write(kind, ids, resync=True)
            resyncs = dict(self.destination.resyncs)
            if ids:
                resyncs[kind] = ids[-1]
            else:
                resyncs.pop(kind)
            self.destination.resyncs = resyncs
            Destination.objects.filter(pk=self.destination.pk).update(resyncs=resyncs)

    def export(self, now: datetime) -> None:
        """A whole export (BI): the cursor says up to which event the files reflect."""
        head = OutboxEvent.objects.aggregate(head=Max("id"))["head"] or 0
        manifest = self.plugin.export(self.ctx, now)
        self.run.accepted = sum(table["rows"] for table in manifest["tables"])
        self.destination.resyncs = {}
        self._move_cursor(head)


def destination_sync(*, destination: Destination, force: bool = False) -> DestinationRun | None:
    """One run; None if another worker holds the destination or it waits out a rate limit
    (`force`, staff's "sync now", ignores the wait but never another worker's claim)."""
    now = timezone.now()
    plugin = plugin_for(destination.kind)
    if (
        plugin.daily_export
        and not force
        and not destination.resyncs
        and not plugin.export_due(destination.settings, destination.last_synced_at, now)
    ):
        return None
    claim = Destination.objects.filter(pk=destination.pk).filter(
        Q(sync_started_at__isnull=True) | Q(sync_started_at__lt=now - STALE_RUN)
    )
    if not force:
        claim = claim.filter(Q(deferred_until__isnull=True) | Q(deferred_until__lte=now))
    if not claim.update(sync_started_at=now):
        return None
    destination.refresh_from_db()
    run = DestinationRun(
        destination=destination,
        started_at=now,
        cursor_from=destination.cursor,
        cursor_to=destination.cursor,
    )
    state = _Run(destination, run)
    deferred_until, deferred_reason = None, ""
    try:
        if plugin.daily_export:
            state.export(now)
        else:
            state.retry_rejections()
            state.follow_feed()
            state.continue_resyncs()
    except Deferred as deferral:
        deferred_until, deferred_reason = deferral.until, deferral.reason
        run.error = deferral.reason
    except (DestinationError, httpx.HTTPError, credentials.UnreadableCredentials) as error:
        run.error = f"{type(error).__name__}: {error}"
    run.finished_at = timezone.now()
    run.deferred_until = deferred_until
    # A run that found nothing to do (most runs, twice a minute) leaves no row.
    eventful = run.accepted or run.rejected or run.error or run.cursor_to != run.cursor_from
    with transaction.atomic():
        if eventful:
            run.save()
        Destination.objects.filter(pk=destination.pk).update(
            sync_started_at=None,
            last_synced_at=run.finished_at,
            last_error=run.error,
            deferred_until=deferred_until,
            deferred_reason=deferred_reason,
            calls_day=destination.calls_day,
            calls_today=destination.calls_today,
        )
    destination.refresh_from_db()
    return run


def destinations_due(*, now: datetime | None = None) -> list[Destination]:
    now = now or timezone.now()
    return list(
        Destination.objects.filter(enabled=True).filter(
            Q(deferred_until__isnull=True) | Q(deferred_until__lte=now)
        )
    )


def destination_runs_prune(*, now: datetime | None = None) -> int:
    """Delete run rows older than `KIZUNA_DESTINATION_RUN_RETENTION_DAYS`; return how many.

    A run row is a log line: what a destination holds, its cursor and its rejections live
    elsewhere, so nothing a sync needs goes with it. Deleted a batch per transaction, so a
    large backlog never holds a long lock on the table the running syncs write to.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.KIZUNA_DESTINATION_RUN_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                DestinationRun.objects.filter(started_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:PRUNE_BATCH]
            )
            if not batch:
                return deleted
            deleted += DestinationRun.objects.filter(pk__in=batch).delete()[0]
