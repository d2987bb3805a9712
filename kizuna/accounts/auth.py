"""Bearer-token authentication for the API, and the scope check endpoints make."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from kizuna.accounts import services
from kizuna.accounts.models import ApiToken
from kizuna.core.api_errors import ApiError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = services.api_token_authenticate(token)
        if api_token is not None:
            request.user = api_token.user
        return api_token


def require_scope(request: HttpRequest, scope: str) -> Any:
    """The token's user, if the token carries `scope`; a 403 with code `missing_scope` if not."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise ApiError(403, "missing_scope", f"This token lacks the scope '{scope}'.")
    return token.user
