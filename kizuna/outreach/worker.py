"""The one loop that sends deliveries, run by the periodic task `send_due_deliveries`.

Each delivery is claimed with a conditional UPDATE committed before the send, so two
workers never send the same one, and a worker killed mid-send leaves it `sending` with a
lease. When the lease runs out the delivery is retried with the same key on a channel that
drops duplicates by key (LINE), and otherwise becomes `unknown`: staff see it and decide,
since it may have gone out.
"""

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kizuna.core import ratelimit
from kizuna.outreach import policy
from kizuna.outreach.channels import registry
from kizuna.outreach.channels.base import PermanentError, QuotaExhausted, Sent, TemporaryError
from kizuna.outreach.models import DUE_STATES, Delivery, Purpose, State, SuppressionReason
from kizuna.outreach.settings import outreach_setting

logger = logging.getLogger(__name__)


# A worker on the real clock waits this long at most for a rate-limit token before it
# defers the delivery instead (a batch then goes out at the limit's pace, not 5 a run).
MAX_TOKEN_WAIT_S = 5


def deliveries_send_due(
    *, now: datetime | None = None, limit: int | None = None, sleep: Any = time.sleep
) -> int:
    """Send every delivery that is due; return how many were sent (or handed over).

    `now` fixes the clock (tests): nothing waits for a token then, it defers at once.
    """
    live = now is None
    now = now or timezone.now()
    leases_expire(now=now)
    due = list(
        Delivery.objects.filter(state__in=DUE_STATES, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", "channel", "provider_id")[: limit or outreach_setting("BATCH")]
    )
    sent = 0
    # A multicast chunk sent again after its worker died goes out as the same request, with
    # the same retry key (see channels/line/multicast.py), never as separate pushes.
    chunked = {
        pk for pk, name, provider_id in due if name == "line" and provider_id[:6] == "retry:"
    }
    if chunked:
        from kizuna.outreach.channels.line.multicast import line_multicast_send

        sent += line_multicast_send(deliveries=Delivery.objects.filter(pk__in=chunked), now=now)
    pending = [(pk, name) for pk, name, _provider_id in due if pk not in chunked]
    group_size = outreach_setting("CLAIM_GROUP")
    for channel_name in sorted({channel for _pk, channel in pending}):
        channel = registry.get(channel_name)
        pks = [pk for pk, name in pending if name == channel_name]
        with channel.session():
            for start in range(0, len(pks), group_size):
                sent += _process_group(
                    channel,
                    pks[start : start + group_size],
                    now=timezone.now() if live else now,
                    wait=sleep if live else None,
                )
    return sent


def _process_group(channel: Any, pks: list[int], *, now: datetime, wait: Any) -> int:
    """A group of one channel's deliveries with a few statements instead of a dozen each:
    decided, given their tokens and claimed in one committed transaction, sent, and recorded
    in one statement.

    A worker killed after the claim leaves the whole group `sending` (then `unknown`, or
    retried by key on LINE), never sent twice; KIZUNA_OUTREACH_CLAIM_GROUP bounds how many.
    """
    deliveries = list(Delivery.objects.filter(pk__in=pks).order_by("due_at", "id"))
    # Advertising to a person with another in this group goes one at a time, so the first
    # send counts towards the frequency cap of the next (as the cap is checked at send time).
    per_person = Counter(d.recipient_key for d in deliveries if d.purpose == Purpose.ADVERTISING)
    alone = [
        d
        for d in deliveries
        if d.purpose == Purpose.ADVERTISING and per_person[d.recipient_key] > 1
    ]
    together = [d for d in deliveries if d not in alone]
    sent = _send_claimed(channel, together, now=now, wait=wait)
    for delivery in alone:
        sent += _send_claimed(
            channel, [delivery], now=timezone.now() if wait is not None else now, wait=wait
        )
    return sent


def _send_claimed(channel: Any, deliveries: list[Delivery], *, now: datetime, wait: Any) -> int:
    """Claim what may be sent of `deliveries`, send it and record it; return how many went."""
    if not deliveries:
        return 0
    claimed, retry_after_s = _decide_and_claim(channel, deliveries, now=now)
    if retry_after_s is not None:
        if len(deliveries) > 1:
            # The buckets cannot cover the group at once: one at a time, at the limit's pace.
            return sum(
                _send_claimed(
                    channel, [delivery], now=timezone.now() if wait is not None else now, wait=wait
                )
                for delivery in deliveries
            )
        if wait is not None and retry_after_s <= MAX_TOKEN_WAIT_S:
            wait(retry_after_s)
            return _send_claimed(channel, deliveries, now=timezone.now(), wait=wait)
        retry_at = now + timedelta(seconds=max(1, retry_after_s))
        deferred = policy.Decision(State.DEFERRED, policy.RATE_LIMITED, retry_at)
        _record_decisions([(deliveries[0], deferred)])
        return 0
    results = []
    for delivery in claimed:
        result = _send(channel, delivery, now=now)
        if result is not None:
            results.append((delivery, result))
    _record_sent_many(results)
    return len(results)


def _decide_and_claim(
    channel: Any, deliveries: list[Delivery], *, now: datetime
) -> tuple[list[Delivery], int | None]:
    """Decide, take tokens and claim in one committed transaction: (claimed, None), or
    ([], seconds to wait) when the buckets cannot cover every delivery that may be sent.

    The advertising frequency cap is counted and the claim (which counts towards it) made
    under a lock per recipient, so two workers deciding for one person take turns, and the
    second sees the first one's claim.
    """
    with transaction.atomic():
        policy.lock_recipients(
            {d.recipient_key for d in deliveries if d.purpose == Purpose.ADVERTISING}
        )
        decisions = policy.decide_deliveries(deliveries, now=now)
        _record_decisions(
            [(d, decision) for d in deliveries if (decision := decisions[d.pk]) is not None]
        )
        ready = [d for d in deliveries if decisions[d.pk] is None]
        if not ready:
            return [], None
        retry_after_s = _take_tokens(channel, ready, now=now)
        if retry_after_s is not None:
            return [], retry_after_s
        return _claim_many(ready, now=now), None


def _record_decisions(decided: list[tuple[Delivery, policy.Decision]]) -> None:
    """Skipped or deferred by the rules: one statement for the lot (inside the claim's
    transaction), each row changed only if it is still waiting to be sent."""
    if not decided:
        return
    table = connection.ops.quote_name(Delivery._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    updated_at = adapt(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET state = %s, reason = %s, lease_until = NULL,"  # noqa: S608
            " due_at = COALESCE(%s, due_at), updated_at = %s WHERE id = %s AND state IN (%s, %s)",
            [
                (
                    decision.state,
                    decision.reason,
                    adapt(decision.until),
                    updated_at,
                    d.pk,
                    *DUE_STATES,
                )
                for d, decision in decided
            ],
        )


def _take_tokens(channel: Any, deliveries: list[Delivery], *, now: datetime) -> int | None:
    """Take every token the group needs and return None, or take none (what was taken is
    given back) and return the seconds until the short bucket has enough."""
    needed: dict[str, tuple[ratelimit.Limit, int]] = {}
    for delivery in deliveries:
        for key, limit in channel.limits(delivery):
            needed[key] = (limit, needed.get(key, (limit, 0))[1] + 1)
    taken: list[tuple[str, ratelimit.Limit, int]] = []
    for key, (limit, count) in needed.items():
        allowed = ratelimit.consume(key, limit, cost=count, now=now)
        if not allowed.allowed:
            for taken_key, taken_limit, taken_count in taken:
                ratelimit.refund(taken_key, taken_limit, cost=taken_count, now=now)
            return allowed.retry_after_s
        taken.append((key, limit, count))
    return None


def _claim_many(deliveries: list[Delivery], *, now: datetime) -> list[Delivery]:
    """Claim with one conditional UPDATE ... RETURNING, committed before any send (by the
    caller's transaction): what comes back is what this worker holds (another worker may
    have taken some)."""
    if not deliveries:
        return []
    lease_until = now + timedelta(seconds=outreach_setting("LEASE_S"))
    table = connection.ops.quote_name(Delivery._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    pks = [delivery.pk for delivery in deliveries]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, attempts = attempts + 1, claimed_at = %s,"  # noqa: S608
            f" lease_until = %s WHERE id IN ({', '.join(['%s'] * len(pks))})"
            f" AND state IN (%s, %s) AND due_at <= %s RETURNING id",
            [State.SENDING, adapt(now), adapt(lease_until), *pks, *DUE_STATES, adapt(now)],
        )
        held = {row[0] for row in cursor.fetchall()}
    claimed = []
    for delivery in deliveries:
        if delivery.pk in held:
            delivery.state, delivery.attempts = State.SENDING, delivery.attempts + 1
            delivery.claimed_at, delivery.lease_until = now, lease_until
            claimed.append(delivery)
    return claimed


def _record_sent_many(results: list[tuple[Delivery, Sent]]) -> None:
    """The group's outcomes in one UPDATE (a CASE per delivery for its provider id): one
    statement and one commit, where a statement per delivery cost a round trip each."""
    if not results:
        return
    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    by_state: dict[bool, list[tuple[Delivery, Sent]]] = {}
    for delivery, result in results:
        by_state.setdefault(result.awaiting_confirmation, []).append((delivery, result))
    with transaction.atomic(), connection.cursor() as cursor:
        for awaiting, rows in by_state.items():
            cases = " ".join(["WHEN %s THEN %s"] * len(rows))
            marks = ", ".join(["%s"] * len(rows))
            cursor.execute(
                f"UPDATE {table} SET state = %s, provider_id = CASE id {cases} END,"  # noqa: S608
                f" sent_at = %s, lease_until = NULL, reason = '', error = '', updated_at = %s"
                f" WHERE id IN ({marks}) AND state = %s",
                [
                    State.AWAITING_CONFIRMATION if awaiting else State.SENT,
                    *[v for d, r in rows for v in (d.pk, r.provider_id[:200])],
                    None if awaiting else now,
                    now,
                    *[d.pk for d, _r in rows],
                    State.SENDING,
                ],
            )


def leases_expire(*, now: datetime) -> int:
    """Deliveries whose worker died mid-send: retried by key where possible, else unknown."""
    expired = Delivery.objects.filter(state=State.SENDING, lease_until__lt=now)
    changed = 0
    for name in set(expired.values_list("channel", flat=True)):
        of_channel = expired.filter(channel=name)
        with transaction.atomic():
            if registry.get(name).idempotent:
                changed += of_channel.update(
                    state=State.QUEUED, due_at=now, lease_until=None, reason="lease_expired"
                )
            else:
                changed += of_channel.update(
                    state=State.UNKNOWN, lease_until=None, reason="lease_expired"
                )
    return changed


def _send(channel: Any, delivery: Delivery, *, now: datetime) -> Sent | None:
    """Send a claimed delivery; on an error, record what happens next and return None."""
    try:
        return channel.send(delivery)
    except TemporaryError as error:
        _retry_later(delivery, error, now=now)
    except PermanentError as error:
        state = State.BOUNCED if error.bounced else State.FAILED
        if error.bounced:
            from kizuna.outreach.services import suppression_add

            suppression_add(
                channel=delivery.channel,
                address=delivery.address,
                reason=SuppressionReason.HARD_BOUNCE,
                source=str(error)[:300],
            )
        _record(delivery, state, error=str(error))
    except QuotaExhausted as error:
        _quota_exhausted(delivery, error)
    except Exception as error:
        # A fault of ours or of a library: recorded for staff, not retried (it may have gone).
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        _record(delivery, State.FAILED, reason="unexpected_error", error=repr(error))
    return None


def _record(
    delivery: Delivery,
    state: str,
    *,
    reason: str = "",
    error: str = "",
    due_at: datetime | None = None,
    only_due: bool = False,
) -> None:
    """Write the outcome, if the delivery is still where this worker left it."""
    expected = DUE_STATES if only_due else [State.SENDING]
    fields: dict[str, object] = {"state": state, "reason": reason, "lease_until": None}
    if error:
        fields["error"] = error[:2000]
    if due_at is not None:
        fields["due_at"] = due_at
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, state__in=expected).update(**fields)


def _retry_later(delivery: Delivery, error: TemporaryError, *, now: datetime) -> None:
    if delivery.attempts >= outreach_setting("MAX_ATTEMPTS"):
        _record(delivery, State.FAILED, reason="too_many_attempts", error=str(error))
        return
    if error.retry_after_s is not None:
        wait = error.retry_after_s
    else:
        base = outreach_setting("BACKOFF_BASE_S")
        wait = min(base * 2 ** (delivery.attempts - 1), outreach_setting("BACKOFF_MAX_S"))
    _record(
        delivery,
        State.DEFERRED,
        reason="temporary_error",
        error=str(error),
        due_at=now + timedelta(seconds=wait),
    )


def _quota_exhausted(delivery: Delivery, error: QuotaExhausted) -> None:
    """Advertising waits for the next quota period; a service notice moves to another channel."""
    if delivery.purpose == Purpose.ADVERTISING:
        _record(delivery, State.DEFERRED, reason=policy.QUOTA, due_at=error.until)
        return
    from kizuna.outreach.services import delivery_fallback

    fallback = delivery_fallback(delivery=delivery)
    reason = f"{policy.QUOTA}: sent as delivery {fallback.pk}" if fallback else policy.QUOTA
    _record(delivery, State.SKIPPED if fallback else State.FAILED, reason=reason, error=str(error))
