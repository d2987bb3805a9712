"""The staff delivery list downloads as CSV (UTF-8 with BOM, or Shift_JIS) and XLSX, with the
list's filters, formula-safe, and only for those who may see the list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kizuna.outreach.services import Content, Recipient, delivery_enqueue

pytestmark = pytest.mark.django_db

URL = reverse("outreach:delivery_list")


def queue(address, key, subject, channel="email"):
    return delivery_enqueue(
        channel=channel,
        recipient=Recipient(address=address),
        purpose="service",
        topic="billing",
        idempotency_key=key,
        content=Content(subject, "本文"),
    )


@pytest.fixture
def deliveries():
    return [
        queue("hanako@example.com", "k1", '=HYPERLINK("http://evil.example","請求書")'),
        queue("taro@example.com", "k2", "ご請求のお知らせ"),
    ]


def test_the_delivery_list_downloads_as_utf8_csv_with_a_bom_and_formulas_neutralised(
    client, alice, deliveries
):
    client.force_login(alice)
    assert "format=xlsx" in client.get(URL).content.decode()
    response = client.get(URL, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="deliveries.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,created_at,channel,address,user,purpose")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert '"=HYPERLINK' not in text


def test_the_delivery_list_downloads_as_shift_jis_csv_on_request(client, alice, deliveries):
    client.force_login(alice)
    response = client.get(URL, {"format": "csv", "encoding": "shift_jis"})
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert "ご請求のお知らせ".encode("cp932") in response.content
    assert "ご請求のお知らせ" in response.content.decode("cp932")


def test_the_delivery_list_downloads_as_xlsx_with_the_lists_filters(client, alice, deliveries):
    client.force_login(alice)
    response = client.get(URL, {"format": "xlsx", "recipient": "hanako"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and hanako's delivery only
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["address"] == "hanako@example.com"
    assert record["subject"] == '\'=HYPERLINK("http://evil.example","請求書")'
    assert record["id"] == deliveries[0].pk  # numbers stay numbers


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
def test_nobody_without_the_outreach_role_downloads_the_delivery_list(
    client, personas, persona, deliveries
):
    client.force_login(personas[persona])
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 403
    assert b"hanako@example.com" not in response.content
