"""Demo partner program: profiles, achievements in every state, badges, ranks, evangelists.

Rows are built in memory and bulk-inserted; badges and ranks are computed here with the
same rules as the services (level thresholds, window, rank thresholds) so that the large
scale (10,000 partners, 100,000 achievements) loads in minutes.
"""

import itertools
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from kizuna.accounts.models import Organization, User
from kizuna.core.prefectures import PREFECTURE_CODES
from kizuna.core.seeding import DemoContext, person_name
from kizuna.core.text import normalize_ja
from kizuna.partners.demo_images import demo_logo, demo_screenshot
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    AchievementStatus,
    ApplicationStatus,
    ApplicationStep,
    ApplicationStepKind,
    Badge,
    BadgeAward,
    BadgeFamily,
    Contribution,
    ContributionKind,
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistRequestStatus,
    EvangelistWork,
    EvangelistWorkKind,
    Evidence,
    PartnerApplication,
    PartnerProfile,
    ProgramExit,
    Rank,
    RankChange,
    ReviewDecision,
    WorkImage,
)
from kizuna.partners.services.badges import badge_level_for
from kizuna.partners.services.exits import exit_date
from kizuna.partners.services.rank import rank_for_points, rank_order

BATCH = 2_000
ACHIEVEMENTS_PER_PARTNER = 10  # on average: 10,000 partners -> 100,000 achievements

INDUSTRIES = [
    "アパレル",
    "食品",
    "化粧品",
    "家具・インテリア",
    "家電",
    "スポーツ用品",
    "酒類",
    "書籍",
    "ペット用品",
    "医薬品",
    "自動車部品",
    "工具・資材",
    "ギフト",
    "旅行",
    "教育",
]
PROJECTS = [
    "ECサイト構築",
    "サイトリニューアル",
    "基幹システム連携",
    "定期購入機能の追加",
    "越境EC対応",
    "BtoB受発注サイト構築",
    "スマートフォン対応",
    "決済機能の刷新",
    "会員機能の拡張",
    "在庫連携の自動化",
    "予約機能の開発",
    "表示速度の改善",
]
DESCRIPTIONS = [
    "要件定義から設計、開発、公開後の運用保守まで一貫して担当しました。",
    "既存サイトからのデータ移行と、独自プラグインによる機能追加を行いました。",
    "お客様の業務フローを分析し、受注から出荷までの作業時間を大幅に短縮しました。",
    "デザインの刷新と併せて、検索エンジン対策と広告運用の設計を支援しました。",
    "ピーク時のアクセスに耐えるサーバー構成を設計し、負荷試験を実施しました。",
]
SUMMARIES = [
    "ECサイトの構築から運用まで、ワンストップでご支援します。",
    "デザインとマーケティングに強い制作会社です。",
    "基幹システム連携や大規模サイトの開発を得意としています。",
    "中小規模のネットショップ立ち上げを、短期間・低予算で実現します。",
    "プラグイン開発とパフォーマンス改善の専門チームです。",
]
TEAM_SIZES = [3, 5, 8, 12, 20, 35, 60, 120]
BUDGETS = [
    (300_000, 1_500_000),
    (500_000, 3_000_000),
    (1_000_000, 10_000_000),
    (3_000_000, 30_000_000),
]
STATUS_WEIGHTS = [
    (AchievementStatus.VERIFIED, 70),
    (AchievementStatus.SUBMITTED, 15),
    (AchievementStatus.NEEDS_INFO, 5),
    (AchievementStatus.REJECTED, 10),
]
TALKS = [
    "はじめてのプラグイン開発",
    "EC運用を自動化する10のレシピ",
    "大規模セール前にやるべき性能対策",
    "BtoB ECの設計パターン",
    "越境ECの落とし穴と対策",
    "テンプレートカスタマイズ入門",
]
SPECIALTIES = ["EC-CUBE", "プラグイン開発", "ECマーケティング", "インフラ"]
GROUPS = ["東京ユーザー会", "大阪EC勉強会", "福岡もくもく会", "札幌EC交流会", "名古屋開発者の集い"]


