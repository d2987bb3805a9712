"""Slack: chat.postMessage through slack_sdk against a local fake of the Web API."""

from datetime import UTC, datetime, timedelta

import pytest

from kizuna.outreach import worker
from kizuna.outreach.models import State
from kizuna.outreach.services import Content, Recipient, delivery_enqueue
from kizuna.outreach.testing import FakeHttpServer

pytestmark = pytest.mark.django_db

NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


class Slack:
    def __init__(self) -> None:
        self.throttle = 0
        self.posted: list[dict] = []

    def route(self, request):
        if request.path != "/api/chat.postMessage":
            return 404, {}, {"ok": False, "error": "unknown_method"}
        if request.headers.get("authorization") != "Bearer xoxb-test":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if self.throttle:
            self.throttle -= 1
            return 429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"}
        form = request.json() if request.body.startswith(b"{") else {}
        if form.get("channel") == "C-ARCHIVED":
            return 200, {}, {"ok": False, "error": "is_archived"}
        self.posted.append(form)
        return 200, {}, {"ok": True, "channel": form.get("channel"), "ts": "1700000000.000100"}


@pytest.fixture
def slack(settings):
    fake = Slack()
    with FakeHttpServer(fake.route) as server:
        settings.KIZUNA_OUTREACH_SLACK_BASE_URL = server.url + "/api/"
        settings.KIZUNA_OUTREACH_SLACK_BOT_TOKEN = "xoxb-test"
        yield fake


def queue(channel_id="C-NEWS", key="s1"):
    return delivery_enqueue(
        channel="slack",
        recipient=Recipient(address=channel_id),
        purpose="service",
        topic="notices",
        idempotency_key=key,
        content=Content("Maintenance", "The portal is down tonight."),
    )


def test_a_message_is_posted_to_the_channel_with_the_bot_token(slack):
    delivery = queue()
    assert worker.deliveries_send_due(now=NOON) == 1
    assert slack.posted == [
        {"channel": "C-NEWS", "text": "*Maintenance*\nThe portal is down tonight."}
    ]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == (State.SENT, "C-NEWS:1700000000.000100")


def test_a_429_waits_the_retry_after_slack_gave(slack):
    slack.throttle = 1
    delivery = queue()
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.due_at) == (State.DEFERRED, NOON + timedelta(seconds=30))
    worker.deliveries_send_due(now=NOON + timedelta(seconds=29))
    assert slack.posted == []
    worker.deliveries_send_due(now=NOON + timedelta(seconds=30))
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(slack.posted) == 1


def test_an_archived_channel_is_a_permanent_error(slack):
    delivery = queue("C-ARCHIVED")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.error) == (State.FAILED, "is_archived")


def test_one_channel_gets_at_most_one_message_a_second(slack):
    first, second = queue(key="a"), queue(key="b")
    worker.deliveries_send_due(now=NOON)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, second.reason) == (
        State.SENT,
        State.DEFERRED,
        "rate_limited",
    )
    worker.deliveries_send_due(now=second.due_at)
    second.refresh_from_db()
    assert second.state == State.SENT
