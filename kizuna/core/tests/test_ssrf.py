import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.core.checks import run_checks

from kizuna.core.ssrf import (
    GuardedTransport,
    UnsafeUrl,
    check_public_url,
    guarded_client,
    guarded_get,
    guarded_request,
)

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


# Pinned connections, allowed networks, the deploy warning, connectors.


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        body = f"host={self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_name_that_resolves_to_loopback_is_refused_before_any_connection(local_server):
    loopback = resolving_to("127.0.0.1")
    with pytest.raises(UnsafeUrl):
        guarded_request("GET", f"http://feeds.example.com:{local_server}/", resolve=loopback)


def test_a_loopback_address_is_refused_while_no_network_is_allowed(local_server):
    with pytest.raises(UnsafeUrl):
        guarded_request("GET", f"http://127.0.0.1:{local_server}/")


def test_an_allowed_network_is_reached_and_the_connection_goes_to_the_checked_address(
    settings, local_server
):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    url = f"http://feeds.example.com:{local_server}/feed"

    response = guarded_request("GET", url, resolve=resolving_to("127.0.0.1"))

    # The name resolved once, to the local server; Host still names the site asked for.
    assert response.text == f"host=feeds.example.com:{local_server}"


def test_a_redirect_to_the_metadata_address_is_refused_at_that_hop(settings, local_server):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with pytest.raises(UnsafeUrl, match=r"169\.254\.169\.254"):
        guarded_request("GET", f"http://127.0.0.1:{local_server}/to-metadata")


def test_a_redirect_is_handed_back_unfollowed_when_asked(settings, local_server):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    response = guarded_request(
        "GET", f"http://127.0.0.1:{local_server}/to-metadata", follow_redirects=False
    )
    assert response.status_code == 302


def test_a_client_following_redirects_itself_is_still_checked_at_every_hop(settings, local_server):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with guarded_client(follow_redirects=True) as client, pytest.raises(UnsafeUrl):
        client.get(f"http://127.0.0.1:{local_server}/to-metadata")


def test_the_guarded_transport_checks_requests_sent_without_the_guard(local_server):
    with httpx.Client(transport=GuardedTransport()) as client, pytest.raises(UnsafeUrl):
        client.get(f"http://127.0.0.1:{local_server}/")


def _deploy_warnings():
    messages = run_checks(include_deployment_checks=True)
    return [m.id for m in messages if (m.id or "").startswith("kizuna.")]


def test_check_deploy_warns_while_networks_are_allowed(settings):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert "kizuna.W001" in _deploy_warnings()


def test_check_deploy_is_quiet_about_ssrf_when_no_network_is_allowed(settings):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = []
    assert "kizuna.W001" not in _deploy_warnings()


def test_an_allowed_network_that_is_not_a_cidr_is_a_check_error(settings):
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = ["localhost"]
    assert "kizuna.E001" in _deploy_warnings()
