"""Every importer's rejection reasons read in the reader's language (issue 19, item 5).

Each file below is rejected in as many ways as its importer knows; the report is then read
in English, where no reason may hold Japanese, and in Japanese, where every reason must.
The data in the files is in Latin letters, so any Japanese in an English reason is ours.
"""

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kizuna.core import imports
from kizuna.core.models import ImportJobStatus

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")


def _activity(n: int, **changes) -> dict:
    return {
        "source": "test",
        "external_id": f"x-{n}",
        "type": "blog_post",
        "occurred_at": "2026-04-01T10:00:00+09:00",
        "member": {"platform": "zenn", "handle": "dave"},
        **changes,
    }


def _jsonl(*lines) -> bytes:
    return b"\n".join(
        line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines
    )


ACTIVITY_LINES = _jsonl(
    b'{"source" "test"}',  # bad_json
    b"[1, 2]",  # not_an_object
    _activity(3, member="dave"),  # missing_member
    _activity(4, member={"platform": "zenn"}),  # missing_member (no handle)
    _activity(5, type="dance"),  # unknown_type
    _activity(6, output="yes"),  # bad_output
    _activity(7, title=["a"]),  # bad_title
    _activity(8, title="x" * 501),  # too_long
    _activity(9, url="javascript:alert(1)"),  # bad_url
    _activity(10, source=""),  # missing_source
    _activity(11, occurred_at=20260401),  # bad_occurred_at (not text)
    _activity(12, occurred_at="yesterday"),  # bad_occurred_at
    _activity(13, event_external_id="nope"),  # unknown_event
    _activity(14, body="a\u0000b"),  # bad_body (NUL)
)

ACTIVITY_CSV = (
    b"source,external_id,type,occurred_at,member_platform,member_handle,output\n"
    b"test,c-1,blog_post,2026-04-01T10:00:00+09:00,zenn,dave,maybe\n"
    b"test,c-2,blog_post,2026-04-01T10:00:00+09:00,zenn,dave,true,extra\n"
)


def _slack_export() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("users.json", json.dumps([{"id": "U1", "name": "dave"}]))
        archive.writestr(
            "channels.json",
            json.dumps([{"name": "general", "id": "C1"}, {"name": "random"}]),
        )
        archive.writestr("general/2026-04-01.json", json.dumps([1, {"user": "U1"}]))
        archive.writestr("general/2026-04-02.json", b'{"not": "a list"}')
        archive.writestr("general/2026-04-03.json", b"[{")
    return buffer.getvalue()


def _slack_export_without_channel_list() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", b'{"general": 1}')
    return buffer.getvalue()


PARTNER_LINES = _jsonl(
    b'{"external_id": 1,}',  # not JSON
    {"external_id": "p-1", "name": "", "team_size": -1, "colour": "red"},
    {"external_id": "p-2", "name": "Acme", "prefecture": "99", "website": "ftp://acme"},
    {"external_id": "p-3", "name": "Acme", "budget_min": 500, "budget_max": 100},
    {
        "external_id": "p-4",
        "name": "Acme",
        "accepting_new_clients": "maybe",
        "languages": "en",
        "summary": "x" * 301,
        "achievements": [{"external_id": "a", "title": "t", "completed_on": "2026-13-01"}],
    },
)

BANK_STATEMENT = (
    "日付,内容,出金金額(円),入金金額(円),残高(円)\n".encode("cp932")
    + b"someday,ACME,,5000,1\n"
    + b"2026/04/21,\x81 ,,5000,1\n"
)

CASES = {
    "activities (JSON Lines)": ("activities", ACTIVITY_LINES, {}),
    "activities (CSV)": ("activities", ACTIVITY_CSV, {"format": "csv"}),
    "activities (CSV without its columns)": ("activities", b"source\nx\n", {"format": "csv"}),
    "activities (Slack export)": ("activities", _slack_export(), {"format": "slack_zip"}),
    "activities (Slack export, no channel list)": (
        "activities",
        _slack_export_without_channel_list(),
        {"format": "slack_zip"},
    ),
    "activities (not a ZIP)": ("activities", b"not a zip", {"format": "slack_zip"}),
    "partners": ("partners", PARTNER_LINES, {}),
    "bank statement": ("bank_statement", BANK_STATEMENT, {"layout": "jp_internet_bank"}),
    "bank statement (other columns)": (
        "bank_statement",
        b"date,name\n2026-04-20,x\n",
        {"layout": "generic_en"},  # column names in Latin letters: they are data
    ),
}


def _rejections(kind: str, content: bytes, options: dict) -> list:
    job = imports.import_job_create(
        kind=kind,
        actor=None,
        file=SimpleUploadedFile("upload", content),
        filename="upload",
        options=options,
    )
    assert job.status == ImportJobStatus.CHECKED, job.error
    return [why for _line, status, why in job.check_report["lines"] if status == "rejected"]


def _read(why, language: str) -> str:
    with translation.override(language):
        return imports.reason_text(why)


@pytest.mark.parametrize("case", CASES)
def test_every_rejection_reads_in_the_readers_language(case):
    kind, content, options = CASES[case]
    rejections = _rejections(kind, content, options)
    assert rejections, "the file was meant to be rejected"
    for why in rejections:
        english, japanese = _read(why, "en"), _read(why, "ja")
        assert not JAPANESE.search(english), english
        assert JAPANESE.search(japanese), japanese


def test_a_rejection_keeps_its_code_first_in_both_languages():
    """API clients and scripts read the code before the colon; only the words after it
    change with the language."""
    rejections = _rejections("activities", ACTIVITY_LINES, {})
    codes = [_read(why, "en").split(":")[0] for why in rejections]
    assert codes == [_read(why, "ja").split(":")[0] for why in rejections]
    assert {"bad_json", "not_an_object", "unknown_type", "bad_title", "unknown_event"} <= set(codes)
