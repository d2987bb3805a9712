import pytest

from kizuna.core.money import Rounding, format_yen, percent_of


@pytest.mark.parametrize(
    ("amount", "percent", "rounding", "expected"),
    [
        (10_000, 10, Rounding.DOWN, 1_000),
        (12_345, 10, Rounding.DOWN, 1_234),
        (12_345, 10, Rounding.HALF_UP, 1_235),
        (12_341, 10, Rounding.UP, 1_235),
        (12_340, 10, Rounding.UP, 1_234),
        (999, 8, Rounding.DOWN, 79),
    ],
)
def test_percent_of_rounds_once_to_whole_yen(amount, percent, rounding, expected):
    assert percent_of(amount, percent, rounding) == expected


def test_money_is_integer_yen_only():
    with pytest.raises(TypeError):
        percent_of(100.5, 10)  # type: ignore[arg-type]


def test_format_yen_groups_thousands():
    assert format_yen(1234567) == "¥1,234,567"
    assert format_yen(-500) == "-¥500"
    assert format_yen(0) == "¥0"
