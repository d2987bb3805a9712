"""Two records of one person: merging them, undoing a merge, suggesting who may be one."""

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.community.models import (
    Activity,
    Affiliation,
    Attendance,
    Group,
    Identity,
    IdentityName,
    Member,
    MemberMerge,
    MergeSuggestion,
    MergeSuggestionReason,
    NotSamePerson,
)
from kizuna.community.services.search import member_refresh_search
from kizuna.core import audit
from kizuna.core.events import emit


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
    groups += _name_groups(current, "name_key")
    groups += _name_groups(current, "reading_key")
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


def _name_groups(current: Any, key: str) -> list[tuple[str, list[int]]]:
    """Members sharing a name key, over their own names and every name their identities used.

    Two sources, so the grouping is done here: a member called "Kenji Suzuki" and another
    whose GitHub account committed as "kenji" first and as "Kenji Suzuki" later share one.
    """
    members: dict[str, set[int]] = defaultdict(set)
    for value, member_id in current.exclude(**{key: ""}).values_list(key, "id"):
        members[value].add(member_id)
    names = IdentityName.objects.filter(identity__member__in=current).exclude(**{key: ""})
    for value, member_id in names.values_list(key, "identity__member_id"):
        members[value].add(member_id)
    return [
        (MergeSuggestionReason.SIMILAR_NAME, sorted(ids))
        for ids in members.values()
        if 1 < len(ids) <= MAX_SUGGESTION_GROUP
    ]


def _groups(queryset: Any, key: str, reason: str) -> list[tuple[str, list[int]]]:
    shared = (
        queryset.values(key)
        .annotate(n=Count("member_id", distinct=True))
        .filter(n__gt=1, n__lte=MAX_SUGGESTION_GROUP)
        .values_list(key, flat=True)
    )
    members: dict[str, list[int]] = {}
    for value, member_id in queryset.filter(**{f"{key}__in": list(shared)}).values_list(
        key, "member_id"
    ):
        members.setdefault(value, []).append(member_id)
    return [(reason, ids) for ids in members.values()]
