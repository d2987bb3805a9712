"""Billing reacts to its own events only through the outbox, so each is handled once."""

from kizuna.billing.services import invoice_emails_queue
from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent


# The cursor of this consumer starts where the outbox stood when it was added (migration
# billing 0003), so invoices issued before then get no email.
@consumer("billing.invoice_emails", event_types={"invoice.issued"})
def queue_invoice_emails(event: OutboxEvent) -> None:
    invoice_emails_queue(invoice_id=event.payload["invoice_id"])
