"""Demo outreach: consents (form, import, double opt-in, a withdrawal), deliveries in every
state across channels, a suppression list, and a sent campaign with a result of every kind."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from kizuna.accounts.models import AccountKind, User
from kizuna.core.seeding import DemoContext
from kizuna.outreach import policy
from kizuna.outreach.channels import registry
from kizuna.outreach.models import (
    Consent,
    ConsentMethod,
    Delivery,
    Purpose,
    State,
    Suppression,
    SuppressionReason,
    Topic,
)
from kizuna.outreach.services import Content

WORDING = "Kizuna からのニュース・イベント案内をメールで受け取る"


def seed(ctx: DemoContext) -> None:
    now = timezone.now()
    dave = User.objects.filter(email="dave@example.com").first()
    members = list(User.objects.filter(kind=AccountKind.COMMUNITY_MEMBER).order_by("pk")[:40])
    consents = []
    for index, user in enumerate(members):
        method = [ConsentMethod.FORM, ConsentMethod.IMPORT, ConsentMethod.DOUBLE_OPT_IN][index % 3]
        at = now - timedelta(days=ctx.rng.randint(30, 400))
        for topic in (Topic.NEWS, Topic.EVENTS):
            consents.append(
                Consent(
                    recipient_key=f"user:{user.pk}",
                    channel="email",
                    topic=topic,
                    granted=True,
                    method=method,
                    source="connpass 参加者リスト 2025" if method == ConsentMethod.IMPORT else "",
                    wording=WORDING,
                    at=at,
                )
            )
        if index % 7 == 6:  # some changed their mind later
            consents.append(
                Consent(
                    recipient_key=f"user:{user.pk}",
                    channel="email",
                    topic=Topic.NEWS,
                    granted=False,
                    method=ConsentMethod.PREFERENCES,
                    wording="ニュースをメールで受け取る",
                    at=at + timedelta(days=20),
                )
            )
    Consent.objects.bulk_create(consents)
    _deliveries(ctx, members, dave, now)
    _campaign(members, now)
    from kizuna.outreach.inbox_demo import seed_inbox

    seed_inbox(now)
    Suppression.objects.bulk_create(
        [
            Suppression(
                channel="email",
                address_hash=policy.address_hash("email", "bounced@example.jp"),
                reason=SuppressionReason.HARD_BOUNCE,
                source="550 5.1.1 user unknown",
            ),
            Suppression(
                channel="email",
                address_hash=policy.address_hash("email", "complained@example.jp"),
                reason=SuppressionReason.COMPLAINT,
                source="ESP webhook",
            ),
        ]
    )


def _deliveries(ctx: DemoContext, members: list[User], dave: User | None, now: datetime) -> None:
    rows = []
    states = [
        (State.SENT, ""),
        (State.SENT, ""),
        (State.SKIPPED, policy.NO_CONSENT),
        (State.SKIPPED, policy.CAPPED),
        (State.DEFERRED, policy.QUIET_HOURS),
        (State.FAILED, "too_many_attempts"),
        (State.BOUNCED, ""),
        (State.UNKNOWN, "lease_expired"),
    ]
    for index, user in enumerate(members[:24]):
        state, reason = states[index % len(states)]
        created = now - timedelta(hours=ctx.rng.randint(1, 24 * 20))
        rows.append(
            Delivery(
                channel="email",
                user=user,
                address=user.email,
                recipient_key=f"user:{user.pk}",
                purpose=Purpose.ADVERTISING,
                topic=Topic.EVENTS,
                subject="【Kizuna】12月のもくもく会のご案内",
                text="今月のもくもく会のお知らせです。",
                idempotency_key=f"demo:events:{user.pk}",
                state=state,
                reason=reason,
                error="SMTP 451 try again later" if state == State.FAILED else "",
                attempts=0 if state == State.SKIPPED else 1,
                created_at=created,
                due_at=created + timedelta(hours=11) if state == State.DEFERRED else created,
                claimed_at=None if state == State.SKIPPED else created,
                sent_at=created if state == State.SENT else None,
            )
        )
    if dave is not None:
        for channel, address, state in (
            ("slack", "U0DAVE", State.SENT),
            ("line", "U4af4980629dave", State.QUEUED),
            ("wecom", "wmDaveExternal", State.AWAITING_CONFIRMATION),
        ):
            rows.append(
                Delivery(
                    channel=channel,
                    user=dave,
                    address=address,
                    recipient_key=f"user:{dave.pk}",
                    purpose=Purpose.SERVICE,
                    topic=Topic.NOTICES,
                    text="バッジ「プラグイン開発」が付与されました。",
                    idempotency_key=f"demo:notice:{channel}",
                    state=state,
                    attempts=0 if state == State.QUEUED else 1,
                    claimed_at=None if state == State.QUEUED else now,
                    sent_at=now if state == State.SENT else None,
                    due_at=now + timedelta(days=365) if state == State.QUEUED else now,
                )
            )
    Delivery.objects.bulk_create(rows)


# (channel, state, reason, error, attempts) of each recipient of the demo campaign, in turn:
# every final result the worker gives. The LINE message was deferred when the month's quota
# ran out and went out when the next month's quota began; the rate-limited email went out
# on the worker's next pass. Both end as sent (the worker clears the reason of a sent
# delivery) and show their second attempt.
CAMPAIGN_RESULTS = [
    ("email", State.SENT, "", "", 1),
    ("email", State.SENT, "", "", 1),
    ("slack", State.SENT, "", "", 1),
    ("email", State.SKIPPED, policy.NO_CONSENT, "", 0),
    ("email", State.SKIPPED, policy.SUPPRESSED, "", 0),
    ("email", State.SKIPPED, policy.CAPPED, "", 0),
    ("line", State.SENT, "", "", 2),
    ("email", State.SENT, "", "", 2),
    ("email", State.FAILED, "too_many_attempts", "SMTP 451 4.7.1 try again later", 5),
    ("email", State.BOUNCED, "", "550 5.1.1 user unknown", 1),
    ("email", State.SENT, "", "", 1),
]
TOKYO = ZoneInfo("Asia/Tokyo")


def _campaign(members: list[User], now: datetime) -> None:
    from kizuna.outreach.campaign_models import Audience, Campaign, CampaignRecipient

    author = User.objects.filter(email="taro.community@example.com").first()
    approver = User.objects.filter(email="alice@example.com").first()
    if author is None or approver is None or len(members) < len(CAMPAIGN_RESULTS):
        return
    audience = Audience.objects.create(
        name="アクティブなメンバー（直近90日）",
        kind="members",
        filters={"active_within_days": 90},
        created_by=author,
    )
    # Started late last month; the last message waited for this month's LINE quota.
    month_start = now.astimezone(TOKYO).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    started = month_start - timedelta(days=4, hours=14)
    quota_back = min(month_start + timedelta(seconds=30), now)
    campaign = Campaign.objects.create(
        title="12月のもくもく会のご案内",
        audience=audience,
        topic=Topic.EVENTS,
        channels=["email", "slack", "line"],
        subject_ja="{{ name }}さん、12月のもくもく会のご案内",
        body_ja="12月のもくもく会を開催します。ぜひご参加ください。",
        subject_en="{{ name }}, join our December co-working meetup",
        body_en="Our December co-working meetup is open. Join us!",
        variants={
            "slack": {"ja": "12月のもくもく会、参加者募集中です", "en": "December meetup: join us"}
        },
        state="sent",
        revision=2,
        author=author,
        edited_by=author,
        approved_by=approver,
        approved_at=started - timedelta(hours=2),
        started_at=started,
        finished_at=quota_back + timedelta(seconds=15),
        created_at=started - timedelta(days=1),
    )
    for index, (user, (channel, state, reason, error, attempts)) in enumerate(
        zip(members, CAMPAIGN_RESULTS, strict=False)
    ):
        address = {"email": user.email, "slack": f"U0DEMO{index}", "line": f"Udemo{index:030d}"}
        sent_at = None
        if state == State.SENT:
            sent_at = quota_back if channel == "line" else started + timedelta(minutes=attempts)
        with translation.override("ja"):
            content = registry.get(channel).finish(
                Content(
                    f"{user.display_name}さん、12月のもくもく会のご案内",
                    "12月のもくもく会を開催します。ぜひご参加ください。",
                ),
                recipient_key=f"user:{user.pk}",
                purpose=Purpose.ADVERTISING,
                topic=Topic.EVENTS,
                name=user.display_name,
            )
        delivery = Delivery.objects.create(
            channel=channel,
            user=user,
            address=address[channel],
            recipient_key=f"user:{user.pk}",
            purpose=Purpose.ADVERTISING,
            topic=Topic.EVENTS,
            template=f"campaign:{campaign.pk}",
            language="ja",
            subject=content.subject,
            text=content.text,
            html=content.html,
            idempotency_key=f"campaign:{campaign.pk}:user:{user.pk}",
            state=state,
            reason=reason,
            error=error,
            attempts=attempts,
            created_at=started,
            claimed_at=None if state == State.SKIPPED else (sent_at or started),
            sent_at=sent_at,
            due_at=quota_back if channel == "line" else started,
        )
        CampaignRecipient.objects.create(
            campaign=campaign,
            recipient_key=f"user:{user.pk}",
            user=user,
            name=user.display_name,
            language="ja",
            channel=channel,
            address=address[channel],
            delivery=delivery,
        )
