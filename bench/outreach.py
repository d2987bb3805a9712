"""Outreach fan-out: decide 100,000 recipients, send 10,000 emails, keep under LINE's limit.

    .venv/bin/python bench/outreach.py                      # a fresh SQLite file
    .venv/bin/python bench/outreach.py --database-url postgresql://postgres@127.0.0.1:5432/kizuna_bench

1. Seeds 100,000 community members, each with a user account and email consents (grants,
   later withdrawals, never asked), suppressions (hard bounces, complaints, unsubscribes)
   and advertising sent in the last 7 days (some at the weekly cap), beside 2% bots and
   erased members the audience leaves out; then times what approving a campaign does
   (`audiences.audience_decide` for an audience of every community member, by email, topic
   news): the people (one query), their addresses, and every recipient decided
   (`policy.decide_many`: suppression, consent, frequency cap): `decide_s`.
2. Queues 10,000 service emails and times the real task (`send_due_deliveries`, run until
   nothing is due) sending them over SMTP to a local aiosmtpd sink in its own process; then
   times raw `smtplib` sending the same 10,000 messages over one reused connection to the
   same sink: `send_per_s`, `raw_smtp_per_s`, `ratio`.
3. Sends --line pushes through the worker to a local LINE fake that counts requests in every
   one-second window and refuses those over 200 (KIZUNA_OUTREACH_LINE_PUSH_PER_SECOND=200):
   `over_limit` is the most requests over the limit in any one-second window.

Prints one JSON line: {"db", "recipients", "decide_s", "send_per_s", "raw_smtp_per_s",
"ratio", "over_limit"}. Progress goes to stderr.
"""

