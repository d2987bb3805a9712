"""Insights settings, each overridable in Django settings as KIZUNA_INSIGHTS_<NAME>."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Weight earned in a period from which a member counts as regular, and as core.
    "REGULAR_MIN_WEIGHT": 10,
    "CORE_MIN_WEIGHT": 50,
    # Attendees from which an event counts as large.
    "LARGE_EVENT_MIN_ATTENDEES": 100,
    # Engagement levels, judged over the last LEVEL_WINDOW_DAYS days:
    # (level, minimum weight, minimum outputs, minimum events attended).
    "LEVEL_WINDOW_DAYS": 365,
    "LEVEL_RULES": [(1, 200, 10, 3), (2, 40, 1, 0), (3, 10, 0, 0)],
    # Survey answers a token bucket lets through per client address per minute.
    "SURVEY_ANSWERS_PER_MINUTE": 10,
}


def insights_setting(name: str) -> Any:
    return getattr(settings, f"KIZUNA_INSIGHTS_{name}", DEFAULTS[name])
