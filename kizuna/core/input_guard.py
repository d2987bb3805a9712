"""Requests carrying a NUL character are refused at the door with a 400.

PostgreSQL can neither store nor compare text with NUL in it (psycopg raises, a 500), while
SQLite takes it silently. Forms already refuse it field by field (Django's CharField), and
the API's schemas do (kizuna.core.api_schema); this closes what pages read directly from
the URL or a posted form (`request.GET.get("q")`...). Multipart bodies are left to the
forms: files may hold any byte.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from kizuna.core.api_errors import API_PREFIX


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        return b"%00" in request.body or b"\x00" in request.body
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The API answers NUL field by field (422 invalid_input) through its schemas.
        if not request.path.startswith(API_PREFIX) and _has_nul(request):
            return HttpResponseBadRequest(
                "NUL characters are not allowed in a request.", content_type="text/plain"
            )
        return self.get_response(request)
