from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from kizuna.billing import services
from kizuna.billing.models import Invoice, ReminderLog
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import OutboxEvent
from kizuna.outreach.models import Delivery, State
from kizuna.outreach.testing import send_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(bob_account):
    choose(bob_account)
    return services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )


def run(day):
    services.invoices_mark_overdue(today=day)
    queued = services.reminders_send_due(today=day)
    send_queued()
    return queued


def test_reminders_go_out_on_the_due_date_and_seven_and_fourteen_days_later(invoice):
    due = invoice.due_date
    sent = [run(due + timedelta(days=offset)) for offset in range(0, 20)]
    assert sum(sent) == 3
    assert [offset for offset, n in enumerate(sent) if n] == [0, 7, 14]
    assert [m.to for m in mail.outbox] == [["billing@bob.example.jp"]] * 3
    assert "INV-000001" in mail.outbox[0].subject


def test_running_the_job_twice_the_same_day_sends_once(invoice):
    assert run(invoice.due_date) == 1
    assert run(invoice.due_date) == 0
    assert len(mail.outbox) == 1


def test_a_reminder_claimed_by_a_killed_worker_is_never_sent_again(invoice):
    ReminderLog.objects.create(invoice=invoice, stage="due")  # claimed, worker died
    assert run(invoice.due_date) == 0
    assert mail.outbox == []


def test_a_paid_invoice_gets_no_reminder(invoice):
    Invoice.objects.filter(pk=invoice.pk).update(status="paid")
    assert run(invoice.due_date + timedelta(days=7)) == 0


def test_an_invoice_past_due_is_marked_overdue_once_with_an_event(invoice):
    run(invoice.due_date + timedelta(days=1))
    run(invoice.due_date + timedelta(days=2))
    invoice.refresh_from_db()
    assert invoice.overdue_since == invoice.due_date + timedelta(days=1)
    assert OutboxEvent.objects.filter(type="invoice.overdue").count() == 1


def test_a_failed_send_is_recorded_for_staff_and_retried_later(invoice, settings):
    settings.EMAIL_BACKEND = "kizuna.billing.tests.test_reminders.BrokenBackend"
    assert run(invoice.due_date) == 1  # queued; the send fails
    assert ReminderLog.objects.get().stage == "due"
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error) == (State.DEFERRED, "SMTP down")


class BrokenBackend(BaseEmailBackend):
    """A relay that is down: every send fails (opening a session is Django's no-op)."""

    def send_messages(self, messages):
        raise ConnectionError("SMTP down")
