"""API errors carry a machine-readable code: {"code": "missing_scope", "detail": "..."}."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


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
        return api.create_response(
            request,
            {"code": "invalid_input", "detail": "Invalid input.", "errors": exc.errors},
            status=422,
        )
