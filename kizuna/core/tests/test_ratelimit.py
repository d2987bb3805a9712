from datetime import timedelta

import pytest
from django.utils import timezone

from kizuna.core import ratelimit

pytestmark = pytest.mark.django_db

LIMIT = ratelimit.Limit(capacity=3, per_seconds=60)


def test_bucket_allows_its_capacity_then_refuses_with_a_retry_time():
    now = timezone.now()
    decisions = [ratelimit.consume("k", LIMIT, now=now) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after_s == 20


def test_bucket_refills_over_time():
    now = timezone.now()
    for _ in range(3):
        ratelimit.consume("k", LIMIT, now=now)
    assert not ratelimit.consume("k", LIMIT, now=now + timedelta(seconds=10)).allowed
    assert ratelimit.consume("k", LIMIT, now=now + timedelta(seconds=21)).allowed


def test_keys_are_independent_and_reset_refills():
    now = timezone.now()
    for _ in range(3):
        ratelimit.consume("a", LIMIT, now=now)
    assert ratelimit.consume("b", LIMIT, now=now).allowed
    ratelimit.reset("a")
    assert ratelimit.consume("a", LIMIT, now=now).allowed


def test_idle_buckets_are_pruned():
    old = timezone.now() - timedelta(days=2)
    ratelimit.consume("old", LIMIT, now=old)
    ratelimit.consume("new", LIMIT)
    assert ratelimit.prune_idle_buckets(idle_for=timedelta(days=1)) == 1
