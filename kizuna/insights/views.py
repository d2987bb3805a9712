"""Dashboard pages: overview, events, journey, outputs, surveys, glossary; the partner page.

Every table has a CSV download (`?format=csv`). Charts are drawn by static/insights/charts.js
from data embedded with json_script, so the strict CSP allows them.
"""

from datetime import date
from pathlib import Path
from typing import Any

import plotly
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from kizuna.community.models import Attendance, AttendanceStatus, Member
from kizuna.insights import selectors, services
from kizuna.insights.events_kpis import EventFilter, event_kpis
from kizuna.insights.exports import csv_response, wants_csv
from kizuna.insights.forms import PeriodFilterForm, SurveyForm, TargetForm
from kizuna.insights.metrics import METRICS, METRICS_BY_KEY
from kizuna.insights.models import Interval, Level, Survey
from kizuna.insights.periods import (
    next_start,
    period_start,
    periods_between,
    previous_start,
    tokyo_day,
)
from kizuna.insights.permissions import InsightsAction, can_insights, own_organizations

PERIODS_SHOWN = {"week": 12, "month": 12, "quarter": 8}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _require(request: HttpRequest, action: InsightsAction) -> None:
    if not can_insights(request.user, action):
        raise PermissionDenied


def _today() -> date:
    return tokyo_day(timezone.now())


def _filters(request: HttpRequest) -> tuple[PeriodFilterForm, str, EventFilter]:
    form = PeriodFilterForm({"interval": Interval.MONTH, **request.GET.dict()})
    data = form.cleaned_data if form.is_valid() else {}
    interval = data.get("interval") or Interval.MONTH
    where = EventFilter(
        group=data.get("group", ""),
        prefecture=data.get("prefecture", ""),
        kind=data.get("kind", ""),
    )
    return form, interval, where


def _chart(chart_id: str, x: list[Any], series: list[tuple[Any, list[Any]]], kind: str) -> dict:
    return {
        "id": chart_id,
        "kind": kind,
        "x": [str(value) for value in x],
        "series": [{"name": str(name), "y": values} for name, values in series],
    }


@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> FileResponse:
    """The plotly.js shipped in the plotly package, served by us: no CDN, no copy in the repo."""
    if not PLOTLY_JS.exists():
        raise Http404
    return FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, where = _filters(request)
    cards = selectors.overview(interval=interval, periods=PERIODS_SHOWN[interval], today=_today())
    if where != EventFilter():
        _apply_event_filter(cards, interval, where)
    if wants_csv(request):
        periods = [start for start, _value in cards[0].series]
        return csv_response(
            f"kpis-{interval}",
            [_("KPI"), *periods],
            ([card.label, *(value for _start, value in card.series)] for card in cards),
        )
    for card in cards:
        card.chart = _chart(  # type: ignore[attr-defined]
            f"kpi-{card.key}",
            [s for s, _v in card.series],
            [(card.label, [v for _s, v in card.series])],
            "spark",
        )
    sections = [
        (_("Events"), [c for c in cards if c.section == "events"]),
        (_("Output"), [c for c in cards if c.section == "output"]),
        (_("Growth and health"), [c for c in cards if c.section == "growth"]),
        (_("Surveys (community heat)"), [c for c in cards if c.section == "surveys"]),
    ]
    return render(
        request,
        "insights/overview.html",
        {
            "form": form,
            "interval": interval,
            "sections": sections,
            "levels": _level_rows(),
            "target_form": TargetForm(initial={"interval": interval, "period": _today()}),
            "can_set_targets": can_insights(request.user, InsightsAction.SET_TARGETS),
        },
    )


def _apply_event_filter(cards: list[Any], interval: str, where: EventFilter) -> None:
    """Event KPIs follow the group, prefecture and kind filters; they are small to compute."""
    starts = [start for start, _value in cards[0].series]
    filtered = {start: event_kpis(interval, start, where) for start in starts}
    for card in cards:
        if METRICS_BY_KEY[card.key].from_events:
            card.series = [(start, filtered[start][card.key]) for start in starts]
            card.value = card.series[-1][1]
            card.previous = card.series[-2][1] if len(card.series) > 1 else None


