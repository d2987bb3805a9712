from decimal import Decimal

import pytest

from kizuna.advisories.scoring import InvalidVector, score_vector
from kizuna.advisories.versions import in_range, site_is_affected


@pytest.mark.parametrize(
    ("vector", "score", "severity"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "9.8", "critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "6.1", "medium"),
        # By hand from the v3.0 formulas: impact 1.4124 + exploitability 0.3330, rounded up.
        ("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", "1.8", "low"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "9.3", "critical"),
        ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "8.5", "high"),
    ],
)
def test_known_vectors_get_their_published_score_and_rating(vector, score, severity):
    result = score_vector(vector)
    assert (result.score, result.severity) == (Decimal(score), severity)


@pytest.mark.parametrize(
    "vector", ["", "AV:N/AC:L", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:2.0/AV:N"]
)
def test_a_malformed_vector_is_refused(vector):
    with pytest.raises(InvalidVector):
        score_vector(vector)


@pytest.mark.parametrize(
    ("version", "expected"),
    [("3.9.9", False), ("4.0.0", True), ("4.2.2", True), ("4.2.3", False), ("v4.1", True)],
)
def test_a_version_is_affected_from_introduced_up_to_but_not_including_fixed(version, expected):
    assert in_range(version, {"introduced": "4.0.0", "fixed": "4.2.3"}) is expected


def test_without_a_fix_every_version_from_introduced_is_affected():
    assert in_range("9.9", {"introduced": "0", "fixed": ""})


def test_an_unreadable_version_counts_as_possibly_affected():
    assert in_range("最新版", {"introduced": "4.0.0", "fixed": "4.2.3"})


def test_a_site_is_affected_through_a_plugin_it_runs():
    affected = [{"package": "coupon", "introduced": "1.0", "fixed": "1.3"}]
    assert site_is_affected(
        product_package="ec-cube/ec-cube",
        product_version="4.3.0",
        plugins=[{"name": "coupon", "version": "1.2"}],
        affected=affected,
    )
    assert not site_is_affected(
        product_package="ec-cube/ec-cube",
        product_version="4.3.0",
        plugins=[{"name": "coupon", "version": "1.3"}],
        affected=affected,
    )
