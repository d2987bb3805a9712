"""The email that tells a partner's owners an invoice was issued, sent once.

The outbox consumer queues one delivery per invoice and owner, keyed on both, so a replayed
event adds none; the outreach worker sends it (claimed before the send, never sent twice).
Written in each owner's language (their account's, else the site's).
"""

from django.conf import settings

from kizuna.accounts import selectors as accounts_selectors
from kizuna.billing.models import Invoice
from kizuna.outreach.models import Delivery, Topic
from kizuna.outreach.services import email_enqueue


def invoice_emails_queue(*, invoice_id: int) -> int:
    """Queue the issue email to each owner of the billed organization; return how many."""
    invoice = Invoice.objects.select_related("account__organization").get(pk=invoice_id)
    queued = 0
    for to in sorted(set(accounts_selectors.owner_emails(invoice.account.organization))):
        key = f"billing.invoice_issued:{invoice.pk}:{to}"
        if Delivery.objects.filter(idempotency_key=key).exists():
            continue
        email_enqueue(
            to=to,
            topic=Topic.BILLING,
            idempotency_key=key,
            template="billing/email/invoice_issued",
            context={"invoice": invoice, "site_url": settings.SITE_URL},
            name=invoice.recipient_name,
        )
        queued += 1
    return queued
