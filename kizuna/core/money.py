"""Money is integer yen. These helpers are the only place that rounds."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum


class Rounding(StrEnum):
    """How a fraction of a yen is settled (切り捨て / 四捨五入 / 切り上げ)."""

    DOWN = "down"
    HALF_UP = "half_up"
    UP = "up"


_DECIMAL_MODES = {Rounding.DOWN: ROUND_DOWN, Rounding.HALF_UP: ROUND_HALF_UP, Rounding.UP: ROUND_UP}


def percent_of(amount: int, percent: int | Decimal, rounding: Rounding = Rounding.DOWN) -> int:
    """percent% of amount yen, rounded once to a whole yen."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be integer yen, not {type(amount).__name__}")
    exact = Decimal(amount) * Decimal(percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=_DECIMAL_MODES[Rounding(rounding)]))


def format_yen(amount: int) -> str:
    """12345 -> '¥12,345'; negative amounts as '-¥500'."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,}"


def tax_per_rate(
    taxable_by_rate: dict[int, int], rounding: Rounding = Rounding.DOWN
) -> dict[int, int]:
    """Consumption tax for each rate, rounded once per rate (the qualified-invoice rule).

    Rounding each line and summing would differ by a yen or more; the law allows one
    rounding per invoice and rate, which is what this does.
    """
    return {rate: percent_of(amount, rate, rounding) for rate, amount in taxable_by_rate.items()}
