"""Token buckets stay under each platform's limit in every window, on a fake clock."""

from collections import deque
from datetime import UTC, datetime, timedelta

import pytest

from kizuna.core import ratelimit
from kizuna.core.ratelimit import Limit
from kizuna.outreach import limits
from kizuna.outreach.channels import registry
from kizuna.outreach.models import Delivery

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def most_in_any_window(limit: Limit, *, window_s: float, step_s: float, run_s: float) -> int:
    """A sender that tries at every step of a fake clock: the most sends any window saw."""
    sends: deque[datetime] = deque()
    most = 0
    steps = int(run_s / step_s)
    for n in range(steps):
        now = START + timedelta(seconds=n * step_s)
        if ratelimit.consume("test:bucket", limit, now=now).allowed:
            sends.append(now)
            while sends[0] <= now - timedelta(seconds=window_s):
                sends.popleft()
            most = max(most, len(sends))
    return most


def test_the_obvious_bucket_exceeds_its_limit_within_one_second():
    # Capacity 10 refilled at 10/s: a full burst, then the refill, is 19 sends in one second.
    assert most_in_any_window(Limit(10, 1), window_s=1, step_s=0.05, run_s=3) > 10


@pytest.mark.parametrize("per_second", [1, 2, 5, 10])
def test_a_per_second_bucket_never_exceeds_its_limit_in_any_second(per_second):
    limit = limits.per_window(per_second, 1)
    assert limits.worst_case(limit, 1) < per_second + 1
    assert most_in_any_window(limit, window_s=1, step_s=0.05, run_s=4) <= per_second


def test_an_hourly_bucket_never_exceeds_its_limit_in_any_hour():
    limit = limits.per_window(20, 3600)
    assert most_in_any_window(limit, window_s=3600, step_s=60, run_s=3 * 3600) <= 20


def test_a_per_window_bucket_still_sends_close_to_its_limit():
    limit = limits.per_window(10, 1)
    assert most_in_any_window(limit, window_s=1, step_s=0.05, run_s=4) >= 9


@pytest.mark.parametrize(
    ("channel", "settings_key", "documented_window_s"),
    [
        ("email", "PER_SECOND", 1),
        ("email", "PER_HOUR", 3600),
        ("slack", "PER_CHANNEL_PER_SECOND", 1),
        ("slack", "PER_MINUTE", 60),
        ("line", "PUSH_PER_SECOND", 1),
        ("wecom", "PER_MINUTE", 60),
    ],
)
def test_every_channel_bucket_stays_under_its_setting(channel, settings_key, documented_window_s):
    transport = registry.get(channel)
    maximum = transport.setting(settings_key)
    buckets = transport.limits(Delivery(channel=channel, address="x"))
    matching = [
        limit for _key, limit in buckets if limit == limits.per_window(maximum, documented_window_s)
    ]
    assert matching, buckets
    assert limits.worst_case(matching[0], documented_window_s) < maximum + 1
