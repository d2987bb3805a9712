"""Large imports parse their batches in a worker process (ingest._ParsingWorker)."""

import orjson
import pytest

from kizuna.community import ingest, services
from kizuna.community.models import Activity, Member

pytestmark = pytest.mark.django_db


def json_line(n: int, handle: str = "dave") -> bytes:
    return orjson.dumps(
        {
            "source": "test",
            "external_id": f"x-{n}",
            "type": "blog_post",
            "occurred_at": "2026-04-01T10:00:00+09:00",
            "member": {"platform": "zenn", "handle": handle, "name": "Dave 大野"},
        }
    )


def ingest_lines(raw_lines: list[bytes], outcomes: list | None = None):
    return services.activities_ingest(
        records=list(enumerate(raw_lines, start=1)),
        batch_size=2,
        on_outcome=None if outcomes is None else outcomes.append,
    )


def test_batches_after_the_first_are_parsed_in_the_worker_process(monkeypatch):
    parsed_here: list[int] = []
    parse_here = ingest.parse_batch

    def counting(records, *args):
        parsed_here.append(len(records))
        return parse_here(records, *args)

    monkeypatch.setattr(ingest, "parse_batch", counting)
    summary = ingest_lines([json_line(n, handle=f"h{n % 3}") for n in range(7)])

    assert parsed_here == [2]  # the first batch; the other three went to the worker
    assert (summary.created, summary.members_created) == (7, 3)
    assert sorted(Activity.objects.values_list("external_id", flat=True)) == [
        f"x-{n}" for n in range(7)
    ]


def test_lines_the_worker_rejects_are_reported_with_their_line_numbers():
    outcomes: list = []
    raw_lines = [json_line(1), json_line(2), json_line(3), b'{"source": ', json_line(5)]
    summary = ingest_lines(raw_lines, outcomes)

    assert (summary.created, summary.rejected) == (4, 1)
    assert [(o.line, o.status, o.reason.split(":")[0]) for o in outcomes] == [
        (1, "created", ""),
        (2, "created", ""),
        (3, "created", ""),
        (4, "rejected", "bad_json"),
        (5, "created", ""),
    ]


def test_a_worker_that_dies_stops_the_import_after_the_batch_parsed_before(monkeypatch):
    monkeypatch.setattr(ingest, "_WORKER_MAIN", "import sys; sys.exit(3)")
    raw_lines = [json_line(n) for n in range(6)]

    with pytest.raises(ingest.WorkerStopped, match="exit code 3"):
        ingest_lines(raw_lines)
    assert Activity.objects.count() == 2  # the first batch, parsed in this process

    monkeypatch.undo()
    summary = ingest_lines(raw_lines)
    assert (summary.created, summary.unchanged) == (4, 2)
    assert Member.objects.count() == 1


def test_an_error_inside_the_worker_is_raised_in_the_importing_process(monkeypatch):
    failing_worker = (
        "import sys; from kizuna.community import lines; "
        "lines.parse_batch = lambda *args: 1 / 0; "
        "lines.serve_parsing(sys.stdin.buffer, sys.stdout.buffer)"
    )
    monkeypatch.setattr(ingest, "_WORKER_MAIN", failing_worker)

    with pytest.raises(ZeroDivisionError):
        ingest_lines([json_line(n) for n in range(4)])
    assert Activity.objects.count() == 2


def test_the_worker_ends_when_its_input_closes_as_when_the_importer_is_killed():
    worker = ingest._ParsingWorker({"blog_post": True}, "sqlite")
    lines, rejections = worker.parse([(1, json_line(1))])()
    assert ([line.external_id for line in lines], rejections) == (["x-1"], [])

    process = worker._process
    assert process is not None
    assert process.stdin is not None
    process.stdin.close()  # what the system does to the pipe when the importer dies
    assert process.wait(timeout=20) == 0
