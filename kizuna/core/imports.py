"""Import jobs: every file import is uploaded, checked by a dry run, then applied, in the worker.

An app adds an importer by subclassing `Importer` and decorating it with `@register`:

    @register
    class PartnerImporter(Importer):
        kind = "partners"
        label = _("Partners (JSON Lines)")
        upload_url = "partners:staff_import"

        def allowed(self, user): ...
        def units(self, job, stream): ...  # the file's units, always in the same order
        def process(self, job, units, *, dry_run, actor): ...  # -> [(line, status, reason)]

The runner here does the rest: it reads the stored file, hands the units to `process` in
chunks of `chunk_size`, and writes each chunk's outcomes and the number of units done in
the chunk's own transaction. A dry run rolls every chunk back; an apply commits them, so a
worker killed mid-apply resumes after the last committed chunk (the orphaned task is put
back on the queue by core.worker) and nothing is applied twice. Importers are idempotent
as well: the same file applied again reports every line unchanged.

The uploaded file is kept until the job ends (applied, failed or cancelled), then
`import_files_prune` (a periodic job) deletes it. Permissions: whoever may use an importer
may see and drive its jobs (`Importer.allowed`, narrowed per job by `Importer.allowed_job`).
"""

import csv
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any, BinaryIO, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from kizuna.core import audit
from kizuna.core.models import ImportJob, ImportJobStatus

# What importers need to reject a line; it lives where the activity parser, which runs
# without Django set up, can import it too.
from kizuna.core.reasons import LineRejected as LineRejected
from kizuna.core.reasons import Reason as Reason
from kizuna.core.reasons import reason as reason
from kizuna.core.reasons import reason_in_each_language as reason_in_each_language
from kizuna.core.reasons import reason_text as reason_text

NEW, UPDATED, UNCHANGED, REJECTED = "new", "updated", "unchanged", "rejected"
STATUSES = (NEW, UPDATED, UNCHANGED, REJECTED)

LineOutcome = tuple[int, str, "Reason | str"]  # (line, status, reason)
OnProgress = Callable[[int], None]


@dataclass
class ImportRun:
    """What one run of a job (its dry run, or its apply) carries from chunk to chunk.

    `memo` lives as long as the run (a dry run always runs whole in one process: see
    import_job_check); `figures` are the chunk's counts beyond its lines (e.g. members
    created), summed into the report with the chunk's outcomes."""

    memo: dict[str, Any] = field(default_factory=dict)
    figures: Counter[str] = field(default_factory=Counter)


class Importer:
    kind: ClassVar[str]
    label: ClassVar[Any]
    upload_url: ClassVar[str]  # the URL name of the upload page
    chunk_size: ClassVar[int] = 1000

    def allowed(self, user: Any) -> bool:
        raise NotImplementedError

    def allowed_job(self, user: Any, job: ImportJob) -> bool:
        """Whether `user` may see and drive `job`: by default whoever may use the importer;
        an importer whose jobs belong to one organization narrows it to that organization."""
        return self.allowed(user)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[Any]:
        raise NotImplementedError

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        raise NotImplementedError


_importers: dict[str, Importer] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _importers[cls.kind] = cls()
    return cls


def importer_for(kind: str) -> Importer:
    return _importers[kind]


# --- reading what people upload -------------------------------------------------------


