"""Issuing qualified invoices and credit notes, marking them overdue, reminding partners."""

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.billing import pricing, selectors
from kizuna.billing.models import (
    BillingAccount,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceTax,
    NumberCounter,
    ReminderLog,
    ReminderStage,
)
from kizuna.billing.pdf import render_invoice_pdf
from kizuna.billing.periods import period_end
from kizuna.billing.registration import is_valid_registration_number
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.transitions import transition
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue

logger = logging.getLogger(__name__)

# A qualified invoice is a document of Japanese tax law: its lines are always Japanese.
INVOICE_LANGUAGE = "ja"


def _take_number(kind: str) -> int:
    """The next number of the series, inside the caller's transaction.

    The counter row stays locked until that transaction commits, so concurrent issuers
    queue here, and a rolled-back issue gives its number back: no gaps, no duplicates.
    """
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(series=kind)
    number = counter.next_number
    counter.next_number = number + 1
    counter.save(update_fields=["next_number"])
    return number


def invoice_issue_for_period(
    *, actor: Any, account: BillingAccount, period_start: date, issue_date: date
) -> Invoice | None:
    """Issue the invoice for one period, unless one already stands (then None)."""
    with transaction.atomic():
        # Serialize issuers per account: the second one sees the first's invoice.
        BillingAccount.objects.select_for_update().filter(pk=account.pk).first()
        if selectors.live_invoices(account).filter(period_start=period_start).exists():
            return None
        choice = selectors.fee_choice_for(account, period_start)
        if choice is None:
            return None
        rules = selectors.rules_for(period_start)
        if not is_valid_registration_number(rules.registration_number):
            raise ValidationError(
                _("Set the issuer's registration number in the program settings first."),
                code="issuer_not_registered",
            )
        small_business = selectors.is_small_business(account)
        with translation.override(INVOICE_LANGUAGE):
            quote = pricing.quote(
                rules,
                monthly_fee=pricing.clamp_fee(
                    rules, choice.monthly_fee, small_business=small_business
                ),
                cycle=choice.cycle,
                months_already_billed=selectors.months_already_billed(account, period_start),
                period_start=period_start,
            )
        invoice = Invoice.objects.create(
            kind=InvoiceKind.INVOICE,
            number=_take_number(InvoiceKind.INVOICE),
            account=account,
            rules=rules,
            cycle=choice.cycle,
            period_start=period_start,
            period_end=period_end(period_start, quote.period_months),
            period_months=quote.period_months,
            issue_date=issue_date,
            due_date=selectors.due_date_for(issue_date, rules),
            recipient_name=account.legal_name,
            subtotal=quote.subtotal,
            tax=quote.tax,
            total=quote.total,
            tax_rounding=rules.tax_rounding,
            status=InvoiceStatus.OPEN,
            **_issuer(rules),
        )
        _store_amounts(invoice, quote)
        emit("invoice.issued", _event_payload(invoice), actor=actor)
    return invoice


def _issuer(rules: Any) -> dict[str, str]:
    return {
        "issuer_name": rules.issuer_name,
        "registration_number": rules.registration_number,
        "issuer_address": rules.issuer_address,
        "bank_account": rules.bank_account,
    }


def amount_rows(
    invoice: Invoice, quote: pricing.Quote
) -> tuple[list[InvoiceLine], list[InvoiceTax]]:
    """The unsaved line and per-rate tax rows that record quote on invoice."""
    lines = [
        InvoiceLine(
            invoice=invoice,
            position=position,
            description=line.description,
            amount=line.amount,
            tax_rate_percent=line.tax_rate_percent,
        )
        for position, line in enumerate(quote.lines, start=1)
    ]
    taxes = [
        InvoiceTax(
            invoice=invoice, rate_percent=rate, taxable_amount=amount, tax=quote.tax_by_rate[rate]
        )
        for rate, amount in quote.taxable_by_rate.items()
    ]
    return lines, taxes


def _store_amounts(invoice: Invoice, quote: pricing.Quote) -> None:
    lines, taxes = amount_rows(invoice, quote)
    InvoiceLine.objects.bulk_create(lines)
    InvoiceTax.objects.bulk_create(taxes)


def _event_payload(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice_id": invoice.pk,
        "number": invoice.display_number,
        "kind": invoice.kind,
        "account_id": invoice.account_id,
        "organization_id": invoice.account.organization_id,
        "period_start": invoice.period_start,
        "total": invoice.total,
    }


def invoices_issue_due(*, today: date) -> list[Invoice]:
    """Issue every period that has begun and has no invoice yet. Safe to run any number of times."""
    issued: list[Invoice] = []
    for account in BillingAccount.objects.filter(choices__isnull=False).distinct():
        while (start := selectors.next_period_start(account, today)) is not None and start <= today:
            try:
                invoice = invoice_issue_for_period(
                    actor=None, account=account, period_start=start, issue_date=today
                )
            except ValidationError as error:
                logger.warning("not issuing invoices: %s", error.message)
                return issued
            if invoice is None:
                break
            issued.append(invoice)
    return issued


