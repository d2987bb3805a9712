"""Bulk ingestion of activities: the path every connector, the import command and the API use.

Records arrive as dicts in the line format of docs/connectors.md. They are processed in
batches; each batch is one transaction that resolves identities, members, events and
existing activities with a handful of set-based queries, creates what is missing, and emits
one `activity.ingested` event. A crash loses at most the batch in flight, and running the
same input again reports those lines as unchanged: (source, external_id) is unique.

Lines whose (source, external_id) is already stored cost one set-based existence query per
batch and nothing else. When the previous batch had no such line (a first import), the
batch skips that query and inserts straight away; the unique constraint is the check: a
conflict raises IntegrityError, the batch's transaction rolls back, and the batch is done
again the careful way (existence query first).
"""

import gc
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kizuna.accounts.models import OrganizationKind
from kizuna.community import bulk_sql
from kizuna.community.matching import identifier_hash, member_search_text, name_key, reading_key
from kizuna.community.models import (
    Activity,
    ActivityType,
    Affiliation,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    ErasureBlock,
    Event,
    Identity,
    Member,
)
from kizuna.core.events import emit

# Bigger batches amortize index page writes per commit; 20,000 parsed lines is ~20 MB.
BATCH_SIZE = 20_000
TOKYO = ZoneInfo("Asia/Tokyo")

CREATED, UNCHANGED, REJECTED = "created", "unchanged", "rejected"

# Activity types that also mean the member was at the event, and in which role.
ATTENDANCE_ROLE_OF_TYPE = {
    "attended_event": AttendanceRole.ATTENDEE,
    "talk": AttendanceRole.SPEAKER,
    "lightning_talk": AttendanceRole.LIGHTNING_TALK,
}


class Rejected(Exception):
    """A line that cannot be imported; the message is its reason in the report."""


@dataclass(frozen=True, slots=True)
class Outcome:
    line: int
    status: str
    reason: str = ""


@dataclass
class Summary:
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    members_created: int = 0

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def total(self) -> int:
        return self.created + self.unchanged + self.rejected


# The activity columns an import writes, in the order of each inserted row: first the
# line's own values, made database-ready by the parsing thread (Line.row, built in
# parse_line()), then what each batch resolves (_Batch.store()). A new column goes here and
# into the one place its part of the row is built.
LINE_COLUMNS = (
    "source",
    "external_id",
    "type",
    "occurred_at",
    "url",
    "title",
    "body",
    "is_output",
    "reply_to_external_id",
)
RESOLVED_COLUMNS = ("event_id", "identity_id", "member_id", "created_at")
_ACTIVITY_COLUMNS = LINE_COLUMNS + RESOLVED_COLUMNS
_MEMBER_TIME = itemgetter(
    _ACTIVITY_COLUMNS.index("member_id"), _ACTIVITY_COLUMNS.index("occurred_at")
)


@dataclass(slots=True)
class Line:
    """A valid input line: its activity row, and what resolving its person and event needs."""

    number: int
    row: tuple[Any, ...]  # LINE_COLUMNS, database-ready
    person: tuple[str, str]  # (platform, handle): how identities are found
    email: str
    name: str
    bot: bool
    event_external_id: str
    occurred_at: datetime

    @property
    def source(self) -> str:
        return self.row[0]

    @property
    def external_id(self) -> str:
        return self.row[1]

    @property
    def type(self) -> str:
        return self.row[2]


# A record is (line number, dict) or (line number, Rejected) when the reader could not
# even decode the line (bad JSON, wrong CSV shape).
Record = tuple[int, dict[str, Any] | Rejected]
_DONE = object()
OnOutcome = Callable[[Outcome], None]