def decoded_lines(
    stream: Iterable[bytes], *, fallback: str | None = None
) -> Iterator[tuple[str, Reason | None]]:
    """Each physical line as text, with the reason it cannot be read (or None).

    UTF-8 (a byte-order mark allowed); with `fallback` (e.g. "cp932" where Shift_JIS files
    are common), a line that is not UTF-8 is read in that encoding. A line readable in
    neither, or holding a NUL character (which PostgreSQL cannot store), is passed on
    with its reason, so that the row it belongs to is rejected and the others carry on.
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        problem: Reason | None = None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                if fallback is None:
                    raise
                text = raw.decode(fallback)
            except UnicodeDecodeError:
                text = raw.decode("utf-8", errors="replace")
                problem = reason(
                    gettext_noop("bad_encoding: not UTF-8 (save the file as UTF-8)")
                    if fallback is None
                    else gettext_noop("bad_encoding: neither UTF-8 nor Shift_JIS")
                )
        if "\x00" in text:
            text, problem = (
                text.replace("\x00", ""),
                reason(gettext_noop("bad_text: a NUL character")),
            )
        yield text, problem


def csv_dicts(
    stream: Iterable[bytes], *, fallback: str | None = None
) -> tuple[list[str], Iterator[tuple[int, dict[str, str] | LineRejected]]]:
    """The header and each row of a CSV file as a dict, or why the row cannot be read.

    Line numbers count physical lines, header included, as a spreadsheet shows them. A row
    that cannot be decoded, has a field over the csv module's size limit, or more fields
    than the header, is rejected alone.
    """
    problems: dict[int, Reason] = {}
    count = 0

    def texts() -> Iterator[str]:
        nonlocal count
        for text, problem in decoded_lines(stream, fallback=fallback):
            count += 1
            if problem:
                problems[count] = problem
            yield text

    reader = csv.reader(texts())
    header: list[str] = []
    with suppress(csv.Error):
        header = [name.strip() for name in next(reader, [])]

    def rows() -> Iterator[tuple[int, dict[str, str] | LineRejected]]:
        end = reader.line_num
        while True:
            start = end + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                end = count
                yield (
                    start,
                    LineRejected(reason(gettext_noop("bad_csv: %(error)s"), error=str(error))),
                )
                continue
            end = reader.line_num
            problem = next((problems[n] for n in range(start, end + 1) if n in problems), None)
            if problem:
                yield start, LineRejected(problem)
            elif not any(field.strip() for field in fields):
                continue
            elif len(fields) > len(header):
                yield (
                    start,
                    LineRejected(
                        reason(gettext_noop("bad_csv: the row has more fields than the header"))
                    ),
                )
            else:
                yield start, dict(zip(header, fields, strict=False))

    return header, rows()


def checked_zip(stream: IO[bytes] | str) -> zipfile.ZipFile:
    """The archive, if it is one and within the size and ratio caps (zip bombs), else
    LineRejected. Caps: KIZUNA_IMPORT_ZIP_MAX_BYTES (all members, uncompressed) and
    KIZUNA_IMPORT_ZIP_MAX_RATIO (uncompressed / compressed, per member)."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except zipfile.BadZipFile:  # its own words only ever say "File is not a zip file"
        raise LineRejected(reason(gettext_noop("bad_zip: not a ZIP archive"))) from None
    except (OSError, ValueError, EOFError) as error:
        raise LineRejected(
            reason(gettext_noop("bad_zip: not a ZIP archive (%(error)s)"), error=str(error))
        ) from None
    total = sum(member.file_size for member in members)
    if total > settings.KIZUNA_IMPORT_ZIP_MAX_BYTES:
        raise LineRejected(
            reason(
                gettext_noop("zip_too_large: %(size)s bytes uncompressed, the limit is %(limit)s"),
                size=total,
                limit=settings.KIZUNA_IMPORT_ZIP_MAX_BYTES,
            )
        )
    for member in members:
        if member.file_size > settings.KIZUNA_IMPORT_ZIP_MAX_RATIO * max(member.compress_size, 1):
            raise LineRejected(
                reason(
                    gettext_noop("zip_ratio: %(name)s expands more than %(ratio)s times"),
                    name=member.filename,
                    ratio=settings.KIZUNA_IMPORT_ZIP_MAX_RATIO,
                )
            )
    return archive


# --- jobs -----------------------------------------------------------------------------


