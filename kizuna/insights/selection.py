"""The range of periods a dashboard shows, as chosen in its URL (shareable as a link).

`?interval=month&since=2024-04-01&until=2025-03-31`: every period of the interval that
holds a day of [since, until]. Without a choice, the last 12 weeks or months (8 quarters)
up to today. The current period is partial: figures that compare periods (cards, changes,
targets) show the last complete period in the range and show the partial one apart.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from kizuna.insights.periods import next_start, period_start, periods_between, previous_start

PERIODS_SHOWN = {"week": 12, "month": 12, "quarter": 8}
# Each shown period is a point of every chart and a column of the downloads; past this many
# the charts stop being readable and a filtered overview recomputes too much per request.
MAX_PERIODS = 240


@dataclass(frozen=True)
class Selection:
    interval: str
    since: date  # a day in the first period
    until: date  # a day in the last period
    today: date

    @classmethod
    def default(cls, interval: str, today: date) -> "Selection":
        first = period_start(interval, today)
        for _step in range(PERIODS_SHOWN[interval] - 1):
            first = previous_start(interval, first)
        return cls(interval=interval, since=first, until=today, today=today)

    @property
    def starts(self) -> list[date]:
        return periods_between(self.interval, self.since, self.until)

    @property
    def current(self) -> date:
        """The start of the period holding today: partial until it ends."""
        return period_start(self.interval, self.today)

    def is_partial(self, start: date) -> bool:
        return start == self.current

    @property
    def partial(self) -> date | None:
        """The partial period, when the range reaches it."""
        return self.current if self.current in self.starts else None

    @property
    def shown(self) -> date:
        """The period cards show: the last complete one in the range, or the partial one
        when the range holds nothing else."""
        starts = self.starts
        complete = [start for start in starts if not self.is_partial(start)]
        return complete[-1] if complete else starts[-1]

    @property
    def partial_apart(self) -> date | None:
        """The partial period when cards show another one, so it is shown apart."""
        partial = self.partial
        return partial if partial and partial != self.shown else None

    @property
    def first_day(self) -> date:
        return self.starts[0]

    @property
    def end(self) -> date:
        """The day after the range's last period."""
        return next_start(self.interval, self.starts[-1])

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def query(self) -> str:
        return f"interval={self.interval}&since={self.since}&until={self.until}"
