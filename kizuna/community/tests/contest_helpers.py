"""Building blocks of the contest tests: a contest announced by a community manager, with
two criteria and two judges, and members who enter it."""

from datetime import date, timedelta

from django.utils import timezone

from kizuna.community import services as community
from kizuna.community.models import Contest, Member
from kizuna.community.services import contests
from kizuna.community.services.contests import CriterionSpec

CRITERIA = [
    CriterionSpec(name_ja="技術的な正確さ", name_en="Technical accuracy", weight=3),
    CriterionSpec(name_ja="わかりやすさ", name_en="Clarity", weight=1),
]


def linked_member(user, name: str) -> Member:
    """A community member whose account is `user` (as a confirmed identity claim leaves it)."""
    member = community.member_create(actor=None, display_name=name)
    member.user = user
    member.save(update_fields=["user"])
    return member


def announced_contest(manager, judges, **changes) -> Contest:
    now = timezone.now()
    values = {
        "title_ja": "開発者ガイドコンテスト",
        "title_en": "Developer guide contest",
        "theme_ja": "Kizuna の API を使った開発ガイド",
        "theme_en": "A developer guide using Kizuna's API",
        "rules_ja": "一人一作品",
        "rules_en": "One work per person",
        "prizes_ja": "最優秀賞: 10万円",
        "prizes_en": "First prize: 100,000 yen",
        "entries_open_at": now - timedelta(days=1),
        "entries_close_at": now + timedelta(days=7),
        "eligibility": "everyone",
        **changes,
    }
    contest = contests.contest_create(actor=manager, criteria=CRITERIA, judges=judges, **values)
    contests.contest_publish(actor=manager, contest=contest)
    contest.refresh_from_db()
    return contest


def enter(contest, member, title="Kizuna API 入門", **changes):
    return contests.entry_submit(
        actor=member.user,
        contest=contest,
        member=member,
        kind=changes.pop("kind", "article"),
        title=title,
        url=changes.pop("url", "https://zenn.dev/dave/articles/kizuna-api"),
        summary=changes.pop("summary", "API トークンの作り方から webhook まで"),
        **changes,
    )


def start_judging(manager, contest):
    contests.contest_judging_start(
        actor=manager, contest=contest, now=contest.entries_close_at + timedelta(minutes=1)
    )
    contest.refresh_from_db()


def score_all(judge, entry, values: list[int]):
    criteria = list(entry.contest.criteria.all())
    contests.entry_score(
        judge=judge, entry=entry, scores={c.pk: v for c, v in zip(criteria, values, strict=True)}
    )


def today() -> date:
    return timezone.localdate()
