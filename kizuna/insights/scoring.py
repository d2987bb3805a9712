"""Survey scores with 95% confidence intervals (normal approximation)."""

import math
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class Score:
    value: float | None
    low: float | None
    high: float | None
    answers: int


def _interval(
    values: list[float], scale: float = 1.0, bounds: tuple[float, float] = (-1.0, 1.0)
) -> Score:
    n = len(values)
    if not n:
        return Score(None, None, None, 0)
    mean = sum(values) / n
    if n < 2:
        return Score(round(mean * scale, 1), None, None, n)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    margin = Z95 * math.sqrt(variance / n)
    # The normal approximation can reach past the scale; no score can.
    low, high = max(mean - margin, bounds[0]), min(mean + margin, bounds[1])
    return Score(round(mean * scale, 1), round(low * scale, 1), round(high * scale, 1), n)


def nps(scores: list[int]) -> Score:
    """Promoters (9–10) count +1, detractors (0–6) −1, passives 0; NPS is the mean × 100."""
    return _interval([1.0 if s >= 9 else -1.0 if s <= 6 else 0.0 for s in scores], scale=100)


def ces(scores: list[int]) -> Score:
    return _interval([float(s) for s in scores], bounds=(1.0, 7.0))
