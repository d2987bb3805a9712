"""connpass participant CSV: the list an organizer downloads from an event's management page.

Columns used: 参加枠名 (ticket), ユーザー名 (connpass user name), 表示名, 参加ステータス
(参加 / 補欠 / キャンセル) and 出欠ステータス (出席 / 欠席). The ticket name says the role
(登壇, LT, 運営/スタッフ). Registrations become attendance; people marked 出席 also get an
"attended event" (or talk) activity.
"""

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext_noop

from kizuna.community import services as community
from kizuna.community.ingest import Summary
from kizuna.community.models import Attendance, AttendanceRole, AttendanceStatus, Event
from kizuna.core.imports import (
    NEW,
    REJECTED,
    UNCHANGED,
    UPDATED,
    LineOutcome,
    LineRejected,
    csv_dicts,
    reason,
)

_MAX_TEXT = 200  # Identity.handle, Member.display_name

_STATUS = {
    "参加": AttendanceStatus.REGISTERED,
    "補欠": AttendanceStatus.WAITLISTED,
    "キャンセル": AttendanceStatus.CANCELLED,
}
_ROLE_WORDS = [
    (("登壇", "発表", "スピーカー", "speaker"), AttendanceRole.SPEAKER),
    (("LT",), AttendanceRole.LIGHTNING_TALK),
    (("運営", "スタッフ", "staff"), AttendanceRole.STAFF),
]
_ACTIVITY_OF_ROLE: dict[str, str] = {
    AttendanceRole.SPEAKER: "talk",
    AttendanceRole.LIGHTNING_TALK: "lightning_talk",
}


def role_of(ticket: str) -> str:
    for words, role in _ROLE_WORDS:
        if any(word.lower() in ticket.lower() for word in words):
            return role
    return AttendanceRole.ATTENDEE


def status_of(row: dict[str, str]) -> str:
    status = _STATUS.get(row.get("参加ステータス", "").strip(), AttendanceStatus.REGISTERED)
    presence = row.get("出欠ステータス", "").strip()
    if status == AttendanceStatus.REGISTERED and presence == "出席":
        return AttendanceStatus.ATTENDED
    if status == AttendanceStatus.REGISTERED and presence == "欠席":
        return AttendanceStatus.NO_SHOW
    return status


def read_participants(stream: BinaryIO) -> Iterator[tuple[int, dict[str, str] | LineRejected]]:
    """Each participant row; connpass exports UTF-8, older files Shift_JIS: both are read,
    line by line (a line in neither is rejected alone)."""
    _header, rows = csv_dicts(stream, fallback="cp932")
    yield from rows


def participants_apply(
    *, actor: Any, event: Event, rows: list[tuple[int, dict[str, str] | LineRejected]]
) -> list[LineOutcome]:
    """Attendance (and attended activities) from participant rows, with one outcome per row:
    new, updated (role or status changed), unchanged, or rejected with its reason."""
    _counts, _summary, outcomes = _apply(actor=actor, event=event, rows=rows)
    return outcomes


def import_participants(
    *, actor: Any, event: Event, stream: BinaryIO
) -> tuple[dict[str, int], Summary]:
    counts, summary, _outcomes = _apply(
        actor=actor, event=event, rows=list(read_participants(stream))
    )
    return counts, summary


def _apply(
    *, actor: Any, event: Event, rows: list[tuple[int, dict[str, str] | LineRejected]]
) -> tuple[dict[str, int], Summary, list[LineOutcome]]:
    outcomes: list[LineOutcome] = []
    entries = []
    lines = []
    for line, row in rows:
        if isinstance(row, LineRejected):
            outcomes.append((line, REJECTED, row.reason))
            continue
        handle = (row.get("ユーザー名") or "").strip().lower()
        if not handle:
            outcomes.append(
                (line, REJECTED, reason(gettext_noop("missing_handle: ユーザー名 is empty")))
            )
            continue
        if len(handle) > _MAX_TEXT:
            outcomes.append(
                (line, REJECTED, reason(gettext_noop("bad_handle: ユーザー名 is too long")))
            )
            continue
        name = (row.get("表示名") or "").strip()[:_MAX_TEXT]
        entries.append(
            ("connpass", handle, name, role_of(row.get("参加枠名") or ""), status_of(row))
        )
        lines.append(line)
    before = {
        handle: (role, status)
        for handle, role, status in Attendance.objects.filter(
            event=event,
            member__identities__platform="connpass",
            member__identities__handle__in=[entry[1] for entry in entries],
        ).values_list("member__identities__handle", "role", "status")
    }
    for line, (_platform, handle, _name, role, status) in zip(lines, entries, strict=True):
        if handle not in before:
            outcomes.append((line, NEW, ""))
        elif before[handle] == (role, status):
            outcomes.append((line, UNCHANGED, ""))
        else:
            outcomes.append((line, UPDATED, f"{before[handle][1]} -> {status}"))
    records = [
        (
            line,
            {
                "source": event.source,
                "external_id": f"{event.external_id}:{handle}:attended",
                "type": _ACTIVITY_OF_ROLE.get(role, "attended_event"),
                "occurred_at": event.starts_at.isoformat(),
                "event_external_id": event.external_id,
                "member": {"platform": platform, "handle": handle, "name": name},
                "title": event.title,
                "url": event.url,
            },
        )
        for line, (platform, handle, name, role, status) in zip(lines, entries, strict=True)
        if status == AttendanceStatus.ATTENDED
    ]
    with transaction.atomic():
        counts = community.attendances_import(actor=actor, event=event, entries=entries)
        summary = community.activities_ingest(records=records, actor=actor)
    return counts, summary, sorted(outcomes)
