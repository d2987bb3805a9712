from datetime import date

import pytest

from kizuna.billing import services
from kizuna.billing.kana import payer_key
from kizuna.billing.models import Deposit, DepositStatus, InvoiceStatus, Payment
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

HEADER = "日付,内容,出金金額(円),入金金額(円),残高(円)\n"


def statement(*rows, encoding="utf-8"):
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode(encoding)


def import_(content, actor=None):
    return services.bank_statement_import(actor=actor, filename="statement.csv", content=content)


@pytest.fixture
def april_invoice(bob_account):
    choose(bob_account, monthly_fee=30_000)
    return services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )


@pytest.mark.parametrize(
    "bank_name",
    [
        "ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ",
        "ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜｰｸｽ",
        "フリコミ カ）ボブウエブワークス",
        "振込 株式会社ボブウェブワークス",
        "ボブウェブワークス(カ",
        "ﾎﾞﾌﾞ ｳｪﾌﾞ ﾜｰｸｽ",
    ],
)
def test_kana_variants_of_a_payer_name_normalize_to_the_same_key(bank_name):
    assert payer_key(bank_name) == payer_key("カ）ボブウエブワークス")


def test_different_companies_keep_different_keys():
    assert payer_key("ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜｰｸｽ") != payer_key("ｶ)ｲｳﾞｺﾏｰｽﾗﾎﾞ")


def test_deposit_with_the_payer_kana_and_the_exact_amount_is_proposed(april_invoice):
    report = import_(statement("2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1000000"))
    deposit = Deposit.objects.get()
    assert report.added == 1
    assert (deposit.status, deposit.proposed_invoice) == (DepositStatus.PROPOSED, april_invoice)
    april_invoice.refresh_from_db()
    assert april_invoice.status == InvoiceStatus.OPEN  # staff confirm; nothing is applied alone


def test_confirming_a_proposal_pays_the_invoice_and_emits_payment_matched(april_invoice, alice):
    import_(statement("2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1000000"))
    services.deposit_confirm(actor=alice, deposit=Deposit.objects.get())
    april_invoice.refresh_from_db()
    assert april_invoice.status == InvoiceStatus.PAID
    assert Deposit.objects.get().status == DepositStatus.MATCHED
    assert OutboxEvent.objects.filter(type="payment.matched").count() == 1


def test_a_partial_deposit_is_listed_as_partial_and_leaves_the_rest_open(april_invoice, alice):
    import_(statement("2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,10000,1000000"))
    deposit = Deposit.objects.get()
    assert deposit.status == DepositStatus.PARTIAL
    services.deposit_confirm(actor=alice, deposit=deposit)
    april_invoice.refresh_from_db()
    assert april_invoice.status == InvoiceStatus.OPEN
    assert Payment.objects.get().amount == 10_000


def test_an_unknown_payer_is_kept_unmatched_not_dropped(april_invoice):
    import_(statement("2026/04/20,ﾔﾏﾀﾞ ﾀﾛｳ,,16500,1000000"))
    assert Deposit.objects.get().status == DepositStatus.UNMATCHED


def test_staff_can_apply_an_unmatched_deposit_to_a_named_invoice(april_invoice, alice):
    import_(statement("2026/04/20,ﾔﾏﾀﾞ ﾀﾛｳ,,16500,1000000"))
    services.deposit_confirm(actor=alice, deposit=Deposit.objects.get(), invoice=april_invoice)
    april_invoice.refresh_from_db()
    assert april_invoice.status == InvoiceStatus.PAID


def test_a_duplicate_transfer_is_proposed_once_and_the_second_is_left_for_staff(april_invoice):
    import_(
        statement(
            "2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1000000",
            "2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1016500",
        )
    )
    statuses = list(Deposit.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [DepositStatus.PROPOSED, DepositStatus.UNMATCHED]


def test_two_identical_rows_in_one_statement_are_two_deposits(april_invoice):
    report = import_(statement("2026/04/20,ﾔﾏﾀﾞ,,500,1", "2026/04/20,ﾔﾏﾀﾞ,,500,2"))
    assert report.added == 2


def test_reimporting_the_same_statement_changes_nothing(april_invoice, alice):
    content = statement("2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,16500,1000000", "2026/04/21,ﾔﾏﾀﾞ,,500,1")
    import_(content)
    services.deposit_confirm(actor=alice, deposit=Deposit.objects.get(amount=16500))
    before = list(Deposit.objects.values_list("id", "status"))
    report = import_(content)
    assert report.already_imported
    assert list(Deposit.objects.values_list("id", "status")) == before
    assert Payment.objects.count() == 1


def test_an_overlapping_statement_adds_only_the_rows_not_seen_before(april_invoice):
    import_(statement("2026/04/20,ﾔﾏﾀﾞ,,500,1"))
    report = import_(statement("2026/04/20,ﾔﾏﾀﾞ,,500,1", "2026/04/22,ｽｽﾞｷ,,700,2"))
    assert (report.added, report.duplicates) == (1, 1)
    assert Deposit.objects.count() == 2


def test_shift_jis_statements_are_read_like_utf8(april_invoice):
    report = import_(statement('2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ,,"16,500",1000000', encoding="cp932"))
    assert report.added == 1
    assert Deposit.objects.get().amount == 16_500


def test_withdrawals_are_skipped_and_unreadable_rows_reported(april_invoice):
    report = import_(statement("2026/04/20,ﾃｽｳﾘｮｳ,440,,1", "someday,ﾔﾏﾀﾞ,,500,1"))
    assert report.skipped_withdrawals == 1
    assert len(report.errors) == 1
    assert Deposit.objects.count() == 0


def test_a_file_without_the_mapped_columns_is_refused_with_a_clear_error(april_invoice):
    report = import_(b"date,name,amount\n2026-04-20,x,1\n")
    assert "入金金額(円)" in report.errors[0]
    assert Deposit.objects.count() == 0


def test_a_custom_column_mapping_reads_other_layouts(april_invoice):
    content = "取引日,振込依頼人,金額\n2026-04-20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜｰｸｽ,16500\n".encode()
    services.bank_statement_import(
        actor=None,
        filename="other.csv",
        content=content,
        mapping={"date": "取引日", "payer": "振込依頼人", "amount": "金額"},
    )
    assert Deposit.objects.get().status == DepositStatus.PROPOSED
