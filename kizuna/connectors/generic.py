"""The generic line format: one activity per line, as JSONL or CSV (docs/connectors.md).

Readers stream: they hold one line at a time, so a file of any size imports in bounded
memory. A line that cannot be decoded becomes a rejected record; the rest carry on.
"""

from collections.abc import Callable, Iterator
from typing import IO, Any

from django.utils.translation import gettext_noop

from kizuna.community.lines import Record
from kizuna.core.imports import LineRejected, csv_dicts, reason

CSV_COLUMNS = [
    "source",
    "external_id",
    "type",
    "occurred_at",
    "member_platform",
    "member_handle",
    "member_email",
    "member_name",
    "event_external_id",
    "url",
    "title",
    "body",
    "output",
    "in_reply_to",
]
_MEMBER_COLUMNS = {
    "member_platform": "platform",
    "member_handle": "handle",
    "member_email": "email",
    "member_name": "name",
}
_BOOLEANS = {
    "": None,
    "true": True,
    "1": True,
    "yes": True,
    "false": False,
    "0": False,
    "no": False,
}


def read_jsonl(
    stream: IO[bytes], on_bytes: Callable[[int], None] | None = None
) -> Iterator[Record]:
    """Each non-blank line as bytes: the import decodes it where it parses the batch (in a
    worker process for large imports), and rejects a line that is not JSON there."""
    for number, raw in enumerate(stream, start=1):
        if on_bytes is not None:
            on_bytes(len(raw))
        if raw.isspace():  # not strip(): that copies every line
            continue
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a BOM, as editors on Windows write
        yield number, raw


def read_csv(stream: IO[bytes], on_bytes: Callable[[int], None] | None = None) -> Iterator[Record]:
    """UTF-8 (with or without BOM); a row that cannot be decoded or parsed is rejected alone."""
    counted = _Counted(stream, on_bytes) if on_bytes is not None else stream
    header, rows = csv_dicts(counted)
    missing = {"source", "external_id", "type", "occurred_at", "member_platform"} - set(header)
    if missing:
        yield (
            1,
            LineRejected(
                reason(
                    gettext_noop("bad_header: missing columns %(columns)s"),
                    columns=", ".join(sorted(missing)),
                )
            ),
        )
        return
    for number, row in rows:
        if isinstance(row, LineRejected):
            yield number, row
            continue
        try:
            yield number, csv_row_to_record(row)
        except LineRejected as rejection:
            yield number, rejection


class _Counted:
    """The stream's lines, reporting their bytes to a progress bar."""

    def __init__(self, stream: IO[bytes], on_bytes: Callable[[int], None]) -> None:
        self._stream, self._on_bytes = stream, on_bytes

    def __iter__(self) -> Iterator[bytes]:
        for raw in self._stream:
            self._on_bytes(len(raw))
            yield raw


def csv_row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    if None in row:
        raise LineRejected(reason(gettext_noop("bad_csv: the row has more fields than the header")))
    record: dict[str, Any] = {
        k: v
        for k, v in row.items()
        if k in CSV_COLUMNS and k not in _MEMBER_COLUMNS and v not in (None, "")
    }
    record["member"] = {name: row.get(column) or "" for column, name in _MEMBER_COLUMNS.items()}
    output = (row.get("output") or "").strip().lower()
    if output not in _BOOLEANS:
        raise LineRejected(
            reason(gettext_noop("bad_output: “output” must be true, false or empty"))
        )
    record["output"] = _BOOLEANS[output]
    return record
