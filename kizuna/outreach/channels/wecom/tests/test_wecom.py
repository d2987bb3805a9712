"""WeCom: add_msg_template through httpx against a local fake of the official API."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from kizuna.outreach import worker
from kizuna.outreach.channels.wecom.transport import wecom_confirmations_check
from kizuna.outreach.models import ConsentMethod, State
from kizuna.outreach.services import Content, Recipient, consent_record, delivery_enqueue
from kizuna.outreach.testing import FakeHttpServer

pytestmark = pytest.mark.django_db

NOON = (datetime.now(UTC) + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)


class WeCom:
    def __init__(self) -> None:
        self.tasks: list[dict] = []
        self.confirmed: set[str] = set()
        self.tokens = 0

    def route(self, request):
        if request.path == "/cgi-bin/gettoken":
            self.tokens += 1
            return 200, {}, {"errcode": 0, "access_token": f"t{self.tokens}", "expires_in": 7200}
        if request.query.get("access_token") != [f"t{self.tokens}"]:
            return 200, {}, {"errcode": 42001, "errmsg": "access_token expired"}
        body = request.json()
        if request.path == "/cgi-bin/externalcontact/add_msg_template":
            self.tasks.append(body)
            return (
                200,
                {},
                {"errcode": 0, "errmsg": "ok", "fail_list": [], "msgid": f"m{len(self.tasks)}"},
            )
        if request.path == "/cgi-bin/externalcontact/get_groupmsg_send_result":
            status = 1 if body["msgid"] in self.confirmed else 0
            task = self.tasks[int(body["msgid"][1:]) - 1]
            rows = [
                {"external_userid": u, "userid": "staff1", "status": status}
                for u in task["external_userid"]
            ]
            return 200, {}, {"errcode": 0, "errmsg": "ok", "send_list": rows}
        return 404, {}, {"errcode": 404}


@pytest.fixture
def wecom(settings):
    cache.clear()
    fake = WeCom()
    with FakeHttpServer(fake.route) as server:
        settings.KIZUNA_OUTREACH_WECOM_BASE_URL = server.url
        settings.KIZUNA_OUTREACH_WECOM_CORP_ID = "ww1"
        settings.KIZUNA_OUTREACH_WECOM_CORP_SECRET = "secret"
        settings.KIZUNA_OUTREACH_WECOM_SENDER = "staff1"
        yield fake


def queue(key="w1", purpose="service", topic="notices"):
    return delivery_enqueue(
        channel="wecom",
        recipient=Recipient(address="wmExternal1"),
        purpose=purpose,
        topic=topic,
        idempotency_key=key,
        content=Content("", "新しいイベントのお知らせ"),
    )


def test_a_message_becomes_a_task_awaiting_the_staff_members_confirmation(wecom):
    delivery = queue()
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == (State.AWAITING_CONFIRMATION, "m1")
    assert wecom.tasks == [
        {
            "chat_type": "single",
            "external_userid": ["wmExternal1"],
            "sender": "staff1",
            "text": {"content": "新しいイベントのお知らせ"},
        }
    ]
    assert wecom_confirmations_check() == 0
    wecom.confirmed.add("m1")
    assert wecom_confirmations_check() == 1
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert delivery.sent_at is not None


def test_an_expired_token_is_fetched_again_once(wecom):
    queue()
    worker.deliveries_send_due(now=NOON)
    wecom.tokens += 1  # WeCom revoked the cached token
    queue(key="w2")
    worker.deliveries_send_due(now=NOON + timedelta(minutes=1))
    assert len(wecom.tasks) == 2


def test_a_customer_over_the_monthly_limit_waits_for_next_month(wecom, settings):
    settings.KIZUNA_OUTREACH_WECOM_PER_CUSTOMER_PER_MONTH = 1
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 10
    consent_record(
        recipient_key="address:wmexternal1",
        channel="wecom",
        topics=["events"],
        granted=True,
        method=ConsentMethod.IMPORT,
        source="WeCom contacts export",
    )
    queue(key="w1", purpose="advertising", topic="events")
    second = queue(key="w2", purpose="advertising", topic="events")
    worker.deliveries_send_due(now=NOON)
    second.refresh_from_db()
    assert (second.state, second.reason) == (State.DEFERRED, "quota_exhausted")
    assert len(wecom.tasks) == 1
