"""Large imports parse their batches in a worker process (parsing.ParsingWorker)."""

import orjson
import pytest

from kizuna.community import ingest, parsing, services
from kizuna.community.models import Activity
from kizuna.core.reasons import reason_text

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
    assert [(o.line, o.status, reason_text(o.reason).split(":")[0]) for o in outcomes] == [
        (1, "created", ""),
        (2, "created", ""),
        (3, "created", ""),
        (4, "rejected", "bad_json"),
        (5, "created", ""),
    ]


def test_a_worker_that_cannot_start_leaves_the_parsing_to_the_importer(monkeypatch, caplog):
    monkeypatch.setattr(parsing, "WORKER_MAIN", "import sys; sys.exit(3)")
    summary = ingest_lines([json_line(n) for n in range(6)])

    assert summary.created == 6
    assert Activity.objects.count() == 6
    assert "parsing worker process: it stopped (exit code 3)" in caplog.text


def test_no_worker_is_started_where_the_interpreter_is_not_python(monkeypatch, caplog):
    monkeypatch.setattr(parsing.sys, "executable", "/usr/local/bin/uwsgi")
    started: list = []
    monkeypatch.setattr(parsing.subprocess, "Popen", lambda *args, **kw: started.append(args))
    summary = ingest_lines([json_line(n) for n in range(6)])

    assert (summary.created, started) == (6, [])
    assert "/usr/local/bin/uwsgi is not a Python interpreter" in caplog.text


def test_a_worker_that_dies_midway_leaves_the_rest_to_the_importer(monkeypatch, caplog):
    dies_at_its_second_batch = (
        "import os, sys; from kizuna.community import parsing; parse = parsing.parse_batch; "
        "calls = []; "
        "parsing.parse_batch = lambda *args: os._exit(9) if len(calls) == 1 "
        "else (calls.append(1), parse(*args))[1]; "
        "parsing.serve_parsing(sys.stdin.buffer, sys.stdout.buffer)"
    )
    monkeypatch.setattr(parsing, "WORKER_MAIN", dies_at_its_second_batch)
    outcomes: list = []
    summary = ingest_lines([json_line(n) for n in range(8)], outcomes)

    assert summary.created == 8
    assert [o.line for o in outcomes] == list(range(1, 9))  # none lost, none twice
    assert "exit code 9" in caplog.text


def test_an_error_inside_the_worker_is_raised_in_the_importing_process(monkeypatch):
    failing_worker = (
        "import sys; from kizuna.community import parsing; "
        "parsing.parse_batch = lambda *args: 1 / 0; "
        "parsing.serve_parsing(sys.stdin.buffer, sys.stdout.buffer)"
    )
    monkeypatch.setattr(parsing, "WORKER_MAIN", failing_worker)

    with pytest.raises(ZeroDivisionError):
        ingest_lines([json_line(n) for n in range(4)])
    assert Activity.objects.count() == 2


def test_the_worker_ends_when_its_input_closes_as_when_the_importer_is_killed():
    worker = parsing.ParsingWorker({"blog_post": True}, "sqlite")
    lines, rejections = worker.parse([(1, json_line(1))])()
    assert ([line.external_id for line in lines], rejections) == (["x-1"], [])

    process = worker._process
    assert process is not None
    assert process.stdin is not None
    process.stdin.close()  # what the system does to the pipe when the importer dies
    assert process.wait(timeout=20) == 0
