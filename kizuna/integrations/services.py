"""Every write of the integrations app: endpoints, deliveries, attempts, replays."""

import base64
import contextlib
import functools
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.core import audit, catalog
from kizuna.core.models import OutboxEvent
from kizuna.core.ssrf import BatchResolver, UnsafeUrl, guarded_client
from kizuna.integrations import notifications, permissions, transport
from kizuna.integrations.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# The Standard Webhooks schedule: the first attempt at once, then a retry after each delay.
RETRY_SCHEDULE = [
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
JITTER = 0.2  # each delay is drawn from ±20% of its nominal value
DISABLE_AFTER_FAILING = timedelta(days=5)
ROTATION_OVERLAP = timedelta(hours=24)
TEST_EVENT_TYPE = "webhook.test"
_endpoint_audit_fields = ["url", "description", "event_types", "personal_data", "enabled"]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# Endpoints


def subscribable_types(organization: Organization | None) -> list[str]:
    """Staff endpoints may take any public type; a partner's only types tied to a partner."""
    return sorted(
        t.name
        for t in catalog.public_types()
        if organization is None or t.partner_field is not None
    )


def _clean(*, organization: Organization | None, url: str, event_types: Iterable[str]) -> list[str]:
    errors: dict[str, ValidationError] = {}
    try:
        transport.check_url(url)
    except UnsafeUrl as error:
        errors["url"] = ValidationError(
            _("This URL cannot receive webhooks: %(reason)s") % {"reason": error},
            code="unsafe_url",
        )
    chosen = sorted(set(event_types))
    unknown = sorted(set(chosen) - set(subscribable_types(organization)))
    if unknown:
        errors["event_types"] = ValidationError(
            _("These event types cannot be subscribed to here: %(types)s")
            % {"types": ", ".join(unknown)},
            code="unknown_event_type",
        )
    elif not chosen:
        errors["event_types"] = ValidationError(
            _("Choose at least one event type."), code="no_event_type"
        )
    if errors:
        raise ValidationError(errors)
    return chosen


def webhook_endpoint_create(
    *,
    actor: Any,
    organization: Organization | None,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    notify_user: Any = None,
    personal_data: bool = False,
) -> WebhookEndpoint:
    if not permissions.can_create_endpoint(actor, organization):
        raise PermissionDenied
    chosen = _clean(organization=organization, url=url, event_types=event_types)
    with transaction.atomic():
        _forget_snapshot()
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=url,
            description=description,
            event_types=chosen,
            personal_data=personal_data,
            notify_user=notify_user or actor,
            secret=new_secret(),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="webhook_endpoint.created",
            obj=endpoint,
            after=audit.snapshot(endpoint, _endpoint_audit_fields),
        )
    return endpoint


