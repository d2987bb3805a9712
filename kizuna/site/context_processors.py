from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kizuna.accounts.permissions import persona_of
from kizuna.site.navigation import menus_for


def branding(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "ecosystem_name": settings.KIZUNA_ECOSYSTEM_NAME,
        "brand_color": settings.KIZUNA_BRAND_COLOR,
        "logo_url": settings.KIZUNA_LOGO_URL,
        "tagline": settings.KIZUNA_TAGLINE,
        "persona": persona_of(user) if signed_in else None,
        "menus": menus_for(user) if signed_in else [],
    }
