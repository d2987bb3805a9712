"""API errors carry a machine-readable code: {"code": "missing_scope", "detail": "..."}.

`install_error_handlers(api)` is the one translation from what services and lookups raise
to API answers, so routers call services without try/except:

- `ApiError(status, code, detail)`: as given (with its headers, e.g. Retry-After);
- `kizuna.core.errors.Conflict`: 409 with the error's code;
- Django `ValidationError` (`ServiceError` included): 422 with the error's code (the first one
  given, also when keyed by field), else `invalid_input`;
- `PermissionDenied`: 403 `forbidden`; `ObjectDoesNotExist` and `Http404`: 404 `not_found`;
- a request that does not match the schema: 422 `invalid_input`, or 400 `out_of_range` for
  dates outside the supported range.

Every answer under /api/ is JSON, errors included: in production (DEBUG off) an exception the
API does not handle goes on to Django, which logs it and answers with the project's
handler500 below, JSON under /api/ (`server_error`). URLs under /api/ that no route matches
answer 404 `not_found` (handler404).
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kizuna.core.api_schema import OUT_OF_RANGE

API_PREFIX = "/api/"


class ApiError(HttpError):
    def __init__(
        self, status_code: int, code: str, detail: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code, detail)
        self.code = code
        self.headers = headers or {}

    @classmethod
    def rate_limited(cls, retry_after_s: int, detail: str) -> "ApiError":
        """The API's 429: Retry-After says how many seconds to wait."""
        wait = max(1, retry_after_s)
        return cls(429, "rate_limited", detail, headers={"Retry-After": str(wait)})


def error_code(error: DjangoValidationError, default: str = "invalid_input") -> str:
    """The machine code a service gave its ValidationError, also when keyed by field."""
    errors = (
        [e for field_errors in error.error_dict.values() for e in field_errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return next((e.code for e in errors if e.code), default)


def api_error_for(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, DjangoValidationError):
        return ApiError(getattr(exc, "status", 422), error_code(exc), " ".join(exc.messages))
    if isinstance(exc, PermissionDenied):
        return ApiError(403, "forbidden", str(exc) or "You may not do this.")
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return ApiError(404, "not_found", "Not found.")
    raise TypeError(f"No API error for {type(exc).__name__}")


def install_error_handlers(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, exc: Any) -> HttpResponse:
        error = api_error_for(exc)
        response = api.create_response(
            request, {"code": error.code, "detail": str(error)}, status=error.status_code
        )
        for name, value in error.headers.items():
            response[name] = value
        return response

    for raised in (ApiError, DjangoValidationError, PermissionDenied, ObjectDoesNotExist, Http404):
        api.add_exception_handler(raised, answer)

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
