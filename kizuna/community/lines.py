"""The line format of an activity import: checking one record and making its activity row.

This module needs no Django setup (no models), so that the parsing worker process
(kizuna.community.parsing) can import it on its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import orjson
from django.utils.translation import gettext_noop

from kizuna.community.bulk_sql import db_datetime_adapter
from kizuna.core.reasons import LineRejected, Reason, json_problem, reason

TOKYO = ZoneInfo("Asia/Tokyo")

CREATED, UNCHANGED, REJECTED = "created", "unchanged", "rejected"

# The activity columns an import takes from the line itself, in the order of Line.row;
# what each batch resolves follows them (ingest.RESOLVED_COLUMNS). A new column goes here
# and into parse_line().
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


@dataclass(frozen=True, slots=True)
class Outcome:
    line: int
    status: str
    reason: Reason | str = ""  # a rejection's reason (kizuna.core.reasons)


class Line(NamedTuple):
    """A valid input line: its activity row, and what resolving its person and event needs.

    A tuple, so that a batch of them crosses from the parsing worker as plain tuples
    (kizuna.community.parsing).
    """

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


# A record is (line number, decoded line), (line number, one JSON line as bytes, decoded
# where the batch is parsed), or (line number, LineRejected) when the reader could not even
# split the input into lines (a wrong CSV shape).
Record = tuple[int, dict[str, Any] | bytes | LineRejected]


def parse_batch(
    records: list[Record], output_by_type: dict[str, bool], vendor: str
) -> tuple[list[Line], list[Outcome]]:
    """The batch's valid lines, and the rejections of the others."""
    lines: list[Line] = []
    rejections: list[Outcome] = []
    db_datetime = db_datetime_adapter(vendor)
    for number, raw in records:
        try:
            if type(raw) is bytes:
                raw = _decode(raw)
            elif isinstance(raw, LineRejected):
                raise raw
            lines.append(parse_line(number, raw, output_by_type, db_datetime))
        except LineRejected as rejection:
            rejections.append(Outcome(number, REJECTED, rejection.reason))
    return lines, rejections


def _decode(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise LineRejected(
            reason(
                gettext_noop("bad_json: %(problem)s at column %(column)s"),
                problem=json_problem(error),
                column=error.colno,
            )
        ) from None


def parse_line(
    number: int,
    raw: Any,
    output_by_type: dict[str, bool],
    db_datetime: Callable[[datetime, Any], Any],
) -> Line:
    """Check one record and make its activity row; the hot path of every import."""
    if not isinstance(raw, dict):
        raise _rejected(gettext_noop("not_an_object: each line must be a JSON object"))
    member = raw.get("member")
    if not isinstance(member, dict):
        raise _rejected(
            gettext_noop(
                "missing_member: “member” must be an object with platform and handle or email"
            )
        )
    type_key = raw.get("type")
    if type(type_key) is not str or type_key not in output_by_type:
        raise _rejected(
            gettext_noop("unknown_type: %(type)s is not an activity type"), type=repr(type_key)
        )
    platform = _text(member, "platform", 30).lower()
    email = _text(member, "email", 254).lower()
    handle = _text(member, "handle", 200).lower().removeprefix("@") or email
    if not platform or not handle:
        raise _rejected(
            gettext_noop("missing_member: “member” needs a platform and a handle or email")
        )
    output = raw.get("output")
    if output is None:
        output = output_by_type[type_key]
    elif type(output) is not bool:
        raise _rejected(gettext_noop("bad_output: “output” must be true, false or absent"))
    when = raw.get("occurred_at")
    occurred_at = _parse_time(when)
    return Line(
        number,
        (
            _required(raw, "source", 50),
            _required(raw, "external_id", 200),
            type_key,
            db_datetime(occurred_at, when),
            _url(raw),
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


def _rejected(message: str, **params: Any) -> LineRejected:
    return LineRejected(reason(message, **params))


def _text(raw: dict[str, Any], key: str, limit: int | None) -> str:
    value = raw.get(key)
    if type(value) is not str:
        if value is None:
            return ""
        if type(value) is not int:  # bool is not text either
            raise _rejected(gettext_noop("bad_%(key)s: “%(key)s” must be text"), key=key)
        value = str(value)
    value = value.strip()
    if "\x00" in value:  # PostgreSQL cannot store it
        raise _rejected(gettext_noop("bad_%(key)s: “%(key)s” contains a NUL character"), key=key)
    if limit is not None and len(value) > limit:
        raise _rejected(
            gettext_noop("too_long: “%(key)s” is longer than %(limit)s characters"),
            key=key,
            limit=limit,
        )
    return value


def _url(raw: dict[str, Any]) -> str:
    """Activity links are shown as links: http and https only (no javascript:, data:...)."""
    url = _text(raw, "url", 1000)
    if url and not url.lower().startswith(("http://", "https://")):
        raise _rejected(gettext_noop("bad_url: “url” must be an http or https URL"))
    return url


def _required(raw: dict[str, Any], key: str, limit: int) -> str:
    text = _text(raw, key, limit)
    if not text:
        raise _rejected(gettext_noop("missing_%(key)s: “%(key)s” is required"), key=key)
    return text


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _rejected(
            gettext_noop("bad_occurred_at: “occurred_at” must be an ISO 8601 date-time")
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _rejected(
            gettext_noop("bad_occurred_at: %(value)s is not an ISO 8601 date-time"),
            value=repr(value),
        ) from None
    # A time without offset is a time in Japan, the way people write it here.
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)
