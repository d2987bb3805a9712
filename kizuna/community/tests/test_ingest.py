import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from kizuna.community import services
from kizuna.community.models import Activity, Attendance, Identity, Member
from kizuna.core.models import OutboxEvent
from kizuna.core.reasons import LineRejected, reason, reason_text

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parents[2] / "connectors" / "tests" / "fixtures"


def line(n, handle="dave", platform="zenn", **extra):
    return {
        "source": "test",
        "external_id": f"x-{n}",
        "type": "blog_post",
        "occurred_at": "2026-04-01T10:00:00+09:00",
        "member": {"platform": platform, "handle": handle, "name": "Dave 大野"},
        **extra,
    }


def ingest(*records, **kwargs):
    outcomes: list = []
    summary = services.activities_ingest(
        records=list(enumerate(records, start=1)), on_outcome=outcomes.append, **kwargs
    )
    return summary, {o.line: (o.status, reason_text(o.reason).split(":")[0]) for o in outcomes}


def test_importing_the_same_lines_twice_never_duplicates():
    first, _ = ingest(line(1), line(2), line(3, handle="yui"))
    second, outcomes = ingest(line(1), line(2), line(3, handle="yui"))

    assert (first.created, first.members_created) == (3, 2)
    assert (second.created, second.unchanged, second.members_created) == (0, 3, 0)
    assert Activity.objects.count() == 3
    assert Member.objects.count() == 2
    assert {status for status, _ in outcomes.values()} == {"unchanged"}


def test_a_line_repeated_within_one_file_is_created_once():
    _summary, outcomes = ingest(line(1), line(1))
    assert outcomes == {1: ("created", ""), 2: ("unchanged", "")}


def test_bad_lines_are_rejected_with_a_reason_and_the_rest_still_import():
    summary, outcomes = ingest(
        line(1),
        line(2, type="dance"),
        line(3, occurred_at="yesterday"),
        {**line(4), "member": {"platform": "zenn"}},
        LineRejected(reason("bad_json: x")),
        line(6),
        line(7, event_external_id="nope"),
        line(8, title="x" * 501),
    )
    assert summary.created == 2
    assert outcomes[2] == ("rejected", "unknown_type")
    assert outcomes[3] == ("rejected", "bad_occurred_at")
    assert outcomes[4] == ("rejected", "missing_member")
    assert outcomes[5] == ("rejected", "bad_json")
    assert outcomes[7] == ("rejected", "unknown_event")
    assert outcomes[8] == ("rejected", "too_long")


def test_a_type_that_is_not_text_is_rejected_and_the_rest_still_import():
    summary, outcomes = ingest(line(1, type=["talk"]), line(2, type={"k": 1}), line(3))
    assert summary.created == 1
    assert outcomes[1] == ("rejected", "unknown_type")
    assert outcomes[2] == ("rejected", "unknown_type")
    assert outcomes[3] == ("created", "")


def test_fields_of_the_wrong_kind_are_rejected_with_their_name():
    _summary, outcomes = ingest(
        line(1, title=True),
        line(2, url=["x"]),
        {**line(3), "member": {"platform": "zenn", "handle": 7}},
        line(4, output="yes"),
        line(5, source=" "),
    )
    assert outcomes == {
        1: ("rejected", "bad_title"),
        2: ("rejected", "bad_url"),
        3: ("created", ""),
        4: ("rejected", "bad_output"),
        5: ("rejected", "missing_source"),
    }
    assert Identity.objects.get().handle == "7"


def test_the_garbage_collector_is_paused_during_a_run_and_restored_after():
    import gc

    enabled_during_run: list[bool] = []
    services.activities_ingest(
        records=[(1, line(1))], on_outcome=lambda _o: enabled_during_run.append(gc.isenabled())
    )
    assert enabled_during_run == [False]
    assert gc.isenabled()


def test_handles_are_matched_case_insensitively_and_without_at_sign():
    ingest(line(1, handle="Dave"), line(2, handle="@dave"))
    assert Identity.objects.get().handle == "dave"
    assert Member.objects.count() == 1


