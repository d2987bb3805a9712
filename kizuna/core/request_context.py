"""The client IP of the request being served, for the audit log.

Services take no request argument (they are called from commands and tasks too); the
middleware below remembers the IP for the duration of a request.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR is the proxy's address behind a reverse proxy; the deployment guide
    # says to have the proxy overwrite it (uvicorn/gunicorn --forwarded-allow-ips).
    return str(request.META.get("REMOTE_ADDR", ""))


def current_ip() -> str | None:
    return _client_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
