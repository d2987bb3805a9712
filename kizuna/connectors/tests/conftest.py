"""Recorded-fixture HTTP for connector tests: an httpx.MockTransport, never the network."""

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"

Route = Callable[[httpx.Request], httpx.Response]


class FixtureServer:
    """Answers requests from recorded files and remembers every request it was sent."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, Route]] = []
        self.requests: list[httpx.Request] = []

    def add(self, path_prefix: str, route: Route) -> None:
        self.routes.append((path_prefix, route))

    def file(self, path_prefix: str, name: str, headers: dict[str, str] | None = None) -> None:
        body = (FIXTURES / name).read_bytes()
        self.add(path_prefix, lambda request: httpx.Response(200, content=body, headers=headers))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = f"{request.url.host}{request.url.path}"
        for prefix, route in self.routes:
            if url.startswith(prefix):
                return route(request)
        return httpx.Response(404, json={"message": "Not Found"})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


@pytest.fixture
def server() -> FixtureServer:
    return FixtureServer()


@pytest.fixture
def no_sleep() -> list[float]:
    """Pass `sleeps.append` as the pacer's sleep: tests stay fast and see every wait."""
    return []