def test_a_time_without_offset_is_taken_as_japan_time():
    ingest(line(1, occurred_at="2026-04-01T09:00:00"))
    assert Activity.objects.get().occurred_at.isoformat() == "2026-04-01T00:00:00+00:00"


def test_output_defaults_to_the_activity_type_and_can_be_overridden():
    ingest(line(1), line(2, type="chat_message"), line(3, type="chat_message", output=True))
    assert dict(Activity.objects.values_list("external_id", "is_output")) == {
        "x-1": True,
        "x-2": False,
        "x-3": True,
    }


def test_one_batched_event_per_batch_not_per_row():
    ingest(*[line(n) for n in range(10)], batch_size=4)
    assert OutboxEvent.objects.filter(type="activity.ingested").count() == 3
    assert OutboxEvent.objects.filter(type="member.created").count() == 1


def test_a_crash_between_batches_resumes_without_loss():
    def crashing():
        for n in range(1, 6):
            yield n, line(n)
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        services.activities_ingest(records=crashing(), batch_size=2)
    assert Activity.objects.count() == 4  # the two batches committed before the crash

    summary, _ = ingest(*[line(n) for n in range(1, 8)], batch_size=2)
    assert (summary.created, summary.unchanged) == (3, 4)
    assert Activity.objects.count() == 7


def test_dry_run_reports_but_stores_nothing():
    summary, _ = ingest(line(1), line(2), dry_run=True)
    assert summary.created == 2
    assert not Activity.objects.exists()
    assert not Member.objects.exists()
    assert not OutboxEvent.objects.filter(type="activity.ingested").exists()


def test_attending_an_event_records_attendance_as_attended():
    event, _ = services.event_upsert(
        actor=None,
        source="test",
        external_id="ev-1",
        title="勉強会",
        starts_at="2026-04-01T19:00:00+09:00",
    )
    ingest(
        line(1, type="attended_event", event_external_id="ev-1"),
        line(2, handle="yui", type="talk", event_external_id="ev-1"),
    )
    assert dict(Attendance.objects.values_list("role", "status")) == {
        "attendee": "attended",
        "speaker": "attended",
    }
    assert Activity.objects.filter(event=event).count() == 2


def test_import_command_reads_jsonl_and_writes_a_per_line_report(tmp_path, capsys):
    report = tmp_path / "report.jsonl"
    call_command(
        "import_activities", str(FIXTURES / "activities.jsonl"), report=report, verbosity=0
    )
    lines = report.read_text().splitlines()
    assert len(lines) == 6
    assert '"status": "new"' in lines[0]
    assert "unknown_type" in lines[2]
    assert "bad_json" in lines[3]
    assert "created 2 activities and 2 new members, unchanged 0, rejected 4" in (
        capsys.readouterr().out
    )


def test_import_command_reads_csv(capsys):
    call_command("import_activities", str(FIXTURES / "activities.csv"), verbosity=0)
    out = capsys.readouterr()
    assert "unchanged 0, rejected 1" in out.out
    assert "created 2 activities" in out.out
    assert "line 4: bad_output" in out.err
    assert Activity.objects.get(external_id="c-2").is_output is True


def test_import_command_dry_run_stores_nothing(capsys):
    call_command("import_activities", str(FIXTURES / "activities.jsonl"), dry_run=True, verbosity=0)
    assert "Dry run: would have created 2 activities" in capsys.readouterr().out
    assert not Activity.objects.exists()


def test_a_dry_run_over_several_chunks_counts_the_new_members_the_import_creates(
    tmp_path, capsys, monkeypatch
):
    # Three people, each active in every chunk: each chunk's dry run is rolled back, so a
    # person new in the first chunk is new again in the next ones and must count once.
    from kizuna.connectors.importers import ActivityImporter

    monkeypatch.setattr(ActivityImporter, "chunk_size", 4)
    path = tmp_path / "people.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "source": "sheet",
                    "external_id": f"row-{n}",
                    "type": "blog_post",
                    "occurred_at": "2026-03-20T21:00:00+09:00",
                    "member": {"platform": "zenn", "handle": f"person{n % 3}"},
                }
            )
            + "\n"
            for n in range(12)
        )
    )
    call_command("import_activities", str(path), dry_run=True, verbosity=0)
    dry_run = capsys.readouterr().out
    call_command("import_activities", str(path), verbosity=0)
    real = capsys.readouterr().out
    assert "created 12 activities and 3 new members" in dry_run
    assert "created 12 activities and 3 new members" in real
    assert Member.objects.count() == 3


