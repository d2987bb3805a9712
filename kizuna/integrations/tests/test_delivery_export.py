"""An endpoint's delivery log downloads as CSV (UTF-8 with BOM, or Shift_JIS) and XLSX, with
each delivery's last attempt, formula-safe, for whoever may see the endpoint."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kizuna.integrations import services
from kizuna.integrations.models import DeliveryStatus, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","受信エラー")'


def _org(user):
    return user.memberships.get().organization


def _endpoint_of(user, organization):
    return services.webhook_endpoint_create(
        actor=user,
        organization=organization,
        url="https://hooks.example.com/" + user.email.split("@")[0],
        event_types=["lead.accepted"],
    )


def _delivery(endpoint, n, *, excerpt):
    """A delivery whose receiver answered 500 with `excerpt`, as the sender records it."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        webhook_id=f"msg_{n}_{endpoint.pk}",
        event_type="lead.accepted",
        body="{}",
        status=DeliveryStatus.PENDING,
        attempt_count=1,
        last_status_code=500,
        next_attempt_at=timezone.now(),
    )
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=1,
        attempted_at=timezone.now(),
        status_code=500,
        response_ms=12,
        response_excerpt=excerpt,
    )
    return delivery


@pytest.fixture
def bobs_endpoint(bob):
    endpoint = _endpoint_of(bob, _org(bob))
    _delivery(endpoint, 1, excerpt=FORMULA)
    _delivery(endpoint, 2, excerpt="サーバーが混み合っています")
    return endpoint


def _url(endpoint):
    return reverse("integrations:endpoint_detail", args=[endpoint.pk])


def test_the_delivery_log_downloads_as_utf8_csv_with_formulas_neutralised(
    client, bob, bobs_endpoint
):
    client.force_login(bob)
    assert "format=xlsx" in client.get(_url(bobs_endpoint)).content.decode()
    response = client.get(_url(bobs_endpoint), {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="webhook-deliveries-{bobs_endpoint.pk}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("webhook_id,event_type,status,attempts")
    assert "'=HYPERLINK" in text
    assert ',"=HYPERLINK' not in text


def test_the_delivery_log_downloads_as_shift_jis_csv_on_request(client, bob, bobs_endpoint):
    client.force_login(bob)
    response = client.get(_url(bobs_endpoint), {"format": "csv", "encoding": "shift_jis"})
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    assert "サーバーが混み合っています".encode("cp932") in response.content


def test_the_delivery_log_downloads_as_xlsx_with_the_status_filter(client, alice, bobs_endpoint):
    WebhookDelivery.objects.filter(webhook_id__startswith="msg_2_").update(
        status=DeliveryStatus.SUCCEEDED
    )
    client.force_login(alice)
    response = client.get(_url(bobs_endpoint), {"format": "xlsx", "status": "pending"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one pending delivery
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["webhook_id"] == f"msg_1_{bobs_endpoint.pk}"
    assert record["last_response"] == "'" + FORMULA
    assert (record["attempts"], record["last_status_code"]) == (1, 500)


@pytest.mark.parametrize(
    ("persona", "may_download"),
    [("alice", True), ("bob", True), ("carol", False), ("dave", False), ("eve", False)],
)
def test_only_staff_and_the_endpoints_partner_download_its_delivery_log(
    client, personas, bobs_endpoint, persona, may_download
):
    client.force_login(personas[persona])
    response = client.get(_url(bobs_endpoint), {"format": "csv"})
    assert (response.status_code == 200) is may_download
    assert (b"msg_1_" in response.content) is may_download
