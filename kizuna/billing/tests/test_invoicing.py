import re
import threading
from datetime import date
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from kizuna.billing import services
from kizuna.billing.models import (
    BillingCycle,
    ImmutableInvoice,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    NumberCounter,
)
from kizuna.billing.pdf import render_invoice_pdf
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def issue(account, start=date(2026, 4, 1)):
    return services.invoice_issue_for_period(
        actor=None, account=account, period_start=start, issue_date=start
    )


def test_fee_chosen_mid_month_applies_from_the_next_month_and_emits_fee_changed(bob_account):
    choice = choose(bob_account, today=date(2026, 3, 15))
    assert choice.effective_from == date(2026, 4, 1)
    assert OutboxEvent.objects.filter(type="fee.changed").count() == 1


def test_issuing_job_bills_each_begun_period_once_however_often_it_runs(bob_account):
    choose(bob_account)
    first = services.invoices_issue_due(today=date(2026, 5, 2))
    again = services.invoices_issue_due(today=date(2026, 5, 2))
    assert [i.period_start for i in first] == [date(2026, 4, 1), date(2026, 5, 1)]
    assert again == []
    assert [i.number for i in first] == [1, 2]


def test_invoice_records_the_qualified_invoice_fields_and_emits_invoice_issued(bob_account):
    choose(bob_account)
    invoice = issue(bob_account)
    assert invoice.issuer_name == "株式会社キズナ"
    assert invoice.registration_number == "T7000012050002"
    assert invoice.recipient_name == "株式会社ボブウェブワークス"
    assert (invoice.subtotal, invoice.tax, invoice.total) == (15_000, 1_500, 16_500)
    assert [(t.rate_percent, t.taxable_amount, t.tax) for t in invoice.taxes.all()] == [
        (10, 15_000, 1_500)
    ]
    assert OutboxEvent.objects.filter(type="invoice.issued").count() == 1


def test_issuing_is_refused_until_the_issuer_registration_number_is_set(bob_account, rules):
    choose(bob_account)
    rules.registration_number = ""
    rules.save()
    with pytest.raises(ValidationError) as refused:
        issue(bob_account)
    assert refused.value.code == "issuer_not_registered"


def test_issued_invoice_cannot_be_edited(bob_account):
    choose(bob_account)
    invoice = issue(bob_account)
    invoice.total = 1
    with pytest.raises(ImmutableInvoice):
        invoice.save()
    invoice.refresh_from_db()
    invoice.recipient_name = "someone else"
    with pytest.raises(ImmutableInvoice):
        invoice.save(update_fields=["recipient_name", "status"])


def test_invoice_cannot_be_deleted_within_seven_years(bob_account):
    choose(bob_account)
    issue(bob_account)
    with pytest.raises(ImmutableInvoice), transaction.atomic():
        Invoice.objects.all().delete()
    assert Invoice.objects.count() == 1


def test_new_rules_apply_to_later_periods_and_leave_past_invoices_unchanged(
    bob_account, alice, rules
):
    choose(bob_account)
    april = issue(bob_account)
    values = {f: getattr(rules, f) for f in services.program.RULE_FIELDS}
    services.rules_publish(
        actor=alice,
        today=date(2026, 4, 10),
        **{**values, "effective_from": date(2026, 7, 1), "tax_rate_percent": 8},
    )
    july = issue(bob_account, date(2026, 7, 1))
    april.refresh_from_db()
    assert april.tax == 1_500
    assert july.tax == 1_200  # second billed month: still half price, now at 8%


def test_rules_cannot_be_published_for_a_period_already_begun(alice, rules):
    values = {f: getattr(rules, f) for f in services.program.RULE_FIELDS}
    with pytest.raises(ValidationError) as refused:
        services.rules_publish(
            actor=alice, today=date(2026, 4, 10), **{**values, "effective_from": date(2026, 4, 1)}
        )
    assert refused.value.code == "rules_effective_in_past"


def test_correction_issues_a_credit_note_and_a_new_invoice_keeping_the_original(bob_account, alice):
    choose(bob_account)
    original = issue(bob_account)
    services.billing_account_save(
        actor=alice,
        organization=bob_account.organization,
        legal_name="株式会社ボブウェブワークス東京",
        billing_email="billing@bob.example.jp",
        payer_kana="カ）ボブウエブワークス",
    )
    bob_account.refresh_from_db()
    credit, replacement = services.invoice_correct(
        actor=alice, invoice=original, reason="宛名の誤り", today=date(2026, 4, 3)
    )
    original.refresh_from_db()
    assert original.status == InvoiceStatus.CREDITED
    assert original.recipient_name == "株式会社ボブウェブワークス"
    assert (credit.kind, credit.number, credit.total, credit.corrects) == (
        InvoiceKind.CREDIT_NOTE,
        1,
        original.total,
        original,
    )
    assert replacement is not None
    assert replacement.number == 2
    assert replacement.recipient_name == "株式会社ボブウェブワークス東京"
    assert replacement.total == original.total  # the first-time discount still applies


