"""A partner's own contribution figures."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kizuna.insights import selectors
from kizuna.insights.exports import csv_response, wants_csv
from kizuna.insights.permissions import InsightsAction, can_insights, own_organizations
from kizuna.insights.views.common import require, tokyo_today


@login_required
def partner_contribution(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.VIEW_OWN_CONTRIBUTION)
    organizations = [
        o
        for o in own_organizations(request.user)
        if can_insights(request.user, InsightsAction.VIEW_OWN_CONTRIBUTION, o)
    ]
    tables = [
        (o, selectors.partner_contributions(o, months=12, today=tokyo_today()))
        for o in organizations
    ]
    if wants_csv(request) and tables:
        _organization, rows = tables[0]
        return csv_response(
            request,
            "contribution",
            [_("Month"), _("Activities"), _("Outputs"), _("Members")],
            ([r["month"], r["activities"], r["outputs"], r["members"]] for r in rows),
        )
    return render(request, "insights/partner_contribution.html", {"tables": tables})
