"""Dashboards: overview, events, journey, outputs, glossary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community.models import Level
from kizuna.insights import selectors, services
from kizuna.insights.events_kpis import event_kpis_for
from kizuna.insights.exports import csv_response, wants_csv
from kizuna.insights.forms import TargetForm
from kizuna.insights.metrics import METRICS, METRICS_BY_KEY
from kizuna.insights.periods import (
    period_start,
    periods_between,
)
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.views.common import (
    PERIODS_SHOWN,
    chart,
    filters,
    level_rows,
    period_param,
    require,
    shift,
    tokyo_today,
)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, where = filters(request)
    cards = selectors.overview(
        interval=interval, periods=PERIODS_SHOWN[interval], today=tokyo_today(), where=where
    )
    if wants_csv(request):
        periods = [start for start, _value in cards[0].series]
        return csv_response(
            request,
            f"kpis-{interval}",
            [_("KPI"), *periods],
            ([card.label, *(value for _start, value in card.series)] for card in cards),
        )
    for card in cards:
        card.chart = chart(  # type: ignore[attr-defined]
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
            "levels": level_rows(),
            "target_form": TargetForm(initial={"interval": interval, "period": tokyo_today()}),
            "can_set_targets": can_insights(request.user, InsightsAction.SET_TARGETS),
        },
    )


@login_required
@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.SET_TARGETS)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.kpi_target_set(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Target saved."))
    else:
        messages.error(request, _("The target was not saved: check the values."))
    return redirect("insights:overview")


@login_required
def events(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, where = filters(request)
    start = period_param(request, interval)
    rows = selectors.event_rows(interval, start, where)
    if wants_csv(request):
        return csv_response(
            request,
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
        interval, shift(interval, start, -(PERIODS_SHOWN[interval] - 1)), start
    )
    series = list(event_kpis_for(interval, starts, where).values())
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
            "chart": chart(
                "events-chart",
                starts,
                [
                    (_("Events held"), [f["events_held"] for f in series]),
                    (_("Attendance"), [f["attendance"] for f in series]),
                    (_("New participants"), [f["new_participants"] for f in series]),
                ],
                "bar",
            ),
            "previous": shift(interval, start, -1),
            "next": shift(interval, start, 1),
        },
    )


@login_required
def journey(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    data = selectors.journey()
    if wants_csv(request):
        return csv_response(
            request,
            "journey",
            [_("Month"), _("Moved up"), _("Held"), _("Moved down"), _("New")],
            ([m["month"], m["up"], m["hold"], m["down"], m["new"]] for m in data["moves"]),
        )
    months = data["months"]
    latest = months[-1] if months else period_start("month", tokyo_today())
    return render(
        request,
        "insights/journey.html",
        {
            "journey": data,
            "levels": level_rows(),
            "chart": chart(
                "journey-chart",
                months,
                [
                    (Level(level).label, [data["per_month"][m][level] for m in months])
                    for level in sorted(Level.values, reverse=True)
                ],
                "stack",
            ),
            "rising": selectors.rising_members(latest),
            "candidates": selectors.leader_candidates(today=tokyo_today()),
        },
    )


@login_required
def outputs(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    form, interval, where = filters(request)
    keys = [
        m.key
        for m in METRICS
        if m.section == "output" and m.key.startswith("outputs_") and m.key != "outputs_total"
    ]
    today = tokyo_today()
    first = shift(interval, period_start(interval, today), -(PERIODS_SHOWN[interval] - 1))
    columns = {key: selectors.kpi_series(key, interval, first, today, where) for key in keys}
    starts = [s for s, _v in columns[keys[0]]]
    share = dict(selectors.kpi_series("output_member_share", interval, first, today, where))
    rows = [[start, *(dict(columns[k])[start] for k in keys), share.get(start)] for start in starts]
    header = [
        _("Period"),
        *(METRICS_BY_KEY[k].label for k in keys),
        METRICS_BY_KEY["output_member_share"].label,
    ]
    if wants_csv(request):
        return csv_response(request, f"outputs-{interval}", header, rows)
    return render(
        request,
        "insights/outputs.html",
        {
            "form": form,
            "interval": interval,
            "header": header,
            "rows": rows,
            "chart": chart(
                "outputs-chart",
                starts,
                [(METRICS_BY_KEY[k].label, [v for _s, v in columns[k]]) for k in keys],
                "stack",
            ),
        },
    )


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    return render(request, "insights/glossary.html", {"metrics": METRICS})
