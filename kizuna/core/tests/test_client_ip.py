"""The client address: forwarding headers are believed only from configured proxies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from kizuna.core.models import AuditEntry
from kizuna.core.request_context import client_ip

ROOT = Path(__file__).resolve().parents[3]


def address_of(remote_addr, **headers):
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)
    return client_ip(request)


def test_without_trusted_proxies_the_socket_address_is_the_client(settings):
    settings.KIZUNA_TRUSTED_PROXIES = []
    assert address_of("203.0.113.5", x_forwarded_for="198.51.100.7") == "203.0.113.5"


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of("203.0.113.5", x_forwarded_for="10.0.0.9, 1.2.3.4") == "203.0.113.5"


def test_behind_a_trusted_proxy_the_client_it_saw_is_taken(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["127.0.0.1"]
    assert address_of("127.0.0.1", x_forwarded_for="198.51.100.7") == "198.51.100.7"


def test_what_the_client_wrote_left_of_the_proxys_entry_is_not_believed(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    forwarded = "6.6.6.6, 198.51.100.7"  # the client sent "6.6.6.6", the proxy appended
    assert address_of("10.0.0.1", x_forwarded_for=forwarded) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    forwarded = "6.6.6.6, 198.51.100.7, 192.0.2.10, 10.1.2.3"
    assert address_of("10.0.0.1", x_forwarded_for=forwarded) == "198.51.100.7"


def test_a_trusted_proxy_without_or_with_a_malformed_header_is_the_client(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of("10.0.0.1") == "10.0.0.1"
    assert address_of("10.0.0.1", x_forwarded_for="not-an-ip, 198.51.100.7") == "10.0.0.1"


def test_ports_and_ipv4_mapped_addresses_are_understood(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of("::ffff:10.0.0.1", x_forwarded_for="198.51.100.7:4711") == "198.51.100.7"


def test_the_header_read_is_a_setting(settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.KIZUNA_CLIENT_IP_HEADER = "X-Real-IP"
    assert address_of("10.0.0.1", x_real_ip="198.51.100.7", x_forwarded_for="1.2.3.4") == (
        "198.51.100.7"
    )


@pytest.mark.django_db
def test_the_audit_log_records_the_client_behind_the_proxy(client, bob, settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["127.0.0.1"]
    client.force_login(bob)
    client.post(
        "/accounts/settings/tokens/",
        {"name": "ci", "scopes": ["account:read"]},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert AuditEntry.objects.get(action="api_token.created").ip_address == "203.0.113.9"


@pytest.mark.django_db
def test_per_ip_limits_cannot_be_dodged_with_a_spoofed_header(client, settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 2
    statuses = [
        client.get(
            "/api/v1/directory/search",
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_per_ip_limits_tell_clients_behind_one_proxy_apart(client, settings):
    settings.KIZUNA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 1

    def search(forwarded):
        return client.get(
            "/api/v1/directory/search", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [search("198.51.100.1"), search("198.51.100.2"), search("198.51.100.1")] == [
        200,
        200,
        429,
    ]


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    environment = {**os.environ, "KIZUNA_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "KIZUNA_TRUSTED_PROXIES must list IP addresses or CIDR networks" in result.stderr