def seed(ctx: DemoContext) -> None:
    organizations: list[Organization] = ctx.shared["partner_organizations"]
    partners = _profiles(ctx, organizations)
    badges = list(Badge.objects.all())
    achievements = _achievements(ctx, partners, badges)
    _badge_awards(ctx, partners, achievements)
    _logos_and_work_images(ctx, partners, achievements)
    _contributions_and_ranks(ctx, partners)
    _evangelists(ctx)
    _focus_and_exit(ctx, partners, badges)
    _applications(ctx, partners, badges)
    ctx.shared["partner_profiles"] = partners


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _profiles(ctx: DemoContext, organizations: list[Organization]) -> list[PartnerProfile]:
    rng, now = ctx.rng, _at(ctx.today)
    stale_after = timedelta(days=settings.KIZUNA_PROFILE_STALE_AFTER_DAYS)
    profiles = []
    for index, organization in enumerate(ctx.track(organizations, "partner profiles")):
        # The two personas' partners are kept fresh; every tenth of the others went stale.
        stale = index % 10 == 5
        reviewed_at = now - timedelta(days=rng.randint(400, 700) if stale else rng.randint(0, 300))
        budget = rng.choice(BUDGETS)
        summary = rng.choice(SUMMARIES)
        head_office = rng.choice(["13"] * 6 + ["27"] * 3 + ["23", "40", "01", "14", "26"])
        profile = PartnerProfile(
            organization=organization,
            summary=summary,
            description=f"{organization.name}は、{summary}" + rng.choice(DESCRIPTIONS),
            website=f"https://{organization.slug}.example.jp/",
            head_office_prefecture=head_office,
            service_prefectures=sorted(
                {head_office, *rng.sample(PREFECTURE_CODES, rng.randint(0, 4))}
            ),
            languages=["ja", "en"] if rng.random() < 0.3 else ["ja"],
            team_size=rng.choice(TEAM_SIZES),
            budget_min=budget[0],
            budget_max=budget[1],
            accepting_new_clients=rng.random() < 0.85,
            contact_name=person_name(rng)[0],
            contact_email=f"contact@{organization.slug}.example.jp",
            owner_reviewed_at=reviewed_at,
            stale_since=reviewed_at + stale_after if now - reviewed_at > stale_after else None,
        )
        profile.search_text = (
            normalize_ja(organization.name) + " " + normalize_ja(profile.description)
        )
        profiles.append(profile)
    return PartnerProfile.objects.bulk_create(profiles, batch_size=BATCH)


def _achievements(
    ctx: DemoContext, partners: list[PartnerProfile], badges: list[Badge]
) -> list[Achievement]:
    rng = ctx.rng
    work = [b for b in badges if b.family == BadgeFamily.WORK and b.retired_at is None]
    sites = [b for b in badges if b.family == BadgeFamily.SITE_TYPE and b.retired_at is None]
    rows: list[Achievement] = []
    claims: list[list[Badge]] = []
    for index, partner in enumerate(ctx.track(partners, "achievements")):
        plan = (
            _bob_plan(ctx)
            if index == 0
            else [
                (
                    rng.choices([s for s, _w in STATUS_WEIGHTS], [w for _s, w in STATUS_WEIGHTS])[
                        0
                    ],
                    ctx.today - timedelta(days=rng.randint(20, 5 * 365)),
                )
                for _ in range(rng.randint(0, 2 * ACHIEVEMENTS_PER_PARTNER))
            ]
        )
        # A partner specializes: most of its projects claim the same few badges.
        specialty = rng.sample(work, 3) + rng.sample(sites, 2)
        for status, completed_on in plan:
            industry, project = rng.choice(INDUSTRIES), rng.choice(PROJECTS)
            description = rng.choice(DESCRIPTIONS)
            verified = status == AchievementStatus.VERIFIED
            rows.append(
                Achievement(
                    partner=partner,
                    title=f"{industry}メーカー様 {project}",
                    description=description,
                    industry=industry,
                    completed_on=completed_on,
                    status=status,
                    site_url=f"https://shop{rng.randint(1, 99_999)}.example.com/",
                    client_may_be_named=rng.random() < 0.3,
                    verified_at=_at(completed_on + timedelta(days=rng.randint(7, 40)))
                    if verified
                    else None,
                    public_summary=f"{industry}業界のお客様の{project}を担当しました。"
                    if verified
                    else "",
                    summary_published=verified and rng.random() < 0.4,
                    search_text=" ".join(map(normalize_ja, (industry, project, description))),
                )
            )
            claims.append(
                rng.sample(specialty[:3], rng.randint(1, 2)) + rng.sample(specialty[3:], 1)
            )
    Achievement.objects.bulk_create(rows, batch_size=BATCH)
    for achievement, claimed in zip(rows, claims, strict=True):
        achievement.claimed = claimed  # type: ignore[attr-defined]
    through = Achievement.badges.through
    through.objects.bulk_create(
        [
            through(achievement_id=a.pk, badge_id=b.pk)
            for a, c in zip(rows, claims, strict=True)
            for b in c
        ],
        batch_size=BATCH * 5,
    )
    Evidence.objects.bulk_create(
        [
            Evidence(achievement=a, url=f"{a.site_url}case-study", note="導入事例ページ")
            for a in rows
        ],
        batch_size=BATCH * 5,
    )
    AchievementReview.objects.bulk_create(
        [_review(rng, a) for a in rows if a.status != AchievementStatus.SUBMITTED],
        batch_size=BATCH * 5,
    )
    return rows


