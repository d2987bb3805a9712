"""Every staff list people export downloads as CSV (UTF-8 BOM or Shift_JIS) and XLSX through
core.exports, and only for those who may see the list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

STAFF_LISTS = [
    "partners:staff_partners",
    "partners:review_queue",
    "community:member_list",
    "directory:staff_leads",
    "billing:staff_invoices",
]


@pytest.mark.parametrize("name", [*STAFF_LISTS, "community:event_list"])
def test_lists_download_as_csv_shift_jis_csv_and_xlsx(client, alice, name):
    client.force_login(alice)
    url = reverse(name)
    assert "format=xlsx" in client.get(url).content.decode()
    csv_response = client.get(url, {"format": "csv"})
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    sjis = client.get(url, {"format": "csv", "encoding": "shift_jis"})
    assert sjis["Content-Type"] == "text/csv; charset=shift_jis"
    header = sjis.content.decode("cp932").splitlines()[0]
    assert header == csv_response.content.decode("utf-8-sig").splitlines()[0]
    xlsx = client.get(url, {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == header.split(",")


@pytest.mark.parametrize("name", STAFF_LISTS)
@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
def test_nobody_but_staff_downloads_a_staff_list(client, personas, persona, name):
    client.force_login(personas[persona])
    assert client.get(reverse(name), {"format": "xlsx"}).status_code in (403, 404)


def test_event_attendance_downloads_for_staff_only(client, alice, dave):
    from kizuna.community import services as community

    event, _ = community.event_upsert(
        actor=None, source="kizuna", external_id="e1", title="=勉強会",
        starts_at="2026-03-18T19:00:00+09:00",
    )  # fmt: skip
    url = reverse("community:event_detail", args=[event.pk])
    client.force_login(alice)
    content = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert content.splitlines()[0] == "member_id,member,role,status,first_time"
    events = client.get(reverse("community:event_list"), {"format": "csv"}).content
    assert "'=勉強会" in events.decode("utf-8-sig")
    client.force_login(dave)
    assert client.get(url, {"format": "csv"})["Content-Type"].startswith("text/html")
