"""How a partner earns its place: score components in integer points, and the words for them.

Every component is worth 0-1000 points and is multiplied by its weight from
settings.KIZUNA_DIRECTORY_WEIGHTS. The query-independent part (contribution rank,
responsiveness, reviews, freshness, overall evidence) is stored on the entry as
`base_points` when it is indexed; text relevance and the evidence for the badges a merchant
asked for are added by the search query. Integers keep ties exact, and equal on SQLite and
PostgreSQL, so the weekly rotation (not the name, never the fee) settles them.
"""

import functools
import hashlib
from datetime import date, datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kizuna.partners.models import Rank

FULL = 1000
RANK_LEVELS = {rank.value: level for level, rank in enumerate(Rank)}
RANK_CODES = [rank.value for rank in Rank]
# For the tie-break: a permutation of ids below this prime that changes every ISO week.
TIE_MODULUS = 1_000_003


def weight(name: str) -> int:
    return int(settings.KIZUNA_DIRECTORY_WEIGHTS[name])


def _recency(moment: datetime | None, now: datetime, *, full_days: int, zero_days: int) -> float:
    """1.0 up to full_days ago, falling linearly to 0.0 at zero_days ago."""
    if moment is None:
        return 0.0
    age = (now - moment).days
    if age <= full_days:
        return 1.0
    return max(0.0, 1 - (age - full_days) / (zero_days - full_days))


def badge_points(
    *, level: int, evidence_count: int, last_verified_at: datetime | None, now: datetime
) -> int:
    """Evidence for one badge: its level, how many verified projects, how recent."""
    recency = _recency(last_verified_at, now, full_days=180, zero_days=3 * 365)
    return round(500 * level / 3 + 300 * min(evidence_count, 10) / 10 + 200 * recency)


def evidence_points(
    *, verified_count: int, last_verified_at: datetime | None, now: datetime
) -> int:
    """Evidence overall, used when the merchant asked for no particular badge."""
    recency = _recency(last_verified_at, now, full_days=180, zero_days=3 * 365)
    return round(700 * min(verified_count, 20) / 20 + 300 * recency)


def rank_points(rank_level: int) -> int:
    return FULL * rank_level // (len(RANK_LEVELS) - 1)


def responsiveness_points(
    *, median_response_hours: float | None, acceptance_rate: float | None
) -> int:
    """Half speed of first response, half acceptance; a partner with no leads yet is neutral."""
    if median_response_hours is None or acceptance_rate is None:
        return FULL // 2
    expiry = settings.KIZUNA_LEAD_EXPIRY_HOURS
    speed = (
        1.0
        if median_response_hours <= 24
        else max(0.0, 1 - (median_response_hours - 24) / (expiry - 24))
    )
    return round(500 * speed + 500 * acceptance_rate)


def shrunk_rating(*, review_count: int, review_average: float | None) -> float:
    """The Bayesian average: few reviews say little, so they are pulled toward the prior mean."""
    prior_count = settings.KIZUNA_DIRECTORY_REVIEW_PRIOR_COUNT
    prior_mean = settings.KIZUNA_DIRECTORY_REVIEW_PRIOR_MEAN
    total = prior_count * prior_mean + review_count * (review_average or 0.0)
    return total / (prior_count + review_count)


def review_points(*, review_count: int, review_average: float | None) -> int:
    rating = shrunk_rating(review_count=review_count, review_average=review_average)
    return round((rating - 1) / 4 * FULL)


def freshness_points(*, owner_reviewed_at: datetime | None, stale: bool, now: datetime) -> int:
    if stale:
        return 0
    stale_after = settings.KIZUNA_PROFILE_STALE_AFTER_DAYS
    return round(FULL * _recency(owner_reviewed_at, now, full_days=180, zero_days=stale_after))


def base_points(
    *,
    rank_level: int,
    median_response_hours: float | None,
    acceptance_rate: float | None,
    review_count: int,
    review_average: float | None,
    owner_reviewed_at: datetime | None,
    stale: bool,
    now: datetime,
) -> int:
    points = (
        weight("rank") * rank_points(rank_level)
        + weight("responsiveness")
        * responsiveness_points(
            median_response_hours=median_response_hours, acceptance_rate=acceptance_rate
        )
        + weight("reviews")
        * review_points(review_count=review_count, review_average=review_average)
        + weight("freshness")
        * freshness_points(owner_reviewed_at=owner_reviewed_at, stale=stale, now=now)
    )
    return points - (settings.KIZUNA_DIRECTORY_STALE_PENALTY if stale else 0)


def week_tie_factors(today: date | None = None) -> tuple[int, int]:
    """(a, b) for the tie key (partner_id * a + b) mod TIE_MODULUS, drawn from the ISO week."""
    year, week, _day = (today or timezone.localdate()).isocalendar()
    digest = hashlib.sha256(f"kizuna-directory-{year}-W{week:02d}".encode()).digest()
    a = int.from_bytes(digest[:4], "big") % (TIE_MODULUS - 1) + 1  # never 0: a permutation
    b = int.from_bytes(digest[4:8], "big") % TIE_MODULUS
    return a, b


# Reasons: each result explained in a sentence a merchant understands.


def year_month(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return _year_month_label(local.year, local.month, get_language() or "")


@functools.lru_cache(maxsize=2_048)
def _year_month_label(year: int, month: int, language: str) -> str:
    # Formatting is slow next to the rest of a result's reasons; months repeat endlessly.
    return formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


def badge_reason(*, badge_name: str, evidence_count: int, last_verified_at: datetime | None) -> str:
    return ngettext(
        "%(count)s verified %(badge)s project (latest: %(month)s)",
        "%(count)s verified %(badge)s projects (latest: %(month)s)",
        evidence_count,
    ) % {"badge": badge_name, "count": evidence_count, "month": year_month(last_verified_at)}


def text_reason(*, terms: str, in_headline: bool) -> str:
    if in_headline:
        return _("Matches “%(terms)s” in its name or summary") % {"terms": terms}
    return _("Matches “%(terms)s” in its profile or verified work") % {"terms": terms}


def rank_reason(*, rank_label: str) -> str:
    return _("Contribution rank: %(rank)s") % {"rank": rank_label}


def responsiveness_reason(*, median_response_hours: float, acceptance_rate: float) -> str:
    return _("Answers requests in %(hours)s hours (median) and accepted %(percent)s%% of them") % {
        "hours": max(1, round(median_response_hours)),
        "percent": round(acceptance_rate * 100),
    }


def review_reason(*, review_count: int, review_average: float) -> str:
    return ngettext(
        "Rated %(rating)s out of 5 in %(count)s verified review",
        "Rated %(rating)s out of 5 in %(count)s verified reviews",
        review_count,
    ) % {"rating": f"{review_average:.1f}", "count": review_count}


def stale_reason() -> str:
    return _("Profile not reviewed by the partner for over a year, so shown lower")


def not_accepting_reason() -> str:
    return _("Not taking new requests at the moment, so listed after partners who are")