# Drawn for the first partners only (the ones a demo shows), whatever the scale.
PARTNERS_WITH_MEDIA = 40


def _logos_and_work_images(
    ctx: DemoContext, partners: list[PartnerProfile], achievements: list[Achievement]
) -> None:
    """Logos for three partners in four (the others show their initials) and, for two in
    three, screenshots of up to four verified achievements (Bob Web Works: five), published
    with their summary and a client who may be named, as the gallery requires."""
    verified: defaultdict[int, list[Achievement]] = defaultdict(list)
    for achievement in achievements:
        if achievement.status == AchievementStatus.VERIFIED:
            verified[achievement.partner_id].append(achievement)
    shown: list[Achievement] = []
    images: list[WorkImage] = []
    for index, partner in enumerate(ctx.track(partners[:PARTNERS_WITH_MEDIA], "partner images")):
        if index % 4 != 3:
            partner.logo = demo_logo(partner.slug)  # saved by the storage, named by it
            partner.save(update_fields=["logo"])
        if index % 3 == 2:
            continue
        for number, achievement in enumerate(verified[partner.pk][: 5 if index == 0 else 4]):
            achievement.summary_published = achievement.client_may_be_named = True
            shown.append(achievement)
            host = achievement.site_url.split("/")[2] if achievement.site_url else partner.slug
            picture = demo_screenshot(partner.slug, number, host)
            work = WorkImage(achievement=achievement, published=True)
            work.image.save(picture.name or "work.webp", picture, save=False)
            images.append(work)
    Achievement.objects.bulk_update(shown, ["summary_published", "client_may_be_named"])
    WorkImage.objects.bulk_create(images)


def _bob_plan(ctx: DemoContext) -> list[tuple[str, date]]:
    """Bob Web Works shows every state: verified work (a silver badge), pending and queried."""
    days = [30, 120, 200, 400, 650, 900, 1500]
    plan = [(AchievementStatus.VERIFIED, ctx.today - timedelta(days=d)) for d in days]
    return [
        *plan,
        (AchievementStatus.SUBMITTED, ctx.today - timedelta(days=10)),
        (AchievementStatus.NEEDS_INFO, ctx.today - timedelta(days=45)),
    ]


_REVIEW_DECISIONS = {
    AchievementStatus.VERIFIED: (ReviewDecision.VERIFIED, ""),
    AchievementStatus.REJECTED: (
        ReviewDecision.REJECTED,
        "提出された証跡から納品内容を確認できませんでした。",
    ),
    AchievementStatus.NEEDS_INFO: (
        ReviewDecision.INFO_REQUESTED,
        "公開後のサイトURLか検収書を追加してください。",
    ),
}


def _review(rng: random.Random, achievement: Achievement) -> AchievementReview:
    decision, reason = _REVIEW_DECISIONS[AchievementStatus(achievement.status)]
    return AchievementReview(achievement=achievement, decision=decision, reason=reason)


def _badge_awards(
    ctx: DemoContext, partners: list[PartnerProfile], achievements: list[Achievement]
) -> None:
    window_start = ctx.today - timedelta(days=settings.KIZUNA_BADGE_WINDOW_DAYS)
    counts: Counter[tuple[int, int]] = Counter()
    last: dict[tuple[int, int], datetime] = {}
    for a in achievements:
        if (
            a.status == AchievementStatus.VERIFIED
            and a.completed_on >= window_start
            and a.verified_at
        ):
            for badge in a.claimed:  # type: ignore[attr-defined]
                key = (a.partner_id, badge.pk)
                counts[key] += 1
                last[key] = max(last.get(key, a.verified_at), a.verified_at)
    awards = [
        BadgeAward(
            partner_id=p,
            badge_id=b,
            level=badge_level_for(n),
            evidence_count=n,
            last_verified_at=last[(p, b)],
            awarded_at=last[(p, b)],
        )
        for (p, b), n in counts.items()
        if badge_level_for(n)
    ]
    BadgeAward.objects.bulk_create(awards, batch_size=BATCH * 5)


