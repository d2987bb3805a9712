"""API errors carry a machine-readable code: {"code": "missing_scope", "detail": "..."}.

Every answer under /api/ is JSON, errors included: validation (422 `invalid_input`, 400
`out_of_range` for dates outside the supported range), 404 `not_found`, and in production
(DEBUG off) 500 `server_error`: an exception the API does not handle goes on to Django,
which logs it and answers with the project's handler500 below, JSON under /api/. URLs
under /api/ that no route matches answer 404 `not_found` (handler404).
"""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kizuna.core.api_schema import OUT_OF_RANGE

API_PREFIX = "/api/"


class ApiError(HttpError):
    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(status_code, detail)
        self.code = code


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return api.create_response(
            request, {"code": exc.code, "detail": str(exc)}, status=exc.status_code
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            {
                "code": "unauthenticated",
                "detail": "Send a valid token: Authorization: Bearer <token>.",
            },
            status=401,
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if any(error.get("type") == OUT_OF_RANGE for error in exc.errors):
            return api.create_response(
                request,
                {"code": OUT_OF_RANGE, "detail": "A date is out of range.", "errors": exc.errors},
                status=400,
            )
        return api.create_response(
            request,
            {"code": "invalid_input", "detail": "Invalid input.", "errors": exc.errors},
            status=422,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, {"code": "not_found", "detail": "Not found."}, status=404
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "rate_limited" if exc.status_code == 429 else "error"
        return api.create_response(
            request, {"code": code, "detail": str(exc)}, status=exc.status_code
        )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "No such API endpoint."}, status=404)
    from django.views.defaults import page_not_found as html_page_not_found

    return html_page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/ (errors raised outside the API's own handlers)."""
    if _is_api(request):
        return JsonResponse(
            {"code": "server_error", "detail": "Internal server error."}, status=500
        )
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)
