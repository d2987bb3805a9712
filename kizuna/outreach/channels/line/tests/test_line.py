"""LINE: push through line-bot-sdk against a local fake of the Messaging API."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kizuna.outreach import worker
from kizuna.outreach.channels import registry
from kizuna.outreach.models import ConsentMethod, Delivery, State
from kizuna.outreach.services import Content, Recipient, consent_record, delivery_enqueue
from kizuna.outreach.testing import FakeHttpServer

pytestmark = pytest.mark.django_db

NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


class Line:
    """Keeps pushes by retry key and answers 409 to a key it accepted, as LINE does."""

    def __init__(self) -> None:
        self.quota = 10
        self.used = 0
        self.accepted: dict[str, dict] = {}
        self.deliveries = 0
        self.server: FakeHttpServer | None = None

    def route(self, request):
        if request.headers.get("authorization") != "Bearer line-token":
            return 401, {}, {"message": "Authentication failed"}
        if request.path == "/v2/bot/message/quota":
            return 200, {}, {"type": "limited", "value": self.quota}
        if request.path == "/v2/bot/message/quota/consumption":
            return 200, {}, {"totalUsage": self.used}
        if request.path == "/v2/bot/message/push":
            key = request.headers.get("x-line-retry-key", "")
            if key in self.accepted:
                return (
                    409,
                    {"x-line-accepted-request-id": "req-1"},
                    {"message": "The retry key is already accepted"},
                )
            if self.used >= self.quota:
                return 429, {}, {"message": "You have reached your monthly limit."}
            self.accepted[key] = request.json()
            self.used += 1
            self.deliveries += 1
            return (
                200,
                {"x-line-request-id": f"req-{self.deliveries}"},
                {"sentMessages": [{"id": str(self.deliveries), "quoteToken": "q"}]},
            )
        return 404, {}, {"message": "Not found"}


@pytest.fixture
def line(settings):
    fake = Line()
    with FakeHttpServer(fake.route) as server:
        fake.server = server
        settings.KIZUNA_OUTREACH_LINE_BASE_URL = server.url
        settings.KIZUNA_OUTREACH_LINE_CHANNEL_ACCESS_TOKEN = "line-token"
        yield fake


def queue(key="l1", purpose="service", user=None, topic="notices"):
    return delivery_enqueue(
        channel="line",
        recipient=Recipient(address="U4af4980629", user=user),
        purpose=purpose,
        topic=topic,
        idempotency_key=key,
        content=Content("", "Your badge was awarded."),
    )


def test_a_push_carries_a_retry_key_and_is_recorded(line):
    delivery = queue()
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == (State.SENT, "req-1")
    (body,) = line.accepted.values()
    assert body["to"] == "U4af4980629"
    assert body["messages"][0]["text"] == "Your badge was awarded."


class Killed(BaseException):
    pass


def test_worker_killed_after_the_push_retries_with_the_same_key_and_line_drops_the_duplicate(
    line, monkeypatch
):
    delivery = queue()
    channel = registry.get("line")
    real_send = channel.send

    def send_then_die(delivery):
        real_send(delivery)
        raise Killed

    monkeypatch.setattr(channel, "send", send_then_die)
    with pytest.raises(Killed):
        worker.deliveries_send_due(now=NOON)
    monkeypatch.undo()
    worker.deliveries_send_due(now=NOON + timedelta(minutes=6))  # lease expired: queued again
    worker.deliveries_send_due(now=NOON + timedelta(minutes=7))
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert delivery.attempts == 2
    assert line.deliveries == 1  # the second push was refused as a duplicate (409)
    retry_keys = [r.headers["x-line-retry-key"] for r in _pushes(line)]
    assert len(retry_keys) == 2
    assert len(set(retry_keys)) == 1


def _pushes(line):
    assert line.server is not None
    return [r for r in line.server.requests if r.path == "/v2/bot/message/push"]


def test_quota_used_up_defers_advertising_to_next_month_and_sends_nothing(line, dave):
    line.used = line.quota
    consent_record(
        recipient_key=f"user:{dave.pk}",
        channel="line",
        topics=["events"],
        granted=True,
        method=ConsentMethod.FORM,
    )
    delivery = queue(purpose="advertising", user=dave, topic="events")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.DEFERRED, "quota_exhausted")
    first_of_month = delivery.due_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (first_of_month.day, first_of_month.hour) == (1, 0)
    assert delivery.due_at > NOON
    assert line.deliveries == 0
    assert not Delivery.objects.filter(channel="email").exists()


def test_quota_used_up_sends_a_service_notice_by_email_instead(line, dave, sink):
    line.used = line.quota
    delivery = queue(user=dave)
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert delivery.state == State.SKIPPED
    fallback = Delivery.objects.get(channel="email")
    assert (fallback.address, fallback.idempotency_key) == ("dave@example.com", "l1:email")
    worker.deliveries_send_due(now=NOON)
    fallback.refresh_from_db()
    assert fallback.state == State.SENT
    assert len(sink.messages) == 1
