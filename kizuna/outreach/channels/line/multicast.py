"""LINE multicast for campaigns' bulk sends: one request carries up to 500 user ids.

The deliveries stay one per person (each checked, claimed and recorded like any other);
what changes is the request. A chunk is claimed in one committed UPDATE that also stores
the chunk's `X-Line-Retry-Key` on each of its deliveries (`provider_id` "retry:<key>"), so a
chunk whose worker died is sent again under the **same** key and LINE drops the duplicate
(409), as with push. Each request takes one token from the multicast bucket.

Settings (KIZUNA_OUTREACH_LINE_<KEY>): MULTICAST_PER_SECOND (LINE documents 200 requests/s
for multicast; default 100).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from linebot.v3.messaging import ApiException, MulticastRequest, TextMessage

from kizuna.core import ratelimit
from kizuna.outreach import limits, policy
from kizuna.outreach.channels.base import PermanentError, QuotaExhausted, TemporaryError
from kizuna.outreach.channels.line.transport import CHANNEL, MAX_TEXT
from kizuna.outreach.models import DUE_STATES, Delivery, Purpose, State
from kizuna.outreach.settings import outreach_setting

MAX_RECIPIENTS = 500  # LINE: at most 500 user ids per multicast request
RETRY_PREFIX = "retry:"


def multicast_limit() -> ratelimit.Limit:
    return limits.per_window(CHANNEL.setting("MULTICAST_PER_SECOND"), 1)


def chunk_retry_key(deliveries: Iterable[Delivery]) -> str:
    keys = ",".join(sorted(delivery.idempotency_key for delivery in deliveries))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kizuna:multicast:{keys}"))


def chunks(deliveries: list[Delivery]) -> list[tuple[str, list[Delivery]]]:
    """(retry key, deliveries) per request: a chunk claimed before keeps its key; the rest is
    grouped by identical text and cut into runs of at most 500 user ids."""
    kept: dict[str, list[Delivery]] = defaultdict(list)
    fresh: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in sorted(deliveries, key=lambda d: d.idempotency_key):
        if delivery.provider_id.startswith(RETRY_PREFIX):
            kept[delivery.provider_id.removeprefix(RETRY_PREFIX)].append(delivery)
        else:
            fresh[_text(delivery)].append(delivery)
    result = list(kept.items())
    for group in fresh.values():
        for start in range(0, len(group), MAX_RECIPIENTS):
            chunk = group[start : start + MAX_RECIPIENTS]
            result.append((chunk_retry_key(chunk), chunk))
    return result


def _text(delivery: Delivery) -> str:
    text = f"{delivery.subject}\n{delivery.text}" if delivery.subject else delivery.text
    return text[:MAX_TEXT]


def line_multicast_send(*, deliveries: Iterable[Delivery], now: datetime | None = None) -> int:
    """Send due LINE deliveries by multicast; return how many went out."""
    now = now or timezone.now()
    sent = 0
    api = CHANNEL.api()
    for key, chunk in chunks(list(deliveries)):
        allowed = ratelimit.consume("outreach:line:multicast", multicast_limit(), now=now)
        if not allowed.allowed:
            _defer(chunk, now + timedelta(seconds=max(1, allowed.retry_after_s)))
            continue
        claimed = _decide_and_claim(chunk, key, now=now)
        if not claimed:
            continue
        try:
            left = CHANNEL.quota_left(api)
            if left is not None and left < len(claimed):
                raise QuotaExhausted("monthly message quota used up", until=CHANNEL.next_month())
            response: Any = api.multicast_with_http_info(
                MulticastRequest(
                    to=[d.address for d in claimed], messages=[TextMessage(text=_text(claimed[0]))]
                ),
                x_line_retry_key=key,
            )
            request_id = str(dict(response.headers or {}).get("x-line-request-id", ""))
        except ApiException as error:
            try:
                request_id = CHANNEL._answer(error).provider_id  # 409: accepted the first time
            except (TemporaryError, PermanentError, QuotaExhausted) as outcome:
                _failed(claimed, outcome, now=now)
                continue
        except QuotaExhausted as outcome:
            _failed(claimed, outcome, now=now)
            continue
        except OSError as error:
            _failed(claimed, TemporaryError(str(error)), now=now)
            continue
        with transaction.atomic():
            sent += Delivery.objects.filter(
                pk__in=[d.pk for d in claimed], state=State.SENDING
            ).update(
                state=State.SENT,
                provider_id=request_id[:200],
                sent_at=timezone.now(),
                lease_until=None,
                reason="",
                error="",
            )
    return sent


def _decide_and_claim(chunk: list[Delivery], key: str, *, now: datetime) -> list[Delivery]:
    """Decide the chunk and claim what may go, in one committed transaction under the
    worker's lock per advertising recipient, so the weekly cap holds across workers and
    within the chunk (see `worker._decide_and_claim`)."""
    from kizuna.outreach import worker

    with transaction.atomic():
        policy.lock_recipients({d.recipient_key for d in chunk if d.purpose == Purpose.ADVERTISING})
        decisions = policy.decide_deliveries(chunk, now=now)
        worker._record_decisions(
            [(d, decision) for d in chunk if (decision := decisions[d.pk]) is not None]
        )
        ready = [d for d in chunk if decisions[d.pk] is None]
        return _claim(ready, key, now=now) if ready else []


def _claim(chunk: list[Delivery], key: str, *, now: datetime) -> list[Delivery]:
    """Claim a chunk in one UPDATE that stores its retry key on every delivery."""
    pks = [d.pk for d in chunk]
    Delivery.objects.filter(pk__in=pks, state__in=DUE_STATES, due_at__lte=now).update(
        state=State.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        lease_until=now + timedelta(seconds=outreach_setting("LEASE_S")),
        provider_id=f"{RETRY_PREFIX}{key}",
    )
    return list(
        Delivery.objects.filter(
            pk__in=pks, state=State.SENDING, provider_id=f"{RETRY_PREFIX}{key}", claimed_at=now
        ).order_by("idempotency_key")
    )


def _defer(chunk: list[Delivery], until: datetime) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk__in=[d.pk for d in chunk], state__in=DUE_STATES).update(
            state=State.DEFERRED, reason=policy.RATE_LIMITED, due_at=until
        )


def _failed(claimed: list[Delivery], outcome: Exception, *, now: datetime) -> None:
    """Each delivery of the chunk gets what a push failing the same way would get."""
    from kizuna.outreach import worker

    for delivery in claimed:
        if isinstance(outcome, TemporaryError):
            worker._retry_later(delivery, outcome, now=now)
        elif isinstance(outcome, QuotaExhausted):
            worker._quota_exhausted(delivery, outcome)
        else:
            worker._record(delivery, State.FAILED, error=str(outcome))
