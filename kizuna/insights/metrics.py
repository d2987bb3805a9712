"""The KPIs: each one's name, unit, group and written definition (shown on the glossary).

The definitions here and in docs/insights.md say the same thing; change both together.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.core.charts import COUNT_UNIT

# What follows each figure of a unit, on pages and in download headers.
UNIT_SUFFIXES: dict[str, Any] = {
    "count": COUNT_UNIT,
    "people": pgettext_lazy("unit after a count of people", "people"),
    "percent": "%",
    "hours": pgettext_lazy("unit after a duration", "hours"),
    "per_week": pgettext_lazy("unit after a frequency", "per week"),
    "points": pgettext_lazy("unit after an NPS", "pt"),
    "of_seven": "/ 7",
}
# Which way a KPI should move; the change since the previous period is coloured by it.
BETTER_HIGHER, BETTER_LOWER, NEUTRAL = "higher", "lower", ""

# What the group, prefecture and event-kind filters mean for a KPI, by its filter scope.
FILTER_MEANINGS = {
    "events": _("Filters: only events of that group, in that prefecture, of that kind."),
    "members": _(
        "Filters: only members who attended (marked attended) an event of that group, in "
        "that prefecture, of that kind held in the period."
    ),
    "members_previous": _(
        "Filters: only members who attended (marked attended) an event of that group, in "
        "that prefecture, of that kind held in the previous period; what they do in this "
        "period counts wherever they do it."
    ),
    "none": _("Filters do not apply: group, prefecture and event kind are ignored."),
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    unit: str  # a key of UNIT_SUFFIXES
    section: str  # events, output, growth, surveys
    definition: Any
    # Whether it is computed from event and attendance tables (so group, prefecture and
    # event kind filters apply) rather than from the activity rollups.
    from_events: bool = False
    headline: bool = False
    # How the group, prefecture and event-kind filters apply (a key of FILTER_MEANINGS).
    # Left empty, it follows from the KPI's source: events, members, or none for surveys.
    filter_scope: str = ""
    # BETTER_HIGHER, BETTER_LOWER or NEUTRAL (a change that is neither good nor bad).
    better: str = BETTER_HIGHER

    @property
    def scope(self) -> str:
        if self.filter_scope:
            return self.filter_scope
        if self.from_events:
            return "events"
        return "none" if self.section == "surveys" else "members"

    @property
    def unit_suffix(self) -> Any:
        return UNIT_SUFFIXES[self.unit]

    @property
    def better_meaning(self) -> Any:
        return {
            BETTER_HIGHER: _("Better when higher."),
            BETTER_LOWER: _("Better when lower."),
            NEUTRAL: _("Neither higher nor lower is better in itself."),
        }[self.better]

    @property
    def filterable(self) -> bool:
        return self.scope != "none"

    @property
    def filter_meaning(self) -> Any:
        return FILTER_MEANINGS[self.scope]


METRICS: list[Metric] = [
    Metric(
        "events_held",
        _("Events held"),
        "count",
        "events",
        _("Events starting in the period."),
        from_events=True,
        headline=True,
    ),
    Metric(
        "event_frequency",
        _("Event frequency"),
        "per_week",
        "events",
        _("Events held ÷ weeks in the period."),
        from_events=True,
    ),
    Metric(
        "prefectures_covered",
        _("Prefectures covered"),
        "count",
        "events",
        _("Distinct prefectures of events held in the period (online events have none)."),
        from_events=True,
    ),
    Metric(
        "attendance",
        _("Attendance"),
        "people",
        "events",
        _("Attendances marked attended at events held in the period."),
        from_events=True,
        headline=True,
    ),
    Metric(
        "new_participants",
        _("New participants"),
        "people",
        "events",
        _("Attendees for whom it was the first event they ever attended."),
        from_events=True,
    ),
    Metric(
        "new_participant_ratio",
        _("New-participant ratio"),
        "percent",
        "events",
        _("New participants ÷ attendance × 100."),
        from_events=True,
        headline=True,
    ),
    Metric(
        "repeat_ratio",
        _("Repeat ratio"),
        "percent",
        "events",
        _("Attendees who had attended an earlier event ÷ attendance × 100."),
        from_events=True,
        better=NEUTRAL,
    ),
    Metric(
        "no_show_rate",
        _("No-show rate"),
        "percent",
        "events",
        _("No-shows ÷ (attended + no-shows) × 100."),
        from_events=True,
        better=BETTER_LOWER,
    ),
    Metric(
        "exposure_hours",
        _("Exposure (person-hours)"),
        "hours",
        "events",
        _("Sum over events of attendees × duration in hours (2 hours when no end is known)."),
        from_events=True,
    ),
    Metric(
        "large_event_attendance",
        _("Large-event attendance"),
        "people",
        "events",
        _(
            "Attendance at events with at least KIZUNA_INSIGHTS_LARGE_EVENT_MIN_ATTENDEES "
            "(default 100) attendees."
        ),
        from_events=True,
    ),
    Metric(
        "self_running_share",
        _("Self-running share"),
        "percent",
        "events",
        _("Events not run by staff (organized by community groups) ÷ events held × 100."),
        from_events=True,
        headline=True,
    ),
    Metric(
        "outputs_total",
        _("Outputs"),
        "count",
        "output",
        _("Activities of a type that counts as output, in the period."),
        headline=True,
    ),
    Metric("outputs_talks", _("Talks"), "count", "output", _("Talk activities.")),
    Metric(
        "outputs_lightning_talks",
        _("Lightning talks"),
        "count",
        "output",
        _("Lightning-talk activities."),
    ),
    Metric("outputs_articles", _("Articles"), "count", "output", _("Blog posts and articles.")),
    Metric(
        "outputs_social_posts",
        _("Hashtag posts"),
        "count",
        "output",
        _(
            "Social posts, and every other activity whose title or body carries an event's "
            "hashtag (#tag or ＃tag, any case)."
        ),
    ),
    Metric("outputs_answers", _("Answers"), "count", "output", _("Answers to questions.")),
    Metric(
        "outputs_code",
        _("Code"),
        "count",
        "output",
        _("Pull requests, reviews, releases and published plugins."),
    ),
    Metric(
        "output_member_share",
        _("Active members with output"),
        "percent",
        "output",
        _("Members with at least one output ÷ active members × 100."),
        headline=True,
    ),
    Metric(
        "new_members",
        _("New members"),
        "people",
        "growth",
        _("Members whose first activity ever falls in the period."),
        headline=True,
    ),
    Metric(
        "active_members",
        _("Active members"),
        "people",
        "growth",
        _("Members with at least one activity in the period."),
        headline=True,
    ),
    Metric(
        "chat_members_joined",
        _("Chat members joined"),
        "people",
        "growth",
        _("Members who joined a chat channel in the period."),
    ),
    Metric(
        "retention",
        _("Retention"),
        "percent",
        "growth",
        _(
            "Members active in the previous period and in this one ÷ members active in the "
            "previous period × 100."
        ),
        headline=True,
        filter_scope="members_previous",
    ),
    Metric(
        "new_contributors",
        _("New contributors"),
        "people",
        "growth",
        _("Members whose first output ever falls in the period."),
    ),
    Metric(
        "inactive_contributors",
        _("Inactive contributors"),
        "people",
        "growth",
        _("Members with output in the previous period and none in this one."),
        filter_scope="members_previous",
        better=BETTER_LOWER,
    ),
    Metric(
        "conversion_casual_regular",
        _("Conversion casual → regular"),
        "percent",
        "growth",
        _(
            "Of the members casual in the previous period (weight below "
            "KIZUNA_INSIGHTS_REGULAR_MIN_WEIGHT, default 10), the share regular or core in "
            "this one."
        ),
        filter_scope="members_previous",
    ),
    Metric(
        "conversion_regular_core",
        _("Conversion regular → core"),
        "percent",
        "growth",
        _(
            "Of the members regular in the previous period, the share core in this one "
            "(weight at least KIZUNA_INSIGHTS_CORE_MIN_WEIGHT, default 50)."
        ),
        filter_scope="members_previous",
    ),
    Metric(
        "first_response_hours",
        _("Time to first response"),
        "hours",
        "growth",
        _(
            "Median, over the questions and issues asked in the period that have an answer, "
            "of the hours from the question to its first answer or reply (an activity of the "
            "same source that replies to it) by someone else. Replies by bots and staff, and "
            "replies dated before the question, do not count. The period is the question's, "
            "so the figure of a recent period can still change as late answers arrive."
        ),
        headline=True,
        better=BETTER_LOWER,
    ),
    Metric(
        "unanswered_questions",
        _("Unanswered questions"),
        "count",
        "growth",
        _(
            "Questions and issues asked in the period that nobody else has answered or "
            "replied to yet (bots and staff do not count as answering)."
        ),
        better=BETTER_LOWER,
    ),
    Metric(
        "absence_factor",
        _("Contributor absence factor"),
        "people",
        "growth",
        _("Fewest members whose outputs make up half of the period's outputs."),
    ),
    Metric(
        "elephant_factor",
        _("Elephant factor"),
        "count",
        "growth",
        _(
            "Fewest organizations whose members' outputs make up half of the outputs made "
            "by affiliated members (affiliation on the period's last day)."
        ),
    ),
    Metric(
        "partner_share",
        _("Partner share of contributions"),
        "percent",
        "growth",
        _("Outputs by members affiliated with a partner on the period's last day ÷ outputs × 100."),
        headline=True,
    ),
    Metric(
        "nps",
        _("NPS"),
        "points",
        "surveys",
        _(
            "% promoters (9–10) − % detractors (0–6) over NPS answers to surveys dated in the "
            "period; 95% confidence interval from the answers' variance."
        ),
    ),
    Metric(
        "ces",
        _("CES"),
        "of_seven",
        "surveys",
        _("Mean of CES answers (1–7, higher is easier) to surveys dated in the period."),
    ),
]
METRICS_BY_KEY = {metric.key: metric for metric in METRICS}
ROLLUP_METRICS = [m.key for m in METRICS if not m.from_events and m.section != "surveys"]
HEADLINE_METRICS = [m.key for m in METRICS if m.headline]
