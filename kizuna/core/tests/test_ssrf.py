import httpx
import pytest

from kizuna.core.ssrf import UnsafeUrl, check_public_url, guarded_get

PUBLIC = "93.184.215.14"


def resolving_to(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fc00::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_urls_that_resolve_to_private_or_local_addresses_are_refused(address):
    with pytest.raises(UnsafeUrl):
        check_public_url("https://feeds.example.com/rss", resolve=resolving_to(address))


def test_a_host_with_one_private_address_among_public_ones_is_refused():
    with pytest.raises(UnsafeUrl):
        check_public_url("https://x.example.com/", resolve=resolving_to(PUBLIC, "10.1.2.3"))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/",
        "gopher://example.com/",
        "https:///nohost",
        "https://user:pw@example.com/",
    ],
)
def test_only_plain_http_and_https_urls_are_allowed(url):
    with pytest.raises(UnsafeUrl):
        check_public_url(url, resolve=resolving_to(PUBLIC))


def test_a_public_https_url_is_allowed():
    url = "https://blog.example.com/feed.xml"
    assert check_public_url(url, resolve=resolving_to(PUBLIC)) == url


def test_redirects_are_checked_at_every_hop(monkeypatch):
    from kizuna.core import ssrf

    addresses = {"public.example.com": PUBLIC, "internal.example.com": "10.0.0.7"}
    monkeypatch.setattr(ssrf, "_resolve", lambda host, port: [addresses[host]])
    fetched = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.host)
        if request.url.host == "public.example.com":
            return httpx.Response(302, headers={"location": "http://internal.example.com/admin"})
        return httpx.Response(200, text="secret")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, pytest.raises(UnsafeUrl):
        guarded_get(client, "https://public.example.com/feed")
    assert fetched == ["public.example.com"]


def test_a_redirect_to_another_public_page_is_followed(monkeypatch):
    from kizuna.core import ssrf

    monkeypatch.setattr(ssrf, "_resolve", lambda host, port: [PUBLIC])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, text="feed")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert guarded_get(client, "https://blog.example.com/old").text == "feed"
