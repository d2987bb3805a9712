"""Refuse deleting an invoice inside its retention period, however the delete is made."""

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.billing.models import ImmutableInvoice, Invoice, retention_ends


@receiver(pre_delete, sender=Invoice)
def refuse_deleting_retained_invoice(sender: Any, instance: Invoice, **kwargs: Any) -> None:
    keep_until = retention_ends(instance.issue_date)
    if timezone.localdate() < keep_until:
        raise ImmutableInvoice(
            _("Invoices are kept for 7 years; %(number)s may be deleted from %(date)s.")
            % {"number": instance.display_number, "date": keep_until.isoformat()},
            code="invoice_retained",
        )
