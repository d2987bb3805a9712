"""Bulk ingestion of activities: the path every connector, the import command and the API use.

Records arrive as dicts (or JSON lines as bytes) in the line format of docs/connectors.md,
checked and made into rows by kizuna.community.lines: for the first batch here, for the
later ones in a worker process (kizuna.community.parsing) while this one stores the batch
before. Each batch is one transaction that resolves identities, members, events and
existing activities with a handful of set-based queries, creates what is missing, and emits
one `activity.ingested` event. A crash loses at most the batch in flight, and running the
same input again reports those lines as unchanged: (source, external_id) is unique.

Lines whose (source, external_id) is already stored cost one set-based existence query per
batch and nothing else. When the previous batch had no such line (a first import), the
batch skips that query and inserts straight away; the unique constraint is the check: a
conflict raises IntegrityError, the batch's transaction rolls back, and the batch is done
again the careful way (existence query first).
"""

from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kizuna.accounts.models import OrganizationKind
from kizuna.community import bulk_sql
from kizuna.community.lines import (
    CREATED,
    LINE_COLUMNS,
    REJECTED,
    UNCHANGED,
    Line,
    Outcome,
    Record,
    parse_batch,
)
from kizuna.community.matching import identifier_hash
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
)
from kizuna.community.parsing import ParsedBatch, ParsingWorker
from kizuna.community.services.identities import identity_names_record
from kizuna.community.services.members import NewPerson, people_create
from kizuna.core.collector import collector_paused
from kizuna.core.events import emit
from kizuna.core.reasons import Reason, reason

# Bigger batches amortize index page writes per commit; 20,000 parsed lines is ~20 MB.
BATCH_SIZE = 20_000

# Activity types that also mean the member was at the event, and in which role.
ATTENDANCE_ROLE_OF_TYPE = {
    "attended_event": AttendanceRole.ATTENDEE,
    "talk": AttendanceRole.SPEAKER,
    "lightning_talk": AttendanceRole.LIGHTNING_TALK,
}


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
# line's own values, made database-ready by parsing (lines.LINE_COLUMNS, Line.row), then
# what each batch resolves (_Batch.store()). A new column goes here and into the one place
# its part of the row is built.
RESOLVED_COLUMNS = ("event_id", "identity_id", "member_id", "created_at")
_ACTIVITY_COLUMNS = LINE_COLUMNS + RESOLVED_COLUMNS
_MEMBER = itemgetter(_ACTIVITY_COLUMNS.index("member_id"))

OnOutcome = Callable[[Outcome], None]


