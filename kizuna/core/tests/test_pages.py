import pytest
from django.urls import reverse

from kizuna.core import worker
from kizuna.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_an_absent_worker_to_staff(client, alice):
    client.force_login(alice)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"]["state"] == "absent"
    assert body["database"] in ("sqlite", "postgresql")


def test_healthz_is_ok_with_a_live_worker(client):
    from django.utils import timezone

    worker.beat("w", started_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"
    assert WorkerHeartbeat.objects.count() == 1


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_admin_sign_in_goes_through_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Kizuna API"
