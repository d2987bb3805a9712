"""Program settings: the badge catalog, the points of each contribution kind, and which
contribution kind each community activity type earns."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community.models import ActivityType
from kizuna.core.forms import call_service
from kizuna.partners.forms import (
    ActivityRuleForm,
    BadgeCreateForm,
    BadgeRenameForm,
    ContributionKindCreateForm,
    PointsForm,
)
from kizuna.partners.models import ActivityContributionRule, Badge, BadgeFamily, ContributionKind
from kizuna.partners.permissions import PartnerAction
from kizuna.partners.services.community_points import activity_contribution_rule_set
from kizuna.partners.services.program import (
    badge_create,
    badge_rename,
    badge_retire,
    contribution_kind_create,
    contribution_kind_set_points,
)
from kizuna.partners.views.access import require


@login_required
def program_settings(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    return _program_page(request)


def _program_page(request: HttpRequest, **forms_: Any) -> HttpResponse:
    badges = Badge.objects.all()
    rules = {rule.activity_type_id: rule for rule in ActivityContributionRule.objects.all()}
    activity_rules = [
        (activity_type, rules.get(activity_type.key))
        for activity_type in ActivityType.objects.all()
    ]
    return render(
        request,
        "partners/program_settings.html",
        {
            "work_badges": [b for b in badges if b.family == BadgeFamily.WORK],
            "site_badges": [b for b in badges if b.family == BadgeFamily.SITE_TYPE],
            "kinds": ContributionKind.objects.all(),
            "activity_rules": activity_rules,
            "badge_form": forms_.get("badge_form", BadgeCreateForm()),
            "kind_form": forms_.get("kind_form", ContributionKindCreateForm()),
            "error_form": forms_.get("error_form"),
        },
        status=400 if forms_ else 200,
    )


@login_required
@require_POST
def badge_add(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    form = BadgeCreateForm(request.POST)
    if (
        form.is_valid()
        and call_service(form, lambda: badge_create(actor=request.user, **form.cleaned_data))
        is not None
    ):
        messages.success(request, _("Badge added."))
        return redirect("partners:program_settings")
    return _program_page(request, badge_form=form)


@login_required
@require_POST
def badge_change(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    badge = get_object_or_404(Badge, pk=pk)
    if "retire" in request.POST:
        badge_retire(actor=request.user, badge=badge)
        messages.success(request, _("Badge retired: %(name)s") % {"name": badge.name})
        return redirect("partners:program_settings")
    form = BadgeRenameForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form, lambda: badge_rename(actor=request.user, badge=badge, **form.cleaned_data)
        )
        is not None
    ):
        messages.success(request, _("Badge renamed."))
        return redirect("partners:program_settings")
    return _program_page(request, error_form=form)


@login_required
@require_POST
def kind_add(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    form = ContributionKindCreateForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form, lambda: contribution_kind_create(actor=request.user, **form.cleaned_data)
        )
        is not None
    ):
        messages.success(request, _("Contribution kind added."))
        return redirect("partners:program_settings")
    return _program_page(request, kind_form=form)


@login_required
@require_POST
def kind_points(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    kind = get_object_or_404(ContributionKind, pk=pk)
    form = PointsForm(request.POST)
    if form.is_valid():
        contribution_kind_set_points(
            actor=request.user, kind=kind, points=form.cleaned_data["points"]
        )
        messages.success(request, _("Points updated."))
        return redirect("partners:program_settings")
    return _program_page(request, error_form=form)


@login_required
@require_POST
def activity_rule(request: HttpRequest, key: str) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    activity_type = get_object_or_404(ActivityType, key=key)
    form = ActivityRuleForm(request.POST)
    if form.is_valid():
        activity_contribution_rule_set(
            actor=request.user,
            activity_type=activity_type,
            kind=form.cleaned_data["kind"],
            points=form.cleaned_data["points"],
        )
        messages.success(
            request,
            _("Saved. Partners' points for %(type)s are recomputed in the background.")
            % {"type": activity_type.name},
        )
        return redirect("partners:program_settings")
    return _program_page(request, error_form=form)
