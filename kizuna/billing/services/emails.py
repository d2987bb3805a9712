"""The email that tells a partner's owners an invoice was issued, sent once.

The outbox consumer queues one row per invoice and owner (a replayed event finds them
there and adds none). `invoice_emails_send` commits its claim on a row before handing it
to the mail backend: a worker killed after sending leaves the row claimed, never pending,
so no owner gets the email twice (at the cost of, rarely, one lost).
Written in the site's default language: the recipients' language is not known here.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kizuna.accounts import selectors as accounts_selectors
from kizuna.billing.models import Invoice, InvoiceEmail

logger = logging.getLogger(__name__)


def invoice_emails_queue(*, invoice_id: int) -> int:
    """Queue the issue email to each owner of the billed organization; return how many."""
    invoice = Invoice.objects.select_related("account__organization").get(pk=invoice_id)
    queued = 0
    for to in sorted(set(accounts_selectors.owner_emails(invoice.account.organization))):
        _email, created = InvoiceEmail.objects.get_or_create(invoice=invoice, to=to)
        queued += created
    return queued


def invoice_emails_send(*, limit: int = 200) -> int:
    """Send waiting issue emails; return how many were sent."""
    sent = 0
    pending = InvoiceEmail.objects.filter(state=InvoiceEmail.State.PENDING)
    for email in pending.select_related("invoice")[:limit]:
        if _claim(email):
            sent += _send(email)
    return sent


def _claim(email: InvoiceEmail) -> bool:
    with transaction.atomic():
        return bool(
            InvoiceEmail.objects.filter(pk=email.pk, state=InvoiceEmail.State.PENDING).update(
                state=InvoiceEmail.State.CLAIMED
            )
        )


def _send(email: InvoiceEmail) -> int:
    context = {"invoice": email.invoice, "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("billing/email/invoice_issued_subject.txt", context).strip()
        body = render_to_string("billing/email/invoice_issued.txt", context)
    try:
        send_mail(subject, body, None, [email.to])
    except Exception as error:
        logger.warning("issue email of %s to %s failed: %s", email.invoice, email.to, error)
        InvoiceEmail.objects.filter(pk=email.pk).update(
            state=InvoiceEmail.State.FAILED, error=str(error)[:300]
        )
        return 0
    InvoiceEmail.objects.filter(pk=email.pk).update(
        state=InvoiceEmail.State.SENT, sent_at=timezone.now()
    )
    return 1
