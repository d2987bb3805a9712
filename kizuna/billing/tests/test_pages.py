from datetime import date

import pytest
from django.urls import reverse

from kizuna.billing import services
from kizuna.billing.models import BillingAccount, Deposit, FeeChoice, SmallBusinessStatus
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def test_partner_without_billing_details_is_sent_to_fill_them_first(client, bob, rules):
    client.force_login(bob)
    assert client.get(reverse("billing:fee")).url == reverse("billing:account")


def test_partner_saves_billing_details_and_declares_a_small_business(client, eve, rules):
    client.force_login(eve)
    response = client.post(
        reverse("billing:account"),
        {
            "legal_name": "イヴ・コマースラボ株式会社",
            "billing_email": "b@eve.example.jp",
            "payer_kana": "イヴコマースラボ（カ",
            "employee_count": "3",
            "declare_small_business": "on",
        },
    )
    assert response.status_code == 302
    account = BillingAccount.objects.get()
    assert account.small_business_status == SmallBusinessStatus.PENDING


def test_small_business_declaration_with_too_many_employees_is_refused(client, bob, rules):
    client.force_login(bob)
    response = client.post(
        reverse("billing:account"),
        {
            "legal_name": "x",
            "billing_email": "b@x.jp",
            "payer_kana": "エックス",
            "employee_count": "40",
            "declare_small_business": "on",
        },
    )
    assert response.status_code == 200
    assert not BillingAccount.objects.exists()


def test_fee_preview_shows_the_charge_with_tax_and_dates(client, bob, bob_account):
    client.force_login(bob)
    html = client.get(
        reverse("billing:fee_preview"), {"monthly_fee": "20000", "cycle": "monthly"}
    ).content.decode()
    assert "¥11,000" in html  # first month at half price plus 10% tax


def test_fee_preview_explains_an_amount_outside_the_range(client, bob, bob_account):
    client.force_login(bob)
    html = client.get(
        reverse("billing:fee_preview"), {"monthly_fee": "5000", "cycle": "monthly"}
    ).content.decode()
    assert "10,000" in html
    assert "50,000" in html


def test_owner_saves_a_fee_choice_from_the_page(client, bob, bob_account):
    client.force_login(bob)
    response = client.post(reverse("billing:fee"), {"monthly_fee": "25000", "cycle": "annual"})
    assert response.status_code == 302
    assert FeeChoice.objects.get().monthly_fee == 25_000


def test_approved_small_business_may_choose_below_the_normal_minimum(
    client, bob, bob_account, alice
):
    services.small_business_decide(actor=alice, account=bob_account, approve=True)
    client.force_login(bob)
    client.post(reverse("billing:fee"), {"monthly_fee": "3000", "cycle": "monthly"})
    assert FeeChoice.objects.get().monthly_fee == 3_000


def test_staff_suspends_a_partner_with_an_audit_entry_and_an_event(client, alice, bob_account):
    client.force_login(alice)
    client.post(
        reverse("billing:staff_suspension", args=[bob_account.pk]),
        {"suspended": "1", "reason": "3か月未払い"},
    )
    bob_account.refresh_from_db()
    assert bob_account.suspended
    assert AuditEntry.objects.filter(action="billing_suspension_set").exists()
    event = OutboxEvent.objects.get(type="partner.suspended")
    assert event.payload == {"organization_id": bob_account.organization_id}
    client.post(reverse("billing:staff_suspension", args=[bob_account.pk]), {"suspended": "0"})
    assert OutboxEvent.objects.filter(type="partner.unsuspended").count() == 1


def test_staff_publishes_rules_for_next_month_from_the_settings_page(client, alice, rules):
    client.force_login(alice)
    page = client.get(reverse("billing:staff_rules"))
    form = page.context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data["max_fee"] = 80_000
    data["registration_number"] = "T1180301018771"
    response = client.post(reverse("billing:staff_rules"), data)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="billing.rules_published").exists()


def test_settings_page_rejects_a_registration_number_with_a_wrong_check_digit(client, alice, rules):
    client.force_login(alice)
    form = client.get(reverse("billing:staff_rules")).context["form"]
    data = {name: form.initial[name] for name in form.fields}
    data["registration_number"] = "T1180301018772"
    response = client.post(reverse("billing:staff_rules"), data)
    assert response.status_code == 200
    assert "registration_number" in response.context["form"].errors


def test_staff_imports_a_statement_and_confirms_the_proposal(client, alice, bob_account):
    choose(bob_account)
    services.invoices_issue_due(today=date(2026, 4, 1))
    client.force_login(alice)
    upload = "日付,内容,出金金額(円),入金金額(円),残高(円)\n2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜｰｸｽ,,16500,1\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    job_page = client.post(
        reverse("billing:reconciliation"),
        {"file": SimpleUploadedFile("s.csv", upload.encode("cp932"))},
        follow=True,
    )
    assert job_page.context["counts"]["new"] == 1
    assert not Deposit.objects.exists()
    client.post(reverse("imports:apply", args=[job_page.context["job"].pk]))
    assert "INV-000001" in client.get(reverse("billing:reconciliation")).content.decode()
    client.post(reverse("billing:deposit_confirm", args=[Deposit.objects.get().pk]))
    assert Deposit.objects.get().status == "matched"


def test_staff_downloads_an_accounting_export(client, alice, rules):
    client.force_login(alice)
    response = client.get(
        reverse("billing:export"), {"start": "2026-04-01", "end": "2026-04-30", "layout": "freee"}
    )
    assert response["Content-Disposition"].endswith('freee-20260401-20260430.csv"')


def test_overdue_partners_are_listed_for_staff(client, alice, bob_account):
    choose(bob_account)
    services.invoices_issue_due(today=date(2026, 4, 1))
    client.force_login(alice)
    page = client.get(reverse("billing:staff_invoices")).context
    assert page["overdue"][0]["account__legal_name"] == "株式会社ボブウェブワークス"


def test_accounting_export_is_never_cached(client, alice, rules):
    client.force_login(alice)
    response = client.get(
        reverse("billing:export"), {"start": "2026-04-01", "end": "2026-04-30", "layout": "freee"}
    )
    assert response["Cache-Control"] == "private, no-store"
