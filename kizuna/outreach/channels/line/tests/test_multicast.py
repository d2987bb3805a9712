"""LINE multicast: up to 500 user ids a request, one retry key per chunk kept across a crash."""

import pytest

from kizuna.outreach import worker
from kizuna.outreach.channels.line import multicast
from kizuna.outreach.channels.line.tests.test_line import NOON, Line
from kizuna.outreach.models import Delivery, State
from kizuna.outreach.services import Content, Recipient, delivery_enqueue
from kizuna.outreach.testing import FakeHttpServer

pytestmark = pytest.mark.django_db


class MulticastLine(Line):
    def __init__(self) -> None:
        super().__init__()
        self.quota = 10_000
        self.requests: list[tuple[str, list[str]]] = []

    def route(self, request):
        if request.path != "/v2/bot/message/multicast":
            return super().route(request)
        key = request.headers.get("x-line-retry-key", "")
        body = request.json()
        self.requests.append((key, body["to"]))
        if key in self.accepted:
            return 409, {"x-line-accepted-request-id": "req-first"}, {"message": "accepted"}
        self.accepted[key] = body
        self.used += len(body["to"])
        return 200, {"x-line-request-id": f"req-{len(self.requests)}"}, {}


@pytest.fixture
def line(settings):
    fake = MulticastLine()
    with FakeHttpServer(fake.route) as server:
        settings.KIZUNA_OUTREACH_LINE_BASE_URL = server.url
        settings.KIZUNA_OUTREACH_LINE_CHANNEL_ACCESS_TOKEN = "line-token"
        settings.KIZUNA_OUTREACH_LINE_MULTICAST_PER_SECOND = 1000
        yield fake


def queue_many(count, text="新しいイベントのお知らせ"):
    return [
        delivery_enqueue(
            channel="line",
            recipient=Recipient(address=f"U{i:032x}"),
            purpose="service",
            topic="notices",
            idempotency_key=f"campaign:1:{i}",
            content=Content("", text),
            due_at=NOON,
        )
        for i in range(count)
    ]


def test_a_bulk_send_goes_out_in_requests_of_at_most_500_user_ids(line):
    deliveries = queue_many(1201)
    assert multicast.line_multicast_send(deliveries=deliveries, now=NOON) == 1201
    assert [len(to) for _key, to in line.requests] == [500, 500, 201]
    assert len({key for key, _to in line.requests}) == 3
    assert sorted(u for _key, to in line.requests for u in to) == sorted(
        d.address for d in deliveries
    )
    assert Delivery.objects.filter(state=State.SENT).count() == 1201


def test_different_texts_never_share_a_request(line):
    other = delivery_enqueue(
        channel="line",
        recipient=Recipient(address="Uother"),
        purpose="service",
        topic="notices",
        idempotency_key="other",
        content=Content("", "別の本文"),
        due_at=NOON,
    )
    deliveries = [*queue_many(3), other]
    multicast.line_multicast_send(deliveries=deliveries, now=NOON)
    assert sorted(len(to) for _key, to in line.requests) == [1, 3]


class Killed(BaseException):
    pass


def test_a_chunk_whose_worker_died_after_the_send_is_sent_again_with_the_same_key(
    line, monkeypatch
):
    from linebot.v3.messaging import MessagingApi

    deliveries = queue_many(3)
    real_send = MessagingApi.multicast_with_http_info

    def send_then_die(self, *args, **kwargs):
        real_send(self, *args, **kwargs)
        raise Killed

    monkeypatch.setattr(MessagingApi, "multicast_with_http_info", send_then_die)
    with pytest.raises(Killed):
        multicast.line_multicast_send(deliveries=deliveries, now=NOON)
    monkeypatch.undo()
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENDING}
    worker.deliveries_send_due(now=NOON.replace(hour=4))  # the lease has run out
    worker.deliveries_send_due(now=NOON.replace(hour=5))
    first_key, second_key = (key for key, _to in line.requests)
    assert first_key == second_key  # LINE drops the duplicate (409)
    assert len(line.accepted) == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_chunk_killed_between_claim_and_send_keeps_its_key_for_the_retry(line, monkeypatch):
    deliveries = queue_many(2)
    key = multicast.chunk_retry_key(deliveries)

    def die(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(multicast.CHANNEL, "quota_left", die)
    with pytest.raises(Killed):
        multicast.line_multicast_send(deliveries=deliveries, now=NOON)
    monkeypatch.undo()
    assert set(Delivery.objects.values_list("provider_id", flat=True)) == {f"retry:{key}"}
    worker.deliveries_send_due(now=NOON.replace(hour=4))
    worker.deliveries_send_due(now=NOON.replace(hour=5))
    assert [k for k, _to in line.requests] == [key]
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}


def test_a_chunk_larger_than_the_quota_left_is_deferred_for_advertising(line):
    line.quota, line.used = 10, 9
    deliveries = queue_many(2)
    Delivery.objects.update(purpose="advertising")
    for delivery in deliveries:
        delivery.refresh_from_db()
    from kizuna.outreach.services import consent_record

    for delivery in deliveries:
        consent_record(
            recipient_key=delivery.recipient_key,
            channel="line",
            topics=["notices"],
            granted=True,
            method="channel",
        )
    multicast.line_multicast_send(deliveries=deliveries, now=NOON)
    assert line.requests == []
    assert set(Delivery.objects.values_list("reason", flat=True)) == {"quota_exhausted"}


def test_two_advertisements_to_one_person_in_one_multicast_round_respect_the_weekly_cap(
    line, settings
):
    from kizuna.outreach.services import consent_record

    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 1
    deliveries = [
        delivery_enqueue(
            channel="line",
            recipient=Recipient(address="U" + "a" * 32),
            purpose="advertising",
            topic="notices",
            idempotency_key=f"campaign:{n}:hana",
            content=Content("", f"キャンペーン {n}"),
            due_at=NOON,
        )
        for n in range(2)
    ]
    consent_record(
        recipient_key=deliveries[0].recipient_key,
        channel="line",
        topics=["notices"],
        granted=True,
        method="channel",
    )
    assert multicast.line_multicast_send(deliveries=deliveries, now=NOON) == 1
    assert len(line.requests) == 1
    assert sorted(Delivery.objects.values_list("state", "reason")) == [
        (State.SENT, ""),
        (State.SKIPPED, "frequency_cap"),
    ]
