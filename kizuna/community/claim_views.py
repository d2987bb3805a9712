"""A person's own community records and claims; the staff's claim review."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.accounts.permissions import Action, can
from kizuna.community.models import ClaimStatus, Member, MemberClaim
from kizuna.community.services import claims
from kizuna.core.errors import ServiceError
from kizuna.core.forms import call_service


class ClaimForm(forms.Form):
    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"),
        choices=[("github", "GitHub"), ("connpass", "connpass")],
    )
    handle = forms.CharField(label=gettext_lazy("Your handle there"), max_length=200)
    note = forms.CharField(
        label=gettext_lazy("How staff can check it is you (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _signed_in(request: HttpRequest) -> Any:
    return request.user


@login_required
def my_community(request: HttpRequest) -> HttpResponse:
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        claim = call_service(
            form,
            lambda: claims.member_claim_request(user=request.user, **form.cleaned_data),
        )
        if claim is not None:
            messages.success(request, _("Your claim was sent to staff."))
            return redirect("community:my_community")
    return render(
        request,
        "community/my_community.html",
        {
            "form": form,
            "members": Member.objects.filter(
                user=_signed_in(request), erased_at__isnull=True
            ).prefetch_related("identities"),
            "claims": MemberClaim.objects.filter(user=_signed_in(request)),
        },
        status=400 if form.errors else 200,
    )


def _require_staff(request: HttpRequest) -> None:
    if not can(request.user, Action.MANAGE_COMMUNITY):
        raise PermissionDenied


@login_required
def staff_claims(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "community/staff_claims.html",
        {
            "open_claims": MemberClaim.objects.filter(status=ClaimStatus.OPEN).select_related(
                "user"
            ),
            "decided": MemberClaim.objects.exclude(status=ClaimStatus.OPEN).select_related(
                "user", "decided_by"
            )[:50],
        },
    )


@login_required
@require_POST
def staff_claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    claim = get_object_or_404(MemberClaim, pk=pk)
    try:
        if request.POST.get("decision") == "confirm":
            claims.member_claim_confirm(actor=request.user, claim=claim)
            messages.success(request, _("The member is now linked to the account."))
        else:
            claims.member_claim_reject(actor=request.user, claim=claim)
            messages.success(request, _("The claim was rejected."))
    except ServiceError as refused:
        messages.error(request, refused.messages[0])
    return redirect("community:staff_claims")
