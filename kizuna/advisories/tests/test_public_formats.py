"""What the public and machines read: OSV JSON, the Atom feed, security.txt, the report form."""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kizuna.advisories import services
from kizuna.advisories.models import VulnerabilityReport

pytestmark = pytest.mark.django_db

# The OSV schema (ossf/osv-schema validation/schema.json, Apache-2.0) is not vendored here;
# it is read from the steering repository's shared/ folder when present.
OSV_SCHEMA = Path(
    os.environ.get(
        "KIZUNA_OSV_SCHEMA",
        Path(settings.BASE_DIR).parent / "shared" / "osv-schema" / "schema.json",
    )
)


@pytest.fixture
def published(alice, shared_advisory):
    return services.advisory_publish(actor=alice, advisory=shared_advisory)


def _osv(client, advisory):
    response = client.get(reverse("advisories:osv", args=[advisory.identifier]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_osv_json_carries_the_advisory_in_the_schemas_terms(client, published):
    document = _osv(client, published)
    assert re.fullmatch(r"x_KIZUNA-\d{4}-\d{4}", document["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["modified"])
    assert document["aliases"] == ["CVE-2026-10001"]
    assert document["severity"] == [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}
    ]
    assert document["affected"] == [
        {
            "package": {"ecosystem": "Packagist", "name": "ec-cube/ec-cube"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "4.0.0"}, {"fixed": "4.2.3"}]}
            ],
        }
    ]
    assert document["database_specific"]["title_ja"] == "受注管理画面のクロスサイトスクリプティング"


@pytest.mark.skipif(not OSV_SCHEMA.exists(), reason=f"OSV schema not found at {OSV_SCHEMA}")
def test_osv_json_is_valid_against_the_osv_schema(client, published):
    import jsonschema

    schema = json.loads(OSV_SCHEMA.read_text())
    jsonschema.validate(_osv(client, published), schema, format_checker=jsonschema.FormatChecker())


def test_the_atom_feed_lists_published_advisories(client, published):
    response = client.get(reverse("advisories:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert published.identifier in response.content.decode()


def test_security_txt_follows_rfc_9116(client, settings):
    settings.KIZUNA_SECURITY_CONTACT_EMAIL = "security@example.jp"
    response = client.get("/.well-known/security.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert re.search(r"^Contact: https?://\S+/advisories/report/$", body, re.M)
    assert "Contact: mailto:security@example.jp" in body
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body, re.M)


def _report(client, **overrides):
    data = {"name": "研究者", "email": "r@example.jp", "product": "ec-cube 4.2.1", "details": "XSS"}
    data.update(overrides)
    return client.post(reverse("advisories:report"), data)


def test_a_vulnerability_report_is_stored_and_thanked(client):
    assert _report(client).status_code == 200
    assert VulnerabilityReport.objects.get().product == "ec-cube 4.2.1"


def test_a_bot_filling_the_hidden_field_is_thanked_but_not_stored(client):
    assert _report(client, website="http://spam.example").status_code == 200
    assert not VulnerabilityReport.objects.exists()


def test_reports_are_rate_limited_per_address_with_retry_after(client):
    for _ in range(5):
        _report(client)
    response = _report(client)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert VulnerabilityReport.objects.count() == 5
