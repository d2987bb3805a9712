"""Demo inbox: LINE followers (one linked to dave), a question on LINE answered by staff, a
Slack DM and an email reply still waiting, a refused webhook."""

from datetime import datetime, timedelta

from kizuna.accounts.models import StaffRole, User
from kizuna.outreach import inbox
from kizuna.outreach.models import HookRejection

DAVE_LINE = "U4af4980629dave0000000000000000a"


def seed_inbox(now: datetime) -> None:
    staff = User.objects.filter(staff_role_grants__role=StaffRole.ADMIN).order_by("pk").first()
    dave = User.objects.filter(email="dave@example.com").first()
    inbox.identity_follow(channel="line", address=DAVE_LINE, at=now - timedelta(days=40))
    if dave is not None:
        inbox.identity_link(channel="line", address=DAVE_LINE, user=dave)
    question = inbox.inbox_receive(
        channel="line",
        address=DAVE_LINE,
        text="12月のもくもく会はオンライン参加もできますか？",
        at=now - timedelta(hours=5),
    )
    if staff is not None:
        inbox.inbox_reply(
            actor=staff,
            thread=question.thread,
            text="はい、YouTube Live で配信します。URL は前日にお送りします。",
        )
    follower = "U9c1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f"
    inbox.identity_follow(channel="line", address=follower, at=now - timedelta(days=3))
    inbox.inbox_receive(
        channel="line",
        address=follower,
        text="バッジの申請方法を教えてください",
        at=now - timedelta(hours=1),
    )
    inbox.inbox_receive(
        channel="slack",
        address="U0SLACKDEMO",
        display_name="Kenji (Slack)",
        text="請求書の宛名を会社名に変えられますか？",
        at=now - timedelta(hours=2),
    )
    bob = User.objects.filter(email="bob@example.com").first()
    if bob is not None:
        inbox.inbox_receive(
            channel="email",
            address=bob.email,
            subject="Re: 【Kizuna】お問い合わせが届きました",
            text="見積もりの件、来週お返事します。",
            at=now - timedelta(minutes=30),
        )
    HookRejection.objects.create(
        hook="line", reason="bad_signature", client_ip="203.0.113.9", body_sha256="0" * 64, at=now
    )
