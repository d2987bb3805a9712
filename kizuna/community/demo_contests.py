"""Demo contests: a finished developer-guide contest with published results (a tie, and a
judge excluded for a conflict of interest), and one open for entries (dave has entered)."""

from datetime import UTC, datetime, time, timedelta

from kizuna.accounts.models import User
from kizuna.community.models import Contest, ContestEntry, Member
from kizuna.community.services import contests
from kizuna.community.services.contests import CriterionSpec
from kizuna.core.seeding import DemoContext

CRITERIA = [
    CriterionSpec(name_ja="技術的な正確さ", name_en="Technical accuracy", weight=3),
    CriterionSpec(name_ja="わかりやすさ", name_en="Clarity", weight=2),
    CriterionSpec(name_ja="独創性", name_en="Originality", weight=1),
]
# title, kind, url path, summary, each judge's scores per criterion
FINISHED_ENTRIES = [
    ("Webhook 署名検証を 10 分で", "article", "zenn.dev/demo/articles/webhook-verify",
     "Standard Webhooks の署名を Python と PHP で検証する手順。", [8, 9, 6]),
    ("在庫連携サンプルアプリ", "repository", "github.com/demo/kizuna-stock-sync",
     "在庫 API を使った同期アプリ。テストと CI つき。", [9, 7, 8]),
    ("API 入門動画(15分)", "video", "www.youtube.com/watch?v=demo-kizuna",
     "トークンの作成から最初のリクエストまでを動画で。", [8, 8, 8]),
    ("プラグイン開発の落とし穴", "article", "qiita.com/demo/items/kizuna-plugin-pitfalls",
     "実案件で踏んだ 5 つの落とし穴と回避策。", [7, 8, 9]),
]  # fmt: skip


def seed(ctx: DemoContext) -> None:
    staff = User.objects.filter(email="alice@example.com").first()
    bob = User.objects.filter(email="bob@example.com").first()
    if staff is None or bob is None:
        return
    # One of Bob Web Works' people (community/demo.py) enters: bob, a judge, is excluded.
    bob_person = Member.objects.filter(identities__handle="kenta_ogawa").first()
    others = Member.objects.countable().filter(user__isnull=True, affiliations__isnull=True)
    entrants = list(others.order_by("id")[:5])
    _finished(ctx, staff, bob, entrants[:3] + ([bob_person] if bob_person else []))
    dave = Member.objects.current().filter(user__email="dave@example.com").first()
    _open(ctx, staff, bob, entrants[3:5] + ([dave] if dave else []))


def _at(ctx: DemoContext, days: int, hour: int = 1) -> datetime:
    return datetime.combine(ctx.today + timedelta(days=days), time(hour, 0), UTC)


def _finished(ctx: DemoContext, staff: User, bob: User, entrants: list[Member]) -> None:
    contest = contests.contest_create(
        actor=staff,
        criteria=CRITERIA,
        judges=[staff, bob],
        title_ja="2026年 開発者ガイドコンテスト",
        title_en="2026 Developer guide contest",
        theme_ja="Kizuna の API やプラグインを使う開発者のためのガイド",
        theme_en="Guides for developers who use Kizuna's API and plugins",
        rules_ja="一人一作品。公開済みの記事・リポジトリ・動画で応募してください。",
        rules_en="One work per person, published as an article, a repository or a video.",
        prizes_ja="最優秀賞 10万円、優秀賞 3万円(同点の場合は賞金を等分)",
        prizes_en="First prize 100,000 yen, runner-up 30,000 yen (shared equally on a tie)",
        entries_open_at=_at(ctx, -90),
        entries_close_at=_at(ctx, -45),
        eligibility="everyone",
    )
    contests.contest_publish(actor=staff, contest=contest)
    contest.refresh_from_db()
    entries = []
    for day, (member, (title, kind, path, summary, _scores)) in enumerate(
        zip(entrants, FINISHED_ENTRIES, strict=False)
    ):
        entry = contests.entry_submit(
            actor=None,
            contest=contest,
            member=member,
            kind=kind,
            title=title,
            url=f"https://{path}",
            summary=summary,
            now=_at(ctx, -80 + day * 5),
        )
        contests.entry_accept(actor=staff, entry=entry)
        entries.append(entry)
    contests.contest_judging_start(actor=staff, contest=contest, now=_at(ctx, -44))
    _score(contest, entries)
    contests.contest_results_publish(actor=staff, contest=contest)


def _score(contest: Contest, entries: list[ContestEntry]) -> None:
    criteria = list(contest.criteria.all())
    excluded = set(
        contest.judges.filter(conflicts__isnull=False).values_list("pk", "conflicts__entry")
    )
    for offset, judge in enumerate(contest.judges.all()):
        for entry, (*_text, scores) in zip(entries, FINISHED_ENTRIES, strict=False):
            if (judge.pk, entry.pk) in excluded:
                continue
            contests.entry_score(
                judge=judge,
                entry=entry,
                scores={
                    c.pk: min(10, s + offset % 2) for c, s in zip(criteria, scores, strict=True)
                },
            )


def _open(ctx: DemoContext, staff: User, bob: User, entrants: list[Member]) -> None:
    contest = contests.contest_create(
        actor=staff,
        criteria=CRITERIA[:2],
        judges=[staff, bob],
        title_ja="プラグイン紹介コンテスト",
        title_en="Plugin showcase contest",
        theme_ja="あなたの作ったプラグインを紹介してください",
        theme_en="Show the plugin you built",
        rules_ja="動画またはリポジトリで応募。審査は締切後に行います。",
        rules_en="Enter with a video or a repository. Judging starts after entries close.",
        prizes_ja="最優秀賞 5万円",
        prizes_en="First prize 50,000 yen",
        entries_open_at=_at(ctx, -10),
        entries_close_at=_at(ctx, 30),
        eligibility="everyone",
    )
    contests.contest_publish(actor=staff, contest=contest)
    contest.refresh_from_db()
    for number, member in enumerate(entrants):
        entry = contests.entry_submit(
            actor=None,
            contest=contest,
            member=member,
            kind="repository",
            title=f"配送日時指定プラグイン v{number + 1}",
            url=f"https://github.com/demo/delivery-slot-{number + 1}",
            summary="配送日時の指定と締め時間を設定できるプラグイン。",
            now=_at(ctx, -5 + number),
        )
        if number == 0:
            contests.entry_accept(actor=staff, entry=entry)
