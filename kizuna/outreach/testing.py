"""Local fakes of the platforms outreach talks to, for tests and benchmarks (127.0.0.1 only)."""

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


# (status, headers, body); a dict or list body is sent as JSON.
Answer = tuple[int, dict[str, str], Any]


class FakeHttpServer:
    """An HTTP server on 127.0.0.1 answering with `route(request)`, recording every request."""

    def __init__(self, route: Callable[[Request], Answer]) -> None:
        self.route = route
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                fake.requests.append(request)
                status, headers, body = fake.route(request)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> "FakeHttpServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class SmtpSink:
    """An SMTP server on 127.0.0.1 keeping what it receives; `refuse` maps address -> reply."""

    messages: list[Any] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_sink() -> tuple[SmtpSink, Controller]:
    """A sink and its (not yet started) controller; aiosmtpd cannot listen on port 0."""
    sink = SmtpSink()
    return sink, Controller(sink, hostname="127.0.0.1", port=free_port())


def send_queued() -> int:
    """What the worker does every 15 seconds: send every delivery that is due now."""
    from kizuna.outreach.worker import deliveries_send_due

    return deliveries_send_due()


def sent_mail() -> list[Any]:
    """Send what is queued, then Django's test outbox: the emails that went out so far."""
    from django.core import mail

    send_queued()
    return list(mail.outbox)
