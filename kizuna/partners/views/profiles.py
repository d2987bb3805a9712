"""The partner portal, the profile its owner keeps, and the public profile page."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.accounts.models import Organization
from kizuna.core.forms import call_service
from kizuna.partners import selectors
from kizuna.partners.forms import PartnerProfileForm
from kizuna.partners.models import Badge, PartnerProfile, Rank
from kizuna.partners.permissions import PartnerAction, allowed, can_set_up_profile
from kizuna.partners.services.profiles import (
    PROFILE_FIELDS,
    partner_confirm_reviewed,
    partner_create,
    partner_focus_set,
    partner_update,
)
from kizuna.partners.services.rank import rank_order
from kizuna.partners.views.access import own_partner, require


def _own_organization(request: HttpRequest) -> tuple[Organization, PartnerProfile | None]:
    """The user's partner organization, and its profile unless it has yet to set one up."""
    organization = selectors.partner_organization_of_user(request.user)
    if organization is None:
        raise Http404
    return organization, PartnerProfile.objects.filter(organization=organization).first()


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    organization, partner = _own_organization(request)
    context: dict[str, Any] = {"organization": organization, "partner": partner}
    if partner is not None:
        context.update(
            awards=selectors.active_badge_awards(partner),
            lapsed_awards=selectors.lapsed_badge_awards(partner),
            achievements=selectors.partner_achievements(partner),
            rank_history=selectors.rank_history(partner),
            contributions=partner.contributions.select_related("kind")[:10],
            next_rank=_next_rank(partner),
            can_edit=allowed(request.user, PartnerAction.EDIT_PROFILE, partner),
        )
    return render(request, "partners/portal.html", context)


def _next_rank(partner: PartnerProfile) -> dict[str, Any] | None:
    order = rank_order(partner.rank)
    if order >= len(settings.KIZUNA_RANK_THRESHOLDS):
        return None
    threshold = settings.KIZUNA_RANK_THRESHOLDS[order]
    return {"rank": list(Rank)[order + 1].label, "missing": max(0, threshold - partner.rank_points)}


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    organization, partner = _own_organization(request)
    if partner is not None:
        require(request, PartnerAction.EDIT_PROFILE, partner)
    elif not can_set_up_profile(request.user, organization):
        raise PermissionDenied
    form = PartnerProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=partner,
        initial={"focus_badges": list(partner.focus_badges.all()) if partner else []},
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        focus = list(form.cleaned_data["focus_badges"])

        @transaction.atomic
        def save() -> PartnerProfile:
            saved = (
                partner_create(actor=request.user, organization=organization, **fields)
                if partner is None
                else partner_update(actor=request.user, partner=partner, by_owner=True, **fields)
            )
            return partner_focus_set(actor=request.user, partner=saved, badges=focus)

        done = call_service(form, save)
        if done is not None:
            messages.success(request, _("Your profile was saved."))
            return redirect("partners:portal")
    return render(
        request, "partners/profile_form.html", {"form": form, "organization": organization}
    )


@login_required
@require_POST
def profile_confirm(request: HttpRequest) -> HttpResponse:
    partner = own_partner(request)
    require(request, PartnerAction.EDIT_PROFILE, partner)
    partner_confirm_reviewed(actor=request.user, partner=partner)
    messages.success(request, _("Thank you. Your profile is marked as up to date."))
    return redirect("partners:portal")


def public_profile(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    return render(
        request,
        "partners/public_profile.html",
        {
            "partner": partner,
            "awards": selectors.active_badge_awards(partner),
            "work": selectors.work_examples(partner),
            "focus": partner.focus_badges.all(),
        },
    )


def badge_evidence(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Public: the verified achievements behind one badge of a partner, and the window."""
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    badge = get_object_or_404(Badge, code=code)
    return render(
        request,
        "partners/badge_evidence.html",
        {
            "partner": partner,
            "badge": badge,
            "evidence": selectors.badge_evidence(partner, badge),
            "window_days": settings.KIZUNA_BADGE_WINDOW_DAYS,
        },
    )


# Pages link the logo by an address that changes with each new logo (PartnerProfile.logo_url).
LOGO_MAX_AGE_S = 7 * 24 * 3600


def partner_logo(request: HttpRequest, slug: str) -> FileResponse:
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    if not partner.logo:
        raise Http404
    response = FileResponse(partner.logo.open("rb"))
    if request.GET.get("v"):
        patch_cache_control(response, public=True, max_age=LOGO_MAX_AGE_S)
    return response


@login_required
def rank_page(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """The partner's rank and what its points are made of; staff open it by the slug."""
    if slug is None:
        partner = own_partner(request)
    else:
        require(request, PartnerAction.MANAGE_PROGRAM)
        partner = get_object_or_404(selectors.partner_by_slug(slug))
    require(request, PartnerAction.VIEW_PRIVATE, partner)
    return render(
        request,
        "partners/rank.html",
        {
            "partner": partner,
            "breakdown": selectors.rank_breakdown(partner),
            "next_rank": _next_rank(partner),
            "rank_history": selectors.rank_history(partner),
            "window_days": settings.KIZUNA_RANK_WINDOW_DAYS,
            "grace_days": settings.KIZUNA_RANK_GRACE_DAYS,
        },
    )
