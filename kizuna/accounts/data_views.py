"""A person's own data (download, erasure request) and the staff's erasure request list."""

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.accounts import services
from kizuna.accounts.models import DataRequestStatus, ErasureRequest
from kizuna.accounts.permissions import Action, can
from kizuna.core.errors import Conflict


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Anything staff should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ErasureRejectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why not"), max_length=2000)


def _signed_in(request: HttpRequest) -> Any:
    return request.user


@login_required
def personal_data(request: HttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request_create(
                user=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Your request was sent to staff."))
        except Conflict as refused:
            messages.error(request, refused.messages[0])
        return redirect("accounts:personal_data")
    return render(
        request,
        "accounts/personal_data.html",
        {
            "form": form,
            "requests": ErasureRequest.objects.filter(user=_signed_in(request)),
        },
    )


@login_required
def personal_data_export(request: HttpRequest) -> HttpResponse:
    data = services.personal_data_export(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kizuna-my-data-{stamp}.json"'
    return response


def _require_staff(request: HttpRequest) -> None:
    if not can(request.user, Action.MANAGE_PERSONAL_DATA):
        raise PermissionDenied


@login_required
def staff_erasure_requests(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "accounts/staff_erasure_requests.html",
        {
            "open_requests": ErasureRequest.objects.filter(
                status=DataRequestStatus.OPEN
            ).select_related("user"),
            "decided": ErasureRequest.objects.exclude(status=DataRequestStatus.OPEN).select_related(
                "decided_by"
            )[:50],
            "reject_form": ErasureRejectForm(),
        },
    )


@login_required
@require_POST
def staff_erasure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    erasure = get_object_or_404(ErasureRequest, pk=pk)
    try:
        if request.POST.get("decision") == "confirm":
            services.erasure_request_confirm(actor=request.user, request=erasure)
            messages.success(request, _("The person's data was erased."))
        else:
            form = ErasureRejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the request is refused."))
                return redirect("accounts:staff_erasure_requests")
            services.erasure_request_reject(
                actor=request.user, request=erasure, note=form.cleaned_data["note"]
            )
            messages.success(request, _("The request was refused."))
    except Conflict as refused:
        messages.error(request, refused.messages[0])
    return redirect("accounts:staff_erasure_requests")
