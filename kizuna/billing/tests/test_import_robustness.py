"""Bank statements as import jobs: arbitrary bytes never fail the job; a line in neither
UTF-8 nor Shift_JIS, or with an amount beyond any deposit, is rejected alone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuna.billing.models import Deposit
from kizuna.core import imports
from kizuna.core.models import ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db

HEADER = "日付,内容,出金金額(円),入金金額(円),残高(円)\n"


def run(content: bytes) -> ImportJob:
    job = imports.import_job_create(
        kind="bank_statement",
        actor=None,
        file=SimpleUploadedFile("s.csv", content),
        filename="s.csv",
        options={"layout": "jp_internet_bank"},
    )
    assert job.status == ImportJobStatus.CHECKED, job.error
    imports.import_job_request_apply(job=job, actor=None)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED, job.error
    return job


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(max_size=400))
def test_a_statement_of_arbitrary_bytes_never_fails_the_job(content):
    run(HEADER.encode("cp932") + content)
    run(content)


def test_shift_jis_lines_are_read_and_a_broken_line_or_a_huge_amount_is_rejected_alone():
    content = (
        HEADER.encode("cp932")
        + "2026/04/20,ﾔﾏﾀﾞ ﾀﾛｳ,,5000,1\n".encode("cp932")
        + b"2026/04/21,\x81 ,,5000,1\n"
        + b"2026/04/22,BIG,,99999999999999999999999,1\n"
        + "2026/04/23,ｽｽﾞｷ,,7000,1\n".encode("cp932")
    )
    job = run(content)
    assert job.apply_report["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert [line[:2] for line in job.apply_report["lines"]] == [
        [2, "new"],
        [3, "rejected"],
        [4, "rejected"],
        [5, "new"],
    ]
    assert sorted(Deposit.objects.values_list("amount", flat=True)) == [5000, 7000]


def test_the_same_statement_applied_twice_changes_nothing():
    content = (HEADER + "2026/04/20,ﾔﾏﾀﾞ ﾀﾛｳ,,5000,1\n").encode("cp932")
    run(content)
    again = run(content)
    assert again.apply_report["counts"]["unchanged"] == 1
    assert Deposit.objects.count() == 1
