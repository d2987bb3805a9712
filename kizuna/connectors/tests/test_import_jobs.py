"""Import jobs end to end with the connectors' importers: upload, dry run, apply, resume."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kizuna.community import services as community
from kizuna.community.models import Activity, Attendance
from kizuna.connectors.importers import ActivityImporter
from kizuna.core import imports
from kizuna.core.models import AuditEntry, ImportJob, ImportJobStatus

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What SIGKILL does to a worker: nothing after this point runs, no handler sees it."""


def activity_lines(count: int) -> bytes:
    return "".join(
        json.dumps(
            {
                "source": "sheet",
                "external_id": f"row-{n}",
                "type": "blog_post",
                "occurred_at": "2026-03-20T21:00:00+09:00",
                "member": {"platform": "zenn", "handle": f"person{n % 7}"},
                "title": f"記事 {n}",
            }
        )
        + "\n"
        for n in range(1, count + 1)
    ).encode()


def upload(alice, content: bytes, name: str = "a.jsonl", **options) -> ImportJob:
    return imports.import_job_create(
        kind="activities",
        actor=alice,
        file=SimpleUploadedFile(name, content),
        filename=name,
        options={"format": "jsonl", **options},
    )


def apply(job: ImportJob) -> ImportJob:
    assert imports.import_job_request_apply(job=job, actor=job.created_by)
    job.refresh_from_db()
    return job


def test_an_upload_is_dry_run_by_the_worker_and_stores_nothing_until_applied(alice):
    job = upload(alice, (FIXTURES / "activities.jsonl").read_bytes())
    assert job.status == ImportJobStatus.CHECKED
    assert job.check_report["counts"]["new"] == 2
    rejected = [line for line in job.check_report["lines"] if line[1] == "rejected"]
    assert any("unknown_type" in imports.reason_text(reason) for _, _, reason in rejected)
    assert not Activity.objects.exists()
    job = apply(job)
    assert job.status == ImportJobStatus.APPLIED
    assert job.apply_report["counts"]["new"] == 2
    assert Activity.objects.count() == 2
    assert AuditEntry.objects.filter(action="import_job.applied").count() == 1


def test_the_same_file_applied_twice_changes_nothing(alice):
    content = activity_lines(30)
    apply(upload(alice, content))
    stored = sorted(Activity.objects.values_list("external_id", "member_id"))
    second = apply(upload(alice, content))
    assert second.check_report["counts"] == {"new": 0, "updated": 0, "unchanged": 30, "rejected": 0}
    assert second.apply_report["counts"]["unchanged"] == 30
    assert sorted(Activity.objects.values_list("external_id", "member_id")) == stored