@dataclass
class Ingestion:
    """One run over many records: caches what does not change between batches."""

    actor: Any = None
    dry_run: bool = False
    on_outcome: OnOutcome | None = None
    summary: Summary = field(default_factory=Summary)
    output_by_type: dict[str, bool] = field(default_factory=dict)
    # A dry run's batches are rolled back, so a person new in one batch is new again in the
    # next: the people a dry run has counted already, (platform, handle), across batches
    # (and across the calls of one import job's dry run, which passes the same set).
    dry_run_people: set[tuple[str, str]] = field(default_factory=set)

    # Whether the next batch looks up existing activities before inserting. It starts
    # careful; a batch that finds none lets the next one insert optimistically.
    check_existing: bool = True

    def __post_init__(self) -> None:
        self.output_by_type = dict(ActivityType.objects.values_list("key", "is_output"))
        self._identity_cache = _IdentityCache()

    def run(self, records: Iterable[Record], *, batch_size: int = BATCH_SIZE) -> Summary:
        # The collector paused (core.collector): measured on 100,000 lines, the same import
        # took half the time.
        with (
            collector_paused(),
            bulk_sql.bulk_load_settings(),
            closing(self._parsed_batches(records, batch_size)) as batches,
        ):
            for lines, rejections in batches:
                self._report(rejections, self._store_batch(lines))
        return self.summary

    def _parsed_batches(
        self, records: Iterable[Record], batch_size: int
    ) -> Generator[ParsedBatch, None, None]:
        """The records, batch after batch, parsed: the first batch here, the later ones in
        a worker process while this one stores the batch before.

        Threads could not do this: parsing is pure Python, and a parsing thread kept the
        storing one waiting for the GIL after each database call (at 1,000,000 lines on
        SQLite, storing alone ran at 61,000 lines/s, beside a parsing thread at 35,000).
        Each batch is read before the one before it is stored, so when reading fails (a
        broken file, a connector's network), the batch read before is stored first.
        """
        vendor = connection.vendor
        batches = _batches(records, batch_size)
        first = next(batches, None)
        if first is None:
            return
        if isinstance(first, Exception):
            raise first
        parsed = parse_batch(first, self.output_by_type, vendor)
        with ParsingWorker(self.output_by_type, vendor) as worker:
            for batch in batches:
                if isinstance(batch, Exception):
                    yield parsed
                    raise batch
                parsing = worker.parse(batch)
                yield parsed
                parsed = parsing()
        yield parsed

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
            batch = _Batch(lines, self.actor, check_existing, cache.entries_if_current())
            batch.store()
            if self.dry_run:
                transaction.set_rollback(True)
            else:
                batch.emit_events(self.actor)
                # Read while the transaction holds the write lock: see _IdentityCache.
                stamp = cache.stamp()
        if self.dry_run:
            fresh = set(batch.people_created) - self.dry_run_people
            self.dry_run_people |= fresh
            self.summary.members_created += len(fresh)
        else:
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


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record] | Exception]:
    """The records in lists of `size`; an error while reading them comes last, as itself."""
    iterator = iter(records)
    try:
        while batch := list(islice(iterator, size)):
            yield batch
    except Exception as error:
        yield error


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
        actor: Any,
        check_existing: bool = True,
        known_identities: dict[tuple[str, str], tuple[int, int]] | None = None,
    ) -> None:
        self.lines = lines
        self.actor = actor
        self.check_existing = check_existing
        # (platform, handle) -> (identity id, member id) known valid in this transaction
        # (see _IdentityCache), and what this batch found that it did not know, for the
        # next ones.
        self.known_identities = known_identities or {}
        self.resolved: dict[tuple[str, str], tuple[int, int]] = {}
        self.members_created: list[int] = []
        self.people_created: list[tuple[str, str]] = []
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
            reason(gettext_noop("erased_person: this person asked to be erased")),
            outcomes,
        )
        lines = self._reject(
            lines,
            self._lines_of_removed_types(lines),
            reason(gettext_noop("unknown_type: this activity type was removed during the import")),
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
            reason(gettext_noop("unknown_event: no event with this source and event_external_id")),
            outcomes,
        )
        if self.check_existing:
            lines = self._drop_stored(lines)
        # Otherwise the unique constraint is the check: see the module's docstring.
        self._ids = ids = self._identities(lines)
        # A known person may come under a new name (a git author name changed): merge
        # suggestions compare every name used.
        identity_names_record({(ids[line.person][0], line.name) for line in lines if line.name})
        now = bulk_sql.db_datetime_adapter(connection.vendor)(timezone.now())
        # RESOLVED_COLUMNS, after the line's own.
        rows = [(*line.row, self._event_id(line), *ids[line.person], now) for line in lines]
        # In index order: each page of activity_member_time is then visited once per batch,
        # not once per row (measured on SQLite at 1,000,000 rows: 15-20% less CPU per insert).
        # By member alone: a member's few rows of a batch sit on one or two pages anyway,
        # and a key of one value sorts in half the time of a (member, time) pair.
        rows.sort(key=_MEMBER)
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
        lines: list[Line], numbers: set[int], why: Reason, outcomes: list[Outcome]
    ) -> list[Line]:
        if not numbers:
            return lines
        outcomes.extend(Outcome(n, REJECTED, why) for n in sorted(numbers))
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
        unknown: list[tuple[str, str]] = []
        known = self.known_identities
        for key in first_line:
            hit = known.get(key)
            if hit is None:
                unknown.append(key)
            else:
                found[key] = hit
        # Only what the cache did not know is news for the next batches.
        self.resolved = resolved = self._stored_identities(unknown)
        # In the order people first appear, so that their member ids do too.
        missing = sorted(
            (first_line[key] for key in unknown if key not in resolved), key=attrgetter("number")
        )
        if missing:
            resolved.update(self._create_people(missing))
        found.update(resolved)
        return found

    @staticmethod
    def _stored_identities(
        keys: list[tuple[str, str]],
    ) -> dict[tuple[str, str], tuple[int, int]]:
        by_platform: dict[str, list[str]] = defaultdict(list)
        for platform, handle in keys:
            by_platform[platform].append(handle)
        stored = {}
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
                stored[(platform, handle)] = (identity_id, member_id)
        return stored

    def _create_people(self, lines: list[Line]) -> dict[tuple[str, str], tuple[int, int]]:
        created = people_create(
            actor=self.actor,
            people=[
                NewPerson(line.name, *line.person, email=line.email, is_bot=line.bot)
                for line in lines
            ],
        )
        self.members_created = [member_id for _identity_id, member_id in created]
        self.people_created = [line.person for line in lines]
        return {
            line.person: (identity_id, member_id)
            for (identity_id, member_id), line in zip(created, lines, strict=True)
            if identity_id is not None
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
