"""Pages of an organization's people: members, invitations, accepting one, leaving."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.accounts import services
from kizuna.accounts.forms import InvitationAcceptForm, InvitationForm
from kizuna.accounts.models import Invitation, Organization, User
from kizuna.accounts.permissions import Action, can
from kizuna.core.errors import Conflict
from kizuna.core.forms import call_service


def _user(request: HttpRequest) -> Any:
    return request.user


def _organization_visible(request: HttpRequest, pk: int) -> Organization:
    organization = get_object_or_404(Organization, pk=pk)
    if not can(request.user, Action.VIEW_ORGANIZATION_PRIVATE, organization):
        raise PermissionDenied
    return organization


def _members_context(
    request: HttpRequest, organization: Organization, form: InvitationForm
) -> dict[str, Any]:
    manages = can(request.user, Action.MANAGE_ORGANIZATION, organization)
    now = timezone.now()
    return {
        "organization": organization,
        "memberships": organization.memberships.select_related("user").order_by(
            "role", "user__email"
        ),
        "invitations": list(
            organization.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            )
        )
        if manages
        else [],
        "manages": manages,
        "is_member": organization.memberships.filter(user=_user(request)).exists(),
        "form": form,
    }


@login_required
def organization_members(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_visible(request, pk)
    form = InvitationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        if not can(request.user, Action.MANAGE_ORGANIZATION, organization):
            raise PermissionDenied
        if form.is_valid():
            created = call_service(
                form,
                lambda: services.invitation_create(
                    organization=organization,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                    language=form.cleaned_data["language"],
                ),
            )
            if created is not None:
                messages.success(
                    request, _("The invitation was sent to %(email)s.") % {"email": created.email}
                )
                return redirect("accounts:organization_members", pk=organization.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "accounts/organization_members.html",
        _members_context(request, organization, form),
        status=status,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), pk=pk)
    if not can(request.user, Action.MANAGE_ORGANIZATION, invitation.organization):
        raise PermissionDenied
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation was revoked."))
    except Conflict as refused:
        messages.error(request, refused.messages[0])
    return redirect("accounts:organization_members", pk=invitation.organization_id)


@login_required
@require_POST
def organization_leave(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_visible(request, pk)
    try:
        services.membership_leave(user=request.user, organization=organization)
    except Conflict as refused:
        messages.error(request, refused.messages[0])
        return redirect("accounts:organization_members", pk=organization.pk)
    messages.success(request, _("You left %(organization)s.") % {"organization": organization.name})
    return redirect("site:home")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.invitation_by_token(token)
    if found is None:
        raise Http404
    context: dict[str, Any] = {"invitation": found, "open": found.is_open()}
    if not context["open"]:
        return render(request, "accounts/invitation.html", context, status=410)
    user = request.user
    if user.is_authenticated:
        context["same_email"] = user.email.lower() == found.email.lower()
        if request.method == "POST" and context["same_email"]:
            membership = services.invitation_accept(invitation=found, user=user)
            messages.success(
                request,
                _("You joined %(organization)s.") % {"organization": found.organization.name},
            )
            return redirect("accounts:organization_members", pk=membership.organization_id)
        return render(request, "accounts/invitation.html", context)
    if User.objects.filter(email__iexact=found.email).exists():
        context["sign_in_url"] = reverse("accounts:login") + "?next=" + request.path
        return render(request, "accounts/invitation.html", context)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        joined = call_service(
            form,
            lambda: services.invitation_accept(
                invitation=found,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            ),
        )
        if joined is not None:
            login(request, joined.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! You joined %(organization)s.")
                % {"organization": found.organization.name},
            )
            return redirect("site:home")
    context["form"] = form
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)