def test_a_worker_killed_mid_apply_resumes_after_the_committed_chunks_without_duplicates(
    alice, monkeypatch
):
    monkeypatch.setattr(ActivityImporter, "chunk_size", 10)
    job = upload(alice, activity_lines(45))
    process = ActivityImporter.process
    calls = []

    def killed_after_two_chunks(self, job, units, **kwargs):
        if not kwargs["dry_run"]:
            calls.append(len(units))
            if len(calls) == 3:
                raise Killed
        return process(self, job, units, **kwargs)

    monkeypatch.setattr(ActivityImporter, "process", killed_after_two_chunks)
    imports.import_job_request_apply(job=job, actor=alice, enqueue=False)
    with pytest.raises(Killed):
        imports.import_job_apply(job=job)
    job.refresh_from_db()
    assert (job.status, job.applied_units) == (ImportJobStatus.APPLYING, 20)
    assert Activity.objects.count() == 20

    # The orphaned task is put back on the queue and runs again.
    job = imports.import_job_apply(job=job)
    assert job.status == ImportJobStatus.APPLIED
    assert job.applied_units == 45
    assert job.apply_report["counts"] == {"new": 45, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Activity.objects.count() == 45
    assert Activity.objects.values("external_id").distinct().count() == 45


def test_a_job_that_raises_is_failed_with_its_error_and_its_file_pruned(alice, monkeypatch):
    def broken(self, job, units, **kwargs):
        raise RuntimeError("importer bug")

    monkeypatch.setattr(ActivityImporter, "process", broken)
    job = upload(alice, activity_lines(3))
    assert job.status == ImportJobStatus.FAILED
    assert "importer bug" in job.error
    path = job.file.path
    assert imports.import_files_prune() == 1
    job.refresh_from_db()
    assert job.file_pruned
    assert not job.file
    assert not Path(path).exists()


def test_a_cancelled_job_cannot_be_applied_and_keeps_its_file_until_pruned(alice):
    job = upload(alice, activity_lines(3))
    assert imports.import_job_cancel(job=job, actor=alice)
    assert not imports.import_job_request_apply(job=job, actor=alice)
    assert job.file
    imports.import_files_prune()
    job.refresh_from_db()
    assert job.file_pruned
    assert not Activity.objects.exists()


def test_a_running_job_keeps_its_file_when_files_are_pruned(alice):
    job = imports.import_job_create(
        kind="activities",
        actor=alice,
        file=SimpleUploadedFile("a.jsonl", activity_lines(2)),
        filename="a.jsonl",
        enqueue=False,
    )
    assert imports.import_files_prune() == 0
    job.refresh_from_db()
    assert job.file
    assert not job.file_pruned


def test_an_upload_over_the_size_limit_is_refused(alice, settings):
    settings.KIZUNA_IMPORT_MAX_UPLOAD_BYTES = 10
    with pytest.raises(imports.ValidationError):
        upload(alice, activity_lines(3))
    assert not ImportJob.objects.exists()


def test_the_job_page_polls_while_the_job_runs_and_stops_when_it_is_checked(client, alice):
    job = imports.import_job_create(
        kind="activities",
        actor=alice,
        file=SimpleUploadedFile("a.jsonl", activity_lines(2)),
        filename="a.jsonl",
        options={"format": "jsonl"},
        enqueue=False,
    )
    client.force_login(alice)
    url = reverse("imports:job", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "<html" not in fragment
    imports.import_job_check(job=job)
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' not in page
    assert reverse("imports:apply", args=[job.pk]) in page


def test_the_page_applies_and_the_applied_job_cannot_be_applied_again(client, alice):
    job = upload(alice, activity_lines(2))
    client.force_login(alice)
    client.post(reverse("imports:apply", args=[job.pk]))
    client.post(reverse("imports:apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.APPLIED
    assert Activity.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("alice", True), ("bob", False), ("carol", False), ("dave", False), ("eve", False)],
)
def test_only_community_staff_see_and_drive_activity_import_jobs(
    client, personas, persona, allowed
):
    job = upload(personas["alice"], activity_lines(2))
    client.force_login(personas[persona])
    expected = 200 if allowed else 403
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == expected
    assert client.get(reverse("connectors:import")).status_code == expected
    assert client.get(reverse("connectors:import_connpass")).status_code == expected
    cancel = client.post(reverse("imports:cancel", args=[job.pk]))
    assert cancel.status_code == (302 if allowed else 403)
    job.refresh_from_db()
    assert (job.status == ImportJobStatus.CANCELLED) is allowed


def test_anonymous_visitors_are_sent_to_sign_in_from_a_job_page(client, alice):
    job = upload(alice, activity_lines(1))
    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.fixture
def connpass_event():
    event, _ = community.event_upsert(
        actor=None,
        source="connpass",
        external_id="330003",
        title="勉強会 #11",
        starts_at="2026-03-18T19:00:00+09:00",
    )
    return event


def test_connpass_upload_page_dry_runs_then_applies_a_participant_list(
    client, alice, connpass_event
):
    client.force_login(alice)
    with (FIXTURES / "connpass_participants.csv").open("rb") as csv_file:
        page = client.post(
            reverse("connectors:import_connpass"),
            {"event": connpass_event.pk, "file": csv_file},
            follow=True,
        )
    assert page.context["counts"]["new"] == 6
    assert not Attendance.objects.exists()
    job = page.context["job"]
    client.post(reverse("imports:apply", args=[job.pk]))
    assert Attendance.objects.count() == 6
    assert Activity.objects.count() == 3

    # The same list again: every line unchanged, nothing added.
    with (FIXTURES / "connpass_participants.csv").open("rb") as csv_file:
        again = client.post(
            reverse("connectors:import_connpass"),
            {"event": connpass_event.pk, "file": csv_file},
            follow=True,
        )
    assert again.context["counts"]["unchanged"] == 6
    client.post(reverse("imports:apply", args=[again.context["job"].pk]))
    assert (Attendance.objects.count(), Activity.objects.count()) == (6, 3)


def test_a_shift_jis_connpass_list_is_read_and_a_broken_line_rejected_alone(alice, connpass_event):
    text = (FIXTURES / "connpass_participants.csv").read_text(encoding="utf-8-sig")
    lines = text.encode("cp932").splitlines(keepends=True)
    content = b"".join([*lines[:2], b"\xff\xfe\x80broken,\x81\n", *lines[2:]])
    job = imports.import_job_create(
        kind="connpass_participants",
        actor=alice,
        file=SimpleUploadedFile("p.csv", content),
        filename="p.csv",
        options={"event_id": connpass_event.pk},
    )
    assert job.check_report["counts"]["new"] == 6
    assert job.check_report["counts"]["rejected"] == 1
    [[line, _status, reason]] = [
        entry for entry in job.check_report["lines"] if entry[1] == "rejected"
    ]
    assert line == 3
    assert "bad_encoding" in imports.reason_text(reason)


def test_the_upload_request_only_stores_the_file_and_queues_the_dry_run(client, alice, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(alice)
    client.post(
        reverse("connectors:import"),
        {"file": SimpleUploadedFile("a.jsonl", activity_lines(3)), "format": "jsonl"},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.UPLOADED
    assert job.check_report == {}
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "kizuna.core.tasks.run_import_job"
    assert queued.args_kwargs["args"] == [job.pk, "check"]
