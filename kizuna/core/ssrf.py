"""A guard for every URL Kizuna fetches (feeds, connectors, webhooks...).

Only http(s) to public addresses: a user must not be able to make the server read its own
admin port, the cloud metadata service or the office network. Three holes are closed:

- DNS rebinding: the host is resolved once, every address it resolves to is checked, and the
  connection goes to the checked address (`GuardedTransport` pins it; the URL, Host header
  and TLS server name keep the host name, so certificates are verified as usual).
- Redirects: every hop is checked again, since a public URL may redirect to a private one.
- Proxies from the environment: the guarded client ignores them (`trust_env=False`).

The only exception is `settings.KIZUNA_SSRF_ALLOWED_NETWORKS` (CIDRs, empty by default), for
tests and benchmarks against 127.0.0.1; `check --deploy` warns while it is set.
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0
# The address guarded_request checked for a request; GuardedTransport connects to it.
PIN_EXTENSION = "kizuna_ssrf_address"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class UnsafeUrl(ValueError):
    pass


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"cannot resolve {host}") from error
    return sorted({str(info[4][0]) for info in infos})


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def allowed_networks() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(tuple(getattr(settings, "KIZUNA_SSRF_ALLOWED_NETWORKS", ())))


def _ip(address: str) -> IPAddress:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _is_allowed(address: str) -> bool:
    ip = _ip(address)
    if ip.is_global and not ip.is_multicast:
        return True
    return any(ip in network for network in allowed_networks())


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def public_address(host: str, port: int, *, resolve: Resolver | None = None) -> str:
    """The address to connect to for host: resolved once, every address it has checked."""
    literal = _literal(host)
    addresses = [literal] if literal else (resolve or _resolve)(host, port)
    if not addresses or not all(_is_allowed(address) for address in addresses):
        raise UnsafeUrl(f"{host} is not a public address")
    return addresses[0]


def _checked_parts(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are allowed")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("URLs with credentials are not allowed")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_public_url(url: str, *, resolve: Resolver | None = None) -> str:
    """Return url if it is http(s) to a host whose every address is public; raise otherwise."""
    checked_address(url, resolve=resolve)
    return url


def checked_address(url: str, *, resolve: Resolver | None = None) -> str:
    """The address to connect to for url, once url and every address of its host passed the
    guard; raise UnsafeUrl otherwise. Send the request with it as `PIN_EXTENSION` so that a
    guarded client connects there and does not resolve the host a second time."""
    host, port = _checked_parts(url)
    return public_address(host, port, resolve=resolve)


class BatchResolver:
    """A resolver that looks each (host, port) up once in its lifetime: one batch of sends.

    Still safe against DNS rebinding: every send checks the addresses it gets from here and
    pins its connection to the checked one (`checked_address` + `PIN_EXTENSION`), so a name
    that resolves elsewhere later is never connected to unchecked. The cache only saves the
    lookup; its lifetime (one batch, seconds) bounds how stale a resolution may get. Safe to
    share between threads: two threads may both resolve a host, and either answer is checked.
    """

    def __init__(self, resolve: Resolver | None = None) -> None:
        self._resolve = resolve or _resolve
        self._addresses: dict[tuple[str, int], list[str]] = {}

    def __call__(self, host: str, port: int) -> list[str]:
        addresses = self._addresses.get((host, port))
        if addresses is None:
            addresses = self._addresses[(host, port)] = self._resolve(host, port)
        return addresses


# Host name -> checked address, for the connections opened while a request is being sent.
_pins: ContextVar[dict[str, str] | None] = ContextVar("kizuna_ssrf_pins", default=None)


@contextmanager
def _pinned(host: str, address: str) -> Iterator[None]:
    token = _pins.set({**(_pins.get() or {}), host: address})
    try:
        yield
    finally:
        _pins.reset(token)


class _PinnedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to the address the guard checked for that host."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = (_pins.get() or {}).get(host)
        if address is None:
            raise httpcore.ConnectError(f"refused: {host} was not checked by the SSRF guard")
        return super().connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that connects only to checked public addresses.

    A request sent by guarded_request carries the address it checked; any other request is
    checked here (so a client following redirects by itself is guarded at every hop too).
    """

    def __init__(self, *, resolve: Resolver | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("trust_env", False)
        super().__init__(**kwargs)
        self._resolve = resolve
        limits = kwargs.get("limits", httpx.Limits(max_connections=100))
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(
                verify=kwargs.get("verify", True), trust_env=kwargs["trust_env"]
            ),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=kwargs.get("http1", True),
            http2=kwargs.get("http2", False),
            network_backend=_PinnedBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host, port = _checked_parts(str(request.url))
        address = request.extensions.get(PIN_EXTENSION) or public_address(
            host, port, resolve=self._resolve
        )
        # httpcore connects by the ASCII (IDNA) form of the host name.
        with _pinned(request.url.raw_host.decode("ascii"), address):
            return super().handle_request(request)


def guarded_client(*, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
    """An httpx.Client whose every connection goes through GuardedTransport."""
    kwargs.setdefault("transport", GuardedTransport())
    return httpx.Client(timeout=timeout, trust_env=False, **kwargs)


def guarded_request(
    method: str,
    url: str,
    *,
    client: httpx.Client | None = None,
    follow_redirects: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
    resolve: Resolver | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request to a public address, following redirects only to public addresses.

    Without a client, a guarded client is made (and closed) for this request. With one, the
    checked address is passed along: GuardedTransport connects to it; other transports (tests'
    httpx.MockTransport) still see only requests whose URL passed the check. kwargs go to
    httpx.Client.build_request (headers, params, json, content...). Raises UnsafeUrl.
    """
    own_client = client is None
    http = client or guarded_client(timeout=timeout)
    try:
        request = http.build_request(method, url, timeout=timeout, **kwargs)
        for _hop in range(max_redirects + 1):
            host, port = _checked_parts(str(request.url))
            address = public_address(host, port, resolve=resolve)
            request.extensions = {**request.extensions, PIN_EXTENSION: address}
            response = http.send(request, follow_redirects=False)
            if not follow_redirects or not response.is_redirect:
                return response
            response.close()
            if response.next_request is None:
                return response
            request = response.next_request
        raise UnsafeUrl("too many redirects")
    finally:
        if own_client:
            http.close()


def guarded_get(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    """GET url with client, following redirects only to public addresses."""
    return guarded_request("GET", url, client=client, **kwargs)
