"""Event types of billing (see kizuna.core.catalog).

Each names the billing account and, like every event about a partner, its organization
(`organization_id`), which a partner's token or webhook endpoint is matched on. Amounts are
integer yen including tax.
"""

from datetime import date
from functools import partial

from kizuna.core.catalog import EventPayload, declare


class AccountPayload(EventPayload):
    account_id: int
    organization_id: int


class InvoiceEvent(AccountPayload):
    invoice_id: int
    number: str
    kind: str
    period_start: date
    total: int


class InvoiceCredited(InvoiceEvent):
    corrects_id: int


class InvoiceOverdue(InvoiceEvent):
    due_date: date


class PaymentMatched(AccountPayload):
    payment_id: int
    invoice_id: int
    number: str
    amount: int
    invoice_paid: bool


class FeeChanged(AccountPayload):
    monthly_fee: int
    cycle: str
    effective_from: date


class PartnerSuspension(EventPayload):
    organization_id: int


declare_billing = partial(
    declare, public=True, scope="billing:read", partner_field="organization_id"
)

declare_billing("invoice.issued", schema=InvoiceEvent)
declare_billing("invoice.credited", schema=InvoiceCredited)
declare_billing("invoice.overdue", schema=InvoiceOverdue)
declare_billing("payment.matched", schema=PaymentMatched)
declare_billing("fee.changed", schema=FeeChanged)
# Whether a partner is listed is public (the directory shows it); the reason stays with staff.
declare_billing("partner.suspended", schema=PartnerSuspension)
declare_billing("partner.unsuspended", schema=PartnerSuspension)
