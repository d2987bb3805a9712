"""Token buckets that stay under a platform's documented limit in every window.

A bucket of capacity c refilled at c/p tokens a second lets through, in any window of W
seconds, at most floor(c + W*c/p) sends: a full burst, then the refill. A bucket of
capacity M refilled at M per window (the obvious choice) allows up to 2M in one window,
which is over the limit. `per_window` picks c and p so that the worst case is M.
"""

from kizuna.core.ratelimit import Limit


def per_window(maximum: int, window_s: int) -> Limit:
    """A bucket that never lets more than `maximum` sends through in any `window_s` seconds."""
    if maximum < 1:
        raise ValueError("a limit allows at least one send")
    capacity = max(1, maximum // 2)
    # floor(capacity + window_s * capacity / per_seconds) <= maximum
    per_seconds = window_s * capacity // (maximum + 1 - capacity) + 1
    return Limit(capacity=capacity, per_seconds=per_seconds)


def worst_case(limit: Limit, window_s: int) -> float:
    """The most sends `limit` can let through in a window of `window_s` seconds."""
    return limit.capacity + window_s * limit.refill_per_second