def _level_rows() -> list[tuple[Any, int]]:
    counts = selectors.level_counts()
    return [(Level(level).label, counts[level]) for level in sorted(counts, reverse=True)]


@login_required
@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.SET_TARGETS)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.kpi_target_set(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Target saved."))
    else:
        messages.error(request, _("The target was not saved: check the values."))
    return redirect("insights:overview")


@login_required
def events(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, where = _filters(request)
    start = _period_param(request, interval)
    rows = selectors.event_rows(interval, start, where)
    if wants_csv(request):
        return csv_response(
            f"events-{start}",
            [
                _("Date"),
                _("Event"),
                _("Group"),
                _("Prefecture"),
                _("Attended"),
                _("No-shows"),
                _("Posts before"),
                _("Posts during"),
                _("Posts after"),
            ],
            (
                [
                    r["event"].starts_at.date(),
                    r["event"].title,
                    r["event"].group or "",
                    r["event"].prefecture,
                    r["attended"],
                    r["no_show"],
                    r["before"],
                    r["during"],
                    r["after"],
                ]
                for r in rows
            ),
        )
    starts = periods_between(
        interval, _shift(interval, start, -(PERIODS_SHOWN[interval] - 1)), start
    )
    series = [event_kpis(interval, s, where) for s in starts]
    return render(
        request,
        "insights/events.html",
        {
            "form": form,
            "interval": interval,
            "start": start,
            "rows": rows,
            "figures": series[-1],
            "metrics": [METRICS_BY_KEY[k] for k in series[-1]],
            "chart": _chart(
                "events-chart",
                starts,
                [
                    (_("Events held"), [f["events_held"] for f in series]),
                    (_("Attendance"), [f["attendance"] for f in series]),
                    (_("New participants"), [f["new_participants"] for f in series]),
                ],
                "bar",
            ),
            "previous": _shift(interval, start, -1),
            "next": _shift(interval, start, 1),
        },
    )


def _period_param(request: HttpRequest, interval: str) -> date:
    try:
        day = date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        day = _today()
    return period_start(interval, day)


def _shift(interval: str, start: date, count: int) -> date:
    for _step in range(abs(count)):
        start = next_start(interval, start) if count > 0 else previous_start(interval, start)
    return start


@login_required
def journey(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_DASHBOARDS)
    data = selectors.journey()
    if wants_csv(request):
        return csv_response(
            "journey",
            [_("Month"), _("Moved up"), _("Held"), _("Moved down"), _("New")],
            ([m["month"], m["up"], m["hold"], m["down"], m["new"]] for m in data["moves"]),
        )
    months = data["months"]
    latest = months[-1] if months else period_start("month", _today())
    return render(
        request,
        "insights/journey.html",
        {
            "journey": data,
            "levels": _level_rows(),
            "chart": _chart(
                "journey-chart",
                months,
                [
                    (Level(level).label, [data["per_month"][m][level] for m in months])
                    for level in sorted(Level.values, reverse=True)
                ],
                "stack",
            ),
            "rising": selectors.rising_members(latest),
            "candidates": selectors.leader_candidates(today=_today()),
        },
    )


@login_required
def outputs(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, _where = _filters(request)
    keys = [
        m.key
        for m in METRICS
        if m.section == "output" and m.key.startswith("outputs_") and m.key != "outputs_total"
    ]
    today = _today()
    first = _shift(interval, period_start(interval, today), -(PERIODS_SHOWN[interval] - 1))
    columns = {key: selectors.kpi_series(key, interval, first, today) for key in keys}
    starts = [s for s, _v in columns[keys[0]]]
    share = dict(selectors.kpi_series("output_member_share", interval, first, today))
    rows = [[start, *(dict(columns[k])[start] for k in keys), share.get(start)] for start in starts]
    header = [
        _("Period"),
        *(METRICS_BY_KEY[k].label for k in keys),
        METRICS_BY_KEY["output_member_share"].label,
    ]
    if wants_csv(request):
        return csv_response(f"outputs-{interval}", header, rows)
    return render(
        request,
        "insights/outputs.html",
        {
            "form": form,
            "interval": interval,
            "header": header,
            "rows": rows,
            "chart": _chart(
                "outputs-chart",
                starts,
                [(METRICS_BY_KEY[k].label, [v for _s, v in columns[k]]) for k in keys],
                "stack",
            ),
        },
    )


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_DASHBOARDS)
    return render(request, "insights/glossary.html", {"metrics": METRICS})


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.MANAGE_SURVEYS)
    form = SurveyForm(request.POST or None, initial={"period_day": _today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = services.survey_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            question=data["question"],
            period_day=data["period_day"],
            free_text_questions=data["free_text_questions"].splitlines(),
        )
        return redirect("insights:survey_detail", survey_id=survey.pk)
    trends = {kind: selectors.survey_trend(kind) for kind in ("nps", "ces")}
    return render(
        request,
        "insights/survey_list.html",
        {
            "form": form,
            "surveys": [
                (s, selectors.survey_results(s))
                for s in Survey.objects.select_related("event")[:100]
            ],
            "chart": _chart(
                "survey-chart",
                [s.period_day for s, _score in trends["nps"]],
                [(_("NPS"), [score.value for _s, score in trends["nps"]])],
                "line",
            ),
        },
    )


@login_required
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    _require(request, InsightsAction.MANAGE_SURVEYS)
    survey = get_object_or_404(Survey.objects.select_related("event"), pk=survey_id)
    answers = survey.responses.prefetch_related("answers__question").order_by("-created_at")
    if wants_csv(request):
        return csv_response(
            f"survey-{survey.pk}",
            [_("Answered"), _("Score"), *(q.text for q in survey.questions.all())],
            (
                [
                    r.created_at,
                    r.score,
                    *(
                        {a.question_id: a.text for a in r.answers.all()}.get(q.pk, "")
                        for q in survey.questions.all()
                    ),
                ]
                for r in answers
            ),
        )
    results = selectors.survey_results(survey)
    return render(
        request,
        "insights/survey_detail.html",
        {
            "survey": survey,
            "results": results,
            "answers": answers[:200],
            "chart": _chart(
                "survey-distribution",
                [value for value, _n in results["distribution"]],
                [(_("Answers"), [n for _v, n in results["distribution"]])],
                "bar",
            ),
            "level_choices": Level.choices,
        },
    )


@login_required
@require_POST
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    _require(request, InsightsAction.MANAGE_SURVEYS)
    survey = get_object_or_404(Survey, pk=survey_id)
    members = _invitees(survey, request.POST.get("audience", ""))
    created = services.survey_invite(actor=request.user, survey=survey, members=members)
    sent = services.survey_send_invitations(survey=survey, base_url=request.build_absolute_uri("/"))
    messages.success(
        request,
        _("%(created)s new links, %(sent)s emails sent.") % {"created": created, "sent": sent},
    )
    return redirect("insights:survey_detail", survey_id=survey.pk)


def _invitees(survey: Survey, audience: str) -> list[Member]:
    counted = Member.objects.filter(
        is_bot=False, is_staff=False, merged_into__isnull=True, erased_at__isnull=True
    )
    if audience == "attendees" and survey.event_id:
        return list(
            counted.filter(
                attendances__in=Attendance.objects.filter(
                    event_id=survey.event_id, status=AttendanceStatus.ATTENDED
                )
            )
        )
    if audience.isdigit():
        return list(counted.filter(engagement__level=int(audience)))
    return []


@login_required
def partner_contribution(request: HttpRequest) -> HttpResponse:
    _require(request, InsightsAction.VIEW_OWN_CONTRIBUTION)
    organizations = [
        o
        for o in own_organizations(request.user)
        if can_insights(request.user, InsightsAction.VIEW_OWN_CONTRIBUTION, o)
    ]
    tables = [
        (o, selectors.partner_contributions(o, months=12, today=_today())) for o in organizations
    ]
    if wants_csv(request) and tables:
        _organization, rows = tables[0]
        return csv_response(
            "contribution",
            [_("Month"), _("Activities"), _("Outputs"), _("Members")],
            ([r["month"], r["activities"], r["outputs"], r["members"]] for r in rows),
        )
    return render(request, "insights/partner_contribution.html", {"tables": tables})