def invoice_correct(
    *, actor: Any, invoice: Invoice, reason: str, today: date
) -> tuple[Invoice, Invoice | None]:
    """Cancel an issued invoice with a credit note (適格返還請求書) and issue it again.

    The new invoice is priced and addressed from what is on record now (billing account,
    fee choice for the period), so fixing the record first and then correcting yields the
    right invoice. The original stays, unchanged but for its status.
    """
    not_correctable = ValidationError(
        _("Only an open invoice can be corrected."), code="not_correctable"
    )
    if invoice.kind != InvoiceKind.INVOICE:
        raise not_correctable
    with transaction.atomic():
        # Decided by the UPDATE, so two staff correcting at once issue one credit note.
        transition(
            Invoice,
            invoice.pk,
            from_states=InvoiceStatus.OPEN,
            to_state=InvoiceStatus.CREDITED,
            refused=not_correctable,
        )
        # Recording a payment locks the invoice row first, so this sees every payment.
        if invoice.payments.exists():
            raise ValidationError(
                _("This invoice has payments; settle them before correcting it."),
                code="has_payments",
            )
        invoice.status = InvoiceStatus.CREDITED
        credit_note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE,
            number=_take_number(InvoiceKind.CREDIT_NOTE),
            corrects=invoice,
            account=invoice.account,
            rules=invoice.rules,
            cycle=invoice.cycle,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            period_months=invoice.period_months,
            issue_date=today,
            due_date=today,
            recipient_name=invoice.recipient_name,
            subtotal=invoice.subtotal,
            tax=invoice.tax,
            total=invoice.total,
            tax_rounding=invoice.tax_rounding,
            reason=reason,
            status=InvoiceStatus.SETTLED,
            **_issuer(invoice.rules),
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=credit_note,
                position=line.position,
                description=line.description,
                amount=line.amount,
                tax_rate_percent=line.tax_rate_percent,
            )
            for line in invoice.lines.all()
        )
        InvoiceTax.objects.bulk_create(
            InvoiceTax(
                invoice=credit_note,
                rate_percent=tax.rate_percent,
                taxable_amount=tax.taxable_amount,
                tax=tax.tax,
            )
            for tax in invoice.taxes.all()
        )
        audit.record(
            actor=actor,
            action="billing.invoice_corrected",
            obj=invoice,
            before={"status": InvoiceStatus.OPEN},
            after={
                "status": InvoiceStatus.CREDITED,
                "credit_note": credit_note.display_number,
                "reason": reason,
            },
        )
        emit(
            "invoice.credited",
            {**_event_payload(credit_note), "corrects_id": invoice.pk},
            actor=actor,
        )
        replacement = invoice_issue_for_period(
            actor=actor,
            account=invoice.account,
            period_start=invoice.period_start,
            issue_date=today,
        )
    return credit_note, replacement


def invoice_pdf_store(*, invoice: Invoice) -> bytes:
    """The invoice's PDF, rendered once and then kept with the invoice for its retention."""
    if invoice.pdf:
        return bytes(invoice.pdf)
    with transaction.atomic():
        content = render_invoice_pdf(invoice)
        invoice.pdf = content
        invoice.save(update_fields=["pdf"])
    return content


def invoices_mark_overdue(*, today: date) -> list[Invoice]:
    marked = []
    for invoice in selectors.open_invoices().filter(due_date__lt=today, overdue_since__isnull=True):
        with transaction.atomic():
            claimed = Invoice.objects.filter(pk=invoice.pk, overdue_since__isnull=True).update(
                overdue_since=today
            )
            if claimed:
                emit("invoice.overdue", {**_event_payload(invoice), "due_date": invoice.due_date})
                marked.append(invoice)
    return marked


# A reminder goes out when an open invoice is this many days past its due date.
REMINDER_STAGES = [
    (ReminderStage.DUE, 0),
    (ReminderStage.OVERDUE_7, 7),
    (ReminderStage.OVERDUE_14, 14),
]


def reminder_stage_for(days_past_due: int) -> str | None:
    """The stage whose window contains today; a window missed while no worker ran is skipped."""
    current = None
    for stage, after_days in REMINDER_STAGES:
        if days_past_due >= after_days:
            current = stage
    return current


def reminders_send_due(*, today: date) -> int:
    """Queue each reminder whose day has come, once per invoice and stage; return how many."""
    queued = 0
    for invoice in selectors.open_invoices().filter(due_date__lte=today).select_related("account"):
        stage = reminder_stage_for((today - invoice.due_date).days)
        if stage is not None:
            queued += _queue_reminder(invoice, stage)
    return queued


def _queue_reminder(invoice: Invoice, stage: str) -> int:
    """The stage's log and its email are written together, or neither is."""
    context = {
        "invoice": invoice,
        "outstanding": selectors.outstanding(invoice),
        "stage": stage,
        "site_url": settings.SITE_URL,
    }
    try:
        with transaction.atomic():
            ReminderLog.objects.create(invoice=invoice, stage=stage)
            email_enqueue(
                to=invoice.account.billing_email,
                topic=Topic.BILLING,
                idempotency_key=f"billing.reminder:{invoice.pk}:{stage}",
                template="billing/email/reminder",
                context=context,
                name=invoice.recipient_name,
            )
    except IntegrityError:
        return 0
    return 1
