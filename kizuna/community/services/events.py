"""Groups, events, attendance and its import from organizers' exports."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from kizuna.community.matching import member_search_text
from kizuna.community.models import Attendance, Event, Group, Identity, Member
from kizuna.community.services.identities import is_blocked
from kizuna.community.services.members import NewPerson, people_create
from kizuna.core import audit
from kizuna.core.events import emit


def group_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    prefecture: str = "",
    description: str = "",
    leaders: Iterable[Member] = (),
) -> Group:
    with transaction.atomic():
        group = Group.objects.create(
            name=name,
            slug=slug,
            prefecture=prefecture,
            description=description,
            search_text=member_search_text([name, description], []),
        )
        group.leaders.set(list(leaders))
        audit.record(actor=actor, action="group.created", obj=group, after={"name": name})
    return group


EVENT_FIELDS = [
    "title",
    "group",
    "kind",
    "format",
    "staff_run",
    "venue",
    "prefecture",
    "online_url",
    "url",
    "hashtag",
    "starts_at",
    "ends_at",
    "capacity",
]


def event_upsert(*, actor: Any, source: str, external_id: str, **fields: Any) -> tuple[Event, bool]:
    """Create the event, or update it when the source already sent it: connectors re-send."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"Not event fields: {sorted(unknown)}")
    with transaction.atomic():
        event, created = Event.objects.update_or_create(
            source=source, external_id=external_id, defaults=fields
        )
        event.search_text = member_search_text([event.title, event.venue, event.hashtag], [])
        event.save(update_fields=["search_text"])
        event.refresh_from_db()  # values given as text come back typed
        if created:
            emit("event.created", {"event_id": event.pk, "source": source}, actor=actor)
    return event, created


def attendance_set(
    *, actor: Any, event: Event, member: Member, role: str | None = None, status: str | None = None
) -> Attendance:
    with transaction.atomic():
        attendance, _created = Attendance.objects.get_or_create(event=event, member=member)
        if role:
            attendance.role = role
        if status:
            attendance.status = status
        attendance.full_clean(exclude=["event", "member"])
        attendance.save()
        emit(
            "attendance.changed",
            {
                "event_id": event.pk,
                "member_id": member.pk,
                "role": attendance.role,
                "status": attendance.status,
            },
            actor=actor,
        )
    return attendance


def attendances_import(
    *, actor: Any, event: Event, entries: list[tuple[str, str, str, str, str]]
) -> dict[str, int]:
    """Registrations from an organizer's export: (platform, handle, name, role, status).

    Unknown people become members; a later export updates each person's status and role.
    """
    counts = {"created": 0, "updated": 0, "rejected": 0}
    with transaction.atomic():
        allowed = [entry for entry in entries if not is_blocked(entry[0], entry[1], "")]
        counts["rejected"] = len(entries) - len(allowed)
        members = _members_of(actor, allowed)
        for platform, handle, _name, role, status in allowed:
            _attendance, created = Attendance.objects.update_or_create(
                event=event,
                member_id=members[(platform, handle)],
                defaults={"role": role, "status": status},
            )
            counts["created" if created else "updated"] += 1
        emit("attendance.imported", {"event_id": event.pk, **counts}, actor=actor)
    return counts


def _members_of(
    actor: Any, entries: list[tuple[str, str, str, str, str]]
) -> dict[tuple[str, str], int]:
    """(platform, handle) -> member id, creating the people nobody knows yet."""
    names: dict[tuple[str, str], str] = {}
    for platform, handle, name, _role, _status in entries:
        names.setdefault((platform, handle), name)
    handles_by_platform: dict[str, list[str]] = {}
    for platform, handle in names:
        handles_by_platform.setdefault(platform, []).append(handle)
    members: dict[tuple[str, str], int] = {}
    for platform, handles in handles_by_platform.items():
        for handle, member_id in Identity.objects.filter(
            platform=platform, handle__in=handles
        ).values_list("handle", "member_id"):
            members[(platform, handle)] = member_id
    new = [key for key in names if key not in members]
    created = people_create(
        actor=actor,
        people=[NewPerson(names[key], platform=key[0], handle=key[1]) for key in new],
    )
    members.update(
        (key, member_id) for key, (_identity, member_id) in zip(new, created, strict=True)
    )
    return members
