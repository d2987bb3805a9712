"""A HubSpot on 127.0.0.1 for tests: the few endpoints Kizuna calls, with HubSpot's answers.

It keeps objects per type keyed by the unique `kizuna_id` property (as a portal with that
property would), refuses properties the portal does not have and malformed emails (HubSpot's
400 VALIDATION_ERROR), and answers what a test queues first (a 429, an expired token).
"""

import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KNOWN_PROPERTIES = {
    "companies": {"name", "website", "state", "phone", "kizuna_rank", "kizuna_id", "domain"},
    "contacts": {"email", "firstname", "lastname", "company", "kizuna_id"},
    "deals": {"dealname", "amount", "dealstage", "pipeline", "kizuna_id"},
    "notes": {"hs_note_body", "hs_timestamp", "kizuna_id"},
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOW = "2026-12-04T10:00:00.000Z"


@dataclass
class FakeHubSpot:
    url: str = ""
    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in KNOWN_PROPERTIES}
    )
    associations: set[tuple[str, str, str]] = field(default_factory=set)
    valid_tokens: set[str] = field(default_factory=lambda: {"pat-test"})
    refresh_tokens: set[str] = field(default_factory=lambda: {"refresh-test"})
    queued: deque = field(default_factory=deque)  # (status, headers, body) answered first
    requests: list[tuple[str, str]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1001))

    def queue(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        self.queued.append((status, headers or {}, body or {}))

    def by_kizuna_id(self, object_type: str) -> dict[str, dict[str, Any]]:
        return self.objects[object_type]

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        self.requests.append((method, path))
        if path == "/oauth/v1/token":
            form = dict(pair.split("=", 1) for pair in body.decode().split("&") if pair)
            if form.get("refresh_token") not in self.refresh_tokens:
                return (
                    400,
                    {},
                    {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"},
                )
            token = f"oauth-{len(self.valid_tokens)}"
            self.valid_tokens.add(token)
            return (
                200,
                {},
                {
                    "access_token": token,
                    "refresh_token": form["refresh_token"],
                    "expires_in": 1800,
                    "token_type": "bearer",
                },
            )
        if self.queued:
            return self.queued.popleft()
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return (
                401,
                {},
                {
                    "status": "error",
                    "category": "EXPIRED_AUTHENTICATION",
                    "message": "The OAuth token used to make this call expired.",
                },
            )
        data = json.loads(body or b"{}")
        if match := re.fullmatch(r"/crm/v3/objects/(\w+)/batch/upsert", path):
            return self._upsert(match[1], data)
        if match := re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/associate/default", path):
            for pair in data["inputs"]:
                self.associations.add((match[1], pair["from"]["id"], pair["to"]["id"]))
            return (
                200,
                {},
                {"status": "COMPLETE", "results": [], "startedAt": NOW, "completedAt": NOW},
            )
        if path.startswith("/crm/v3/objects/companies"):
            return 200, {}, {"results": []}
        return 404, {}, {"message": f"no fake for {method} {path}"}

    def _upsert(self, object_type: str, data: dict[str, Any]) -> tuple[int, dict, Any]:
        for item in data["inputs"]:
            unknown = set(item["properties"]) - KNOWN_PROPERTIES[object_type]
            if unknown:
                return (
                    400,
                    {},
                    {
                        "status": "error",
                        "category": "VALIDATION_ERROR",
                        "message": "Property values were not valid: "
                        f"{sorted(unknown)[0]} does not exist",
                    },
                )
            email = item["properties"].get("email")
            if email is not None and not EMAIL.match(email):
                return (
                    400,
                    {},
                    {
                        "status": "error",
                        "category": "VALIDATION_ERROR",
                        "message": f"Property values were not valid: INVALID_EMAIL {email}",
                    },
                )
        results = []
        store = self.objects[object_type]
        for item in data["inputs"]:
            key = item["id"]
            new = key not in store
            if new:
                store[key] = {"id": str(next(self.ids)), "properties": {}}
            store[key]["properties"].update(item["properties"])
            results.append(
                {
                    "id": store[key]["id"],
                    "properties": dict(store[key]["properties"]),
                    "createdAt": NOW,
                    "updatedAt": NOW,
                    "archived": False,
                    "new": new,
                }
            )
        return (
            200,
            {},
            {"status": "COMPLETE", "results": results, "startedAt": NOW, "completedAt": NOW},
        )


def serve() -> tuple[FakeHubSpot, ThreadingHTTPServer]:
    fake = FakeHubSpot()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
            status, headers, payload = fake.handle(
                self.command, self.path.split("?")[0], self.headers, body
            )
            raw = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
