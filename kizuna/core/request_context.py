"""The client address of a request, and the one being served, for the audit log.

`client_ip(request)` is the only place that decides who the client is: everything that
depends on the address (audit log, every per-IP rate limit) calls it. Behind gunicorn and
a load balancer REMOTE_ADDR is the proxy, and the client is in a forwarding header that
anybody can also send directly. So the header is read only when the connection comes from
a proxy listed in KIZUNA_TRUSTED_PROXIES, and then right to left: each trusted proxy
appends the address it received the request from, so the right-most hop that is not a
trusted proxy is the client. What a client wrote to the left of it is never believed.
The header is parsed by python-ipware (the engine of django-ipware): ports, brackets,
IPv4-mapped IPv6 and RFC 7239 `for=` elements. django-ipware's own `get_client_ip` trusts
proxies by position and count, not by address, so the walk below is ours.

Services take no request argument (they are called from commands and tasks too); the
middleware below remembers the address for the duration of a request.
"""

import ipaddress
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from python_ipware.modern.parsers import parse_ip, split_proxy_chain, unwrap_ipv4

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def trusted_proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.KIZUNA_TRUSTED_PROXIES))


def client_address(
    remote_addr: str, forwarded: str, trusted: Sequence[Network]
) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client among the socket peer and the forwarding chain, trusting only `trusted`."""
    peer = parse_ip(remote_addr)
    if peer is None:
        return None
    peer = unwrap_ipv4(peer)

    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(peer):
        return peer
    hops = split_proxy_chain(forwarded, strict=True)
    if not hops:  # no header, or a malformed one: the proxy is all we know
        return peer
    client = peer
    for hop in reversed([unwrap_ipv4(hop) for hop in hops]):
        client = hop
        if not is_trusted(hop):
            break
    return client


def client_ip(request: HttpRequest) -> str:
    """The client's address as text ("" if the server gave none)."""
    address = client_address(
        str(request.META.get("REMOTE_ADDR", "")),
        str(request.META.get(_meta_key(settings.KIZUNA_CLIENT_IP_HEADER), "")),
        trusted_proxy_networks(),
    )
    return "" if address is None else str(address)


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
