"""Sending: signatures, the retry schedule, receivers' answers, SSRF, replay, claims."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kizuna.core.consumers import dispatch
from kizuna.core.events import emit
from kizuna.integrations import services
from kizuna.integrations.models import DeliveryStatus, DisabledReason, WebhookDelivery
from kizuna.integrations.tasks import send_due_webhooks
from kizuna.integrations.tests import conftest as fakes
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db


def _emit(event_type, payload):
    with transaction.atomic():
        return emit(event_type, payload)


def _partner_updated(partner_id):
    return {"partner_id": partner_id, "organization_id": 1, "slug": "p", "fields": ["name"]}


def _staff_endpoint(alice, url, types=("partner.updated",), **extra):
    return services.webhook_endpoint_create(
        actor=alice, organization=None, url=url, event_types=list(types), **extra
    )


def _one_delivery(alice, receiver):
    endpoint = _staff_endpoint(alice, receiver.url)
    _emit("partner.updated", _partner_updated(7))
    dispatch("integrations.webhooks")
    return endpoint, WebhookDelivery.objects.get(endpoint=endpoint)


def test_each_event_reaches_the_receiver_signed_so_the_standard_library_verifies_it(
    alice, receiver, loopback_allowed
):
    endpoint, delivery = _one_delivery(alice, receiver)
    assert services.deliver_due() == 1
    [request] = receiver.requests
    payload = Webhook(endpoint.secret).verify(request.body, request.headers)
    assert payload["type"] == "partner.updated"
    assert payload["data"] == _partner_updated(7)
    assert set(payload) == {"id", "type", "version", "occurred_at", "data"}
    assert request.headers["webhook-id"] == delivery.webhook_id
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.response_excerpt) == (200, "ok")


def test_a_wrong_secret_fails_verification(alice, receiver, loopback_allowed):
    _one_delivery(alice, receiver)
    services.deliver_due()
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request.body, request.headers)


def test_during_a_rotation_both_the_new_and_the_old_secret_verify(
    alice, receiver, loopback_allowed
):
    endpoint, _ = _one_delivery(alice, receiver)
    old = endpoint.secret
    endpoint = services.webhook_endpoint_rotate_secret(actor=alice, endpoint=endpoint)
    services.deliver_due()
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request.body, request.headers)
    Webhook(endpoint.secret).verify(request.body, request.headers)


def test_after_the_overlap_only_the_new_secret_signs(alice, loopback_allowed, receiver):
    endpoint, _ = _one_delivery(alice, receiver)
    endpoint = services.webhook_endpoint_rotate_secret(
        actor=alice, endpoint=endpoint, now=timezone.now() - timedelta(days=2)
    )
    assert services.signing_secrets(endpoint, now=timezone.now()) == [endpoint.secret]


def test_failures_are_retried_on_the_standard_schedule_then_given_up(
    alice, receiver, loopback_allowed
):
    receiver.answer((500, {}, 0.0))
    _, delivery = _one_delivery(alice, receiver)
    now = timezone.now()
    waits = []
    for _ in range(8):
        assert services.deliver_due(now=now) == 1
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        wait = delivery.next_attempt_at - now
        waits.append(wait)
        # Not yet due just before the wait is over...
        assert services.deliver_due(now=now + wait - timedelta(milliseconds=1)) == 0
        now += wait
    nominal = services.RETRY_SCHEDULE[1:]
    assert len(waits) == len(nominal)
    for wait, expected in zip(waits, nominal, strict=True):
        assert expected * 0.8 <= wait <= expected * 1.2
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts.count() == 8
    assert len(receiver.requests) == 8


def test_the_retry_scale_setting_shortens_the_schedule(settings):
    settings.KIZUNA_WEBHOOK_RETRY_SCALE = 0.01
    delay = services.retry_delay(2)
    assert delay is not None
    assert delay <= timedelta(minutes=5) * 0.01 * 1.2
    assert services.retry_delay(8) is None


def test_any_2xx_is_a_success(alice, receiver, loopback_allowed):
    receiver.answer((204, {}, 0.0))
    _, delivery = _one_delivery(alice, receiver)
    services.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 204)


def test_410_gone_disables_the_endpoint_and_emails_its_owner(
    alice, receiver, loopback_allowed, django_capture_on_commit_callbacks
):
    receiver.answer((410, {}, 0.0))
    endpoint, delivery = _one_delivery(alice, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        services.deliver_due()
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == DisabledReason.GONE
    assert delivery.status == DeliveryStatus.FAILED
    (sent,) = sent_mail()
    assert sent.to == ["alice@example.com"]
    assert endpoint.url in sent.body


def test_429_with_retry_after_waits_as_long_as_the_receiver_asks(alice, receiver, loopback_allowed):
    receiver.answer((429, {"Retry-After": "600"}, 0.0))
    _, delivery = _one_delivery(alice, receiver)
    now = timezone.now()
    services.deliver_due(now=now)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - now >= timedelta(seconds=600)
    assert services.deliver_due(now=now + timedelta(seconds=30)) == 0


def test_503_with_retry_after_is_honoured_too(alice, receiver, loopback_allowed):
    receiver.answer((503, {"Retry-After": "120"}, 0.0))
    _, delivery = _one_delivery(alice, receiver)
    now = timezone.now()
    services.deliver_due(now=now)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - now >= timedelta(seconds=120)


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    alice, receiver, loopback_allowed, settings
):
    settings.KIZUNA_WEBHOOK_TIMEOUT_S = 0.2
    receiver.answer((200, {}, 1.0))
    _, delivery = _one_delivery(alice, receiver)
    services.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts.get().error == "timeout"


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_owner_emailed(
    alice, receiver, loopback_allowed, django_capture_on_commit_callbacks
):
    receiver.answer((500, {}, 0.0))
    endpoint, _ = _one_delivery(alice, receiver)
    start = timezone.now()
    services.deliver_due(now=start)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == start
    assert endpoint.enabled
    _emit("partner.updated", _partner_updated(8))
    dispatch("integrations.webhooks")
    later = start + timedelta(days=5, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.deliver_due(now=later)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason == DisabledReason.FAILING
    (sent,) = sent_mail()
    assert endpoint.url in sent.subject
    assert reverse("integrations:endpoint_detail", args=[endpoint.pk]) in sent.body


def test_a_success_clears_the_failing_clock(alice, receiver, loopback_allowed):
    receiver.answer((500, {}, 0.0), (200, {}, 0.0))
    endpoint, _ = _one_delivery(alice, receiver)
    now = timezone.now()
    services.deliver_due(now=now)
    services.deliver_due(now=now + timedelta(seconds=10))
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_replaying_a_delivery_sends_it_again_with_the_same_webhook_id(
    alice, receiver, loopback_allowed
):
    endpoint, delivery = _one_delivery(alice, receiver)
    services.deliver_due()
    services.webhook_delivery_replay(actor=alice, delivery=delivery)
    services.deliver_due()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert first.body == second.body
    Webhook(endpoint.secret).verify(second.body, second.headers)


def test_replaying_a_time_range_resends_its_events_and_creates_missed_ones(
    alice, receiver, loopback_allowed
):
    endpoint, delivery = _one_delivery(alice, receiver)
    services.deliver_due()
    services.webhook_endpoint_update(actor=alice, endpoint=endpoint, enabled=False)
    _emit("partner.updated", _partner_updated(9))  # missed while disabled
    dispatch("integrations.webhooks")
    assert WebhookDelivery.objects.count() == 1
    services.webhook_endpoint_update(actor=alice, endpoint=endpoint, enabled=True)
    count = services.webhook_events_replay(
        actor=alice,
        endpoint=endpoint,
        start=timezone.now() - timedelta(hours=1),
        end=timezone.now() + timedelta(minutes=1),
    )
    assert count == 2
    services.deliver_due()
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert ids.count(delivery.webhook_id) == 2
    assert len(set(ids)) == 2


def test_the_test_event_button_queues_a_signed_test_delivery(alice, receiver, loopback_allowed):
    endpoint = _staff_endpoint(alice, receiver.url)
    services.webhook_test_send(actor=alice, endpoint=endpoint)
    services.deliver_due()
    [request] = receiver.requests
    assert Webhook(endpoint.secret).verify(request.body, request.headers)["type"] == "webhook.test"


def test_an_event_nobody_subscribed_to_creates_no_delivery(alice, receiver, loopback_allowed):
    _staff_endpoint(alice, receiver.url, types=("lead.accepted",))
    _emit("partner.updated", _partner_updated(7))
    dispatch("integrations.webhooks")
    assert not WebhookDelivery.objects.exists()


# SSRF


def test_a_private_address_cannot_be_registered(alice):
    for url in ("http://10.0.0.5/hook", "http://127.0.0.1:9/hook", "http://intranet.example.com/"):
        with pytest.raises(ValidationError) as refused:
            _staff_endpoint(alice, url)
        assert refused.value.error_dict["url"][0].code == "unsafe_url"


def test_a_name_that_later_resolves_to_loopback_is_refused_at_send_time(alice, receiver):
    endpoint = _staff_endpoint(alice, "http://hooks.example.com/hook")
    fakes.FAKE_DNS["hooks.example.com"] = "127.0.0.1"
    try:
        _emit("partner.updated", _partner_updated(7))
        dispatch("integrations.webhooks")
        services.deliver_due()
    finally:
        fakes.FAKE_DNS["hooks.example.com"] = fakes.PUBLIC_ADDRESS
    attempt = WebhookDelivery.objects.get(endpoint=endpoint).attempts.get()
    assert attempt.error.startswith("blocked")
    assert attempt.status_code is None


def test_a_redirect_to_a_private_address_is_not_followed(alice, receiver, loopback_allowed):
    receiver.answer((302, {"Location": "http://10.0.0.5/admin"}, 0.0))
    _, delivery = _one_delivery(alice, receiver)
    services.deliver_due()
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts.get().status_code == 302


# Claims


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_runs_out(
    alice, receiver, loopback_allowed
):
    _one_delivery(alice, receiver)
    now = timezone.now()
    _, first = services.webhook_deliveries_claim(limit=10, lease=timedelta(seconds=30), now=now)
    _, second = services.webhook_deliveries_claim(limit=10, lease=timedelta(seconds=30), now=now)
    assert (len(first), len(second)) == (1, 0)
    # The worker died: after the lease another takes it, and sends it with the same id.
    later = now + timedelta(seconds=31)
    assert services.deliver_due(now=later) == 1
    assert receiver.requests[0].headers["webhook-id"] == first[0].webhook_id


def test_a_worker_whose_lease_ran_out_logs_its_attempt_but_does_not_move_the_delivery(
    alice, receiver, loopback_allowed
):
    _, delivery = _one_delivery(alice, receiver)
    now = timezone.now()
    stale_token, [claimed] = services.webhook_deliveries_claim(
        limit=1, lease=timedelta(seconds=1), now=now
    )
    services.deliver_due(now=now + timedelta(seconds=2))  # another worker succeeds
    from kizuna.integrations.transport import Outcome

    services.webhook_attempts_record(
        token=stale_token,
        results=[(claimed, Outcome(now, False, status_code=500))],
        now=now + timedelta(seconds=3),
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts.count() == 2


def test_a_replay_range_must_end_after_it_starts(alice, receiver, loopback_allowed):
    endpoint = _staff_endpoint(alice, receiver.url)
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.webhook_events_replay(actor=alice, endpoint=endpoint, start=now, end=now)
    assert refused.value.code == "empty_range"


def test_the_worker_job_sends_every_due_delivery_then_stops(alice, receiver, loopback_allowed):
    _staff_endpoint(alice, receiver.url)
    for n in range(3):
        _emit("partner.updated", _partner_updated(n))
    dispatch("integrations.webhooks")
    assert send_due_webhooks.call() == 3
    assert len(receiver.requests) == 3
    assert not WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()


def test_a_replay_during_a_send_is_not_swallowed_by_that_sends_success(
    alice, receiver, loopback_allowed
):
    _, delivery = _one_delivery(alice, receiver)
    now = timezone.now()
    token, [claimed] = services.webhook_deliveries_claim(
        limit=1, lease=timedelta(seconds=30), now=now
    )
    services.webhook_delivery_replay(actor=alice, delivery=delivery)
    from kizuna.integrations.transport import Outcome

    services.webhook_attempts_record(
        token=token, results=[(claimed, Outcome(now, True, status_code=200))], now=now
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert services.deliver_due() == 1
