"""WeCom: add_msg_template through httpx against a local fake of the official API."""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from kizuna.outreach import worker
from kizuna.outreach.channels.wecom.transport import wecom_confirmations_check
from kizuna.outreach.models import ConsentMethod, Delivery, State
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


SHANGHAI = ZoneInfo("Asia/Shanghai")


def received_earlier(count, *, at):
    """Group messages WeCom already has for the customer, sent at `at`."""
    for n in range(count):
        Delivery.objects.create(
            channel="wecom",
            address="wmExternal1",
            recipient_key="address:wmexternal1",
            purpose="advertising",
            topic="events",
            idempotency_key=f"earlier:{at.isoformat()}:{n}",
            state=State.AWAITING_CONFIRMATION,
            claimed_at=at,
        )


def consented():
    consent_record(
        recipient_key="address:wmexternal1",
        channel="wecom",
        topics=["events"],
        granted=True,
        method=ConsentMethod.IMPORT,
        source="WeCom contacts export",
    )


def next_period_start(rule):
    local = NOON.astimezone(SHANGHAI)
    day = datetime(local.year, local.month, local.day, tzinfo=SHANGHAI)
    if rule == "one_a_day":
        return day + timedelta(days=1), 1
    if rule == "seven_a_week":
        return day + timedelta(days=7 - local.weekday()), 7
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=1), calendar.monthrange(day.year, day.month)[1]


@pytest.mark.parametrize("rule", ["days_in_month", "seven_a_week", "one_a_day"])
def test_a_customer_at_wecoms_limit_waits_for_the_next_period(wecom, settings, rule):
    settings.KIZUNA_OUTREACH_WECOM_RECEIVE_RULE = rule
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 100
    consented()
    until, most = next_period_start(rule)
    received_earlier(most, at=NOON - timedelta(minutes=1))
    delivery = queue(key="w1", purpose="advertising", topic="events")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (State.DEFERRED, "quota_exhausted")
    assert delivery.due_at == until
    assert wecom.tasks == []


@pytest.mark.parametrize("rule", ["days_in_month", "seven_a_week", "one_a_day"])
def test_a_customer_one_below_wecoms_limit_gets_the_message(wecom, settings, rule):
    settings.KIZUNA_OUTREACH_WECOM_RECEIVE_RULE = rule
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 100
    consented()
    _until, most = next_period_start(rule)
    received_earlier(most - 1, at=NOON - timedelta(minutes=1))
    delivery = queue(key="w1", purpose="advertising", topic="events")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert delivery.state == State.AWAITING_CONFIRMATION
    assert len(wecom.tasks) == 1


def test_messages_of_an_earlier_period_do_not_count(wecom, settings):
    settings.KIZUNA_OUTREACH_WECOM_RECEIVE_RULE = "one_a_day"
    consented()
    received_earlier(1, at=NOON - timedelta(days=1))
    delivery = queue(key="w1", purpose="advertising", topic="events")
    worker.deliveries_send_due(now=NOON)
    delivery.refresh_from_db()
    assert delivery.state == State.AWAITING_CONFIRMATION


def test_wecoms_documented_default_is_as_many_a_month_as_the_month_has_days():
    from kizuna.outreach.channels.wecom.transport import CHANNEL

    assert CHANNEL.DEFAULTS["RECEIVE_RULE"] == "days_in_month"
    february = datetime(2027, 2, 10, 12, tzinfo=SHANGHAI)
    assert CHANNEL.receive_period(february) == (
        datetime(2027, 2, 1, tzinfo=SHANGHAI),
        datetime(2027, 3, 1, tzinfo=SHANGHAI),
        28,
    )


def test_an_unknown_rule_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from kizuna.outreach.channels.wecom.transport import CHANNEL

    settings.KIZUNA_OUTREACH_WECOM_RECEIVE_RULE = "four_a_month"
    with pytest.raises(ImproperlyConfigured):
        CHANNEL.receive_period(NOON)
