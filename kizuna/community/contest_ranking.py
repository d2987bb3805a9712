"""How a contest's scores become ranks: one pure function, so the rule is tested alone.

An entry's total is the weighted mean, over the criteria, of the mean score its judges gave
on that criterion (every score is 0-10, so the total is too). Judges with a conflict of
interest gave no score, so each entry is averaged over the judges who scored it: a
conflict neither helps nor hurts the entrant.

Ties: totals are compared exactly (fractions, never floats), and entries with the same
total share a rank; the next rank skips as many places ("1, 2, 2, 4", standard competition
ranking). No tie-break decides between equal entries: a prize shared is the fair answer,
and the results page says so. Within a shared rank, entries are listed in the order they
were submitted, which is display order only.

An entry nobody could score (every judge has a conflict) gets no rank and is listed after
the ranked ones.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Score:
    entry_id: int
    criterion_id: int
    score: int


@dataclass(frozen=True)
class Ranked:
    entry_id: int
    total: Fraction | None
    rank: int | None

    @property
    def total_display(self) -> Decimal | None:
        """The total to two decimals (half up), as stored and shown."""
        if self.total is None:
            return None
        hundredths = Decimal(self.total.numerator * 100) / Decimal(self.total.denominator)
        return (hundredths / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def entry_totals(scores: Iterable[Score], weights: dict[int, int]) -> dict[int, Fraction]:
    """entry id -> weighted mean of the per-criterion mean scores (entries with scores only)."""
    by_entry: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for score in scores:
        by_entry[score.entry_id][score.criterion_id].append(score.score)
    weight_sum = sum(weights.values())
    totals = {}
    for entry_id, by_criterion in by_entry.items():
        weighted = sum(
            (
                weights[criterion_id] * Fraction(sum(values), len(values))
                for criterion_id, values in by_criterion.items()
            ),
            Fraction(0),
        )
        totals[entry_id] = weighted / weight_sum
    return totals


def rank(entry_ids_in_submission_order: list[int], totals: dict[int, Fraction]) -> list[Ranked]:
    """Every entry with its rank, best first (see the module's docstring for ties)."""
    scored = [entry_id for entry_id in entry_ids_in_submission_order if entry_id in totals]
    # sorted() is stable: equal totals keep their submission order.
    scored.sort(key=lambda entry_id: totals[entry_id], reverse=True)
    ranked: list[Ranked] = []
    for position, entry_id in enumerate(scored, start=1):
        shares_previous = ranked and totals[entry_id] == ranked[-1].total
        place = ranked[-1].rank if shares_previous else position
        ranked.append(Ranked(entry_id, totals[entry_id], place))
    unscored = [
        Ranked(entry_id, None, None)
        for entry_id in entry_ids_in_submission_order
        if entry_id not in totals
    ]
    return ranked + unscored
