import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kizuna.partners.models import PartnerProfile

pytestmark = pytest.mark.django_db

LINE = {"external_id": "old-9", "name": "株式会社テスト", "team_size": 4}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403)],
)
def test_only_partner_program_staff_import_and_export_partners(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("partners:staff_import")).status_code == status
    export = client.get(reverse("partners:staff_partners"), {"format": "csv"})
    assert export.status_code == status


def test_staff_upload_a_partner_file_see_the_dry_run_and_apply_it(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("p.jsonl", json.dumps(LINE).encode())
    page = client.post(reverse("partners:staff_import"), {"file": upload}, follow=True)
    assert page.context["counts"]["new"] == 1
    assert not PartnerProfile.objects.filter(external_id="old-9").exists()
    client.post(reverse("imports:apply", args=[page.context["job"].pk]))
    assert PartnerProfile.objects.get(external_id="old-9").team_size == 4


def test_the_partner_list_downloads_as_formula_safe_csv_and_xlsx(client, alice, bob_partner):
    PartnerProfile.objects.filter(organization__slug="bob-web-works").update(
        contact_name="=cmd|' /C calc'!A0"
    )
    client.force_login(alice)
    content = client.get(reverse("partners:staff_partners"), {"format": "csv"}).content
    assert content.startswith(b"\xef\xbb\xbf")
    assert "'=cmd|" in content.decode("utf-8-sig")
    xlsx = client.get(reverse("partners:staff_partners"), {"format": "xlsx"}).content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][1] == "name"
    assert rows[1][1] == "Bob Web Works"
    assert rows[1][14] == "'=cmd|' /C calc'!A0"
    page = client.get(reverse("partners:staff_partners")).content.decode()
    assert "format=xlsx" in page
