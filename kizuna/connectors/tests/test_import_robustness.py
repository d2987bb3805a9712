"""Whatever a person uploads, an import job ends checked or applied with a per-line report,
never with an exception: arbitrary bytes (hypothesis, derandomized and bounded) and the
known ways files go wrong."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuna.community import services as community
from kizuna.community.models import Activity
from kizuna.core import imports
from kizuna.core.models import ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSV_HEADER = b"source,external_id,type,occurred_at,member_platform,member_handle,title\n"


def run(kind: str, content: bytes, **options) -> ImportJob:
    """Upload, dry run and apply: both phases must end without the job failing."""
    job = imports.import_job_create(
        kind=kind,
        actor=None,
        file=SimpleUploadedFile("upload", content),
        filename="upload",
        options=options,
    )
    assert job.status == ImportJobStatus.CHECKED, job.error
    imports.import_job_request_apply(job=job, actor=None)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED, job.error
    return job


def rejected(job: ImportJob) -> list[str]:
    return [
        imports.reason_text(reason)
        for _line, status, reason in job.apply_report["lines"]
        if status == "rejected"
    ]


@pytest.fixture
def event():
    return community.event_upsert(
        actor=None,
        source="connpass",
        external_id="1",
        title="勉強会",
        starts_at="2026-03-18T19:00:00+09:00",
    )[0]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["source", "external_id", "type", "occurred_at", "member", "title"])
            | st.text(max_size=5),
            children,
            max_size=6,
        )
    ),
    max_leaves=12,
)


@BOUNDED
@given(content=st.binary(max_size=400))
def test_activity_jsonl_of_arbitrary_bytes_never_fails_the_job(content):
    run("activities", content, format="jsonl")


@BOUNDED
@given(lines=st.lists(json_values, max_size=5))
def test_activity_jsonl_of_arbitrary_json_never_fails_the_job(lines):
    run("activities", "\n".join(json.dumps(v) for v in lines).encode(), format="jsonl")


@BOUNDED
@given(content=st.binary(max_size=400))
def test_activity_csv_of_arbitrary_bytes_never_fails_the_job(content):
    run("activities", CSV_HEADER + content, format="csv")
    run("activities", content, format="csv")


@BOUNDED
@given(content=st.binary(max_size=400))
def test_a_slack_export_of_arbitrary_bytes_never_fails_the_job(content):
    run("activities", content, format="slack_zip")


@BOUNDED
@given(channels=json_values, users=json_values, day=json_values)
def test_a_slack_export_whose_json_has_the_wrong_shapes_never_fails_the_job(channels, users, day):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", json.dumps(channels))
        archive.writestr("users.json", json.dumps(users))
        archive.writestr("general/2026-03-18.json", json.dumps(day))
        archive.writestr("x/2026-03-18.json", json.dumps(day))
    run("activities", buffer.getvalue(), format="slack_zip")


@BOUNDED
@given(content=st.binary(max_size=400))
def test_a_connpass_list_of_arbitrary_bytes_never_fails_the_job(content):
    event = community.event_upsert(
        actor=None, source="connpass", external_id="1", title="勉強会",
        starts_at="2026-03-18T19:00:00+09:00",
    )[0]  # fmt: skip
    header = "参加枠名,ユーザー名,表示名,参加ステータス,出欠ステータス\n".encode()
    run("connpass_participants", header + content, event_id=event.pk)
    run("connpass_participants", content, event_id=event.pk)


def test_a_field_over_the_csv_modules_limit_rejects_its_line_alone():
    content = (
        CSV_HEADER
        + b'sheet,1,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,"'
        + b"x" * 200_000
        + b'"\nsheet,2,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,ok\n'
    )
    job = run("activities", content, format="csv")
    assert any("field larger than field limit" in reason for reason in rejected(job))
    assert list(Activity.objects.values_list("external_id", flat=True)) == ["2"]


def test_a_shift_jis_csv_where_utf8_is_expected_is_rejected_line_by_line():
    content = CSV_HEADER + (
        "sheet,1,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,日本語\n"
        "sheet,2,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,ascii\n"
    ).encode("cp932")
    job = run("activities", content, format="csv")
    assert job.apply_report["lines"][0][:2] == [2, "rejected"]
    assert "bad_encoding" in imports.reason_text(job.apply_report["lines"][0][2])
    assert list(Activity.objects.values_list("external_id", flat=True)) == ["2"]


def test_a_nul_character_rejects_its_line_alone():
    content = CSV_HEADER + (
        b"sheet,1,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,a\x00b\n"
        b"sheet,2,blog_post,2026-03-20T21:00:00+09:00,zenn,dave,ok\n"
    )
    job = run("activities", content, format="csv")
    assert any("NUL" in reason for reason in rejected(job))
    assert list(Activity.objects.values_list("external_id", flat=True)) == ["2"]


def test_a_slack_export_that_is_not_a_zip_is_rejected():
    job = run("activities", b"PK\x03\x04 not really", format="slack_zip")
    assert "bad_zip" in rejected(job)[0]


def test_a_zip_bomb_is_refused_by_its_expansion_ratio(settings):
    settings.KIZUNA_IMPORT_ZIP_MAX_RATIO = 100
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("channels.json", b"[" + b" " * 1_000_000 + b"]")
    job = run("activities", buffer.getvalue(), format="slack_zip")
    assert "zip_ratio" in rejected(job)[0]


def test_a_zip_expanding_beyond_the_size_cap_is_refused(settings):
    settings.KIZUNA_IMPORT_ZIP_MAX_BYTES = 1000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", b"[]" + b" " * 2000)
    job = run("activities", buffer.getvalue(), format="slack_zip")
    assert "zip_too_large" in rejected(job)[0]


def test_a_slack_message_with_an_out_of_range_timestamp_is_rejected_alone():
    buffer = io.BytesIO()
    good = {"user": "U1", "ts": "1710756000.000100", "text": "hi"}
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "general"}]))
        archive.writestr(
            "general/2024-03-18.json",
            json.dumps([{"user": "U1", "ts": "1e400"}, "not a message", good]),
        )
    job = run("activities", buffer.getvalue(), format="slack_zip")
    assert len(rejected(job)) == 2
    assert Activity.objects.count() == 1