def _contributions_and_ranks(ctx: DemoContext, partners: list[PartnerProfile]) -> None:
    rng = ctx.rng
    kinds = list(ContributionKind.objects.all())
    window_start = ctx.today - timedelta(days=settings.KIZUNA_RANK_WINDOW_DAYS)
    rows: list[Contribution] = []
    points: defaultdict[int, int] = defaultdict(int)
    for index, partner in enumerate(ctx.track(partners, "contributions")):
        active = index == 0 or rng.random() < 0.5
        for n in range(rng.randint(8, 14) if index == 0 else rng.randint(0, 12) if active else 0):
            kind = rng.choice(kinds)
            occurred_on = ctx.today - timedelta(days=rng.randint(1, 500))
            rows.append(
                Contribution(
                    partner=partner,
                    kind=kind,
                    points=kind.points,
                    occurred_on=occurred_on,
                    source="demo",
                    external_id=f"{partner.pk}:{n}",
                    note=rng.choice(TALKS) if kind.code == "talk" else "",
                )
            )
            if occurred_on > window_start:
                points[partner.pk] += kind.points
    Contribution.objects.bulk_create(rows, batch_size=BATCH * 5)
    changes = []
    for partner in partners:
        partner.rank_points = points[partner.pk]
        partner.rank = rank_for_points(partner.rank_points)
        ladder = [r.value for r in Rank][: rank_order(partner.rank) + 1]
        for step, (low, high) in enumerate(itertools.pairwise(ladder)):
            changes.append(
                RankChange(
                    partner=partner,
                    from_rank=low,
                    to_rank=high,
                    points=settings.KIZUNA_RANK_THRESHOLDS[step],
                )
            )
    PartnerProfile.objects.bulk_update(partners, ["rank", "rank_points"], batch_size=BATCH)
    RankChange.objects.bulk_create(changes, batch_size=BATCH * 5)


def _evangelists(ctx: DemoContext) -> None:
    rng = ctx.rng
    count = {"small": 6, "medium": 30, "large": 100}[ctx.scale]
    alice = User.objects.filter(email="alice@example.com").first()
    evangelists = []
    for index in range(count):
        name, romaji = person_name(rng)
        start = ctx.today - timedelta(days=rng.randint(0, 300))
        evangelists.append(
            Evangelist(
                name=name,
                email=f"{romaji}{index}@evangelists.example.jp",
                bio=f"{rng.choice(SPECIALTIES)}について各地で登壇しています。",
                links=[f"https://blog.example.jp/{romaji}"],
                term_start=start,
                term_end=start + timedelta(days=settings.KIZUNA_EVANGELIST_TERM_DAYS),
                appointed_by=alice,
                search_text=normalize_ja(name),
            )
        )
    Evangelist.objects.bulk_create(evangelists)
    EvangelistWork.objects.bulk_create(
        [
            EvangelistWork(
                evangelist=e,
                kind=rng.choice(list(EvangelistWorkKind)),
                title=rng.choice(TALKS),
                url=f"https://talks.example.jp/{e.pk}/{n}",
                published_on=ctx.today - timedelta(days=rng.randint(1, 300)),
            )
            for e in evangelists
            for n in range(rng.randint(1, 4))
        ]
    )
    dave = User.objects.filter(email="dave@example.com").first()
    if dave is not None:
        EvangelistNomination.objects.create(
            nominated_by=dave,
            nominee=dave,
            nominee_name=str(dave),
            nominee_email=dave.email,
            statement="地域のユーザー会で毎月ハンズオンを開催し、初心者向けの記事を書いています。",
            links=["https://blog.example.jp/dave"],
        )
        EvangelistRequest.objects.bulk_create(
            [
                EvangelistRequest(
                    requested_by=dave,
                    group_name=group,
                    event_title=f"{group} 第{n + 10}回",
                    event_date=ctx.today + timedelta(days=14 * (n + 1)),
                    location=rng.choice(["東京", "オンライン", "大阪"]),
                    message="プラグイン開発の入門講演をお願いできますか。",
                    status=EvangelistRequestStatus.OPEN
                    if n % 2 == 0
                    else EvangelistRequestStatus.ROUTED,
                    evangelist=None if n % 2 == 0 else evangelists[n % len(evangelists)],
                )
                for n, group in enumerate(GROUPS[:3])
            ]
        )


