"""Reads of contests that pages, the API and services share."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kizuna.community.models import (
    Contest,
    ContestConflict,
    ContestEntry,
    ContestJudge,
    ContestScore,
    ContestState,
    EntryStatus,
)


@dataclass(frozen=True)
class Progress:
    expected: int
    recorded: int

    @property
    def missing(self) -> int:
        return self.expected - self.recorded

    @property
    def complete(self) -> bool:
        return self.recorded >= self.expected


def scoring_progress(contest: Contest) -> Progress:
    """Scores expected (accepted entries x judges without a conflict x criteria) and given."""
    entries = contest.entries.filter(status=EntryStatus.ACCEPTED).count()
    judges = contest.judges.count()
    criteria = contest.criteria.count()
    conflicts = ContestConflict.objects.filter(entry__contest=contest).count()
    recorded = ContestScore.objects.filter(
        entry__contest=contest, entry__status=EntryStatus.ACCEPTED
    ).count()
    return Progress(expected=(entries * judges - conflicts) * criteria, recorded=recorded)


def scores_visible_to_judges(contest: Contest) -> bool:
    """Judges score blind: nobody sees another judge's scores until every score is in."""
    return contest.state == ContestState.FINISHED or (
        contest.state == ContestState.JUDGING and scoring_progress(contest).complete
    )


def public_contests() -> QuerySet[Contest]:
    return Contest.objects.exclude(state=ContestState.DRAFT)


def gallery(contest: Contest) -> QuerySet[ContestEntry]:
    """Accepted entries, shown to everyone from announcement on."""
    return contest.entries.filter(status=EntryStatus.ACCEPTED).select_related("member")


def results(contest: Contest) -> list[ContestEntry]:
    """Accepted entries best first; unranked ones (nobody could score them) last."""
    entries = list(gallery(contest))
    entries.sort(key=lambda e: (e.rank is None, e.rank or 0, e.submitted_at, e.pk))
    return entries


def conflicts_by_entry(contest: Contest) -> dict[int, list[ContestJudge]]:
    found: dict[int, list[ContestJudge]] = {}
    rows = ContestConflict.objects.filter(entry__contest=contest).select_related("judge__user")
    for conflict in rows:
        found.setdefault(conflict.entry_id, []).append(conflict.judge)
    return found


def judge_of(contest: Contest, user: Any) -> ContestJudge | None:
    if user is None or not user.is_authenticated:
        return None
    return contest.judges.filter(user=user).first()


def scores_of(contest: Contest) -> dict[tuple[int, int, int], int]:
    """(entry, judge, criterion) -> score."""
    return {
        (entry_id, judge_id, criterion_id): score
        for entry_id, judge_id, criterion_id, score in ContestScore.objects.filter(
            entry__contest=contest
        ).values_list("entry_id", "judge_id", "criterion_id", "score")
    }
