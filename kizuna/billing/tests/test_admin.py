"""Billing in the Django admin: staff look at everything; a correction of an account is audited."""

from datetime import date

import pytest
from django.urls import reverse

from kizuna.billing import services
from kizuna.billing.models import BillingAccount, SmallBusinessStatus
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client


def account_fields(account):
    return {
        "legal_name": account.legal_name,
        "billing_email": account.billing_email,
        "payer_kana": account.payer_kana,
        "employee_count": account.employee_count,
        "is_sole_proprietor": account.is_sole_proprietor,
    }


def account_form(account, **changes):
    checkbox = "on" if account.is_sole_proprietor else ""
    return {**account_fields(account), "is_sole_proprietor": checkbox, **changes}


def change_url(account):
    return reverse("admin:billing_billingaccount_change", args=[account.pk])


def test_admin_correction_of_a_billing_account_is_audited_with_before_and_after(
    staff_client, alice, bob_account
):
    response = staff_client.post(
        change_url(bob_account), account_form(bob_account, legal_name="株式会社ボブ")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="billing.account_saved", actor=alice)
    assert entry.object_id == str(bob_account.pk)
    assert (entry.before, entry.after) == (
        {**account_fields(bob_account), "legal_name": "株式会社ボブウェブワークス"},
        {
            **account_fields(bob_account),
            "legal_name": "株式会社ボブ",
            "small_business_status": SmallBusinessStatus.NOT_DECLARED,
        },
    )
    assert BillingAccount.objects.get(pk=bob_account.pk).legal_name == "株式会社ボブ"


def test_admin_correction_keeps_the_small_business_declaration_and_the_suspension(
    staff_client, bob, bob_org, bob_account
):
    services.billing_account_save(
        actor=bob,
        organization=bob_org,
        legal_name=bob_account.legal_name,
        billing_email=bob_account.billing_email,
        payer_kana=bob_account.payer_kana,
        employee_count=3,
        declare_small_business=True,
    )
    account = BillingAccount.objects.get(pk=bob_account.pk)
    staff_client.post(
        change_url(account),
        account_form(account, billing_email="new@bob.example.jp", suspended="on"),
    )
    account.refresh_from_db()
    assert account.billing_email == "new@bob.example.jp"
    assert account.small_business_status == SmallBusinessStatus.PENDING
    assert account.suspended is False


def test_issued_invoices_cannot_be_changed_in_the_admin(staff_client, bob_account):
    choose(bob_account)
    invoice = services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )
    assert invoice is not None
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"total": "1"}).status_code == 403


@pytest.mark.parametrize(
    "model",
    [
        "billingaccount",
        "programrules",
        "feechoice",
        "invoice",
        "bankstatement",
        "deposit",
        "payment",
        "reminderlog",
    ],
)
def test_staff_can_list_every_billing_record_in_the_admin(staff_client, bob_account, model):
    assert staff_client.get(reverse(f"admin:billing_{model}_changelist")).status_code == 200
