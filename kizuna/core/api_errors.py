"""API errors carry a machine-readable code: {"code": "missing_scope", "detail": "..."}."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


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


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = api.create_response(
            request, {"code": exc.code, "detail": str(exc)}, status=exc.status_code
        )
        for name, value in exc.headers.items():
            response[name] = value
        return response

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
