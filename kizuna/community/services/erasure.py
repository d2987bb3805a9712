"""Erasing a person on request (個人情報保護法)."""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kizuna.community.matching import identifier_hash
from kizuna.community.models import (
    Activity,
    Affiliation,
    Attendance,
    ContestEntry,
    ErasureBlock,
    Identity,
    Member,
    MergeSuggestion,
)
from kizuna.core import audit
from kizuna.core.events import emit


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
        # Contest entries keep their place in results, without the person's work or words.
        ContestEntry.objects.filter(member__in=people).update(
            member=member, title="", url="", summary="", reason=""
        )
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
