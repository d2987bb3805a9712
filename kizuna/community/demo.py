"""Demo community: regional chapters, a year of events with regulars and first-timers,
members across platforms (some twice, to merge), and a year of activities. Groups have
organizers (dave among them) and links; some members are affiliated with partners, and one
suggestion of each kind waits for staff.

Activities go through the real bulk import path, so the large scale (100,000 members,
1,000,000 activities) also shows how fast that path is.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from kizuna.accounts.models import Organization, User
from kizuna.community import demo_contests, services
from kizuna.community.lines import Record
from kizuna.community.models import Event, EventFormat, EventKind, Group, Identity, Member
from kizuna.core.seeding import DemoContext, person_name

SIZES = {
    "small": {"members": 300, "activities": 6_000},
    "medium": {"members": 5_000, "activities": 100_000},
    "large": {"members": 100_000, "activities": 1_000_000},
}
CHAPTERS = [
    ("tokyo", "Kizuna 東京", "13"),
    ("osaka", "Kizuna 大阪", "27"),
    ("fukuoka", "Kizuna 福岡", "40"),
    ("nagoya", "Kizuna 名古屋", "23"),
    ("sapporo", "Kizuna 札幌", "01"),
]
VENUES = {
    "13": "渋谷ヒカリエ",
    "27": "グランフロント大阪",
    "40": "天神ビジネスセンター",
    "23": "名古屋駅前会議室",
    "01": "札幌市産業振興センター",
}
# platform, activity types seen there, and how often
PLATFORMS = [
    ("github", ["pull_request", "issue", "review", "comment", "release"]),
    ("slack", ["chat_message", "chat_message", "chat_message", "question", "answer"]),
    ("zenn", ["blog_post"]),
    ("connpass", ["social_post"]),
]


def seed(ctx: DemoContext) -> None:
    sizes = SIZES[ctx.scale]
    groups = _seed_groups()
    events = _seed_events(ctx, groups)
    services.activities_ingest(
        records=ctx.track(
            _activity_records(ctx, sizes["members"], sizes["activities"], events),
            "community activities",
            total=sizes["activities"],
        )
    )
    _seed_duplicates_and_dave(ctx)
    _seed_leaders_and_affiliations(ctx, groups)
    _seed_partner_people_activity(ctx)
    services.merge_suggestions_refresh()
    demo_contests.seed(ctx)


def _seed_groups() -> list[Group]:
    return [
        services.group_create(
            actor=None,
            name=name,
            slug=slug,
            prefecture=prefecture,
            description=f"{name} の勉強会とミートアップ。初参加の方も歓迎です。",
        )
        for slug, name, prefecture in CHAPTERS
    ]


def _seed_events(ctx: DemoContext, groups: list[Group]) -> list[Event]:
    start = ctx.today - timedelta(days=365)
    events = []
    for month in range(12):
        for index, group in enumerate(groups):
            day = start + timedelta(days=30 * month + 7 * (index % 4) + 3)
            hybrid = month % 3 == 0
            events.append(
                Event(
                    source="connpass",
                    external_id=f"demo-{group.slug}-{month}",
                    title=f"{group.name} 勉強会 #{month + 1}",
                    group=group,
                    kind=EventKind.STUDY_SESSION if month % 4 else EventKind.MEETUP,
                    format=EventFormat.HYBRID if hybrid else EventFormat.IN_PERSON,
                    staff_run=index == 0 and month % 6 == 0,
                    venue=VENUES[group.prefecture],
                    prefecture=group.prefecture,
                    hashtag=f"kizuna_{group.slug}",
                    online_url="https://meet.example.jp/kizuna" if hybrid else "",
                    starts_at=datetime.combine(day, time(10, 0), UTC),
                    ends_at=datetime.combine(day, time(12, 0), UTC),
                    capacity=ctx.rng.choice([30, 40, 50, 80]),
                )
            )
    events.append(
        Event(
            source="kizuna",
            external_id="demo-conference",
            title="Kizuna Conference Japan",
            kind=EventKind.CONFERENCE,
            format=EventFormat.HYBRID,
            staff_run=True,
            venue="東京国際フォーラム",
            prefecture="13",
            hashtag="kizunaconf",
            starts_at=datetime.combine(ctx.today - timedelta(days=60), time(1, 0), UTC),
            capacity=500,
        )
    )
    return Event.objects.bulk_create(events)


def _activity_records(
    ctx: DemoContext, members: int, count: int, events: list[Event]
) -> Iterator[Record]:
    rng = ctx.rng
    people = [person_name(rng) for _ in range(members)]
    # A few regulars come to most events; everyone else drops in now and then.
    regulars = max(5, members // 50)
    start = datetime.combine(ctx.today - timedelta(days=365), time(0), UTC)
    # Recent questions and issues per source, which later answers and comments reply to.
    asked: dict[str, list[tuple[str, datetime]]] = {}
    for n in range(count):
        person = int(rng.paretovariate(1.2)) % members if n % 3 else rng.randrange(members)
        name, romaji = people[person]
        record: dict[str, Any]
        if n % 10 == 0:
            event = rng.choice(events)
            if person >= regulars and rng.random() < 0.5:
                person = rng.randrange(members)  # a first-timer
                name, romaji = people[person]
            kind = rng.choices(["attended_event", "talk", "lightning_talk"], [90, 4, 6])[0]
            record = {
                "source": event.source,
                "external_id": f"demo-{n}",
                "type": kind,
                "occurred_at": event.starts_at.isoformat(),
                "event_external_id": event.external_id,
                "title": event.title,
                "member": {"platform": "connpass", "handle": f"{romaji}{person}", "name": name},
            }
        else:
            platform, kinds = PLATFORMS[person % len(PLATFORMS)]
            kind = rng.choice(kinds)
            when = start + timedelta(seconds=rng.randrange(365 * 86400))
            source = f"demo-{platform}"
            in_reply_to = ""
            if kind in ("question", "issue"):
                asked.setdefault(source, []).append((f"demo-{n}", when))
            elif kind in ("answer", "comment") and asked.get(source) and rng.random() < 0.85:
                # Answered within hours, sometimes days.
                in_reply_to, question_at = rng.choice(asked[source][-50:])
                when = question_at + timedelta(hours=rng.expovariate(1 / 10))
            record = {
                "source": source,
                "external_id": f"demo-{n}",
                "type": kind,
                "occurred_at": when.isoformat(),
                "title": f"{name} の {kind}",
                "url": f"https://example.jp/{platform}/{n}",
                "in_reply_to": in_reply_to,
                "member": {
                    "platform": platform,
                    "handle": f"{romaji}{person}",
                    "email": f"{romaji}{person}@example.jp",
                    "name": name,
                },
            }
        yield n + 1, record


# Two people of Bob Web Works and what they did for the community while there: the talks
# and the article earn the partner points (docs/partners.md), the answer without a link is
# only counted on its rank page, and the attendance is worth nothing.
BOB_PEOPLE = [("小川 健太", "kenta_ogawa"), ("石井 美咲", "misaki_ishii")]
BOB_ACTIVITY = [
    # handle, type, days ago, url, title
    (
        "kenta_ogawa",
        "talk",
        40,
        "https://kizuna.connpass.com/event/9001/",
        "受注データを会計へ流す",
    ),
    (
        "kenta_ogawa",
        "blog_post",
        25,
        "https://zenn.dev/kenta/articles/kizuna-tax",
        "軽減税率の端数処理",
    ),
    (
        "misaki_ishii",
        "lightning_talk",
        12,
        "https://kizuna.connpass.com/event/9002/",
        "LT: 定期購入の解約率",
    ),
    ("misaki_ishii", "answer", 5, "", ""),
    ("misaki_ishii", "attended_event", 3, "", ""),
]


def _seed_partner_people_activity(ctx: DemoContext) -> None:
    bob = Organization.objects.filter(slug="bob-web-works").first()
    if bob is None:
        return
    for name, handle in BOB_PEOPLE:
        member = services.member_create(
            actor=None, display_name=name, platform="connpass", handle=handle
        )
        services.affiliation_add(
            actor=None, member=member, organization=bob, start_date=ctx.today - timedelta(days=400)
        )
    services.activities_ingest(
        records=[
            (
                number,
                {
                    "source": "demo-partner-people",
                    "external_id": f"{handle}-{type_key}",
                    "type": type_key,
                    "occurred_at": datetime.combine(
                        ctx.today - timedelta(days=days), time(10, 0), UTC
                    ).isoformat(),
                    "member": {"platform": "connpass", "handle": handle},
                    "url": url,
                    "title": title,
                },
            )
            for number, (handle, type_key, days, url, title) in enumerate(BOB_ACTIVITY, start=1)
        ]
    )


def _seed_duplicates_and_dave(ctx: DemoContext) -> None:
    """Some people also have a GitHub account under the same name: merge suggestions."""
    members = list(Member.objects.prefetch_related("identities").order_by("id")[:40])
    for member in members[::4]:
        # GitHub logins are ASCII: reuse the person's connpass-style handle, as people do.
        known = next(iter(member.identities.all()), None)
        login = known.handle.replace(".", "-") if known else f"member-{member.pk}"
        services.member_create(
            actor=None,
            display_name=member.display_name,
            platform="github",
            handle=f"{login}-{member.pk}",
        )
    dave = User.objects.filter(email="dave@example.com").first()
    if dave is not None:
        member = services.member_create(
            actor=None,
            display_name=dave.display_name,
            platform="zenn",
            handle="dave",
            email=dave.email,
        )
        Member.objects.filter(pk=member.pk).update(user=dave, prefecture="40")
        Identity.objects.filter(member=member).update(verified=True)
        services.activities_ingest(records=_dave_activity_records(ctx))


# dave's own year, so his page and home have something to show: (type, days ago, title).
DAVE_ACTIVITY = [
    ("blog_post", 340, "Kizuna の API で在庫連携を試した"),
    ("blog_post", 250, "福岡もくもく会のふりかえり"),
    ("blog_post", 120, "Webhook 署名の検証を Python で"),
    ("blog_post", 44, "定期購入プラグインの作り方"),
    ("blog_post", 9, "年末セールに向けたチューニング"),
    ("comment", 200, "もくもく会の資料へのコメント"),
    ("comment", 60, "Webhook の記事へのコメント"),
    ("comment", 2, "年末セールの記事へのコメント"),
]


def _dave_activity_records(ctx: DemoContext) -> Iterator[Record]:
    for number, (type_key, days, title) in enumerate(DAVE_ACTIVITY, start=1):
        yield (
            number,
            {
                "source": "demo-zenn",
                "external_id": f"dave-{number}",
                "type": type_key,
                "occurred_at": datetime.combine(
                    ctx.today - timedelta(days=days), time(11, 0), UTC
                ).isoformat(),
                "member": {"platform": "zenn", "handle": "dave"},
                "title": title,
            },
        )


def _seed_leaders_and_affiliations(ctx: DemoContext, groups: list[Group]) -> None:
    leaders = list(Member.objects.order_by("id")[: len(groups) * 2])
    dave = Member.objects.filter(user__email="dave@example.com").first()
    for index, group in enumerate(groups):
        organizers = leaders[index * 2 : index * 2 + 2]
        if index == 0 and dave is not None:
            organizers.append(dave)  # dave signs in and edits his group's events
        services.group_update(
            actor=None,
            group=group,
            leaders=organizers,
            links=[f"https://kizuna-{group.slug}.connpass.example.com/"],
        )
    partners = ctx.shared.get("partner_organizations", [])
    for index, member in enumerate(Member.objects.order_by("id")[:60]):
        if partners and index % 3 == 0:
            services.affiliation_add(
                actor=None,
                member=member,
                organization=partners[index % len(partners)],
                start_date=ctx.today - timedelta(days=ctx.rng.randrange(100, 900)),
            )
    if partners:
        _seed_affiliation_suggestions(ctx, partners)


def _seed_affiliation_suggestions(ctx: DemoContext, partners: list[Any]) -> None:
    """One suggestion from a verified email at a partner's domain, one partner proposal."""
    with_site = [o for o in partners if getattr(getattr(o, "partner_profile", None), "website", "")]
    if with_site:
        domain = urlsplit(with_site[0].partner_profile.website).hostname or ""
        member = services.member_create(
            actor=None,
            display_name="Kenta Sato",
            platform="github",
            handle="kenta-sato",
            email=f"kenta@{domain.removeprefix('www.')}",
        )
        Identity.objects.filter(member=member).update(verified=True)
        services.affiliation_suggestions_refresh()
    organization = partners[-1]
    owner = organization.memberships.filter(role="owner").first()
    candidate = Member.objects.filter(affiliations__isnull=True, is_bot=False).order_by("id")
    proposed = candidate.exclude(user__isnull=False).first()
    if owner is not None and proposed is not None:
        services.affiliation_propose(
            actor=owner.user,
            organization=organization,
            member=proposed,
            start_date=ctx.today - timedelta(days=200),
        )
