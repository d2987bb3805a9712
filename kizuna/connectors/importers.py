"""Connector file imports as import jobs (kizuna.core.imports): activity files and connpass
participant lists. Uploaded on the connectors' import pages or by `manage.py import_activities`."""

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext_lazy as _

from kizuna.community import services as community
from kizuna.community.ingest import BATCH_SIZE
from kizuna.community.lines import CREATED, Outcome, Record
from kizuna.community.models import Event
from kizuna.community.permissions import CommunityAction, can_community
from kizuna.connectors import connpass_csv
from kizuna.connectors.generic import read_csv, read_jsonl
from kizuna.connectors.slack_export import read_export
from kizuna.core.imports import NEW, Importer, ImportRun, LineOutcome, register
from kizuna.core.models import ImportJob

_STATUS = {CREATED: NEW}


@register
class ActivityImporter(Importer):
    """Options: {"format": "jsonl" | "csv" | "slack_zip"}."""

    kind = "activities"
    label = _("Activities")
    upload_url = "connectors:import"
    # One chunk is one ingestion batch: the size ingestion was tuned for.
    chunk_size = BATCH_SIZE

    def allowed(self, user: Any) -> bool:
        return can_community(user, CommunityAction.IMPORT_ACTIVITIES)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[Record]:
        kind = job.options.get("format", "jsonl")
        if kind == "slack_zip":
            yield from read_export(stream)
        elif kind == "csv":
            yield from read_csv(stream)
        else:
            yield from read_jsonl(stream)

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        outcomes: list[LineOutcome] = []

        def keep(outcome: Outcome) -> None:
            outcomes.append(
                (outcome.line, _STATUS.get(outcome.status, outcome.status), outcome.reason)
            )

        summary = community.activities_ingest(
            records=units,
            actor=actor,
            dry_run=dry_run,
            on_outcome=keep,
            batch_size=max(len(units), 1),
            dry_run_people=run.memo.setdefault("people", set()),
        )
        run.figures["members_created"] += summary.members_created
        return outcomes


@register
class ConnpassParticipantImporter(Importer):
    """Options: {"event_id": <community event id>}."""

    kind = "connpass_participants"
    label = _("connpass participants")
    upload_url = "connectors:import_connpass"
    chunk_size = 5000

    def allowed(self, user: Any) -> bool:
        return can_community(user, CommunityAction.IMPORT_ACTIVITIES)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[Any]:
        yield from connpass_csv.read_participants(stream)

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        event = Event.objects.get(pk=job.options["event_id"])
        return connpass_csv.participants_apply(actor=actor, event=event, rows=units)