def pdf_text(invoice):
    return PdfReader(BytesIO(services.invoice_pdf_store(invoice=invoice))).pages[0].extract_text()


def test_invoice_pdf_holds_every_field_a_qualified_invoice_requires(bob_account):
    choose(bob_account)
    text = pdf_text(issue(bob_account))
    for required in [
        "適格請求書",
        "株式会社キズナ",  # issuer
        "登録番号: T7000012050002",
        "株式会社ボブウェブワークス 御中",  # recipient
        "発行日: 2026年04月01日",
        "取引期間: 2026年04月01日 〜 2026年04月30日",
        "パートナープログラム会費（2026-04）",
        "初回割引 50%（1か月分）",
        "10%対象 小計（税抜）",
        "¥15,000",
        "10%対象 消費税",
        "¥1,500",
        "¥16,500",
        "INV-000001",
    ]:
        assert required in text, required


def test_credit_note_pdf_is_titled_as_a_return_invoice_and_names_the_original(bob_account, alice):
    choose(bob_account)
    original = issue(bob_account)
    credit, _ = services.invoice_correct(
        actor=alice, invoice=original, reason="重複", today=date(2026, 4, 3)
    )
    text = pdf_text(credit)
    assert "適格返還請求書" in text
    assert "対象請求書: INV-000001" in text
    assert "返還の理由: 重複" in text


def test_sequential_issues_take_consecutive_numbers_across_partners(bob_account, eve_account):
    choose(bob_account)
    choose(eve_account)
    numbers = [
        issue(a, date(2026, m, 1)).number for m in (4, 5) for a in (bob_account, eve_account)
    ]
    assert numbers == [1, 2, 3, 4]
    assert NumberCounter.objects.get(series="invoice").next_number == 5


def test_a_rolled_back_issue_gives_its_number_back(bob_account, monkeypatch):
    choose(bob_account)
    from kizuna.billing.services import invoicing

    def fail(*args, **kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr(invoicing, "emit", fail)
    with pytest.raises(RuntimeError):
        issue(bob_account)
    monkeypatch.undo()
    assert issue(bob_account).number == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_leaves_no_gap_and_no_duplicate(rules, make_user):
    from kizuna.accounts import services as accounts

    accounts_to_bill = []
    for index in range(6):
        owner = make_user(f"owner{index}@example.com")
        organization = accounts.organization_create(
            actor=None, name=f"P{index}", slug=f"p{index}", owner=owner
        )
        account = services.billing_account_save(
            actor=owner,
            organization=organization,
            legal_name=f"P{index}",
            billing_email=f"b{index}@example.com",
            payer_kana=f"ピー{index}",
        )
        choose(account)
        accounts_to_bill.append(account)
    errors = []

    def issue_twice(account):
        try:
            for _attempt in range(2):  # the second attempt finds the period billed
                issue(account)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_twice, args=(a,)) for a in accounts_to_bill * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # In-memory SQLite (the test database) refuses a concurrent writer outright instead of
    # queueing it; whatever failed must have left no trace, and a retry fills the rest.
    if connection.vendor == "sqlite":
        assert all("locked" in str(error) for error in errors)
        committed = sorted(Invoice.objects.values_list("number", flat=True))
        assert committed == list(range(1, len(committed) + 1))
        for account in accounts_to_bill:
            issue(account)
    else:
        assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 7))


def test_annual_invoice_covers_twelve_months_and_next_change_waits_for_its_end(bob_account):
    choose(bob_account, cycle=BillingCycle.ANNUAL)
    invoice = issue(bob_account)
    assert (invoice.period_end, invoice.period_months) == (date(2027, 3, 31), 12)
    later = choose(bob_account, monthly_fee=20_000, today=date(2026, 6, 10))
    assert later.effective_from == date(2027, 4, 1)


def _fonts_of(reader):
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            yield font.get_object()


def test_invoice_pdf_embeds_every_font_it_uses_as_a_subset(bob_account):
    choose(bob_account)
    reader = PdfReader(BytesIO(services.invoice_pdf_store(invoice=issue(bob_account))))
    fonts = list(_fonts_of(reader))
    assert fonts
    for font in fonts:
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0]["/FontDescriptor"]
        descriptor = descriptor.get_object()
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3")), font["/BaseFont"]
        # A subset's name carries a six-letter tag: "ABCDEF+Name" (ISO 32000 9.6.4).
        assert re.fullmatch(r"/[A-Z]{6}\+IPAexGothic", font["/BaseFont"]), font["/BaseFont"]


def test_invoice_pdf_is_dated_at_issue_and_the_same_bytes_each_time(bob_account):
    choose(bob_account)
    invoice = issue(bob_account)
    first = render_invoice_pdf(invoice)
    assert render_invoice_pdf(invoice) == first
    issued = timezone.localtime(invoice.created_at, ZoneInfo("Asia/Tokyo"))
    metadata = PdfReader(BytesIO(first)).metadata
    assert metadata is not None
    creation = str(metadata["/CreationDate"])
    assert creation.startswith(f"D:{issued:%Y%m%d%H%M%S}+09'00'")