@dataclass
class Ingestion:
    """One run over many records: caches what does not change between batches."""

    actor: Any = None
    dry_run: bool = False
    on_outcome: OnOutcome | None = None
    summary: Summary = field(default_factory=Summary)
    output_by_type: dict[str, bool] = field(default_factory=dict)

    # Whether the next batch looks up existing activities before inserting. It starts
    # careful; a batch that finds none lets the next one insert optimistically.
    check_existing: bool = True

    def __post_init__(self) -> None:
        self.output_by_type = dict(ActivityType.objects.values_list("key", "is_output"))
        self._db_datetime = bulk_sql.db_datetime_adapter(connection.vendor)
        self._identity_cache = _IdentityCache()

    def run(self, records: Iterable[Record], *, batch_size: int = BATCH_SIZE) -> Summary:
        """Parse in a second thread while this one stores the previous batch.

        The database driver releases the GIL while the database works, so reading and
        parsing the next batch overlaps with writing this one.
        """
        parsed: queue.Queue[Any] = queue.Queue(maxsize=2)
        stop = threading.Event()
        producer = threading.Thread(
            target=self._parse_batches, args=(records, batch_size, parsed, stop), daemon=True
        )
        producer.start()
        try:
            with _collector_paused(), bulk_sql.bulk_load_settings():
                while (item := parsed.get()) is not _DONE:
                    if isinstance(item, BaseException):
                        raise item
                    lines, rejections = item
                    self._report(rejections, self._store_batch(lines))
        finally:
            stop.set()
            producer.join()
        return self.summary

    def _parse_batches(
        self,
        records: Iterable[Record],
        batch_size: int,
        parsed: "queue.Queue[Any]",
        stop: threading.Event,
    ) -> None:
        def hand_over(item: Any) -> None:
            while not stop.is_set():
                try:
                    parsed.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        try:
            iterator = iter(records)
            while not stop.is_set() and (batch := list(islice(iterator, batch_size))):
                hand_over(self._parse_batch(batch))
            hand_over(_DONE)
        except BaseException as error:  # handed to the storing thread, which raises it
            hand_over(error)

    def _parse_batch(self, batch: list[Record]) -> tuple[list[Line], list[Outcome]]:
        lines: list[Line] = []
        rejections: list[Outcome] = []
        output_by_type, db_datetime = self.output_by_type, self._db_datetime
        for number, raw in batch:
            try:
                if isinstance(raw, Rejected):
                    raise raw
                lines.append(parse_line(number, raw, output_by_type, db_datetime))
            except Rejected as rejection:
                rejections.append(Outcome(number, REJECTED, str(rejection)))
        return lines, rejections

    def _store_batch(self, lines: list[Line]) -> "_Batch":
        check_existing = self.check_existing
        for attempt in range(3):
            try:
                batch = self._store(lines, check_existing)
                break
            except IntegrityError:
                # Without the existence query, a line already stored conflicts: do the
                # batch again with it. With it, another importer created one of the same
                # activities or identities between our read and write (possible on
                # PostgreSQL): reading again sees them.
                if attempt == 2:
                    raise
                check_existing = True
        self.check_existing = bool(batch.unchanged)
        return batch

    def _store(self, lines: list[Line], check_existing: bool) -> "_Batch":
        cache = self._identity_cache
        with transaction.atomic():
            batch = _Batch(lines, check_existing, cache.entries_if_current())
            batch.store()
            if self.dry_run:
                transaction.set_rollback(True)
            else:
                batch.emit_events(self.actor)
                # Read while the transaction holds the write lock: see _IdentityCache.
                stamp = cache.stamp()
        if not self.dry_run:
            cache.remember(batch.resolved, stamp)
        self.summary.members_created += len(batch.members_created)
        return batch

    def _report(self, rejections: list[Outcome], batch: "_Batch") -> None:
        summary = self.summary
        summary.created += len(batch.created)
        summary.unchanged += len(batch.unchanged)
        summary.rejected += len(rejections) + len(batch.rejected)
        if self.on_outcome is None:
            return
        outcomes = [
            *rejections,
            *batch.rejected,
            *(Outcome(line.number, CREATED) for line in batch.created),
            *(Outcome(number, UNCHANGED) for number in batch.unchanged),
        ]
        for outcome in sorted(outcomes, key=lambda o: o.line):
            self.on_outcome(outcome)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a run lasts.

    A batch holds tens of thousands of fresh containers (decoded lines, rows), so the
    collector ran every few hundred allocations and walked them, and now and then all the
    process holds (Django's models and, in the bench, a migration state). Measured on
    100,000 lines: the same import took half the time with it off. The import makes
    no reference cycles of its own; reference counting frees each batch, and whatever else
    accumulates is collected once the collector is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_line(
    number: int,
    raw: Any,
    output_by_type: dict[str, bool],
    db_datetime: Callable[[datetime, Any], Any],
) -> Line:
    """Check one record and make its activity row; the hot path of every import."""
    if not isinstance(raw, dict):
        raise Rejected("not_an_object: each line must be a JSON object")
    member = raw.get("member")
    if not isinstance(member, dict):
        raise Rejected(
            "missing_member: 'member' must be an object with platform and handle or email"
        )
    type_key = raw.get("type")
    if type(type_key) is not str or type_key not in output_by_type:
        raise Rejected(f"unknown_type: {type_key!r} is not an activity type")
    platform = _text(member, "platform", 30).lower()
    email = _text(member, "email", 254).lower()
    handle = _text(member, "handle", 200).lower().removeprefix("@") or email
    if not platform or not handle:
        raise Rejected("missing_member: 'member' needs a platform and a handle or email")
    output = raw.get("output")
    if output is None:
        output = output_by_type[type_key]
    elif type(output) is not bool:
        raise Rejected("bad_output: 'output' must be true, false or absent")
    when = raw.get("occurred_at")
    occurred_at = _parse_time(when)
    return Line(
        number,
        (
            _required(raw, "source", 50),
            _required(raw, "external_id", 200),
            type_key,
            db_datetime(occurred_at, when),
            _text(raw, "url", 1000),
            _text(raw, "title", 500),
            _text(raw, "body", None),
            output,
            _text(raw, "in_reply_to", 200),
        ),
        (platform, handle),
        email,
        _text(member, "name", 200),
        member.get("bot") is True,
        _text(raw, "event_external_id", 200),
        occurred_at,
    )


def _text(raw: dict[str, Any], key: str, limit: int | None) -> str:
    value = raw.get(key)
    if type(value) is not str:
        if value is None:
            return ""
        if type(value) is not int:  # bool is not text either
            raise Rejected(f"bad_{key}: {key!r} must be text")
        value = str(value)
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise Rejected(f"too_long: {key!r} is longer than {limit} characters")
    return value


def _required(raw: dict[str, Any], key: str, limit: int) -> str:
    text = _text(raw, key, limit)
    if not text:
        raise Rejected(f"missing_{key}: {key!r} is required")
    return text


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Rejected("bad_occurred_at: 'occurred_at' must be an ISO 8601 date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(f"bad_occurred_at: {value!r} is not an ISO 8601 date-time") from None
    # A time without offset is a time in Japan, the way people write it here.
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


class _IdentityCache:
    """(platform, handle) -> (identity id, member id) of people seen earlier in this run.

    A run of 1,000,000 lines meets each person about ten times; looking them up again
    in every batch was ~15% of the time on SQLite. An entry is only as good as the database
    state it was read in, though: a merge, an erasure or an edited identity changes it. So
    the cache is used only when nothing but this run's own batches has written to the
    database since it was filled, which SQLite tells exactly and cheaply: PRAGMA
    data_version changes when another connection commits, and the connection's
    total_changes when this connection writes outside our batches (a caller's callback,
    say). Both are read inside the batch's transaction, which holds the write lock from
    BEGIN IMMEDIATE, so nothing can change in between. Otherwise the cache is emptied.
    PostgreSQL offers no such cheap signal: there every batch looks everyone up.
    """

    MAX_ENTRIES = 200_000  # ~50 MB; emptied when full, so memory stays bounded

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[int, int]] = {}
        self.stamp_of_entries: tuple[int, int] | None = None

    @staticmethod
    def stamp() -> tuple[int, int] | None:
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            version = cursor.fetchone()[0]
        return (int(version), connection.connection.total_changes)

    def entries_if_current(self) -> dict[tuple[str, str], tuple[int, int]]:
        """The entries still valid; call inside the batch's transaction."""
        stamp = self.stamp()
        if stamp is None or stamp != self.stamp_of_entries:
            self.entries.clear()
        return self.entries

    def remember(
        self, resolved: dict[tuple[str, str], tuple[int, int]], stamp: tuple[int, int] | None
    ) -> None:
        """After a batch committed: keep what it resolved, valid as of `stamp`, which was
        read at the end of its transaction."""
        if stamp is None:
            return
        if len(self.entries) + len(resolved) > self.MAX_ENTRIES:
            self.entries.clear()
        self.entries.update(resolved)
        self.stamp_of_entries = stamp


class _Batch:
    """The set-based resolution of one batch of parsed lines."""

    def __init__(
        self,
        lines: list[Line],
        check_existing: bool = True,
        known_identities: dict[tuple[str, str], tuple[int, int]] | None = None,
    ) -> None:
        self.lines = lines
        self.check_existing = check_existing
        # (platform, handle) -> (identity id, member id) known valid in this transaction
        # (see _IdentityCache), and what this batch resolved, for the next ones.
        self.known_identities = known_identities or {}
        self.resolved: dict[tuple[str, str], tuple[int, int]] = {}
        self.members_created: list[int] = []
        self.created: list[Line] = []
        self.unchanged: list[int] = []  # line numbers
        self.rejected: list[Outcome] = []
        self._events: dict[tuple[str, str], int] = {}
        self._ids: dict[tuple[str, str], tuple[int, int]] = {}

    def store(self) -> None:
        outcomes = self.rejected
        lines = self._reject(
            self.lines,
            self._blocked_lines(self.lines),
            "erased_person: this person asked to be erased",
            outcomes,
        )
        lines = self._reject(
            lines,
            self._lines_of_removed_types(lines),
            "unknown_type: this activity type was removed during the import",
            outcomes,
        )
        self._events = events = self._event_ids(lines)
        unknown_event = {
            line.number
            for line in lines
            if line.event_external_id and (line.source, line.event_external_id) not in events
        }
        lines = self._reject(
            lines,
            unknown_event,
            "unknown_event: no event with this source and event_external_id",
            outcomes,
        )
        if self.check_existing:
            lines = self._drop_stored(lines)
        # Otherwise the unique constraint is the check: see the module's docstring.
        self._ids = ids = self._identities(lines)
        now = bulk_sql.db_datetime_adapter(connection.vendor)(timezone.now())
        # RESOLVED_COLUMNS, after the line's own.
        rows = [(*line.row, self._event_id(line), *ids[line.person], now) for line in lines]
        # In index order: each page of activity_member_time is then visited once per batch,
        # not once per row (measured on SQLite at 1,000,000 rows: 15-20% less CPU per insert).
        rows.sort(key=_MEMBER_TIME)
        bulk_sql.insert_rows(Activity, _ACTIVITY_COLUMNS, rows)
        self.created = lines
        self._record_attendance()

    def _drop_stored(self, lines: list[Line]) -> list[Line]:
        """The lines not stored yet; the others (and repeats within the batch) are unchanged."""
        seen = self._existing_activity_keys(lines)
        new: list[Line] = []
        for line in lines:
            key = line.row[:2]
            if key in seen:
                self.unchanged.append(line.number)
            else:
                seen.add(key)
                new.append(line)
        return new

    def _event_id(self, line: Line) -> int | None:
        if not line.event_external_id:
            return None
        return self._events[(line.source, line.event_external_id)]

    def member_id(self, line: Line) -> int:
        return self._ids[line.person][1]

    @staticmethod
    def _reject(
        lines: list[Line], numbers: set[int], reason: str, outcomes: list[Outcome]
    ) -> list[Line]:
        if not numbers:
            return lines
        outcomes.extend(Outcome(n, REJECTED, reason) for n in sorted(numbers))
        return [line for line in lines if line.number not in numbers]

    @staticmethod
    def _blocked_lines(lines: list[Line]) -> set[int]:
        if not ErasureBlock.objects.exists():
            return set()
        hashes: dict[str, list[int]] = defaultdict(list)
        for line in lines:
            hashes[identifier_hash(*line.person)].append(line.number)
            if line.email:
                hashes[identifier_hash("email", line.email)].append(line.number)
        blocked = ErasureBlock.objects.filter(identifier_hash__in=hashes).values_list(
            "identifier_hash", flat=True
        )
        return {number for digest in blocked for number in hashes[digest]}

    @staticmethod
    def _lines_of_removed_types(lines: list[Line]) -> set[int]:
        """Lines whose type staff deleted since the run read the types. The types still
        there are locked, so none is deleted before this batch commits (see Activity)."""
        wanted = sorted({line.type for line in lines})
        kept = {
            key
            for (key,) in bulk_sql.select_in(ActivityType, ["key"], {}, "key", wanted, lock=True)
        }
        if len(kept) == len(wanted):
            return set()
        return {line.number for line in lines if line.type not in kept}

    @staticmethod
    def _event_ids(lines: list[Line]) -> dict[tuple[str, str], int]:
        wanted: dict[str, set[str]] = defaultdict(set)
        for line in lines:
            if line.event_external_id:
                wanted[line.source].add(line.event_external_id)
        found = {}
        for source, external_ids in wanted.items():
            rows = bulk_sql.select_in(
                Event,
                ["external_id", "id"],
                {"source": source},
                "external_id",
                sorted(external_ids),
                lock=True,
            )
            for external_id, event_id in rows:
                found[(source, external_id)] = event_id
        return found

    @staticmethod
    def _existing_activity_keys(lines: list[Line]) -> set[tuple[str, str]]:
        by_source: dict[str, list[str]] = defaultdict(list)
        for line in lines:
            by_source[line.source].append(line.external_id)
        existing: set[tuple[str, str]] = set()
        for source, external_ids in by_source.items():
            rows = bulk_sql.select_in(
                Activity, ["external_id"], {"source": source}, "external_id", external_ids
            )
            existing.update((source, external_id) for (external_id,) in rows)
        return existing

    def _identities(self, lines: list[Line]) -> dict[tuple[str, str], tuple[int, int]]:
        """(platform, handle) -> (identity id, member id), creating the missing people."""
        # Reversed, so that each person's first line in the batch is the one kept.
        first_line = {line.person: line for line in reversed(lines)}
        found: dict[tuple[str, str], tuple[int, int]] = {}
        by_platform: dict[str, list[str]] = defaultdict(list)
        known = self.known_identities
        for key in first_line:
            hit = known.get(key)
            if hit is None:
                by_platform[key[0]].append(key[1])
            else:
                found[key] = hit
        for platform, handles in by_platform.items():
            # Locked: an erasure deleting one of them waits for this batch (see Activity).
            rows = bulk_sql.select_in(
                Identity,
                ["handle", "id", "member_id"],
                {"platform": platform},
                "handle",
                handles,
                lock=True,
            )
            for handle, identity_id, member_id in rows:
                found[(platform, handle)] = (identity_id, member_id)
        # In the order people first appear, so that their member ids do too.
        missing = sorted(
            (line for key, line in first_line.items() if key not in found),
            key=attrgetter("number"),
        )
        if missing:
            found.update(self._create_people(missing))
        self.resolved = found
        return found

    def _create_people(self, lines: list[Line]) -> dict[tuple[str, str], tuple[int, int]]:
        member_ids = bulk_sql.allocate_ids(Member, len(lines))
        identity_ids = bulk_sql.allocate_ids(Identity, len(lines))
        now = bulk_sql.db_datetime_adapter(connection.vendor)(timezone.now())
        bulk_sql.insert_rows(
            Member,
            _MEMBER_COLUMNS,
            [
                (
                    member_id,
                    line.name,
                    "",
                    "",
                    "",
                    "",
                    "",
                    line.bot,
                    False,
                    member_search_text([line.name], [line.person[1], line.email]),
                    name_key(line.name),
                    reading_key(line.name),
                    now,
                )
                for member_id, line in zip(member_ids, lines, strict=True)
            ],
        )
        bulk_sql.insert_rows(
            Identity,
            _IDENTITY_COLUMNS,
            [
                (
                    identity_id,
                    member_id,
                    *line.person,
                    line.email,
                    line.name,
                    False,
                    now,
                )
                for identity_id, member_id, line in zip(
                    identity_ids, member_ids, lines, strict=True
                )
            ],
        )
        self.members_created = member_ids
        return {
            line.person: (identity_id, member_id)
            for identity_id, member_id, line in zip(identity_ids, member_ids, lines, strict=True)
        }

    def _record_attendance(self) -> None:
        attendances = {}
        for line in self.created:
            if line.event_external_id and line.type in ATTENDANCE_ROLE_OF_TYPE:
                event_id = self._events[(line.source, line.event_external_id)]
                member_id = self.member_id(line)
                attendances[(event_id, member_id)] = Attendance(
                    event_id=event_id,
                    member_id=member_id,
                    role=ATTENDANCE_ROLE_OF_TYPE[line.type],
                    status=AttendanceStatus.ATTENDED,
                )
        if attendances:
            # A registration already on file becomes "attended"; its role is kept.
            Attendance.objects.bulk_create(
                attendances.values(),
                update_conflicts=True,
                unique_fields=["event", "member"],
                update_fields=["status"],
            )

    def emit_events(self, actor: Any) -> None:
        if self.members_created:
            emit("member.created", {"member_ids": self.members_created}, actor=actor)
        if not self.created:
            return
        times = [line.occurred_at for line in self.created]
        emit(
            "activity.ingested",
            {
                "count": len(self.created),
                "sources": sorted({line.source for line in self.created}),
                "occurred_from": min(times),
                "occurred_until": max(times),
                "organization_ids": self._partner_organizations(),
            },
            actor=actor,
        )

    def _partner_organizations(self) -> list[int]:
        """Partner organizations whose affiliated members were active while affiliated.

        This is the seam to the partner program: a consumer of `activity.ingested`
        recomputes those organizations with selectors.partner_contribution_activities().
        """
        if not Affiliation.objects.exists():
            return []
        member_ids = list({self.member_id(line) for line in self.created})
        affiliations: dict[int, list[tuple[int, Any, Any]]] = defaultdict(list)
        rows = Affiliation.objects.filter(
            member_id__in=member_ids, organization__kind=OrganizationKind.PARTNER
        ).values_list("member_id", "organization_id", "start_date", "end_date")
        for member_id, organization_id, start, end in rows:
            affiliations[member_id].append((organization_id, start, end))
        organizations = set()
        for line in self.created:
            for organization_id, start, end in affiliations.get(self.member_id(line), ()):
                day = timezone.localdate(line.occurred_at)
                if start <= day and (end is None or day <= end):
                    organizations.add(organization_id)
        return sorted(organizations)


_MEMBER_COLUMNS = (
    "id",
    "display_name",
    "name_ja",
    "name_kana",
    "name_romaji",
    "prefecture",
    "notes",
    "is_bot",
    "is_staff",
    "search_text",
    "name_key",
    "reading_key",
    "created_at",
)
_IDENTITY_COLUMNS = (
    "id",
    "member_id",
    "platform",
    "handle",
    "email",
    "display_name",
    "verified",
    "created_at",
)
