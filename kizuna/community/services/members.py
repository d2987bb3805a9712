"""Members: the one way people are created, and their profile."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kizuna.community import bulk_sql
from kizuna.community.matching import member_search_text, name_key, reading_key
from kizuna.community.models import Identity, Member, Tag
from kizuna.community.services.identities import identity_checked, identity_names_record
from kizuna.community.services.search import member_refresh_search
from kizuna.core import audit
from kizuna.core.events import emit

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

# Profile fields a new person may come with, besides their display name.
NEW_PERSON_PROFILE = ("name_ja", "name_kana", "name_romaji", "prefecture", "notes", "is_staff")


@dataclass(frozen=True)
class NewPerson:
    """Someone the community does not know yet, with the identity they came with, if any.

    Identity keys are stored as given: each way in normalizes its own (lines.py for imports,
    `identity_checked` for pages and the API).
    """

    display_name: str
    platform: str = ""
    handle: str = ""
    email: str = ""
    is_bot: bool = False
    profile: dict[str, Any] = field(default_factory=dict)


def people_create(*, actor: Any, people: Sequence[NewPerson]) -> list[tuple[int | None, int]]:
    """Create members, each with their first identity: the one way people are created.

    The activity import, the attendance import and `member_create` all come here. Callers
    have checked that the identities are new and not erased. Rows go in with one INSERT per
    table (an import creates thousands of people per batch); one `member.created` event and
    one audit entry cover them all. Returns (identity id or None, member id) per person.
    """
    if not people:
        return []
    for person in people:
        unknown = set(person.profile) - set(NEW_PERSON_PROFILE)
        if unknown:
            raise ValueError(f"Not profile fields of a new person: {sorted(unknown)}")
    with transaction.atomic():
        member_ids = bulk_sql.allocate_ids(Member, len(people))
        with_identity = [i for i, person in enumerate(people) if person.platform]
        identity_ids = iter(
            bulk_sql.allocate_ids(Identity, len(with_identity)) if with_identity else []
        )
        now = bulk_sql.db_datetime_adapter(connection.vendor)(timezone.now())
        bulk_sql.insert_rows(
            Member,
            MEMBER_COLUMNS,
            [
                _member_row(member_id, person, now)
                for member_id, person in zip(member_ids, people, strict=True)
            ],
        )
        created: list[tuple[int | None, int]] = [(None, member_id) for member_id in member_ids]
        for i in with_identity:
            created[i] = (next(identity_ids), member_ids[i])
        bulk_sql.insert_rows(
            Identity,
            IDENTITY_COLUMNS,
            [
                (
                    created[i][0],
                    member_ids[i],
                    people[i].platform,
                    people[i].handle,
                    people[i].email,
                    people[i].display_name,
                    False,
                    now,
                )
                for i in with_identity
            ],
        )
        identity_names_record(
            (identity_id, people[i].display_name)
            for i in with_identity
            if (identity_id := created[i][0]) is not None
        )
        emit("member.created", {"member_ids": member_ids}, actor=actor)
        audit.record(actor=actor, action="member.created", after={"member_ids": member_ids})
    return created


def _member_row(member_id: int, person: NewPerson, now: Any) -> tuple[Any, ...]:
    profile = person.profile
    name_ja, kana = profile.get("name_ja", ""), profile.get("name_kana", "")
    names = [person.display_name, name_ja, kana, profile.get("name_romaji", "")]
    return (
        member_id,
        person.display_name,
        name_ja,
        kana,
        profile.get("name_romaji", ""),
        profile.get("prefecture", ""),
        profile.get("notes", ""),
        person.is_bot,
        profile.get("is_staff", False),
        member_search_text(names, [person.handle, person.email]),
        name_key(name_ja or person.display_name),
        reading_key(name_ja or person.display_name, kana),
        now,
    )


MEMBER_COLUMNS = (
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
IDENTITY_COLUMNS = (
    "id",
    "member_id",
    "platform",
    "handle",
    "email",
    "display_name",
    "verified",
    "created_at",
)


def member_create(
    *,
    actor: Any,
    display_name: str,
    platform: str = "",
    handle: str = "",
    email: str = "",
    is_bot: bool = False,
    **profile: Any,
) -> Member:
    """One person from a page, the API or the demo; an identity is checked like identity_add's."""
    if platform and (handle or email):
        platform, handle, email = identity_checked(platform=platform, handle=handle, email=email)
    else:
        platform = handle = email = ""
    [(_identity_id, member_id)] = people_create(
        actor=actor,
        people=[NewPerson(display_name, platform, handle, email, is_bot=is_bot, profile=profile)],
    )
    return Member.objects.get(pk=member_id)


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
