import pytest
from django.core.management import call_command

from conftest import reset_database
from kizuna.billing.models import BillingAccount, Invoice, InvoiceStatus, Payment

pytestmark = pytest.mark.django_db


def invoice_rows():
    return list(
        Invoice.objects.order_by("number").values_list(
            "number", "account__legal_name", "period_start", "total", "status"
        )
    )


def test_seed_demo_creates_a_year_of_invoices_and_payments_for_bob():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-10", verbosity=0)
    bob = BillingAccount.objects.get(organization__slug="bob-web-works")
    invoices = list(bob.invoices.order_by("period_start"))
    assert len(invoices) == 12
    assert invoices[0].total == 16_500  # first months at half price
    assert invoices[-1].status == InvoiceStatus.OPEN
    assert Payment.objects.filter(invoice__account=bob).count() == 11
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.django_db(transaction=True)
def test_seed_demo_billing_is_deterministic_for_a_seed():
    call_command("seed_demo", "--seed", "5", "--today", "2026-11-10", verbosity=0)
    first = invoice_rows()
    assert first
    reset_database()
    call_command("seed_demo", "--seed", "5", "--today", "2026-11-10", verbosity=0)
    assert invoice_rows() == first


def test_every_demo_invoice_adds_up_from_its_own_lines_and_taxes():
    call_command("seed_demo", "--seed", "3", verbosity=0)
    for invoice in Invoice.objects.prefetch_related("lines", "taxes"):
        lines = list(invoice.lines.all())
        assert sum(line.amount for line in lines) == invoice.subtotal, invoice.number
        assert sum(tax.tax for tax in invoice.taxes.all()) == invoice.tax, invoice.number
        assert invoice.subtotal + invoice.tax == invoice.total, invoice.number
        fee_line = min(lines, key=lambda line: line.position)
        assert invoice.period_start.strftime("%Y-%m") in fee_line.description, invoice.number