def _focus_and_exit(ctx: DemoContext, partners: list[PartnerProfile], badges: list[Badge]) -> None:
    """A stated focus (注力分野) on about a third of the partners, and one partner on notice."""
    through = PartnerProfile.focus_badges.through
    rows = []
    for partner in partners:
        if partner.organization.slug == "bob-web-works" or ctx.rng.random() < 0.33:
            for badge in ctx.rng.sample(badges, 2):
                rows.append(through(partnerprofile_id=partner.pk, badge_id=badge.pk))
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    leaving = next(
        (p for p in reversed(partners) if p.organization.slug not in ("bob-web-works",)), None
    )
    if leaving is not None:
        ProgramExit.objects.create(
            partner=leaving,
            reason="事業方針の変更のため",
            leaves_on=exit_date(ctx.today),
        )


# (company, kana, prefecture, status, staff's text, applicant's answer)
APPLICATIONS = [
    ("株式会社ひまわりデジタル", "カブシキガイシャヒマワリデジタル", "13", "submitted", "", ""),
    ("合同会社コトノハ", "ゴウドウガイシャコトノハ", "26", "info_requested",
     "これまでの構築実績(件数と代表的な案件)を教えてください。", ""),
    ("株式会社みなとウェブ", "カブシキガイシャミナトウェブ", "14", "submitted",
     "対応可能な地域を教えてください。", "関東一円と、オンラインで全国に対応しています。"),
    ("有限会社サンプル商事", "ユウゲンガイシャサンプルショウジ", "40", "rejected",
     "現時点ではEC構築の実績が確認できないため、今回は見送らせていただきます。", ""),
    ("株式会社はやて", "カブシキガイシャハヤテ", "04", "withdrawn", "", ""),
]  # fmt: skip


def _registration_number(rng: random.Random) -> str:
    from kizuna.billing.registration import check_digit

    digits = "".join(str(rng.randrange(10)) for _ in range(12))
    return f"T{check_digit(digits)}{digits}"


def _applications(ctx: DemoContext, partners: list[PartnerProfile], badges: list[Badge]) -> None:
    """One application in each state; the approved one is that of an existing partner."""
    staff = User.objects.filter(staff_role_grants__role="admin").first()
    now = _at(ctx.today)
    for n, (company, kana, prefecture, status, staff_text, answer) in enumerate(APPLICATIONS):
        application = PartnerApplication.objects.create(
            status=status,
            company_name=company,
            company_kana=kana,
            registration_number=_registration_number(ctx.rng),
            head_office_prefecture=prefecture,
            website=f"https://applicant{n + 1}.example.jp/",
            contact_name=person_name(ctx.rng)[0],
            contact_email=f"applicant{n + 1}@example.jp",
            monthly_fee=ctx.rng.choice([10_000, 20_000, 30_000]),
            cycle=ctx.rng.choice(["monthly", "annual"]),
            terms_accepted_at=now - timedelta(days=10 - n),
            decision_reason=staff_text if status == ApplicationStatus.REJECTED else "",
            decided_by=staff if status == ApplicationStatus.REJECTED else None,
            decided_at=now if status == ApplicationStatus.REJECTED else None,
        )
        application.focus_badges.set(ctx.rng.sample(badges, 2))
        steps: list[tuple[str, User | None, str]] = [(ApplicationStepKind.SUBMITTED, None, "")]
        if staff_text and status != ApplicationStatus.REJECTED:
            steps.append((ApplicationStepKind.INFO_REQUESTED, staff, staff_text))
        if answer:
            steps.append((ApplicationStepKind.ANSWERED, None, answer))
        if status == ApplicationStatus.REJECTED:
            steps.append((ApplicationStepKind.REJECTED, staff, staff_text))
        if status == ApplicationStatus.WITHDRAWN:
            steps.append((ApplicationStepKind.WITHDRAWN, None, ""))
        for kind, actor, text in steps:
            ApplicationStep.objects.create(
                application=application, kind=kind, actor=actor, text=text
            )
    approved = next((p for p in partners if p.organization.slug != "bob-web-works"), None)
    if approved is not None:
        application = PartnerApplication.objects.create(
            status=ApplicationStatus.APPROVED,
            company_name=approved.name,
            company_kana=approved.name_kana or "パートナー",
            registration_number=_registration_number(ctx.rng),
            head_office_prefecture=approved.head_office_prefecture or "13",
            website=approved.website or "https://partner.example.jp/",
            contact_name=approved.contact_name or person_name(ctx.rng)[0][0],
            contact_email=approved.contact_email or "owner@partner.example.jp",
            monthly_fee=10_000,
            cycle="monthly",
            terms_accepted_at=now - timedelta(days=400),
            decided_by=staff,
            decided_at=now - timedelta(days=395),
            partner=approved,
        )
        for kind in (ApplicationStepKind.SUBMITTED, ApplicationStepKind.APPROVED):
            ApplicationStep.objects.create(application=application, kind=kind, actor=None)
