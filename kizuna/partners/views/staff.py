"""The staff's view of partners: search the list, edit a profile, record contributions."""

import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.core.exports import export_response, requested_format
from kizuna.core.forms import call_service
from kizuna.core.imports import import_job_create
from kizuna.core.models import ImportJob
from kizuna.core.text import normalize_ja
from kizuna.partners import selectors
from kizuna.partners.forms import ContributionForm, PartnerImportForm, PartnerProfileForm
from kizuna.partners.models import PartnerProfile
from kizuna.partners.permissions import PartnerAction
from kizuna.partners.services.profiles import PROFILE_FIELDS, partner_update
from kizuna.partners.services.rank import contribution_record
from kizuna.partners.views.access import require

PARTNER_COLUMNS = [
    "external_id", "name", "name_kana", "slug", "website", "head_office_prefecture",
    "team_size", "budget_min", "budget_max", "accepting_new_clients", "rank", "rank_points",
    "owner_reviewed_at", "stale_since", "contact_name", "contact_email", "contact_phone",
]  # fmt: skip


def _partner_rows(partners: Any) -> Iterator[list[Any]]:
    for p in partners.order_by("organization__name").iterator(chunk_size=500):
        yield [
            p.external_id, p.organization.name, p.name_kana, p.organization.slug, p.website,
            p.head_office_prefecture, p.team_size, p.budget_min, p.budget_max,
            p.accepting_new_clients, p.rank, p.rank_points, p.owner_reviewed_at, p.stale_since,
            p.contact_name, p.contact_email, p.contact_phone,
        ]  # fmt: skip


@login_required
def staff_import(request: HttpRequest) -> HttpResponse:
    """Upload an import_partners file (JSON Lines); checked, then applied, as an import job."""
    require(request, PartnerAction.MANAGE_PROGRAM)
    form = PartnerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                kind="partners", actor=request.user, file=upload, filename=upload.name
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind="partners").select_related("created_by")[:10]
    return render(request, "partners/staff_import.html", {"form": form, "jobs": jobs})


@login_required
def staff_partners(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    partners = PartnerProfile.objects.select_related("organization")
    query = request.GET.get("q", "").strip()
    if query:
        partners = partners.filter(
            Q(search_text__contains=normalize_ja(query)) | Q(organization__slug__contains=query)
        )
    if request.GET.get("stale"):
        partners = partners.filter(stale_since__isnull=False)
    if requested_format(request):
        return export_response(
            request, filename="partners", header=PARTNER_COLUMNS, rows=_partner_rows(partners)
        )
    page = Paginator(partners, 50).get_page(request.GET.get("page"))
    return render(request, "partners/staff_partners.html", {"page": page, "query": query})


@login_required
def staff_partner(request: HttpRequest, slug: str) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    form = PartnerProfileForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        if (
            call_service(
                form,
                lambda: partner_update(
                    actor=request.user, partner=partner, by_owner=False, **fields
                ),
            )
            is not None
        ):
            messages.success(request, _("The profile was saved."))
            return redirect("partners:staff_partner", slug=slug)
    return _staff_partner_page(request, partner, form, ContributionForm())


def _staff_partner_page(
    request: HttpRequest, partner: PartnerProfile, form: Any, contribution_form: Any
) -> HttpResponse:
    return render(
        request,
        "partners/staff_partner.html",
        {
            "partner": partner,
            "form": form,
            "contribution_form": contribution_form,
            "achievements": selectors.partner_achievements(partner),
            "awards": selectors.active_badge_awards(partner),
            "rank_history": selectors.rank_history(partner),
            "contributions": partner.contributions.select_related("kind")[:20],
        },
    )


@login_required
@require_POST
def staff_contribution_add(request: HttpRequest, slug: str) -> HttpResponse:
    require(request, PartnerAction.MANAGE_PROGRAM)
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    form = ContributionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Each staff entry is its own contribution; the id only has to be unique per source.
        if (
            call_service(
                form,
                lambda: contribution_record(
                    partner=partner,
                    kind=data["kind"].code,
                    occurred_on=data["occurred_on"],
                    points=data["points"],
                    note=data["note"],
                    source="staff",
                    external_id=str(uuid.uuid4()),
                    actor=request.user,
                ),
            )
            is not None
        ):
            messages.success(request, _("Contribution recorded."))
            return redirect("partners:staff_partner", slug=slug)
    return _staff_partner_page(request, partner, PartnerProfileForm(instance=partner), form)