def test_a_batch_inserted_without_looking_up_existing_lines_falls_back_on_conflict():
    ingest(line(1), line(2))
    # Batch [3, 4] finds nothing stored, so batch [1, 5] is inserted straight away: line 1
    # conflicts, and the batch is done again after looking up what exists.
    summary, outcomes = ingest(line(3), line(4), line(1), line(5), line(5), batch_size=2)
    assert (summary.created, summary.unchanged) == (3, 2)
    assert outcomes == {
        1: ("created", ""),
        2: ("created", ""),
        3: ("unchanged", ""),
        4: ("created", ""),
        5: ("unchanged", ""),
    }
    assert Activity.objects.count() == 5
    # The first attempt at batch [1, 5] was rolled back, its event with it.
    assert OutboxEvent.objects.filter(type="activity.ingested").count() == 1 + 2


def test_a_batch_of_more_rows_than_one_sqlite_statement_takes():
    summary, _ = ingest(*[line(n, handle=f"h{n % 7}") for n in range(3000)], batch_size=3000)
    assert (summary.created, summary.members_created) == (3000, 7)
    assert Activity.objects.count() == 3000
    assert set(Activity.objects.values_list("member__identities__handle", flat=True)) == {
        f"h{n}" for n in range(7)
    }


@pytest.mark.parametrize(
    "text",
    [
        "2026-04-01T10:00:00+00:00",
        "2026-04-01 10:00:00+00:00",
        "2026-04-01T10:00:00Z",
        "2026-04-01T10:00:00.250+00:00",
        "2026-04-01T10:00:00+09:00",
        "2026-04-01T10:00:00-03:30",
        "2026-04-01T10:00:00",
        "2026-W14-3T10:00:00+00:00",
    ],
)
def test_occurred_at_is_stored_as_the_orm_stores_it(text):
    ingest(line(1, occurred_at=text))
    expected = datetime.fromisoformat(text)
    if expected.tzinfo is None:
        expected = expected.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    Activity.objects.create(
        source="orm",
        external_id="1",
        type_id="blog_post",
        member=Member.objects.get(),
        occurred_at=expected,
    )
    stored = dict(Activity.objects.values_list("source", "occurred_at"))
    assert stored["test"] == stored["orm"] == expected
    assert Activity.objects.filter(occurred_at=expected).count() == 2


def test_people_seen_in_an_earlier_batch_are_not_looked_up_again(django_assert_max_num_queries):
    from kizuna.community.ingest import Ingestion

    ingestion = Ingestion()
    records = [(n, line(n, handle=f"h{n % 2}")) for n in range(1, 7)]
    ingestion.run(records[:2], batch_size=2)
    cached = ingestion._identity_cache.entries
    if connection.vendor == "sqlite":
        assert set(cached) == {("zenn", "h0"), ("zenn", "h1")}
    else:
        assert cached == {}  # PostgreSQL: no cheap way to know it is still valid
    summary = ingestion.run(records[2:], batch_size=2)
    assert summary.created == 6
    assert Member.objects.count() == 2


def test_a_merge_between_batches_is_seen_by_the_next_batch():
    ingest(line(1, handle="yui"))
    yui = Member.objects.get()

    def merge_dave_into_yui(outcome):
        if outcome.line == 1:  # after the first batch, which created dave
            dave = Identity.objects.get(handle="dave").member
            services.member_merge(actor=None, into=yui, merged=dave)

    services.activities_ingest(
        records=list(enumerate([line(10), line(11), line(12)], start=1)),
        on_outcome=merge_dave_into_yui,
        batch_size=1,
    )
    assert dict(Activity.objects.values_list("external_id", "member")) == {
        "x-1": yui.pk,
        "x-10": yui.pk,
        "x-11": yui.pk,
        "x-12": yui.pk,
    }


