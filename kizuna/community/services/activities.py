"""The bulk activity import: every connector, the import command and the API come here."""

from collections.abc import Iterable
from typing import Any

# The module, not its names: ingest creates people through this package (members.py), so
# either side may be imported first.
from kizuna.community import ingest
from kizuna.community.lines import Record


def activities_ingest(
    *,
    records: Iterable[Record],
    actor: Any = None,
    dry_run: bool = False,
    on_outcome: "ingest.OnOutcome | None" = None,
    batch_size: int | None = None,
    dry_run_people: set[tuple[str, str]] | None = None,
) -> "ingest.Summary":
    """Import activity records (see ingest.py): idempotent, one transaction per batch.

    `dry_run_people`: for a dry run in several calls, the set the calls share so that a
    person new in an earlier call's (rolled back) batches is counted once."""
    ingestion = ingest.Ingestion(
        actor=actor,
        dry_run=dry_run,
        on_outcome=on_outcome,
        dry_run_people=set() if dry_run_people is None else dry_run_people,
    )
    if batch_size is None:
        return ingestion.run(records)
    return ingestion.run(records, batch_size=batch_size)
