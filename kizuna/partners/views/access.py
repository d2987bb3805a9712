"""Permission checks every page of the partner program makes."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from kizuna.partners import selectors
from kizuna.partners.models import PartnerProfile
from kizuna.partners.permissions import PartnerAction, allowed


def require(
    request: HttpRequest, action: PartnerAction, partner: PartnerProfile | None = None
) -> None:
    if not allowed(request.user, action, partner):
        raise PermissionDenied


def own_partner(request: HttpRequest) -> PartnerProfile:
    partner = selectors.partner_of_user(request.user)
    if partner is None:
        raise Http404
    return partner
