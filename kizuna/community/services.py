"""Every write to community data goes through here (DESIGN.md, rules of the house)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.community.ingest import Ingestion, OnOutcome, Summary
from kizuna.community.lines import Record
from kizuna.community.matching import identifier_hash, member_search_text, name_key, reading_key
from kizuna.community.models import (
    Activity,
    Affiliation,
    Attendance,
    ErasureBlock,
    Event,
    Group,
    Identity,
    Member,
    MemberMerge,
    MergeSuggestion,
    MergeSuggestionReason,
    NotSamePerson,
    Tag,
)
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.serialization import json_ready

PROFILE_FIELDS = [
    "display_name",
    "name_ja",
    "name_kana",
    "name_romaji",
    "prefecture",
    "notes",
    "is_bot",
    "is_staff",
]


def activities_ingest(
    *,
    records: Iterable[Record],
    actor: Any = None,
    dry_run: bool = False,
    on_outcome: OnOutcome | None = None,
    batch_size: int | None = None,
) -> Summary:
    """Import activity records (see ingest.py): idempotent, one transaction per batch."""
    ingestion = Ingestion(actor=actor, dry_run=dry_run, on_outcome=on_outcome)
    if batch_size is None:
        return ingestion.run(records)
    return ingestion.run(records, batch_size=batch_size)


def member_refresh_search(member: Member) -> None:
    handles = [v for i in member.identities.all() for v in (i.handle, i.email)]
    names = [member.display_name, member.name_ja, member.name_kana, member.name_romaji]
    member.search_text = member_search_text(names, handles)
    member.name_key = name_key(member.name_ja or member.display_name)
    member.reading_key = reading_key(member.name_ja or member.display_name, member.name_kana)
    member.save(update_fields=["search_text", "name_key", "reading_key"])


def member_create(
    *,
    actor: Any,
    display_name: str,
    platform: str = "",
    handle: str = "",
    email: str = "",
    **profile: Any,
) -> Member:
    with transaction.atomic():
        member = Member.objects.create(display_name=display_name, **profile)
        if platform and (handle or email):
            identity_add(
                actor=actor,
                member=member,
                platform=platform,
                handle=handle,
                email=email,
                display_name=display_name,
            )
        member_refresh_search(member)
        emit("member.created", {"member_ids": [member.pk]}, actor=actor)
    return member


def member_update(
    *, actor: Any, member: Member, tags: list[str] | None = None, **changes: Any
) -> Member:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        before = audit.snapshot(member, PROFILE_FIELDS)
        for name, value in changes.items():
            setattr(member, name, value)
        member.full_clean(exclude=["user", "merged_into", "tags"])
        member.save()
        if tags is not None:
            member.tags.set(
                [Tag.objects.get_or_create(name=t.strip())[0] for t in tags if t.strip()]
            )
        member_refresh_search(member)
        old, new = audit.changed_fields(before, audit.snapshot(member, PROFILE_FIELDS))
        audit.record(actor=actor, action="member.updated", obj=member, before=old, after=new)
        if {"is_bot", "is_staff"} & set(new):
            # Whether a member counts in KPIs changed: insights rebuild their figures.
            emit("member.updated", {"member_id": member.pk, "fields": sorted(new)}, actor=actor)
    return member


def identity_add(
    *,
    actor: Any,
    member: Member,
    platform: str,
    handle: str = "",
    email: str = "",
    display_name: str = "",
    verified: bool = False,
) -> Identity:
    platform, email = platform.strip().lower(), email.strip().lower()
    handle = handle.strip().lower().removeprefix("@") or email
    if _is_blocked(platform, handle, email):
        raise ValidationError(
            _("This person asked to be erased; their identity cannot be added."),
            code="erased_person",
        )
    if Identity.objects.filter(platform=platform, handle=handle).exists():
        raise ValidationError(_("This identity already belongs to a member."), code="duplicate")
    if (
        verified
        and email
        and Identity.objects.filter(platform=platform, email=email, verified=True).exists()
    ):
        raise ValidationError(
            _("This verified email already belongs to a member."), code="duplicate_verified_email"
        )
    with transaction.atomic():
        identity = Identity.objects.create(
            member=member,
            platform=platform,
            handle=handle,
            email=email,
            display_name=display_name,
            verified=verified,
        )
        member_refresh_search(member)
        audit.record(
            actor=actor,
            action="identity.added",
            obj=member,
            after={"identity": str(identity), "verified": verified},
        )
    return identity


def _is_blocked(platform: str, handle: str, email: str) -> bool:
    hashes = [identifier_hash(platform, handle)] + (
        [identifier_hash("email", email)] if email else []
    )
    return ErasureBlock.objects.filter(identifier_hash__in=hashes).exists()


def affiliation_add(
    *,
    actor: Any,
    member: Member,
    organization: Organization,
    start_date: date,
    end_date: date | None = None,
    title: str = "",
) -> Affiliation:
    if end_date is not None and end_date < start_date:
        raise ValidationError(_("An affiliation cannot end before it starts."), code="bad_range")
    with transaction.atomic():
        affiliation = Affiliation.objects.create(
            member=member,
            organization=organization,
            start_date=start_date,
            end_date=end_date,
            title=title,
        )
        audit.record(
            actor=actor,
            action="affiliation.added",
            obj=member,
            after=json_ready(
                {"organization_id": organization.pk, "start_date": start_date, "end_date": end_date}
            ),
        )
        emit(
            "member.affiliation_changed",
            {"member_id": member.pk, "organization_id": organization.pk},
            actor=actor,
        )
    return affiliation


# Merges -------------------------------------------------------------------------------


def _ordered(a: Member, b: Member) -> tuple[int, int]:
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def member_merge(*, actor: Any, into: Member, merged: Member) -> MemberMerge:
    """Move everything of `merged` onto `into`, recording what moved so undo can move it back."""
    if into.pk == merged.pk:
        raise ValidationError(_("A member cannot be merged with itself."), code="same_member")
    if into.merged_into_id or merged.merged_into_id or into.erased_at or merged.erased_at:
        raise ValidationError(_("Only current members can be merged."), code="not_current")
    with transaction.atomic():
        moved: dict[str, Any] = {
            "identities": list(merged.identities.values_list("id", flat=True)),
            "activities": list(merged.activities.values_list("id", flat=True)),
            "affiliations": list(merged.affiliations.values_list("id", flat=True)),
            # Only what `into` gains, so undo removes exactly that.
            "tags": list(merged.tags.exclude(members=into).values_list("id", flat=True)),
            "leads": list(merged.led_groups.values_list("id", flat=True)),
            "leads_gained": list(
                merged.led_groups.exclude(leaders=into).values_list("id", flat=True)
            ),
            "user_id": merged.user_id,
            **_move_attendance(into, merged),
        }
        merged.identities.update(member=into)
        merged.activities.update(member=into)
        merged.affiliations.update(member=into)
        into.tags.add(*moved["tags"])
        for group in Group.objects.filter(pk__in=moved["leads"]):
            group.leaders.remove(merged)
            group.leaders.add(into)
        if merged.user_id and not into.user_id:
            into.user_id, merged.user_id = merged.user_id, None
            merged.save(update_fields=["user"])
            into.save(update_fields=["user"])
        merged.merged_into = into
        merged.save(update_fields=["merged_into"])
        member_refresh_search(into)
        record = MemberMerge.objects.create(into=into, merged=merged, moved=moved, actor=actor)
        MergeSuggestion.objects.filter(Q(member_a=merged) | Q(member_b=merged)).delete()
        audit.record(
            actor=actor,
            action="member.merged",
            obj=into,
            after={"merged_member_id": merged.pk, "merge_id": record.pk},
        )
        emit(
            "member.merged",
            {"into_id": into.pk, "merged_id": merged.pk, "merge_id": record.pk},
            actor=actor,
        )
    return record


def _move_attendance(into: Member, merged: Member) -> dict[str, list[int]]:
    """Attendance moves unless `into` was at the same event: that one stays with `merged`."""
    into_events = set(into.attendances.values_list("event_id", flat=True))
    moving = [
        attendance_id
        for attendance_id, event_id in merged.attendances.values_list("id", "event_id")
        if event_id not in into_events
    ]
    Attendance.objects.filter(pk__in=moving).update(member=into)
    return {"attendances": moving}


def member_merge_undo(*, actor: Any, merge: MemberMerge) -> Member:
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."), code="already_undone")
    later = MemberMerge.objects.filter(
        Q(into=merge.into) | Q(merged=merge.into),
        created_at__gt=merge.created_at,
        undone_at__isnull=True,
    )
    if later.exists():
        raise ValidationError(_("Undo the later merges of this member first."), code="later_merge")
    into, merged, moved = merge.into, merge.merged, merge.moved
    with transaction.atomic():
        Identity.objects.filter(pk__in=moved["identities"]).update(member=merged)
        # Activities that arrived later through the merged person's identities go back too.
        Activity.objects.filter(
            Q(pk__in=moved["activities"]) | Q(identity_id__in=moved["identities"]), member=into
        ).update(member=merged)
        Affiliation.objects.filter(pk__in=moved["affiliations"]).update(member=merged)
        Attendance.objects.filter(pk__in=moved["attendances"]).update(member=merged)
        into.tags.remove(*_ids(moved, "tags"))
        for group in Group.objects.filter(pk__in=_ids(moved, "leads")):
            group.leaders.add(merged)
            if group.pk in moved["leads_gained"]:
                group.leaders.remove(into)
        if moved["user_id"] and into.user_id == moved["user_id"]:
            into.user = None
            into.save(update_fields=["user"])
            merged.user_id = moved["user_id"]
        merged.merged_into = None
        merged.save(update_fields=["merged_into", "user"])
        member_refresh_search(into)
        member_refresh_search(merged)
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
        audit.record(
            actor=actor,
            action="member.merge_undone",
            obj=into,
            after={"merged_member_id": merged.pk, "merge_id": merge.pk},
        )
        emit(
            "member.merge_undone",
            {"into_id": into.pk, "merged_id": merged.pk, "merge_id": merge.pk},
            actor=actor,
        )
    return merged


def _ids(moved: dict[str, Any], key: str) -> list[int]:
    return list(moved.get(key) or [])


def member_mark_not_same(*, actor: Any, first: Member, second: Member) -> NotSamePerson:
    a, b = _ordered(first, second)
    with transaction.atomic():
        pair, _created = NotSamePerson.objects.get_or_create(
            member_a_id=a, member_b_id=b, defaults={"actor": actor}
        )
        MergeSuggestion.objects.filter(member_a_id=a, member_b_id=b).delete()
        audit.record(
            actor=actor,
            action="member.not_same_person",
            obj=first,
            after={"other_member_id": second.pk},
        )
    return pair


def merge_suggestions_refresh() -> int:
    """Find pairs that may be one person; returns how many new suggestions were stored."""
    current = Member.objects.current().filter(erased_at__isnull=True)
    groups: list[tuple[str, list[int]]] = []
    groups += _groups(
        Identity.objects.filter(verified=True, member__in=current).exclude(email=""),
        "email",
        MergeSuggestionReason.SAME_VERIFIED_EMAIL,
    )
    groups += _groups(
        Identity.objects.filter(member__in=current), "handle", MergeSuggestionReason.SAME_HANDLE
    )
    groups += _groups(
        current.exclude(name_key=""),
        "name_key",
        MergeSuggestionReason.SIMILAR_NAME,
        member_field="id",
    )
    groups += _groups(
        current.exclude(reading_key=""),
        "reading_key",
        MergeSuggestionReason.SIMILAR_NAME,
        member_field="id",
    )
    not_same = set(NotSamePerson.objects.values_list("member_a_id", "member_b_id"))
    existing = set(MergeSuggestion.objects.values_list("member_a_id", "member_b_id"))
    new: dict[tuple[int, int], str] = {}
    for reason, member_ids in groups:
        ids = sorted(set(member_ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if (a, b) not in not_same and (a, b) not in existing:
                    new.setdefault((a, b), reason)
    with transaction.atomic():
        MergeSuggestion.objects.bulk_create(
            [MergeSuggestion(member_a_id=a, member_b_id=b, reason=r) for (a, b), r in new.items()],
            ignore_conflicts=True,
        )
    return len(new)


# Big groups (a shared handle like "admin") are noise, not one person.
MAX_SUGGESTION_GROUP = 5


def _groups(
    queryset: Any, key: str, reason: str, member_field: str = "member_id"
) -> list[tuple[str, list[int]]]:
    shared = (
        queryset.values(key)
        .annotate(n=Count(member_field, distinct=True))
        .filter(n__gt=1, n__lte=MAX_SUGGESTION_GROUP)
        .values_list(key, flat=True)
    )
    members: dict[str, list[int]] = {}
    for value, member_id in queryset.filter(**{f"{key}__in": list(shared)}).values_list(
        key, member_field
    ):
        members.setdefault(value, []).append(member_id)
    return [(reason, ids) for ids in members.values()]


# Erasure --------------------------------------------------------------------------------


def member_erase(*, actor: Any, member: Member) -> Member:
    """Erase a person (個人情報保護法): personal data goes, counts stay, connectors stop.

    The member row stays as an anonymous tombstone so activity counts still add up; the
    identifiers are kept only as hashes in the blocklist.
    """
    people = [member, *Member.objects.filter(merged_into=member)]
    with transaction.atomic():
        identities = Identity.objects.filter(member__in=people)
        hashes = set()
        for platform, handle, email in identities.values_list("platform", "handle", "email"):
            hashes.add(identifier_hash(platform, handle))
            if email:
                hashes.add(identifier_hash("email", email))
        ErasureBlock.objects.bulk_create(
            [ErasureBlock(identifier_hash=h) for h in hashes], ignore_conflicts=True
        )
        identities.delete()
        Activity.objects.filter(member__in=people).update(
            member=member, identity=None, url="", title="", body=""
        )
        Attendance.objects.filter(member__in=people).exclude(member=member).delete()
        Affiliation.objects.filter(member__in=people).delete()
        for person in people:
            person.tags.clear()
            person.led_groups.clear()
        Member.objects.filter(pk__in=[p.pk for p in people]).update(
            display_name="",
            name_ja="",
            name_kana="",
            name_romaji="",
            prefecture="",
            notes="",
            user=None,
            search_text="",
            name_key="",
            reading_key="",
            erased_at=timezone.now(),
        )
        MergeSuggestion.objects.filter(Q(member_a__in=people) | Q(member_b__in=people)).delete()
        audit.record(
            actor=actor,
            action="member.erased",
            obj=member,
            after={"identifiers_blocked": len(hashes)},
        )
        emit("member.erased", {"member_id": member.pk}, actor=actor)
    member.refresh_from_db()
    return member


# Groups and events ---------------------------------------------------------------------------


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
        for platform, handle, name, role, status in entries:
            if _is_blocked(platform, handle, ""):
                counts["rejected"] += 1
                continue
            identity = Identity.objects.filter(platform=platform, handle=handle).first()
            if identity is None:
                member = Member.objects.create(display_name=name)
                identity = Identity.objects.create(
                    member=member, platform=platform, handle=handle, display_name=name
                )
                member_refresh_search(member)
            _attendance, created = Attendance.objects.update_or_create(
                event=event,
                member_id=identity.member_id,
                defaults={"role": role, "status": status},
            )
            counts["created" if created else "updated"] += 1
        emit("attendance.imported", {"event_id": event.pk, **counts}, actor=actor)
    return counts
