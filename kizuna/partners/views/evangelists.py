"""Evangelists: the public list, nominations, requests from user groups, the evangelist's
inbox, and the staff page where nominations are decided and requests routed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.core.forms import call_service
from kizuna.partners import selectors
from kizuna.partners.forms import (
    AppointForm,
    EvangelistRequestForm,
    NominationDecisionForm,
    NominationForm,
    RespondForm,
    RouteForm,
)
from kizuna.partners.models import (
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistRequestStatus,
    NominationStatus,
)
from kizuna.partners.permissions import PartnerAction, can_answer_evangelist_request
from kizuna.partners.services import evangelists as evangelist_services
from kizuna.partners.views.access import require


def evangelists(request: HttpRequest) -> HttpResponse:
    return render(
        request, "partners/evangelists.html", {"evangelists": selectors.active_evangelists()}
    )


@login_required
def nominate(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.NOMINATE_EVANGELIST)
    form = NominationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            lambda: evangelist_services.nomination_submit(actor=request.user, **form.cleaned_data),
        )
        is not None
    ):
        messages.success(request, _("Thank you. Your nomination was sent to the program staff."))
        return redirect("partners:evangelists")
    return render(request, "partners/nominate.html", {"form": form})


@login_required
def evangelist_request(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.REQUEST_EVANGELIST)
    form = EvangelistRequestForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            lambda: evangelist_services.evangelist_request_submit(
                actor=request.user, **form.cleaned_data
            ),
        )
        is not None
    ):
        messages.success(
            request, _("Your request was sent. The staff will find an evangelist for you.")
        )
        return redirect("partners:evangelists")
    return render(request, "partners/evangelist_request.html", {"form": form})


@login_required
def evangelist_inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "partners/evangelist_inbox.html",
        {
            "requests": selectors.evangelist_requests_for(request.user),
            "form": RespondForm(),
        },
    )


@login_required
@require_POST
def evangelist_request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    evangelist_request_ = get_object_or_404(
        EvangelistRequest.objects.select_related("evangelist"), pk=pk
    )
    if not can_answer_evangelist_request(request.user, evangelist_request_):
        raise Http404
    form = RespondForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: evangelist_services.evangelist_request_respond(
                actor=request.user, request=evangelist_request_, **form.cleaned_data
            ),
        )
        is not None
    ):
        messages.success(request, _("Thank you for your answer."))
    else:
        messages.error(request, _("Choose whether you will come."))
    return redirect("partners:evangelist_inbox")


@login_required
def staff_evangelists(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_EVANGELISTS)
    return _staff_evangelists_page(request)


def _staff_evangelists_page(request: HttpRequest, **forms_: Any) -> HttpResponse:
    return render(
        request,
        "partners/staff_evangelists.html",
        {
            "nominations": EvangelistNomination.objects.filter(
                status=NominationStatus.PENDING
            ).select_related("nominated_by"),
            "decided": EvangelistNomination.objects.exclude(
                status=NominationStatus.PENDING
            ).select_related("decided_by")[:20],
            "requests": EvangelistRequest.objects.exclude(
                status=EvangelistRequestStatus.ACCEPTED
            ).select_related("evangelist", "requested_by"),
            "decision_form": NominationDecisionForm(),
            "route_form": RouteForm(),
            "appoint_form": forms_.get("appoint_form", AppointForm()),
            "error_form": forms_.get("error_form"),
            "evangelists": selectors.active_evangelists(),
        },
        status=400 if forms_ else 200,
    )


@login_required
@require_POST
def nomination_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.MANAGE_EVANGELISTS)
    nomination = get_object_or_404(EvangelistNomination, pk=pk)
    form = NominationDecisionForm(request.POST)
    if (
        form.is_valid()
        and call_service(form, lambda: _decide_nomination(request, nomination, form.cleaned_data))
        is not None
    ):
        messages.success(
            request, _("Decision recorded for %(name)s.") % {"name": nomination.nominee_name}
        )
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, error_form=form)


def _decide_nomination(
    request: HttpRequest, nomination: EvangelistNomination, data: dict
) -> EvangelistNomination | Evangelist:
    if data["decision"] == "decline":
        return evangelist_services.nomination_decline(
            actor=request.user, nomination=nomination, reason=data["reason"]
        )
    if data["term_start"] is None or data["term_end"] is None:
        raise ValidationError({"term_end": _("Set the term.")})
    return evangelist_services.nomination_accept(
        actor=request.user,
        nomination=nomination,
        term_start=data["term_start"],
        term_end=data["term_end"],
        reason=data["reason"],
    )


@login_required
@require_POST
def evangelist_appoint(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.MANAGE_EVANGELISTS)
    form = AppointForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: evangelist_services.evangelist_appoint(actor=request.user, **form.cleaned_data),
        )
        is not None
    ):
        messages.success(request, _("Evangelist appointed."))
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, appoint_form=form)


@login_required
@require_POST
def evangelist_request_route(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.MANAGE_EVANGELISTS)
    evangelist_request_ = get_object_or_404(EvangelistRequest, pk=pk)
    form = RouteForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: evangelist_services.evangelist_request_route(
                actor=request.user,
                request=evangelist_request_,
                evangelist=form.cleaned_data["evangelist"],
            ),
        )
        is not None
    ):
        messages.success(request, _("The request was sent to the evangelist."))
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, error_form=form)
