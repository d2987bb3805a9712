"""A receiver on 127.0.0.1 that records what it gets and answers what the test says, and a
fake DNS so no test resolves a real name."""

import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

PUBLIC_ADDRESS = "93.184.215.14"
FAKE_DNS = {
    "hooks.example.com": PUBLIC_ADDRESS,
    "rebind.example.com": "127.0.0.1",
    "intranet.example.com": "10.0.0.5",
}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Each answer: (status, headers, delay_s); the last one repeats once the queue is empty.
    answers: deque = field(default_factory=lambda: deque([(200, {}, 0.0)]))

    def answer(self, *answers: tuple[int, dict[str, str], float]) -> None:
        self.answers = deque(answers)

    def next_answer(self) -> tuple[int, dict[str, str], float]:
        return self.answers.popleft() if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.requests.append(Received(dict(self.headers.items()), body))
            status, headers, delay = state.next_answer()
            if delay:
                time.sleep(delay)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch, _no_real_dns):
    """Names resolve from FAKE_DNS, in the SSRF guard (which the root conftest otherwise
    points at one public address) and in the socket module alike."""
    from kizuna.core import ssrf

    real = socket.getaddrinfo

    def resolve(host: str, port: int) -> list[str]:
        if host not in FAKE_DNS:
            raise ssrf.UnsafeUrl(f"cannot resolve {host}")
        return [FAKE_DNS[host]]

    monkeypatch.setattr(ssrf, "_resolve", resolve)

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in FAKE_DNS:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (FAKE_DNS[host], port))]
        if host in ("127.0.0.1", "localhost") or host.replace(".", "").isdigit():
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(f"no fake DNS entry for {host}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def loopback_allowed(settings):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.1/32"]
