"""`import_partners` files as import jobs: arbitrary bytes and out-of-range numbers never
fail the job; the bad line is rejected and the others are imported."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuna.core import imports
from kizuna.core.models import ImportJob, ImportJobStatus
from kizuna.partners.models import PartnerProfile

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def run(content: bytes) -> ImportJob:
    job = imports.import_job_create(
        kind="partners", actor=None, file=SimpleUploadedFile("p.jsonl", content), filename="p"
    )
    assert job.status == ImportJobStatus.CHECKED, job.error
    imports.import_job_request_apply(job=job, actor=None)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED, job.error
    return job


@BOUNDED
@given(content=st.binary(max_size=400))
def test_a_partner_file_of_arbitrary_bytes_never_fails_the_job(content):
    run(content)


@BOUNDED
@given(
    values=st.dictionaries(
        st.sampled_from(["name", "team_size", "budget_min", "website", "prefecture", "summary"]),
        st.none()
        | st.integers(min_value=-(2**80), max_value=2**80)
        | st.text(max_size=400)
        | st.lists(st.text(max_size=3), max_size=3),
    )
)
def test_partner_lines_of_arbitrary_values_never_fail_the_job(values):
    run(json.dumps({"external_id": "x-1", "name": "Acme", **values}).encode())


def test_a_number_over_64_bits_rejects_its_line_and_the_next_line_is_imported():
    lines = [
        {"external_id": "big", "name": "Big", "team_size": 2**70},
        {"external_id": "ok", "name": "OK", "team_size": 3},
    ]
    job = run("\n".join(json.dumps(line) for line in lines).encode())
    [[line, status, reason]] = job.apply_report["lines"][:1]
    assert (line, status) == (1, "rejected")
    assert "team_size" in imports.reason_text(reason)
    assert list(PartnerProfile.objects.values_list("external_id", flat=True)) == ["ok"]


def test_a_line_that_is_not_utf8_is_rejected_alone():
    content = '{"external_id": "sj", "name": "株式会社"}\n'.encode("cp932") + (
        b'{"external_id": "ok", "name": "OK"}\n'
    )
    job = run(content)
    assert job.apply_report["lines"][0][:2] == [1, "rejected"]
    assert "bad_encoding" in imports.reason_text(job.apply_report["lines"][0][2])
    assert list(PartnerProfile.objects.values_list("external_id", flat=True)) == ["ok"]
