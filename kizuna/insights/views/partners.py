"""A partner's own contribution figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kizuna.core.charts import COUNT_UNIT, chart
from kizuna.insights import selectors
from kizuna.insights.exports import csv_response, wants_csv
from kizuna.insights.models import Interval
from kizuna.insights.permissions import InsightsAction, can_insights, own_organizations
from kizuna.insights.views.common import filters, require


@login_required
def partner_contribution(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_OWN_CONTRIBUTION)
    organizations = [
        o
        for o in own_organizations(request.user)
        if can_insights(request.user, InsightsAction.VIEW_OWN_CONTRIBUTION, o)
    ]
    form, selection, _where = filters(request, intervals=[Interval.MONTH])
    tables = [
        (o, selectors.partner_contributions(o, starts=selection.starts)) for o in organizations
    ]
    if wants_csv(request) and tables:
        _organization, rows = tables[0]
        return csv_response(
            request,
            "contribution",
            [_("Month"), _("Activities"), _("Outputs"), _("Members")],
            ([r["month"], r["activities"], r["outputs"], r["members"]] for r in rows),
        )
    charts = [
        chart(
            f"contribution-{organization.pk}",
            selection.starts,
            [
                (_("Activities"), [row["activities"] for row in rows]),
                (_("Outputs"), [row["outputs"] for row in rows]),
            ],
            "bar",
            unit=COUNT_UNIT,
            partial=selection.partial,
        )
        for organization, rows in tables
    ]
    return render(
        request,
        "insights/partner_contribution.html",
        {
            "tables": [(o, rows, c) for (o, rows), c in zip(tables, charts, strict=True)],
            "form": form,
            "selection": selection,
        },
    )
