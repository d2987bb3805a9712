"""Groups, events, attendance and its import from organizers' exports."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kizuna.community.matching import member_search_text
from kizuna.community.models import Attendance, Event, Group, Identity, Member
from kizuna.community.services.identities import is_blocked
from kizuna.community.services.members import NewPerson, people_create
from kizuna.core import audit
from kizuna.core.errors import ServiceError
from kizuna.core.events import emit

GROUP_FIELDS = ["name", "prefecture", "description", "links"]


def _group_slug(name: str) -> str:
    base = slugify(name)[:80] or "group"
    slug, n = base, 1
    while Group.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_organizers(organizers: Iterable[Member]) -> list[Member]:
    organizers = list(organizers)
    if any(m.merged_into_id is not None or m.erased_at is not None for m in organizers):
        raise ServiceError(_("An organizer was merged or erased."), code="member_gone")
    return organizers


def group_create(
    *,
    actor: Any,
    name: str,
    slug: str = "",
    prefecture: str = "",
    description: str = "",
    links: list[str] | None = None,
    leaders: Iterable[Member] = (),
) -> Group:
    organizers = _check_organizers(leaders)
    with transaction.atomic():
        group = Group(
            name=name,
            slug=slug or _group_slug(name),
            prefecture=prefecture,
            description=description,
            links=list(links or []),
            search_text=member_search_text([name, description], []),
        )
        group.full_clean()
        group.save()
        group.leaders.set(organizers)
        audit.record(
            actor=actor,
            action="group.created",
            obj=group,
            after={**audit.snapshot(group, GROUP_FIELDS), "organizers": _ids(organizers)},
        )
        emit("group.created", {"group_id": group.pk}, actor=actor)
    return group


def _ids(members: Iterable[Member]) -> list[int]:
    return sorted(m.pk for m in members)


def group_update(
    *, actor: Any, group: Group, leaders: Iterable[Member] | None = None, **changes: Any
) -> Group:
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"Not group fields: {sorted(unknown)}")
    organizers = _check_organizers(leaders) if leaders is not None else None
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        before = {
            **audit.snapshot(group, GROUP_FIELDS),
            "organizers": _ids(group.leaders.all()),
        }
        for name, value in changes.items():
            setattr(group, name, value)
        group.search_text = member_search_text([group.name, group.description], [])
        group.full_clean()
        group.save()
        if organizers is not None:
            group.leaders.set(organizers)
        after = {**audit.snapshot(group, GROUP_FIELDS), "organizers": _ids(group.leaders.all())}
        old, new = audit.changed_fields(before, after)
        if new:
            audit.record(actor=actor, action="group.updated", obj=group, before=old, after=new)
            emit("group.updated", {"group_id": group.pk, "fields": sorted(new)}, actor=actor)
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


def _check_event(event: Event) -> None:
    if event.ends_at is not None and event.ends_at < event.starts_at:
        raise ServiceError(_("An event cannot end before it starts."), code="bad_range")
    event.search_text = member_search_text([event.title, event.venue, event.hashtag], [])
    try:
        event.full_clean(exclude=["search_text"], validate_unique=False)
    except ValidationError as error:
        raise ServiceError(error.message_dict, code="invalid") from error


def event_create(*, actor: Any, **fields: Any) -> Event:
    """An event made on Kizuna itself (a page or the API), not sent by a connector."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"Not event fields: {sorted(unknown)}")
    with transaction.atomic():
        event = Event(source="kizuna", external_id=uuid.uuid4().hex, **fields)
        _check_event(event)
        event.save()
        audit.record(
            actor=actor,
            action="event.created",
            obj=event,
            after=audit.snapshot(event, EVENT_FIELDS),
        )
        emit("event.created", {"event_id": event.pk, "source": event.source}, actor=actor)
    return event


def event_update(*, actor: Any, event: Event, **changes: Any) -> Event:
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"Not event fields: {sorted(unknown)}")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = audit.snapshot(event, EVENT_FIELDS)
        for name, value in changes.items():
            setattr(event, name, value)
        _check_event(event)
        event.save()
        old, new = audit.changed_fields(before, audit.snapshot(event, EVENT_FIELDS))
        if new:
            audit.record(actor=actor, action="event.updated", obj=event, before=old, after=new)
            emit("event.updated", {"event_id": event.pk, "fields": sorted(new)}, actor=actor)
    return event


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
