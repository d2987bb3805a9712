"""Branded error pages: 403, 404, 500 and a refused CSRF check, in the visitor's language.

404 and 403 render with the request (Django's default views with the site's templates, the
navigation included). The 500 page renders from settings alone: the database or a context
processor may be what failed, so it needs neither.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language

from kizuna.core import api_errors


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(api_errors.API_PREFIX):
        return api_errors.server_error(request)
    page = loader.get_template("500.html").render(
        {
            "ecosystem_name": settings.KIZUNA_ECOSYSTEM_NAME,
            "LANGUAGE_CODE": get_language() or settings.LANGUAGE_CODE,
        }
    )
    return HttpResponseServerError(page)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open until the session expired."""
    return render(request, "403_csrf.html", status=403)
