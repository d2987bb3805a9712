"""An issued invoice is announced to the partner's owners by email, once."""

from datetime import date

import pytest
from django.core import mail

from kizuna.accounts.services import membership_add
from kizuna.billing import services
from kizuna.billing.tests.conftest import choose
from kizuna.core import consumers
from kizuna.core.models import EventCursor
from kizuna.outreach.models import Delivery, State
from kizuna.outreach.testing import send_queued

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)


def issue(account, start=APRIL):
    return services.invoice_issue_for_period(
        actor=None, account=account, period_start=start, issue_date=start
    )


def deliver():
    """What the worker does: read the outbox, then send what it queued."""
    consumers.dispatch_all()
    return send_queued()


@pytest.fixture
def invoice(bob_account):
    choose(bob_account)
    return issue(bob_account)


def test_owners_get_an_email_when_an_invoice_is_issued(invoice, bob):
    assert deliver() == 1
    [email] = mail.outbox
    assert email.to == [bob.email]
    assert invoice.display_number in email.subject
    assert "¥16,500" in email.body
    assert f"/billing/invoices/{invoice.pk}.pdf" in email.body


def test_the_email_goes_out_once_however_often_the_worker_runs_or_replays(invoice):
    deliver()
    deliver()
    # A worker that died before saving its cursor reads the same events again.
    EventCursor.objects.filter(name="billing.invoice_emails").update(last_event_id=0)
    deliver()
    assert len(mail.outbox) == 1


def test_an_email_claimed_by_a_killed_worker_is_never_sent_again(invoice):
    consumers.dispatch_all()
    Delivery.objects.update(state=State.SENDING)  # claimed, worker died
    assert send_queued() == 0
    assert mail.outbox == []


def test_members_who_are_not_owners_get_no_email(bob_account, bob_org, make_user):
    membership_add(actor=None, organization=bob_org, user=make_user("staffer@bob.example.jp"))
    choose(bob_account)
    issue(bob_account)
    deliver()
    assert [email.to for email in mail.outbox] == [["bob@example.com"]]


def test_a_correction_announces_the_new_invoice_but_not_the_credit_note(invoice):
    deliver()
    credit_note, replacement = services.invoice_correct(
        actor=None, invoice=invoice, reason="宛名の誤り", today=date(2026, 4, 3)
    )
    assert replacement is not None
    assert deliver() == 1
    assert replacement.display_number in mail.outbox[-1].subject
    assert not Delivery.objects.filter(
        idempotency_key__startswith=f"billing.invoice_issued:{credit_note.pk}:"
    ).exists()


def test_the_email_is_written_in_the_sites_language(invoice, settings):
    deliver()
    assert mail.outbox[0].subject == f"請求書 {invoice.display_number} を発行しました"
    settings.LANGUAGE_CODE = "en"
    Delivery.objects.all().delete()
    EventCursor.objects.filter(name="billing.invoice_emails").update(last_event_id=0)
    deliver()
    assert mail.outbox[1].subject == f"Invoice {invoice.display_number} has been issued"


def test_a_failed_send_is_recorded_and_retried_only_after_a_backoff(invoice, settings):
    consumers.dispatch_all()
    settings.EMAIL_BACKEND = "kizuna.billing.tests.test_reminders.BrokenBackend"
    assert send_queued() == 0
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.error) == (State.DEFERRED, "SMTP down")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_queued() == 0
    assert mail.outbox == []


def test_sending_issue_emails_is_the_outreach_workers_periodic_job():
    from kizuna.core import periodic

    assert "kizuna.outreach.tasks.send_due_deliveries" in {
        job.name for job in periodic.registered_jobs()
    }
