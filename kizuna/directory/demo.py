"""Demo directory: leads in every state, verified reviews, and the index built over them.

Carol (merchant) has requests waiting, accepted, declined, expired and done (one reviewed);
Bob Web Works has requests in its inbox, and leads a guild (joint proposal) in each state
on Carol's requests: forming, sent, accepted (done and reviewed, every member credited) and
declined. Rows are bulk-inserted, as in partners' demo, and
the index is built once at the end so that responsiveness and ratings feed the ranking.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from kizuna.accounts.models import AccountKind, User
from kizuna.core.seeding import DemoContext
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DeclineReason,
    GuildMember,
    GuildMessage,
    JointProposal,
    Lead,
    LeadPreferences,
    LeadRouting,
    ProposalStatus,
    Review,
    Timeline,
)
from kizuna.directory.services import index
from kizuna.partners.models import Badge, BadgeFamily, PartnerProfile

BATCH = 2_000
LEADS = {"small": 40, "medium": 400, "large": 3_000}
PRODUCTS = [
    "手作りの革小物",
    "産地直送の野菜",
    "オリジナルTシャツ",
    "日本酒",
    "ペットフード",
    "化粧品",
    "家具",
    "子ども服",
    "コーヒー豆",
    "アウトドア用品",
]
MESSAGES = [
    "既存のネットショップを移行し、定期購入を始めたいと考えています。",
    "実店舗と在庫を連携したECサイトを新しく立ち上げたいです。",
    "海外のお客様にも販売できるよう多言語・多通貨に対応したいです。",
    "表示速度が遅く、セール時にサイトが落ちるので改善をお願いしたいです。",
]
REVIEWS = [
    (5, "要件整理から公開まで丁寧に進めていただき、売上も伸びました。"),
    (4, "対応が早く安心してお任せできました。細かな修正にも応じてくれました。"),
    (3, "品質は良かったのですが、スケジュールが少し遅れました。"),
    (5, "決済連携の知見が豊富で、難しい要件もすぐに解決してくれました。"),
]
# Carol's requests show every state a merchant can see.
CAROL_STATES = [
    AssignmentStatus.OFFERED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.DECLINED,
    AssignmentStatus.EXPIRED,
    AssignmentStatus.COMPLETED,
    AssignmentStatus.COMPLETED,
]


def seed(ctx: DemoContext) -> None:
    partners = list(PartnerProfile.objects.order_by("pk").select_related("organization"))
    if not partners:
        return
    _lead_preferences(ctx, partners)
    _leads(ctx, partners)
    _guilds(ctx, partners)
    index.index_rebuild(progress=lambda chunks, total: ctx.track(chunks, "directory index", total))


def _at(ctx: DemoContext, days_ago: float) -> datetime:
    noon = timezone.make_aware(datetime.combine(ctx.today, time(12, 0)))
    return noon - timedelta(days=days_ago)


def _lead_preferences(ctx: DemoContext, partners: list[PartnerProfile]) -> None:
    LeadPreferences.objects.bulk_create(
        [LeadPreferences(partner=p, works_remotely=ctx.rng.random() < 0.4) for p in partners],
        batch_size=BATCH,
    )


def _leads(ctx: DemoContext, partners: list[PartnerProfile]) -> None:
    rng = ctx.rng
    carol = User.objects.filter(email="carol@example.com").first()
    merchants = list(
        User.objects.filter(
            kind=AccountKind.MERCHANT, staff_role_grants__isnull=True, memberships__isnull=True
        )
        .exclude(email="carol@example.com")
        .order_by("pk")[:500]
    )
    work = list(Badge.objects.filter(family=BadgeFamily.WORK, retired_at__isnull=True))
    sites = list(Badge.objects.filter(family=BadgeFamily.SITE_TYPE, retired_at__isnull=True))
    bob_partner, others = partners[0], partners[1:] or partners
    plans: list[tuple[User | None, list[tuple[PartnerProfile, str]]]] = []
    if carol is not None:
        for n, state in enumerate(CAROL_STATES):
            plans.append((carol, [(bob_partner if n % 2 else others[n % len(others)], state)]))
    for _ in range(4):  # new requests in Bob's inbox
        plans.append(
            (
                rng.choice(merchants) if merchants else carol,
                [(bob_partner, AssignmentStatus.OFFERED)],
            )
        )
    for _ in ctx.track(range(LEADS[ctx.scale]), "leads"):
        chosen = rng.sample(others, min(len(others), rng.randint(1, 3)))
        states = rng.choices(
            [s.value for s in AssignmentStatus], weights=[2, 3, 3, 2, 4], k=len(chosen)
        )
        plans.append(
            (rng.choice(merchants) if merchants else carol, list(zip(chosen, states, strict=True)))
        )
    planned = [(merchant, slots) for merchant, slots in plans if merchant is not None]
    leads = Lead.objects.bulk_create(
        [_lead(ctx, merchant, rng.choice(sites)) for merchant, _slots in planned],
        batch_size=BATCH,
    )
    through = Lead.services.through
    through.objects.bulk_create(
        [through(lead_id=lead.pk, badge_id=b.pk) for lead in leads for b in rng.sample(work, 2)],
        batch_size=BATCH,
    )
    assignments = Assignment.objects.bulk_create(
        [
            _assignment(ctx, lead, partner, state)
            for lead, (_merchant, slots) in zip(leads, planned, strict=True)
            for partner, state in slots
        ],
        batch_size=BATCH,
    )
    _reviews(ctx, [a for a in assignments if a.status == AssignmentStatus.COMPLETED])


def _lead(ctx: DemoContext, merchant: User, site_type: Badge) -> Lead:
    rng = ctx.rng
    return Lead(
        merchant=merchant,
        products=rng.choice(PRODUCTS),
        site_type=site_type,
        budget=rng.choice([500_000, 1_000_000, 3_000_000, 8_000_000]),
        timeline=rng.choice(list(Timeline)),
        prefecture=rng.choice(["13", "13", "27", "14", "23", "40"]),
        message=rng.choice(MESSAGES),
        contact_name=merchant.display_name or merchant.email,
        contact_email=merchant.email,
        routing=rng.choice(list(LeadRouting)),
        wanted_partners=3,
    )


def _assignment(ctx: DemoContext, lead: Lead, partner: PartnerProfile, state: str) -> Assignment:
    rng = ctx.rng
    expiry = timedelta(hours=settings.KIZUNA_LEAD_EXPIRY_HOURS)
    offered = _at(
        ctx, rng.uniform(0.2, 2) if state == AssignmentStatus.OFFERED else rng.uniform(5, 200)
    )
    answered = state in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.DECLINED,
        AssignmentStatus.COMPLETED,
    )
    responded = offered + timedelta(hours=rng.uniform(1, 60)) if answered else None
    return Assignment(
        lead=lead,
        partner=partner,
        recommended=lead.routing == LeadRouting.RECOMMENDED,
        status=state,
        decline_reason=rng.choice(list(DeclineReason))
        if state == AssignmentStatus.DECLINED
        else "",
        offered_at=offered,
        expires_at=offered + expiry,
        responded_at=responded,
        completed_at=responded + timedelta(days=30)
        if responded and state == AssignmentStatus.COMPLETED
        else None,
    )


def _reviews(ctx: DemoContext, completed: list[Assignment]) -> None:
    rows = []
    # Carol's first completed engagement is left for her to review in the demo.
    carol_waiting = next(
        (a for a in completed if a.lead.merchant.email == "carol@example.com"), None
    )
    for assignment in completed:
        if assignment is carol_waiting or ctx.rng.random() < 0.2:
            continue
        rating, text = ctx.rng.choice(REVIEWS)
        rows.append(
            Review(
                assignment=assignment,
                partner=assignment.partner,
                merchant=assignment.lead.merchant,
                rating=rating,
                text=text,
                reply="ご依頼ありがとうございました。今後ともよろしくお願いいたします。"
                if ctx.rng.random() < 0.3
                else "",
            )
        )
    Review.objects.bulk_create(rows, batch_size=BATCH)


GUILD_ROLES = [
    ("デザイン", "トップページ・商品ページのデザイン"),
    ("基幹システム連携", "在庫・受注データの連携"),
]


def _guilds(ctx: DemoContext, partners: list[PartnerProfile]) -> None:
    """One guild of Bob Web Works per proposal state, on requests of Carol's."""
    carol = User.objects.filter(email="carol@example.com").first()
    if carol is None or len(partners) < 3:
        return
    bob_partner, helpers = partners[0], partners[1:3]
    site_type = Badge.objects.filter(family=BadgeFamily.SITE_TYPE).first()
    if site_type is None:
        return
    for n, state in enumerate(ProposalStatus.values):
        lead = _lead(ctx, carol, site_type)
        lead.products = f"{PRODUCTS[n]}(共同提案)"
        lead.save()
        lead.services.set(Badge.objects.filter(code__in=["site_design", "plugin_development"]))
        done = state == ProposalStatus.ACCEPTED
        slot_state = AssignmentStatus.COMPLETED if done else AssignmentStatus.ACCEPTED
        initiator = _assignment(ctx, lead, bob_partner, slot_state)
        initiator.save()
        proposal = JointProposal.objects.create(
            lead=lead,
            initiator=initiator,
            status=state,
            pitch="" if state == ProposalStatus.FORMING else "二社で分担して担当します。",
            proposed_at=None if state == ProposalStatus.FORMING else initiator.responded_at,
            decided_at=initiator.responded_at if state in ("accepted", "declined") else None,
        )
        GuildMember.objects.create(
            proposal=proposal, assignment=initiator, role="取りまとめ・プラグイン開発"
        )
        for helper, (role, scope) in zip(helpers, GUILD_ROLES, strict=True):
            answer = AssignmentStatus.OFFERED if state == ProposalStatus.FORMING else slot_state
            slot = _assignment(ctx, lead, helper, answer)
            slot.guild_invitation = True
            slot.save()
            GuildMember.objects.create(proposal=proposal, assignment=slot, role=role, scope=scope)
            member = helper.organization.memberships.first()
            if state != ProposalStatus.FORMING and member is not None:
                GuildMessage.objects.create(
                    proposal=proposal,
                    partner=helper,
                    author=member.user,
                    text="担当範囲を確認しました。よろしくお願いします。",
                )
        if done:
            for slot in lead.assignments.all():
                Review.objects.create(
                    assignment=slot,
                    partner=slot.partner,
                    merchant=carol,
                    rating=5,
                    text="三社の連携がスムーズで、予定どおり公開できました。",
                )