def import_job_create(
    *,
    kind: str,
    actor: Any,
    file: Any,
    filename: str,
    options: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Store the uploaded file and queue its dry run (unless `enqueue` is False)."""
    importer_for(kind)
    size = getattr(file, "size", None) or 0
    if size > settings.KIZUNA_IMPORT_MAX_UPLOAD_BYTES:
        raise ValidationError(
            gettext("The file is larger than %(limit)s bytes.")
            % {"limit": settings.KIZUNA_IMPORT_MAX_UPLOAD_BYTES},
            code="file_too_large",
        )
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            filename=filename[:255],
            size=size,
            options=options or {},
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        job.file.save(filename, file if isinstance(file, File) else File(file), save=False)
        job.save()
        audit.record(
            actor=actor,
            action="import_job.created",
            obj=job,
            after={"kind": kind, "filename": job.filename, "options": job.options},
        )
    if enqueue:
        _enqueue(job, "check")
        job.refresh_from_db()  # the task may have run already (tests run tasks inline)
    return job


def import_job_create_from_path(
    *, kind: str, actor: Any, path: Any, options: dict[str, Any] | None = None
) -> ImportJob:
    with open(path, "rb") as stream:
        return import_job_create(
            kind=kind,
            actor=actor,
            file=File(stream, name=path.name),
            filename=path.name,
            options=options,
            enqueue=False,
        )


def _enqueue(job: ImportJob, phase: str) -> None:
    from kizuna.core.tasks import run_import_job

    run_import_job.enqueue(job.pk, phase)


def import_job_request_apply(
    *, job: ImportJob, actor: Any, enqueue: bool = True, skip_check: bool = False
) -> bool:
    """Move a checked job to applying and queue it; False when it is not checked.

    `skip_check` lets the command line apply an uploaded file without a dry run first."""
    ready = [ImportJobStatus.CHECKED] + ([ImportJobStatus.UPLOADED] if skip_check else [])
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, status__in=ready).update(
            status=ImportJobStatus.APPLYING, updated_at=timezone.now()
        )
        if moved:
            audit.record(actor=actor, action="import_job.apply_requested", obj=job)
    job.refresh_from_db()
    if moved and enqueue:
        _enqueue(job, "apply")
    return bool(moved)


def import_job_cancel(*, job: ImportJob, actor: Any) -> bool:
    """Stop a job that has not ended; chunks already applied stay applied."""
    with transaction.atomic():
        moved = (
            ImportJob.objects.filter(pk=job.pk)
            .exclude(status__in=ImportJob.ENDED)
            .update(
                status=ImportJobStatus.CANCELLED,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        if moved:
            audit.record(actor=actor, action="import_job.cancelled", obj=job)
    job.refresh_from_db()
    return bool(moved)


def _add_outcomes(
    report: dict[str, Any], outcomes: Iterable[LineOutcome], run: ImportRun | None = None
) -> None:
    if run is not None and run.figures:
        figures = report.setdefault("figures", {})
        for name, value in run.figures.items():
            figures[name] = figures.get(name, 0) + value
        run.figures.clear()
    counts = report.setdefault("counts", dict.fromkeys(STATUSES, 0))
    lines = report.setdefault("lines", [])
    cap = settings.KIZUNA_IMPORT_REPORT_MAX_LINES
    for line, status, why in outcomes:
        counts[status] += 1
        if status == UNCHANGED:
            continue
        if len(lines) < cap:
            lines.append([line, status, why])
        else:
            report["truncated"] = True


@contextmanager
def _file_of(job: ImportJob) -> Iterator[BinaryIO]:
    job.file.open("rb")
    try:
        yield job.file  # type: ignore[misc]
    finally:
        job.file.close()


def _chunks(units: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(units, size)):
        yield chunk


def _still(job: ImportJob, status: str, *, lock: bool = False) -> bool:
    query = ImportJob.objects.filter(pk=job.pk)
    if lock:
        query = query.select_for_update()
    return query.filter(status=status).exists()


def import_job_check(*, job: ImportJob, on_progress: OnProgress | None = None) -> ImportJob:
    """The dry run: every chunk processed and rolled back, its outcomes kept as the report.

    Run again from the start when a worker died during it (a dry run stores nothing)."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING]
    ).update(status=ImportJobStatus.CHECKING, checked_units=0, check_report={})
    job.refresh_from_db()
    if not claimed:
        return job
    importer = importer_for(job.kind)
    report: dict[str, Any] = {}
    _add_outcomes(report, [])
    run = ImportRun()
    done = 0
    try:
        with _file_of(job) as stream:
            for chunk in _chunks(importer.units(job, stream), importer.chunk_size):
                if not _still(job, ImportJobStatus.CHECKING):
                    return _reloaded(job)
                with transaction.atomic():
                    outcomes = importer.process(
                        job, chunk, dry_run=True, actor=job.created_by, run=run
                    )
                    transaction.set_rollback(True)
                _add_outcomes(report, outcomes, run)
                done += len(chunk)
                ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKING).update(
                    checked_units=done, check_report=report, updated_at=timezone.now()
                )
                if on_progress is not None:
                    on_progress(len(chunk))
    except Exception as error:
        return _fail(job, error)
    ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKING).update(
        status=ImportJobStatus.CHECKED,
        total_units=done,
        checked_units=done,
        check_report=report,
        updated_at=timezone.now(),
    )
    return _reloaded(job)


