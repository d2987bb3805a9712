import json
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.community import services as community
from kizuna.community.models import Attendance
from kizuna.core import imports
from kizuna.core.tests.browser import sign_in
from kizuna.partners.models import PartnerProfile
from kizuna.site.tests.test_screenshots import BROKEN_SHORT_CELLS
from kizuna.tests.test_import_reason_languages import ACTIVITY_LINES

from .conftest import FIXTURES

SCREENSHOTS = Path(tempfile.gettempdir())

pytestmark = pytest.mark.browser


def both_widths(page, name):
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_staff_import_a_connpass_participant_list_with_a_dry_run_then_apply(page, alice):
    event, _ = community.event_upsert(
        actor=None, source="connpass", external_id="330003", title="勉強会 #11",
        starts_at="2026-03-18T19:00:00+09:00",
    )  # fmt: skip
    sign_in(page, alice.email, PASSWORD)
    page.goto("/connectors/import/")
    page.get_by_role("link", name="connpass の参加者リストを取り込む").click()
    both_widths(page, "connpass-upload")
    page.get_by_label("イベント").select_option(str(event.pk))
    page.get_by_label("参加者CSV").set_input_files(str(FIXTURES / "connpass_participants.csv"))
    page.get_by_role("button", name="ファイルを確認").click()
    expect(page.get_by_test_id("job-status")).to_have_text("確認済み")
    expect(page.locator("[data-count=new]")).to_have_text("6")
    both_widths(page, "import-job-checked")
    assert not Attendance.objects.exists()
    page.get_by_role("button", name="インポートを適用").click()
    expect(page.get_by_test_id("job-status")).to_have_text("適用済み")
    both_widths(page, "import-job-applied")
    assert Attendance.objects.count() == 6


def test_staff_import_partners_from_a_file_and_download_the_list(page, alice, tmp_path):
    source = tmp_path / "partners.jsonl"
    source.write_text(
        json.dumps({"external_id": "old-7", "name": "株式会社みなと"}, ensure_ascii=False) + "\n"
        "{broken\n",
        encoding="utf-8",
    )
    sign_in(page, alice.email, PASSWORD)
    page.goto("/partners/staff/partners/")
    page.get_by_role("link", name="ファイルからパートナーを取り込む").click()
    both_widths(page, "partners-import")
    page.get_by_label("ファイル").set_input_files(str(source))
    page.get_by_role("button", name="ファイルを確認").click()
    expect(page.locator("[data-count=rejected]")).to_have_text("1")
    expect(page.locator("[data-line='2']")).to_contain_text("JSON として読めません")
    page.get_by_role("button", name="インポートを適用").click()
    expect(page.get_by_test_id("job-status")).to_have_text("適用済み")
    assert PartnerProfile.objects.filter(external_id="old-7").exists()
    page.goto("/partners/staff/partners/")
    both_widths(page, "partners-list-exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（XLSX）").click()
    assert download.value.suggested_filename == "partners.xlsx"


def test_a_report_of_rejected_lines_reads_on_a_phone(page, alice):
    """Long reasons wrap in their own column; the line number and the outcome stay whole."""
    job = imports.import_job_create(
        kind="activities",
        actor=alice,
        file=SimpleUploadedFile("a.jsonl", ACTIVITY_LINES),
        filename="a.jsonl",
    )
    sign_in(page, alice.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(reverse("imports:job", args=[job.pk]))
    expect(page.locator("[data-outcome=rejected]")).to_have_count(14)
    page.screenshot(path=str(SCREENSHOTS / "import-job-rejections-390.png"), full_page=True)
    assert page.evaluate(BROKEN_SHORT_CELLS) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
