import re
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from kizuna.accounts.models import Organization, OrganizationKind, User
from kizuna.accounts.permissions import Persona, persona_of
from kizuna.accounts.selectors import non_staff_users
from kizuna.core import selectors, worker
from kizuna.site import homes


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("site:home")
    return render(request, "site/landing.html")


_HOME_TEMPLATES = {
    Persona.STAFF: "site/home_staff.html",
    Persona.PARTNER: "site/home_partner.html",
    Persona.MERCHANT: "site/home_merchant.html",
    Persona.COMMUNITY_MEMBER: "site/home_member.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    persona = persona_of(request.user)
    context: dict[str, Any] = {}
    if persona == Persona.STAFF:
        context = _staff_home_context(request.user)
    elif persona == Persona.PARTNER:
        context = homes.partner_home(request.user)
    elif persona == Persona.COMMUNITY_MEMBER:
        context = homes.member_home(request.user)
    return render(request, _HOME_TEMPLATES[persona], context)


def _staff_home_context(user: Any) -> dict[str, Any]:
    users_by_kind = dict(non_staff_users().values_list("kind").annotate(n=Count("id")))
    return {
        "partner_count": Organization.objects.filter(kind=OrganizationKind.PARTNER).count(),
        "user_count": User.objects.count(),
        "users_by_kind": users_by_kind,
        "staff_count": User.objects.filter(staff_role_grants__isnull=False).distinct().count(),
        "worker": worker.worker_state(),
        "queues": homes.staff_queues(user),
        "audit_entries": selectors.recent_audit_entries(),
    }


@cache_control(max_age=3600, public=True)
def branding_css(request: HttpRequest) -> HttpResponse:
    # The brand colour is a setting; a stylesheet (not an inline style) keeps the CSP strict.
    color = settings.KIZUNA_BRAND_COLOR
    if not _CSS_COLOR.fullmatch(color):
        color = "#c2410c"
    return HttpResponse(f":root {{ --brand: {color}; }}\n", content_type="text/css")


_CSS_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")
