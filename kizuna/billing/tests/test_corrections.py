"""Two staff correcting the same invoice: one credit note, the other is told."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kizuna.billing import services
from kizuna.billing.models import Invoice, InvoiceKind, InvoiceStatus
from kizuna.billing.tests.conftest import choose
from kizuna.core.tests.race import race, refusals, require_concurrent_writers

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 3)


@pytest.fixture
def second_staff(make_user):
    return make_user("pm@example.com", staff_role="partner_manager")


@pytest.fixture
def open_invoice(bob_account):
    choose(bob_account)
    return services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )


def credit_notes():
    return Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count()


def test_correcting_an_invoice_someone_just_corrected_is_refused(alice, second_staff, open_invoice):
    first = Invoice.objects.get(pk=open_invoice.pk)
    second = Invoice.objects.get(pk=open_invoice.pk)
    services.invoice_correct(actor=alice, invoice=first, reason="宛名の誤り", today=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.invoice_correct(actor=second_staff, invoice=second, reason="金額", today=TODAY)
    assert refused.value.code == "not_correctable"
    assert credit_notes() == 1
    assert Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.OPEN).count() == 1


def test_a_second_correction_on_the_page_is_a_message_not_an_error(client, alice, open_invoice):
    client.force_login(alice)
    url = reverse("billing:staff_invoice_correct", args=[open_invoice.pk])
    assert client.post(url, {"reason": "宛名の誤り"}).status_code == 302
    response = client.post(url, {"reason": "宛名の誤り"}, follow=True)
    assert response.status_code == 200
    assert "訂正できるのは未払いの請求書だけです" in response.content.decode()
    assert credit_notes() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_correcting_an_invoice_at_once_issue_one_credit_note(
    alice, second_staff, open_invoice
):
    require_concurrent_writers()
    first = Invoice.objects.get(pk=open_invoice.pk)
    second = Invoice.objects.get(pk=open_invoice.pk)
    results = race(
        lambda: services.invoice_correct(actor=alice, invoice=first, reason="a", today=TODAY),
        lambda: services.invoice_correct(
            actor=second_staff, invoice=second, reason="b", today=TODAY
        ),
    )
    assert [r.code for r in refusals(results)] == ["not_correctable"]
    assert credit_notes() == 1
    numbers = sorted(
        Invoice.objects.filter(kind=InvoiceKind.INVOICE).values_list("number", flat=True)
    )
    assert numbers == [1, 2]
