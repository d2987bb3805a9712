"""Bank statements in, deposits matched to invoices, payments confirmed by staff."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kizuna.billing import bankcsv, selectors
from kizuna.billing.kana import payer_key
from kizuna.billing.models import (
    BankStatement,
    Deposit,
    DepositStatus,
    Invoice,
    InvoiceStatus,
    Payment,
)
from kizuna.core import audit
from kizuna.core.events import emit


@dataclass
class ImportReport:
    statement: BankStatement | None
    already_imported: bool = False
    rows_read: int = 0
    added: int = 0
    duplicates: int = 0
    skipped_withdrawals: int = 0
    errors: list[str] = field(default_factory=list)


def bank_statement_import(
    *, actor: Any, filename: str, content: bytes, mapping: dict[str, str] | None = None
) -> ImportReport:
    """Store each new deposit of the statement and propose matches; never twice the same.

    The same file again changes nothing (its hash is known); an overlapping export adds
    only the rows not seen before (each row has its own hash).
    """
    file_hash = hashlib.sha256(content).hexdigest()
    existing = BankStatement.objects.filter(file_hash=file_hash).first()
    if existing is not None:
        return ImportReport(statement=existing, already_imported=True)
    parsed = bankcsv.parse_statement(content, mapping or bankcsv.column_mapping())
    report = ImportReport(
        statement=None,
        rows_read=len(parsed.rows),
        skipped_withdrawals=parsed.skipped_withdrawals,
        errors=parsed.errors(),
    )
    if not parsed.rows:
        return report
    with transaction.atomic():
        known = set(
            Deposit.objects.filter(row_hash__in=[row.row_hash for row in parsed.rows]).values_list(
                "row_hash", flat=True
            )
        )
        statement = BankStatement.objects.create(
            file_hash=file_hash, filename=filename[:200], imported_by=actor
        )
        deposits = Deposit.objects.bulk_create(
            Deposit(
                statement=statement,
                row_hash=row.row_hash,
                booked_on=row.booked_on,
                payer_name=row.payer_name,
                payer_key=payer_key(row.payer_name),
                amount=row.amount,
            )
            for row in parsed.rows
            if row.row_hash not in known
        )
        statement.rows_read = len(parsed.rows)
        statement.deposits_added = len(deposits)
        statement.save(update_fields=["rows_read", "deposits_added"])
        _propose_matches(Deposit.objects.filter(statement=statement).order_by("booked_on", "id"))
        audit.record(
            actor=actor,
            action="billing.statement_imported",
            obj=statement,
            after={"filename": filename, "added": len(deposits), "duplicates": len(known)},
        )
    report.statement = statement
    report.added = len(deposits)
    report.duplicates = len(parsed.rows) - len(deposits)
    return report


def _propose_matches(deposits: Any) -> None:
    """Propose for each deposit the oldest open invoice of the payer with that amount due.

    A payer whose name matches but whose amount differs is a partial (or over) payment:
    proposed too, flagged partial, for staff to decide. A deposit nobody can be found for
    stays unmatched and listed. An invoice is proposed to one deposit at most, so a
    duplicate transfer is left for staff rather than silently applied twice.
    """
    taken = set(
        Deposit.objects.filter(
            status__in=[DepositStatus.PROPOSED, DepositStatus.PARTIAL],
            proposed_invoice__isnull=False,
        ).values_list("proposed_invoice_id", flat=True)
    )
    for deposit in deposits:
        candidates = [
            invoice
            for invoice in selectors.open_invoices()
            .filter(account__payer_kana_key=deposit.payer_key)
            .exclude(account__payer_kana_key="")
            .order_by("due_date", "number")
            if invoice.pk not in taken
        ]
        exact = next((i for i in candidates if selectors.outstanding(i) == deposit.amount), None)
        if exact is not None:
            deposit.status, deposit.proposed_invoice = DepositStatus.PROPOSED, exact
        elif candidates:
            deposit.status, deposit.proposed_invoice = DepositStatus.PARTIAL, candidates[0]
        else:
            continue
        taken.add(deposit.proposed_invoice.pk)
        deposit.save(update_fields=["status", "proposed_invoice"])


def deposit_confirm(*, actor: Any, deposit: Deposit, invoice: Invoice | None = None) -> Payment:
    """Apply a deposit to an invoice (the proposed one unless staff name another)."""
    invoice = invoice or deposit.proposed_invoice
    if invoice is None:
        raise ValidationError(_("Choose the invoice this deposit pays."), code="no_invoice")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        deposit = Deposit.objects.select_for_update().get(pk=deposit.pk)
        due = selectors.outstanding(invoice)
        available = selectors.deposit_remaining(deposit)
        if due <= 0:
            raise ValidationError(
                _("This invoice has nothing left to pay."), code="invoice_not_open"
            )
        if available <= 0:
            raise ValidationError(_("This deposit is already applied."), code="deposit_applied")
        applied = min(due, available)
        payment = Payment.objects.create(
            invoice=invoice,
            deposit=deposit,
            amount=applied,
            paid_on=deposit.booked_on,
            confirmed_by=actor,
        )
        if applied == due:
            invoice.status = InvoiceStatus.PAID
            invoice.save(update_fields=["status"])
        # Money left on the deposit (an overpayment) keeps it listed for staff.
        deposit.status = DepositStatus.MATCHED if applied == available else DepositStatus.PARTIAL
        deposit.proposed_invoice = None
        deposit.save(update_fields=["status", "proposed_invoice"])
        audit.record(
            actor=actor,
            action="billing.payment_confirmed",
            obj=invoice,
            after={"deposit_id": deposit.pk, "amount": applied, "status": invoice.status},
        )
        emit(
            "payment.matched",
            {
                "payment_id": payment.pk,
                "invoice_id": invoice.pk,
                "number": invoice.display_number,
                "account_id": invoice.account_id,
                "organization_id": invoice.account.organization_id,
                "amount": applied,
                "invoice_paid": invoice.status == InvoiceStatus.PAID,
            },
            actor=actor,
        )
    return payment


def deposit_proposal_reject(*, actor: Any, deposit: Deposit) -> Deposit:
    with transaction.atomic():
        before = {"status": deposit.status, "proposed_invoice": deposit.proposed_invoice_id}
        deposit.status = DepositStatus.UNMATCHED
        deposit.proposed_invoice = None
        deposit.save(update_fields=["status", "proposed_invoice"])
        audit.record(
            actor=actor,
            action="billing.match_rejected",
            obj=deposit,
            before=before,
            after={"status": deposit.status},
        )
    return deposit