def import_job_apply(*, job: ImportJob, on_progress: OnProgress | None = None) -> ImportJob:
    """Apply the file, chunk by chunk, each committed with the count of units it took.

    Resumes after `applied_units` when a previous run was killed."""
    job.refresh_from_db()
    if job.status != ImportJobStatus.APPLYING:
        return job
    importer = importer_for(job.kind)
    if on_progress is not None and job.applied_units:
        on_progress(job.applied_units)
    run = ImportRun()
    try:
        with _file_of(job) as stream:
            units = islice(importer.units(job, stream), job.applied_units, None)
            for chunk in _chunks(units, importer.chunk_size):
                with transaction.atomic():
                    if not _still(job, ImportJobStatus.APPLYING, lock=True):
                        return _reloaded(job)
                    outcomes = importer.process(
                        job, chunk, dry_run=False, actor=job.created_by, run=run
                    )
                    current = ImportJob.objects.get(pk=job.pk)
                    report = current.apply_report
                    _add_outcomes(report, outcomes, run)
                    ImportJob.objects.filter(pk=job.pk).update(
                        applied_units=current.applied_units + len(chunk),
                        apply_report=report,
                        updated_at=timezone.now(),
                    )
                if on_progress is not None:
                    on_progress(len(chunk))
    except Exception as error:
        return _fail(job, error)
    with transaction.atomic():
        job.refresh_from_db()
        report = job.apply_report or {}
        _add_outcomes(report, [])
        ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.APPLYING).update(
            status=ImportJobStatus.APPLIED,
            apply_report=report,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        audit.record(
            actor=job.created_by, action="import_job.applied", obj=job, after=report["counts"]
        )
    return _reloaded(job)


def _reloaded(job: ImportJob) -> ImportJob:
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, error: Exception) -> ImportJob:
    """An importer is meant to reject bad lines, not raise: what does is a bug, shown."""
    ImportJob.objects.filter(pk=job.pk).exclude(status__in=ImportJob.ENDED).update(
        status=ImportJobStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return _reloaded(job)


def import_files_prune() -> int:
    """Delete the files of ended jobs; the jobs and their reports stay."""
    pruned = 0
    for job in ImportJob.objects.filter(status__in=ImportJob.ENDED, file_pruned=False):
        if job.file:
            job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="", file_pruned=True)
        pruned += 1
    return pruned


def import_job_run_here(*, job: ImportJob, apply: bool, quiet: bool = False) -> ImportJob:
    """Run a job in this process with a progress bar: what the management commands do.

    A dry run only (apply=False), or an apply straight away, as the commands always did."""
    from tqdm import tqdm

    if not apply:
        with tqdm(desc=f"{job.filename} (dry run)", unit="line", disable=quiet) as bar:
            return import_job_check(job=job, on_progress=bar.update)
    import_job_request_apply(job=job, actor=job.created_by, enqueue=False, skip_check=True)
    with tqdm(desc=job.filename, unit="line", disable=quiet) as bar:
        return import_job_apply(job=job, on_progress=bar.update)


def report_of(job: ImportJob) -> dict[str, Any]:
    """The report of the job's last phase: the apply's once it started, else the check's."""
    report = (
        job.apply_report
        if job.status in (ImportJobStatus.APPLYING, ImportJobStatus.APPLIED) or job.apply_report
        else job.check_report
    )
    report = dict(report or {})
    report.setdefault("counts", dict.fromkeys(STATUSES, 0))
    report.setdefault("lines", [])
    report.setdefault("figures", {})
    return report
