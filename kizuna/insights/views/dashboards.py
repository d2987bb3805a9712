"""Dashboards: overview, events, journey, outputs, glossary."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kizuna.community.models import Level
from kizuna.core.charts import chart
from kizuna.insights import selectors, services
from kizuna.insights.events_kpis import event_kpis_for
from kizuna.insights.exports import csv_response, figure, wants_csv, with_unit
from kizuna.insights.forms import TargetForm
from kizuna.insights.metrics import METRICS, METRICS_BY_KEY, UNIT_SUFFIXES
from kizuna.insights.models import Interval
from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.insights.views.common import filters, level_rows, require, tokyo_today

# The events table lists this many of the range's events on the page (all in the download).
EVENT_ROWS_SHOWN = 200


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    form, selection, where = filters(request)
    cards = selectors.overview_between(
        interval=selection.interval,
        starts=selection.starts,
        shown=selection.shown,
        partial=selection.partial,
        where=where,
    )
    if wants_csv(request):
        return csv_response(
            request,
            f"kpis-{selection.interval}-{selection.since}-{selection.until}",
            [_("KPI"), pgettext("column of KPI units", "Unit"), *selection.starts],
            (
                [
                    card.label,
                    METRICS_BY_KEY[card.key].unit_suffix,
                    *(figure(value, card.unit) for _start, value in card.series),
                ]
                for card in cards
            ),
        )
    for card in cards:
        card.chart = chart(  # type: ignore[attr-defined]
            f"kpi-{card.key}",
            [s for s, _v in card.series],
            [(card.label, [v for _s, v in card.series])],
            "spark",
            unit=METRICS_BY_KEY[card.key].unit_suffix,
            partial=selection.partial,
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
            "selection": selection,
            "interval": selection.interval,
            "sections": sections,
            "levels": level_rows(),
            "target_form": TargetForm(
                initial={"interval": selection.interval, "period": selection.shown}
            ),
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
    form, selection, where = filters(request)
    places = selectors.events_by_place(selection, where)
    if wants_csv(request) and request.GET.get("table") == "places":
        return csv_response(
            request,
            f"events-by-place-{selection.since}-{selection.until}",
            [_("Prefecture"), _("Events (items)"), _("Events per month"), _("Attendance (people)")],
            ([p.name, p.events, p.per_month, p.attendance] for p in places.rows),
        )
    rows = selectors.event_rows_between(selection, where)
    if wants_csv(request):
        return csv_response(
            request,
            f"events-{selection.since}-{selection.until}",
            [
                _("Starts (Asia/Tokyo)"),
                _("Event"),
                _("Group"),
                _("Prefecture"),
                _("Attended (people)"),
                _("No-shows (people)"),
                _("Posts before (items)"),
                _("Posts during (items)"),
                _("Posts after (items)"),
            ],
            (
                [
                    r["event"].starts_at,
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
    starts = selection.starts
    by_period = event_kpis_for(selection.interval, starts, where)
    series = [by_period[start] for start in starts]
    figures = by_period[selection.shown]
    return render(
        request,
        "insights/events.html",
        {
            "form": form,
            "selection": selection,
            "interval": selection.interval,
            "rows": rows[:EVENT_ROWS_SHOWN],
            "more_rows": len(rows) > EVENT_ROWS_SHOWN,
            "figures": figures,
            "metrics": [METRICS_BY_KEY[k] for k in figures],
            "chart": chart(
                "events-chart",
                starts,
                # Events and people share the axis: each series names its unit.
                [
                    (
                        f"{_('Events held')} ({UNIT_SUFFIXES['count']})",
                        [f["events_held"] for f in series],
                    ),
                    (
                        f"{_('Attendance')} ({UNIT_SUFFIXES['people']})",
                        [f["attendance"] for f in series],
                    ),
                    (
                        f"{_('New participants')} ({UNIT_SUFFIXES['people']})",
                        [f["new_participants"] for f in series],
                    ),
                ],
                "bar",
                partial=selection.partial,
            ),
            "places": places,
            "places_chart": chart(
                "places-chart",
                [p.name for p in reversed(places.rows)],
                [(_("Events"), [p.events for p in reversed(places.rows)])],
                "hbar",
                unit=UNIT_SUFFIXES["count"],
            ),
        },
    )


@login_required
def journey(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    # Levels are reviewed monthly: months are the only granularity there is.
    form, selection, _where = filters(request, intervals=[Interval.MONTH])
    data = selectors.journey(first=selection.first_day, end=selection.end)
    if wants_csv(request):
        return csv_response(
            request,
            f"journey-{selection.since}-{selection.until}",
            [
                _("Month"),
                _("Moved up (people)"),
                _("Held (people)"),
                _("Moved down (people)"),
                _("New (people)"),
            ],
            ([m["month"], m["up"], m["hold"], m["down"], m["new"]] for m in data["moves"]),
        )
    months = data["months"]
    latest = months[-1] if months else selection.shown
    moves = data["moves"]
    return render(
        request,
        "insights/journey.html",
        {
            "form": form,
            "selection": selection,
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
                unit=UNIT_SUFFIXES["people"],
            ),
            "moves_chart": chart(
                "moves-chart",
                [m["month"] for m in moves],
                [
                    (_("Moved up"), [m["up"] for m in moves]),
                    (_("Held"), [m["hold"] for m in moves]),
                    (_("Moved down"), [-m["down"] for m in moves]),
                    (_("New"), [m["new"] for m in moves]),
                ],
                "relative",
                unit=UNIT_SUFFIXES["people"],
            ),
            "rising": selectors.rising_members(latest),
            "candidates": selectors.leader_candidates(today=tokyo_today()),
        },
    )


@login_required
def outputs(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    form, selection, where = filters(request)
    interval = selection.interval
    keys = [
        m.key
        for m in METRICS
        if m.section == "output" and m.key.startswith("outputs_") and m.key != "outputs_total"
    ]
    first, last = selection.first_day, selection.starts[-1]
    columns = {key: dict(selectors.kpi_series(key, interval, first, last, where)) for key in keys}
    share = dict(selectors.kpi_series("output_member_share", interval, first, last, where))
    starts = selection.starts
    rows = [
        [start, *(figure(columns[k][start], "count") for k in keys), share.get(start)]
        for start in starts
    ]
    header = [
        _("Period"),
        *(with_unit(METRICS_BY_KEY[k]) for k in keys),
        with_unit(METRICS_BY_KEY["output_member_share"]),
    ]
    if wants_csv(request):
        return csv_response(
            request, f"outputs-{interval}-{selection.since}-{selection.until}", header, rows
        )
    return render(
        request,
        "insights/outputs.html",
        {
            "form": form,
            "selection": selection,
            "interval": interval,
            "header": header,
            "rows": rows,
            "chart": chart(
                "outputs-chart",
                starts,
                [(METRICS_BY_KEY[k].label, [columns[k][s] for s in starts]) for k in keys],
                "bar",
                unit=UNIT_SUFFIXES["count"],
                partial=selection.partial,
            ),
        },
    )


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_DASHBOARDS)
    return render(request, "insights/glossary.html", {"metrics": METRICS})
