"""Hashtag posts: activities whose title or body carries an event's hashtag.

A social post recorded for an event counts whatever its text; any other activity (a blog
post, a chat message, a talk's slides) counts when its text carries `#tag` of an event.
Tags are compared normalized: NFKC (a full-width ＃ or letter is the plain one), without
the leading #, case-folded; an event's hashtag may be stored with or without its #.

The matches are kept in HashtagPost, filled with the rollups: the text is read once per
activity, by Python (a regular expression knows where a tag ends; SQL LIKE would count
#kizuna inside #kizunaconf), only for activities whose text holds a # at all.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q

from kizuna.community.models import Activity, Event
from kizuna.insights.models import HashtagPost

# After NFKC: a # then the tag's letters, digits and underscores (kana and kanji included).
TAG = re.compile(r"#(\w+)")
BATCH = 2000


def normalize_tag(tag: str) -> str:
    return unicodedata.normalize("NFKC", tag).strip().lstrip("#").casefold()


def tags_in(text: str) -> set[str]:
    return {tag.casefold() for tag in TAG.findall(unicodedata.normalize("NFKC", text))}


def event_tags() -> set[str]:
    tags = Event.objects.exclude(hashtag="").values_list("hashtag", flat=True).distinct()
    return {normalized for tag in tags if (normalized := normalize_tag(tag))}


def _with_a_sign() -> Q:
    return (
        Q(title__contains="#")
        | Q(body__contains="#")
        | Q(title__contains="＃")
        | Q(body__contains="＃")
    )


def matches(activities: Iterable[tuple[int, str, str]], tags: set[str]) -> list[HashtagPost]:
    return [
        HashtagPost(activity_id=pk, hashtag=tag)
        for pk, title, body in activities
        for tag in sorted(tags_in(f"{title}\n{body}") & tags)
    ]


def record_posts(*, after_id: int, up_to_id: int, span: tuple | None = None) -> int:
    """Record the hashtag posts among the activities after_id < id <= up_to_id (and, with
    a span, occurring in it); return how many were new."""
    tags = event_tags()
    if not tags:
        return 0
    activities = Activity.objects.filter(_with_a_sign(), pk__gt=after_id, pk__lte=up_to_id)
    if span is not None:
        activities = activities.filter(occurred_at__gte=span[0], occurred_at__lt=span[1])
    found = matches(
        activities.order_by().values_list("pk", "title", "body").iterator(BATCH),
        tags,
    )
    return len(HashtagPost.objects.bulk_create(found, batch_size=BATCH, ignore_conflicts=True))


def refresh_tag(tag: str) -> set[int]:
    """An event's hashtag was set or changed: record every activity carrying it, forget the
    tags no event has any more. Returns the members whose hashtag posts changed."""
    tags = event_tags()
    stale = HashtagPost.objects.exclude(hashtag__in=tags)
    changed = set(_members_of(stale.values("activity_id")))
    stale.delete()
    normalized = normalize_tag(tag)
    if normalized in tags:
        known = set(
            HashtagPost.objects.filter(hashtag=normalized).values_list("activity_id", flat=True)
        )
        found = [
            post
            for post in matches(
                Activity.objects.filter(_with_a_sign())
                .order_by()
                .values_list("pk", "title", "body")
                .iterator(BATCH),
                {normalized},
            )
            if post.activity_id not in known
        ]
        HashtagPost.objects.bulk_create(found, batch_size=BATCH, ignore_conflicts=True)
        changed.update(_members_of([post.activity_id for post in found]))
    return changed


def _members_of(activity_ids: Any) -> list[int]:
    return list(
        Activity.objects.filter(pk__in=activity_ids).values_list("member_id", flat=True).distinct()
    )


def forget_in_span(span: tuple) -> None:
    """Before a rebuild records the span's hashtag posts again."""
    with connection.cursor() as cursor:
        cursor.execute(
            """DELETE FROM insights_hashtagpost WHERE activity_id IN (
                SELECT id FROM community_activity WHERE occurred_at >= %s AND occurred_at < %s)""",
            list(span),
        )
