"""connpass participant CSV: the list an organizer downloads from an event's management page.

Columns used: 参加枠名 (ticket), ユーザー名 (connpass user name), 表示名, 参加ステータス
(参加 / 補欠 / キャンセル) and 出欠ステータス (出席 / 欠席). The ticket name says the role
(登壇, LT, 運営/スタッフ). Registrations become attendance; people marked 出席 also get an
"attended event" (or talk) activity.
"""

import csv
import io
from typing import Any, BinaryIO

from django.db import transaction

from kizuna.community import services as community
from kizuna.community.ingest import Summary
from kizuna.community.models import AttendanceRole, AttendanceStatus, Event

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


def import_participants(
    *, actor: Any, event: Event, stream: BinaryIO
) -> tuple[dict[str, int], Summary]:
    rows = list(csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")))
    entries = []
    for row in rows:
        handle = row.get("ユーザー名", "").strip().lower()
        if handle:
            entries.append(
                (
                    "connpass",
                    handle,
                    row.get("表示名", "").strip(),
                    role_of(row.get("参加枠名", "")),
                    status_of(row),
                )
            )
    records = [
        (
            number,
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
        for number, (platform, handle, name, role, status) in enumerate(entries, start=2)
        if status == AttendanceStatus.ATTENDED
    ]
    with transaction.atomic():
        counts = community.attendances_import(actor=actor, event=event, entries=entries)
        summary = community.activities_ingest(records=records, actor=actor)
    return counts, summary