def test_an_erasure_between_batches_is_seen_by_the_next_batch():
    outcomes: list = []

    def erase_dave_after_the_first_batch(outcome):
        outcomes.append(outcome)
        if outcome.line == 1:
            dave = Identity.objects.get(handle="dave").member
            services.member_erase(actor=None, member=dave)

    services.activities_ingest(
        records=list(enumerate([line(1), line(2)], start=1)),
        on_outcome=erase_dave_after_the_first_batch,
        batch_size=1,
    )
    assert [(o.status, reason_text(o.reason).split(":")[0]) for o in outcomes] == [
        ("created", ""),
        ("rejected", "erased_person"),
    ]
    assert not Identity.objects.exists()


def test_the_identity_cache_notices_writes_by_other_connections(tmp_path):
    import sqlite3

    from kizuna.community.ingest import _IdentityCache

    if connection.vendor != "sqlite":
        pytest.skip("the cache is SQLite's")
    # What _IdentityCache.stamp() relies on, on a database file as in production.
    path = tmp_path / "db.sqlite3"
    ours, theirs = sqlite3.connect(path), sqlite3.connect(path)
    ours.execute("CREATE TABLE t (x)")
    ours.commit()

    def stamp():
        return (ours.execute("PRAGMA data_version").fetchone()[0], ours.total_changes)

    before = stamp()
    ours.execute("INSERT INTO t VALUES (1)")
    ours.commit()
    after_ours = stamp()
    assert after_ours[0] == before[0]
    assert after_ours[1] != before[1]
    theirs.execute("INSERT INTO t VALUES (2)")
    theirs.commit()
    assert stamp()[0] != after_ours[0]
    assert _IdentityCache.stamp() is not None


@pytest.mark.django_db(transaction=True)
def test_an_erasure_racing_a_batch_waits_for_it_and_anonymizes_its_rows(monkeypatch):
    """Activities have no database foreign keys: the batch's locks must stand in for them.

    The erasure starts once the batch has resolved dave's identity but not yet inserted
    his activity. It must wait for the batch to commit, then anonymize that activity too.
    """
    import threading

    from django.db import connections

    from kizuna.community import bulk_sql

    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the batch holds the database's write lock")
    ingest(line(1))
    dave = Identity.objects.get(handle="dave").member
    insert_rows = bulk_sql.insert_rows
    erasure_done = threading.Event()

    def erase() -> None:
        try:
            services.member_erase(actor=None, member=Member.objects.get(pk=dave.pk))
        finally:
            connections.close_all()
            erasure_done.set()

    def insert_while_erasing(model, columns, rows):
        if model is Activity:
            threading.Thread(target=erase).start()
            # Without the batch's lock the erasure commits in this time and the row
            # below would keep dave's identity and title.
            assert not erasure_done.wait(1.0)
        insert_rows(model, columns, rows)

    monkeypatch.setattr(bulk_sql, "insert_rows", insert_while_erasing)
    summary, _ = ingest(line(2, title="dave's own words"))
    assert erasure_done.wait(10)
    assert summary.created == 1
    assert not Identity.objects.exists()
    stored = Activity.objects.get(external_id="x-2")
    assert (stored.member_id, stored.identity_id, stored.title) == (dave.pk, None, "")


def test_a_type_deleted_during_a_run_rejects_its_later_lines():
    from kizuna.community.models import ActivityType

    ActivityType.objects.create(
        key="podcast", name_ja="ポッドキャスト", name_en="Podcast", weight=3, is_output=True
    )
    outcomes: list = []

    def delete_the_type_after_the_first_batch(outcome):
        outcomes.append(outcome)
        if outcome.line == 1:
            ActivityType.objects.filter(key="podcast").delete()

    services.activities_ingest(
        records=list(enumerate([line(1), line(2, type="podcast")], start=1)),
        on_outcome=delete_the_type_after_the_first_batch,
        batch_size=1,
    )
    assert [(o.status, reason_text(o.reason).split(":")[0]) for o in outcomes] == [
        ("created", ""),
        ("rejected", "unknown_type"),
    ]
    assert not Activity.objects.filter(external_id="x-2").exists()