def webhook_endpoint_update(
    *, actor: Any, endpoint: WebhookEndpoint, **changes: Any
) -> WebhookEndpoint:
    """Change url, description, event_types, personal_data, notify_user or enabled."""
    if not permissions.can_change_endpoint(actor, endpoint):
        raise PermissionDenied
    allowed = {"url", "description", "event_types", "personal_data", "notify_user", "enabled"}
    if set(changes) - allowed:
        raise ValueError(f"cannot change {sorted(set(changes) - allowed)}")
    url = changes.get("url", endpoint.url)
    types = changes.get("event_types", endpoint.event_types)
    changes["event_types"] = _clean(organization=endpoint.organization, url=url, event_types=types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = audit.snapshot(endpoint, _endpoint_audit_fields)
        if changes.get("enabled") is True and not endpoint.enabled:
            endpoint.disabled_reason = ""
            endpoint.disabled_at = None
            endpoint.failing_since = None
        elif changes.get("enabled") is False and endpoint.enabled:
            endpoint.disabled_reason = DisabledReason.MANUAL
            endpoint.disabled_at = timezone.now()
        for name, value in changes.items():
            setattr(endpoint, name, value)
        endpoint.save()
        _forget_snapshot()
        audit.record(
            actor=actor,
            action="webhook_endpoint.updated",
            obj=endpoint,
            before=before,
            after=audit.snapshot(endpoint, _endpoint_audit_fields),
        )
    return endpoint


def webhook_endpoint_delete(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    if not permissions.can_delete_endpoint(actor, endpoint):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="webhook_endpoint.deleted",
            obj=endpoint,
            before=audit.snapshot(endpoint, _endpoint_audit_fields),
        )
        endpoint.delete()
        _forget_snapshot()


def webhook_endpoint_rotate_secret(
    *, actor: Any, endpoint: WebhookEndpoint, now: datetime | None = None
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one also signs for ROTATION_OVERLAP, so the
    receiver can switch secrets without refusing a single delivery."""
    if not permissions.can_change_endpoint(actor, endpoint):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + ROTATION_OVERLAP
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        audit.record(actor=actor, action="webhook_endpoint.secret_rotated", obj=endpoint)
    return endpoint


def signing_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and now < endpoint.previous_secret_until
    ):
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


# Deliveries


def _webhook_id(event_id: int, endpoint_id: int) -> str:
    return f"msg_{event_id}_{endpoint_id}"


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _body(event: OutboxEvent, event_type: catalog.EventType, endpoint: WebhookEndpoint) -> str:
    data = catalog.public_data(event_type, event.payload, personal_data=endpoint.personal_data)
    return orjson.dumps(
        {
            "id": event.pk,
            "type": event.type,
            "version": event_type.version,
            "occurred_at": _rfc3339(event.occurred_at),
            "data": data,
        }
    ).decode()


def _matches(endpoint: WebhookEndpoint, event: OutboxEvent, event_type: catalog.EventType) -> bool:
    if event.type not in endpoint.event_types:
        return False
    if endpoint.organization_id is None:
        return True
    return (
        event_type.partner_field is not None
        and event.payload.get(event_type.partner_field) == endpoint.organization_id
    )


def _public_type(name: str) -> catalog.EventType | None:
    try:
        event_type = catalog.event_type(name)
    except KeyError:
        return None
    return event_type if event_type is not None and event_type.public else None


_snapshot = threading.local()


def _enabled_endpoints() -> list[WebhookEndpoint]:
    """The enabled endpoints, read once per outermost transaction.

    The consumer fans out a batch of hundreds of events in one transaction; reading the
    endpoints again for each event was a third of the fan-out's time (bench/webhooks.py).
    Reading them once at the batch's start is the same as dispatching a moment earlier;
    an endpoint changed by this thread meanwhile (a test, one long transaction) is read again.
    """
    connection = transaction.get_connection()
    outer = connection.atomic_blocks[0] if connection.atomic_blocks else None
    cached = getattr(_snapshot, "value", None)
    if outer is not None and cached is not None and cached[0] is outer:
        return cached[1]
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True))
    if outer is not None:
        _snapshot.value = (outer, endpoints)
        transaction.on_commit(_forget_snapshot)
    return endpoints


def _forget_snapshot() -> None:
    _snapshot.value = None


def webhook_deliveries_create(*, event: OutboxEvent, now: datetime | None = None) -> int:
    """Fan one event out to every enabled endpoint subscribed to it; return how many."""
    event_type = _public_type(event.type)
    if event_type is None:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        endpoints = [e for e in _enabled_endpoints() if _matches(e, event, event_type)]
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    webhook_id=_webhook_id(event.pk, endpoint.pk),
                    event_type=event.type,
                    body=_body(event, event_type, endpoint),
                    next_attempt_at=now,
                )
                for endpoint in endpoints
            ],
            ignore_conflicts=True,  # the consumer may see an event again after a crash
        )
    return len(endpoints)


def webhook_test_send(*, actor: Any, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` delivery, sent like any other (signed, retried, logged)."""
    if not permissions.can_send_test_event(actor, endpoint):
        raise PermissionDenied
    now = timezone.now()
    token = secrets.token_hex(8)
    body = orjson.dumps(
        {
            "id": f"test_{token}",
            "type": TEST_EVENT_TYPE,
            "version": 1,
            "occurred_at": _rfc3339(now),
            "data": {"endpoint_id": endpoint.pk, "message": "Test event from Kizuna"},
        }
    ).decode()
    with transaction.atomic():
        return WebhookDelivery.objects.create(
            endpoint=endpoint,
            webhook_id=f"msg_test_{token}",
            event_type=TEST_EVENT_TYPE,
            body=body,
            next_attempt_at=now,
        )


def webhook_delivery_replay(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from the start of the schedule: same body, same webhook-id."""
    if not permissions.can_replay(actor, delivery.endpoint):
        raise PermissionDenied
    with transaction.atomic():
        _reset(WebhookDelivery.objects.filter(pk=delivery.pk))
        audit.record(actor=actor, action="webhook_delivery.replayed", obj=delivery)
    delivery.refresh_from_db()
    return delivery


def _reset(deliveries: Any) -> int:
    # The claim goes too: a worker sending it right now still logs its attempt, but no
    # longer holds the delivery, so its outcome cannot end the round the replay asked for.
    return deliveries.update(
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        next_attempt_at=timezone.now(),
        finished_at=None,
        claimed_until=None,
        claim_token="",
    )


def webhook_events_replay(
    *, actor: Any, endpoint: WebhookEndpoint, start: datetime, end: datetime
) -> int:
    """Send again every event of [start, end) this endpoint subscribes to; return how many."""
    if not permissions.can_replay(actor, endpoint):
        raise PermissionDenied
    if end <= start:
        raise ValidationError(_("The end must be after the start."), code="empty_range")
    count = 0
    with transaction.atomic():
        events = OutboxEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, type__in=endpoint.event_types
        ).order_by("id")
        for event in events.iterator():
            event_type = _public_type(event.type)
            if event_type is None or not _matches(endpoint, event, event_type):
                continue
            _delivery, created = WebhookDelivery.objects.get_or_create(
                endpoint=endpoint,
                event=event,
                defaults={
                    "webhook_id": _webhook_id(event.pk, endpoint.pk),
                    "event_type": event.type,
                    "body": _body(event, event_type, endpoint),
                    "next_attempt_at": timezone.now(),
                },
            )
            if not created:
                _reset(WebhookDelivery.objects.filter(endpoint=endpoint, event=event))
            count += 1
        audit.record(
            actor=actor,
            action="webhook_endpoint.replayed",
            obj=endpoint,
            after={"start": start.isoformat(), "end": end.isoformat(), "events": count},
        )
    return count


# Sending


def retry_delay(attempts_made: int, *, rng: random.Random | None = None) -> timedelta | None:
    """The wait before the next attempt after `attempts_made` failures; None once exhausted."""
    if attempts_made >= len(RETRY_SCHEDULE):
        return None
    nominal = RETRY_SCHEDULE[attempts_made].total_seconds() * settings.KIZUNA_WEBHOOK_RETRY_SCALE
    jitter = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=nominal * jitter)


def _lease(limit: int, concurrency: int) -> timedelta:
    # Long enough for two batches (one sending, the next queued behind it) to time out,
    # `concurrency` attempts at a time.
    rounds = 2 * math.ceil(limit / max(concurrency, 1)) + 1
    return timedelta(seconds=settings.KIZUNA_WEBHOOK_TIMEOUT_S * rounds + 5)


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """What sending and recording need of a claimed delivery, read as a tuple.

    Loading model instances (with their endpoint, and its JSON field decoded, per row) was
    most of the claim's cost in bench/webhooks.py; a batch's endpoints are read once.
    """

    pk: int
    webhook_id: str
    body: str
    attempt_count: int
    endpoint: WebhookEndpoint

    @property
    def endpoint_id(self) -> int:
        return self.endpoint.pk


def webhook_deliveries_claim(
    *, limit: int, lease: timedelta, now: datetime
) -> tuple[str, list[ClaimedDelivery]]:
    """Claim up to `limit` due deliveries for this worker, committed before anything is sent.

    The conditional UPDATE is the claim: of several workers only one matches a row, and a
    claim whose lease ran out (its worker died) matches again.
    """
    token = secrets.token_hex(16)
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    with transaction.atomic():
        candidates = list(
            WebhookDelivery.objects.filter(due, endpoint__enabled=True)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:limit]
        )
        if not candidates:
            return token, []
        WebhookDelivery.objects.filter(due, id__in=candidates).update(
            claimed_until=now + lease, claim_token=token
        )
    # By primary key: claim_token has no index, and a scan per batch grew with the table.
    rows = list(
        WebhookDelivery.objects.filter(id__in=candidates, claim_token=token).values_list(
            "id", "webhook_id", "body", "attempt_count", "endpoint_id"
        )
    )
    endpoints = WebhookEndpoint.objects.in_bulk({row[4] for row in rows})
    return token, [
        ClaimedDelivery(pk, webhook_id, body, attempt_count, endpoints[endpoint_id])
        for pk, webhook_id, body, attempt_count, endpoint_id in rows
    ]


def _send(
    client: httpx.Client, resolve: BatchResolver, delivery: ClaimedDelivery
) -> transport.Outcome:
    return transport.attempt(
        client,
        url=delivery.endpoint.url,
        webhook_id=delivery.webhook_id,
        body=delivery.body,
        secrets=signing_secrets(delivery.endpoint, now=timezone.now()),
        timeout_s=settings.KIZUNA_WEBHOOK_TIMEOUT_S,
        resolve=resolve,
    )


def deliver_due(
    *,
    limit: int = 100,
    concurrency: int = 8,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> int:
    """Claim, send and record one batch of due deliveries; return how many were attempted."""
    now = now or timezone.now()
    token, claimed = webhook_deliveries_claim(
        limit=limit, lease=_lease(limit, concurrency), now=now
    )
    if not claimed:
        return 0
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(guarded_client())
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=concurrency))
        outcomes = list(pool.map(functools.partial(_send, client, BatchResolver()), claimed))
    webhook_attempts_record(token=token, results=list(zip(claimed, outcomes, strict=True)), now=now)
    return len(claimed)


def deliver_continuously(
    *,
    limit: int,
    concurrency: int,
    client: httpx.Client,
    stop: Callable[[int, bool], bool],
    idle_sleep_s: float = 0.05,
) -> int:
    """Send due deliveries batch after batch until stop(sent_so_far, idle) says so.

    The database work of one batch (recording it, claiming the next) overlaps the sending
    of the next, so the sending threads seldom wait for the database: profiled on 4,000
    deliveries, batch-at-a-time (deliver_due in a loop) spent a third of its time claiming
    and recording with every sending thread idle (bench/README.md, webhooks.py).
    """
    sent = 0
    idle = False
    in_flight: tuple[str, list[ClaimedDelivery], list[Any], datetime] | None = None
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        while True:
            stopping = stop(sent, idle)
            if stopping and in_flight is None:
                return sent
            now = timezone.now()
            token, claimed = (
                ("", [])
                if stopping
                else webhook_deliveries_claim(
                    limit=limit, lease=_lease(limit, concurrency), now=now
                )
            )
            resolve = BatchResolver()
            futures = [pool.submit(_send, client, resolve, delivery) for delivery in claimed]
            recorded = in_flight is not None
            if in_flight is not None:
                done_token, done, done_futures, claimed_at = in_flight
                results = [(d, f.result()) for d, f in zip(done, done_futures, strict=True)]
                webhook_attempts_record(token=done_token, results=results, now=claimed_at)
                sent += len(done)
            in_flight = (token, claimed, futures, now) if claimed else None
            idle = not claimed
            if idle and not recorded:
                time.sleep(idle_sleep_s)


def _execute_many(model: type[Any], sql: str, columns: list[str], rows: list[tuple]) -> None:
    """Run sql ({table}, {columns}, {placeholders} filled from the model) once per row, in
    one executemany: through the ORM (bulk_create, an UPDATE per row) preparing every field
    of every row was the largest share of recording a batch (bench/README.md, webhooks.py)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(name).column) for name in columns]
    with connection.cursor() as cursor:
        cursor.executemany(
            sql.format(
                table=quote(model._meta.db_table),
                columns=", ".join(names),
                placeholders=", ".join(["%s"] * len(names)),
                assignments=", ".join(f"{name} = %s" for name in names),
            ),
            rows,
        )


_ATTEMPT_COLUMNS = [
    "delivery",
    "number",
    "attempted_at",
    "status_code",
    "succeeded",
    "response_ms",
    "response_excerpt",
    "error",
]
_RETRY_COLUMNS = [
    "attempt_count",
    "last_status_code",
    "status",
    "next_attempt_at",
    "finished_at",
    "claimed_until",
    "claim_token",
]


def webhook_attempts_record(
    *, token: str, results: list[tuple[ClaimedDelivery, transport.Outcome]], now: datetime
) -> None:
    """Log each attempt and move its delivery on: done, retried later, or given up.

    Only the claim's holder moves a delivery; a worker whose lease ran out still logs what
    it sent.
    """
    adapt = transaction.get_connection().ops.adapt_datetimefield_value
    succeeded_by_code: dict[int | None, list[int]] = {}
    endpoints_ok: set[int] = set()
    endpoints_failed: dict[int, WebhookEndpoint] = {}
    gone: dict[int, WebhookEndpoint] = {}
    retries: list[tuple] = []
    for delivery, outcome in results:
        if outcome.succeeded:
            succeeded_by_code.setdefault(outcome.status_code, []).append(delivery.pk)
            endpoints_ok.add(delivery.endpoint_id)
            continue
        endpoints_failed[delivery.endpoint_id] = delivery.endpoint
        made = delivery.attempt_count + 1
        delay = None if outcome.status_code == 410 else retry_delay(made)
        if outcome.status_code == 410:
            gone[delivery.endpoint_id] = delivery.endpoint
        if delay is not None and outcome.retry_after_s is not None:
            delay = max(delay, timedelta(seconds=outcome.retry_after_s))
        retries.append(
            (
                made,
                outcome.status_code,
                (DeliveryStatus.PENDING if delay is not None else DeliveryStatus.FAILED).value,
                adapt(now + delay) if delay is not None else None,
                None if delay is not None else adapt(now),
                None,
                "",
                delivery.pk,
                token,
            )
        )
    with transaction.atomic():
        _execute_many(
            WebhookAttempt,
            "INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            _ATTEMPT_COLUMNS,
            [
                (
                    delivery.pk,
                    delivery.attempt_count + 1,
                    adapt(outcome.attempted_at),
                    outcome.status_code,
                    outcome.succeeded,
                    outcome.response_ms,
                    outcome.excerpt,
                    outcome.error,
                )
                for delivery, outcome in results
            ],
        )
        if retries:
            _execute_many(
                WebhookDelivery,
                "UPDATE {table} SET {assignments} WHERE id = %s AND claim_token = %s",
                _RETRY_COLUMNS,
                retries,
            )
        mine = WebhookDelivery.objects.filter(claim_token=token)
        for code, ids in succeeded_by_code.items():
            mine.filter(pk__in=ids).update(
                attempt_count=F("attempt_count") + 1,
                last_status_code=code,
                status=DeliveryStatus.SUCCEEDED,
                next_attempt_at=None,
                finished_at=now,
                claimed_until=None,
                claim_token="",
            )
        if endpoints_ok:
            WebhookEndpoint.objects.filter(pk__in=endpoints_ok, failing_since__isnull=False).update(
                failing_since=None
            )
        failing_only = set(endpoints_failed) - endpoints_ok
        if failing_only:
            WebhookEndpoint.objects.filter(pk__in=failing_only, failing_since__isnull=True).update(
                failing_since=now
            )
        for endpoint in gone.values():
            _disable(endpoint, reason=DisabledReason.GONE, now=now)
        for endpoint in WebhookEndpoint.objects.filter(
            pk__in=failing_only, enabled=True, failing_since__lte=now - DISABLE_AFTER_FAILING
        ):
            _disable(endpoint, reason=DisabledReason.FAILING, now=now)


def _disable(endpoint: WebhookEndpoint, *, reason: str, now: datetime) -> None:
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason, disabled_at=now
    )
    if updated:
        _forget_snapshot()
        audit.record(
            actor=None, action="webhook_endpoint.disabled", obj=endpoint, after={"reason": reason}
        )
        notifications.endpoint_disabled(endpoint_id=endpoint.pk, disabled_at=now)
