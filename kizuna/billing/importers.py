"""Bank statement CSV files as import jobs (kizuna.core.imports), uploaded on the
reconciliation page."""

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.utils.translation import gettext_lazy as _

from kizuna.billing import bankcsv
from kizuna.billing.models import Deposit
from kizuna.billing.permissions import is_billing_staff
from kizuna.billing.services import bank_statement_import
from kizuna.core.imports import (
    NEW,
    REJECTED,
    UNCHANGED,
    Importer,
    ImportRun,
    LineOutcome,
    register,
)
from kizuna.core.models import ImportJob


@register
class BankStatementImporter(Importer):
    """The whole statement is one unit: its deposits are stored together, once per file.

    Options: {"layout": a bankcsv preset name, or "" for KIZUNA_BILLING_BANK_CSV}."""

    kind = "bank_statement"
    label = _("Bank statement")
    upload_url = "billing:reconciliation"
    chunk_size = 1

    def allowed(self, user: Any) -> bool:
        return is_billing_staff(user)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[bytes]:
        yield stream.read()

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        [content] = units
        layout = job.options.get("layout") or ""
        mapping = bankcsv.PRESETS[layout] if layout else bankcsv.column_mapping()
        parsed = bankcsv.parse_statement(content, mapping)
        known = set(
            Deposit.objects.filter(row_hash__in=[row.row_hash for row in parsed.rows]).values_list(
                "row_hash", flat=True
            )
        )
        outcomes: list[LineOutcome] = [(line, REJECTED, reason) for line, reason in parsed.rejected]
        outcomes += [
            (row.line, UNCHANGED if row.row_hash in known else NEW, "") for row in parsed.rows
        ]
        if not dry_run:
            bank_statement_import(
                actor=actor, filename=job.filename, content=content, mapping=mapping
            )
        return sorted(outcomes)
