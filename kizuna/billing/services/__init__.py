"""Every write to billing goes through these services (DESIGN.md, rules of the house)."""

from kizuna.billing.services.emails import invoice_emails_queue
from kizuna.billing.services.invoicing import (
    invoice_correct,
    invoice_issue_for_period,
    invoice_pdf_store,
    invoices_issue_due,
    invoices_mark_overdue,
    reminders_send_due,
)
from kizuna.billing.services.payments import (
    bank_statement_import,
    deposit_confirm,
    deposit_proposal_reject,
)
from kizuna.billing.services.program import (
    billing_account_save,
    billing_end_set,
    billing_suspension_set,
    fee_choose,
    rules_publish,
    small_business_decide,
)

__all__ = [
    "bank_statement_import",
    "billing_account_save",
    "billing_end_set",
    "billing_suspension_set",
    "deposit_confirm",
    "deposit_proposal_reject",
    "fee_choose",
    "invoice_correct",
    "invoice_emails_queue",
    "invoice_issue_for_period",
    "invoice_pdf_store",
    "invoices_issue_due",
    "invoices_mark_overdue",
    "reminders_send_due",
    "rules_publish",
    "small_business_decide",
]