import argparse
import bisect
import json
import os
import random
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--line", type=int, default=1_000, help="LINE pushes in the limit run")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_sink() -> None:
    """The SMTP sink, in its own process so it does not share the sender's interpreter."""
    from kizuna.outreach.testing import smtp_sink

    sink, controller = smtp_sink()
    controller.start()
    print(controller.port, flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(len(sink.messages), flush=True)
    controller.stop()


def configure_django(url: str) -> str:
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        url = url or f"sqlite:///{tempfile.mkdtemp(prefix='outreach-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kizuna.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return "postgresql" if url.startswith("postgres") else "sqlite"


def seed(recipients: int) -> None:
    from django.utils import timezone

    from kizuna.accounts.models import AccountKind, User
    from kizuna.community.models import Member
    from kizuna.outreach import policy
    from kizuna.outreach.models import Consent, Delivery, State, Suppression, SuppressionReason

    rng = random.Random(14)
    now = timezone.now()
    User.objects.bulk_create(
        (
            User(
                email=f"person{i}@bench.example",
                password="!",  # noqa: S106  (unusable, as set_unusable_password makes it)
                kind=AccountKind.COMMUNITY_MEMBER,
            )
            for i in range(recipients)
        ),
        batch_size=5000,
    )
    users = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", "email"))
    Member.objects.bulk_create(
        (
            Member(
                user_id=pk,
                display_name=f"person{n}",
                name_ja=f"利用者{n}" if n % 4 else "",
                prefecture="13" if n % 3 else "",
            )
            for n, (pk, _email) in enumerate(users)
        ),
        batch_size=5000,
    )
    # People the audience must leave out: bots and erased members (2% beside the recipients).
    Member.objects.bulk_create(
        (
            Member(display_name=f"bot{i}", is_bot=i % 2 == 0, erased_at=now if i % 2 else None)
            for i in range(recipients // 50)
        ),
        batch_size=5000,
    )
    consents, suppressions, deliveries = [], [], []
    for pk, email in users:
        key, roll = f"user:{pk}", rng.random()
        if roll < 0.8:  # 80% opted in, some of them withdrew later
            at = now - timedelta(days=rng.randint(10, 400))
            consents.append(
                Consent(
                    recipient_key=key,
                    channel="email",
                    topic="news",
                    granted=True,
                    method="form",
                    at=at,
                )
            )
            if rng.random() < 0.1:
                consents.append(
                    Consent(
                        recipient_key=key,
                        channel="email",
                        topic="news",
                        granted=False,
                        method="preferences",
                        at=at + timedelta(days=5),
                    )
                )
        if rng.random() < 0.03:
            reason = rng.choice(
                [
                    SuppressionReason.HARD_BOUNCE,
                    SuppressionReason.COMPLAINT,
                    SuppressionReason.UNSUBSCRIBED,
                ]
            )
            suppressions.append(
                Suppression(
                    channel="email", address_hash=policy.address_hash("email", email), reason=reason
                )
            )
        for n in range(rng.choice([0, 0, 1, 2])):  # advertising in the last week
            sent = now - timedelta(days=rng.uniform(0, 6.5))
            deliveries.append(
                Delivery(
                    channel="email",
                    recipient_key=key,
                    address=email,
                    purpose="advertising",
                    topic="news",
                    idempotency_key=f"bench-recent:{pk}:{n}",
                    state=State.SENT,
                    claimed_at=sent,
                    sent_at=sent,
                    due_at=sent,
                )
            )
    Consent.objects.bulk_create(consents, batch_size=5000)
    Suppression.objects.bulk_create(suppressions, batch_size=5000)
    Delivery.objects.bulk_create(deliveries, batch_size=5000)
    log(
        f"seeded {len(users)} people, {len(consents)} consents, "
        f"{len(suppressions)} suppressions, {len(deliveries)} recent sends"
    )


def decide_everyone() -> tuple[int, float, dict[str, int]]:
    from django.utils import timezone

    from kizuna.outreach.audiences import audience_decide
    from kizuna.outreach.campaign_models import Audience, AudienceKind

    everyone = Audience(name="bench", kind=AudienceKind.MEMBERS, filters={})
    started, cpu = time.perf_counter(), time.process_time()
    decision = audience_decide(
        audience=everyone, channels=["email"], topic="news", now=timezone.now()
    )
    elapsed = time.perf_counter() - started
    # CPU seconds beside wall seconds: on a shared machine the wall time is mostly the load.
    log(f"decide: {time.process_time() - cpu:.2f} s of CPU in this process")
    return len(decision.rows), elapsed, {k or "send": n for k, n in decision.counts.items()}


def message_text(i: int) -> tuple[str, str]:
    return (
        f"請求書を発行しました ({i})",
        "いつもご利用ありがとうございます。\n請求書をご確認ください。\n" * 5,
    )


def send_emails(count: int, port: int) -> float:
    from django.conf import settings

    from kizuna.accounts.models import User
    from kizuna.outreach.models import Delivery, State
    from kizuna.outreach.tasks import send_due_deliveries

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # The pipe is measured, not a provider's limit: the buckets are set wide open.
    settings.KIZUNA_OUTREACH_EMAIL_PER_SECOND = 10**6
    settings.KIZUNA_OUTREACH_EMAIL_PER_HOUR = 10**9
    users = list(
        User.objects.filter(email__endswith="@bench.example")
        .order_by("pk")
        .values_list("pk", "email")[:count]
    )
    queued = []
    for i, (pk, email) in enumerate(users):
        subject, text = message_text(i)
        queued.append(
            Delivery(
                channel="email",
                user_id=pk,
                recipient_key=f"user:{pk}",
                address=email,
                purpose="service",
                topic="billing",
                subject=subject,
                text=text,
                language="ja",
                idempotency_key=f"bench-send:{pk}",
            )
        )
    Delivery.objects.bulk_create(queued, batch_size=2000)
    started, cpu = time.perf_counter(), time.process_time()
    while send_due_deliveries.call():
        pass
    elapsed = time.perf_counter() - started
    log(f"task: {time.process_time() - cpu:.2f} s of CPU in this process")
    sent = Delivery.objects.filter(
        idempotency_key__startswith="bench-send:", state=State.SENT
    ).count()
    others = dict(
        Delivery.objects.filter(idempotency_key__startswith="bench-send:")
        .exclude(state=State.SENT)
        .values_list("state", "reason")[:5]
    )
    log(f"task: {sent} sent in {elapsed:.2f}s" + (f"; not sent: {others}" if others else ""))
    return sent / elapsed


def send_raw(count: int, port: int) -> float:
    from kizuna.accounts.models import User

    addresses = list(
        User.objects.filter(email__endswith="@bench.example")
        .order_by("pk")
        .values_list("email", flat=True)[:count]
    )
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i, address in enumerate(addresses):
            subject, text = message_text(i)
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = (
                subject,
                "noreply@bench.example",
                address,
            )
            message.set_content(text)
            smtp.send_message(message)
    elapsed = time.perf_counter() - started
    log(f"raw smtplib: {count} in {elapsed:.2f}s, {time.process_time() - cpu:.2f} s of CPU")
    return count / elapsed


def line_run(count: int, limit: int = 200) -> int:
    """Pushes through the worker on the real clock against a fake that enforces `limit`/s."""
    from django.conf import settings
    from django.utils import timezone

    from kizuna.outreach.models import Delivery
    from kizuna.outreach.testing import FakeHttpServer
    from kizuna.outreach.worker import deliveries_send_due

    stamps: list[float] = []
    lock = threading.Lock()

    def route(request):
        if request.path.startswith("/v2/bot/message/quota"):
            return 200, {}, {"type": "none", "totalUsage": 0}
        with lock:
            stamp = time.monotonic()
            stamps.append(stamp)
            in_window = len(stamps) - bisect.bisect_left(stamps, stamp - 1.0)
        if in_window > limit:
            return 429, {}, {"message": "The API rate limit has been exceeded. Try again later."}
        return 200, {"x-line-request-id": str(len(stamps))}, {"sentMessages": [{"id": "1"}]}

    with FakeHttpServer(route) as fake:
        settings.KIZUNA_OUTREACH_LINE_BASE_URL = fake.url
        settings.KIZUNA_OUTREACH_LINE_CHANNEL_ACCESS_TOKEN = "bench"  # noqa: S105
        settings.KIZUNA_OUTREACH_LINE_PUSH_PER_SECOND = limit
        Delivery.objects.bulk_create(
            Delivery(
                channel="line",
                recipient_key=f"address:u{i}",
                address=f"U{i:032x}",
                purpose="service",
                topic="notices",
                text="お知らせ",
                idempotency_key=f"bench-line:{i}",
                due_at=timezone.now(),
            )
            for i in range(count)
        )
        started = time.perf_counter()
        while Delivery.objects.filter(
            idempotency_key__startswith="bench-line:", state__in=["queued", "deferred"]
        ).exists():
            deliveries_send_due()
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
    worst = 0
    for i, stamp in enumerate(stamps):
        worst = max(worst, bisect.bisect_left(stamps, stamp + 1.0) - i)
    log(f"line: {len(stamps)} pushes in {elapsed:.2f}s, busiest one-second window {worst}")
    return max(0, worst - limit)


def main() -> None:
    args = parse_args()
    if args.sink:
        run_sink()
        return
    db = configure_django(args.database_url)
    from django.conf import settings

    settings.KIZUNA_OUTREACH_QUIET_HOURS = (0, 0)  # a run at any hour decides the same way
    seed(args.recipients)
    if db == "sqlite":  # reads would otherwise wade through the seeding's write-ahead log
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    recipients, decide_s, outcomes = decide_everyone()
    log(f"decided {recipients} in {decide_s:.2f}s: {outcomes}")
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    assert sink.stdin is not None
    port = int(sink.stdout.readline())
    send_per_s = send_emails(args.emails, port)
    raw_per_s = send_raw(args.emails, port)
    sink.stdin.write("count\n")
    sink.stdin.flush()
    log(f"sink received {sink.stdout.readline().strip()} messages")
    sink.stdin.close()
    sink.wait()
    over_limit = line_run(args.line)
    print(
        json.dumps(
            {
                "db": db,
                "recipients": recipients,
                "decide_s": round(decide_s, 3),
                "send_per_s": round(send_per_s, 1),
                "raw_smtp_per_s": round(raw_per_s, 1),
                "ratio": round(send_per_s / raw_per_s, 3),
                "over_limit": over_limit,
            }
        )
    )


if __name__ == "__main__":
    main()
