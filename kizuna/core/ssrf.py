"""A guard for URLs that people give us and that Kizuna then fetches (feeds, webhooks...).

Only http(s) to public addresses: a user must not be able to make the server read its own
admin port, the cloud metadata service or the office network. Every redirect hop is
checked again, since a public URL may redirect to a private one.
"""

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

MAX_REDIRECTS = 5


class UnsafeUrl(ValueError):
    pass


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeUrl(f"cannot resolve {host}") from error
    return sorted({str(info[4][0]) for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


Resolver = Callable[[str, int], list[str]]


def check_public_url(url: str, *, resolve: Resolver | None = None) -> str:
    """Return url if it is http(s) to a host whose every address is public; raise otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("only http and https URLs are allowed")
    if not parts.hostname:
        raise UnsafeUrl("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeUrl("URLs with credentials are not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = (resolve or _resolve)(parts.hostname, port)
    if not addresses or not all(_is_public(address) for address in addresses):
        raise UnsafeUrl(f"{parts.hostname} is not a public address")
    return url


def guarded_get(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    """GET url with client, following redirects only to public addresses."""
    for _ in range(MAX_REDIRECTS + 1):
        check_public_url(url)
        response = client.get(url, follow_redirects=False, **kwargs)
        if not response.is_redirect:
            return response
        url = urljoin(url, response.headers["location"])
    raise UnsafeUrl("too many redirects")
