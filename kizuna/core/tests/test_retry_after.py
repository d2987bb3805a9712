from datetime import UTC, datetime, timedelta

import pytest

from kizuna.core.retry_after import retry_after

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        (" 5 ", NOW + timedelta(seconds=5)),
        ("Sat, 05 Dec 2026 03:10:00 GMT", datetime(2026, 12, 5, 3, 10, tzinfo=UTC)),
        ("", None),
        (None, None),
        ("soon", None),
        ("-3", None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(value, expected):
    assert retry_after(value, now=NOW) == expected
