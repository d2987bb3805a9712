"""A token bucket kept in the database, so limits hold across processes and workers.

A bucket holds up to `capacity` tokens and refills at capacity/per_seconds tokens per
second. `consume()` takes one token if there is one and says whether it could.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from kizuna.core.models import RateLimitBucket


@dataclass(frozen=True)
class Limit:
    capacity: int
    per_seconds: int

    @property
    def refill_per_second(self) -> float:
        return self.capacity / self.per_seconds


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int


def _refilled(bucket: RateLimitBucket, limit: Limit, now: datetime) -> float:
    elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
    return min(float(limit.capacity), bucket.tokens + elapsed * limit.refill_per_second)


def consume(key: str, limit: Limit, *, cost: float = 1.0, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    # No savepoint when called inside a transaction (the outreach worker takes its tokens in
    # the transaction that claims): a savepoint costs two more round trips on PostgreSQL.
    with transaction.atomic(savepoint=False):
        bucket = _locked_bucket(key, limit, now)
        tokens = _refilled(bucket, limit, now)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        bucket.tokens, bucket.updated_at = tokens, now
        bucket.save(update_fields=["tokens", "updated_at"])
    missing = 0.0 if allowed else cost - tokens
    return Decision(allowed, math.ceil(missing / limit.refill_per_second))


def refund(key: str, limit: Limit, *, cost: float = 1.0, now: datetime | None = None) -> None:
    """Give back a token taken for something that turned out not to count."""
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        bucket = RateLimitBucket.objects.select_for_update().filter(key=key).first()
        if bucket is None:
            return
        bucket.tokens = min(float(limit.capacity), _refilled(bucket, limit, now) + cost)
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])


def refused(response: HttpResponse, decision: Decision) -> HttpResponse:
    """Make `response` the answer to a refused request: 429 with the wait in Retry-After.

    Every 429 Kizuna sends goes through here (the API's through `ApiError.rate_limited`).
    """
    response.status_code = 429
    response["Retry-After"] = str(max(1, decision.retry_after_s))
    return response


def reset(key: str) -> None:
    RateLimitBucket.objects.filter(key=key).delete()


def _locked_bucket(key: str, limit: Limit, now: datetime) -> RateLimitBucket:
    bucket = RateLimitBucket.objects.select_for_update().filter(key=key).first()
    if bucket is not None:
        return bucket
    try:
        with transaction.atomic():
            return RateLimitBucket.objects.create(key=key, tokens=limit.capacity, updated_at=now)
    except IntegrityError:  # another request created it first
        return RateLimitBucket.objects.select_for_update().get(key=key)


def prune_idle_buckets(*, idle_for: timedelta, now: datetime | None = None) -> int:
    """Delete buckets untouched for longer than any limit's refill time (they are full)."""
    cutoff = (now or timezone.now()) - idle_for
    deleted, _ = RateLimitBucket.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
