import csv
import io
from datetime import date

import pytest

from kizuna.billing import exports, services
from kizuna.billing.models import Deposit, Invoice
from kizuna.billing.tests.conftest import choose

pytestmark = pytest.mark.django_db

APRIL = (date(2026, 4, 1), date(2026, 4, 30))


@pytest.fixture
def april_books(bob_account, alice):
    choose(bob_account)
    invoice = services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )
    services.bank_statement_import(
        actor=alice,
        filename="s.csv",
        content="日付,内容,出金金額(円),入金金額(円),残高(円)\n2026/04/20,ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜｰｸｽ,,16500,1\n".encode(),
    )
    services.deposit_confirm(actor=alice, deposit=Deposit.objects.get())
    second = services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 5, 1), issue_date=date(2026, 4, 25)
    )
    assert second is not None
    services.invoice_correct(actor=alice, invoice=second, reason="誤り", today=date(2026, 4, 26))
    return invoice


def rows(layout):
    content = exports.export_csv(layout, *APRIL)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_generic_export_has_the_invoice_payment_and_credit_note_entries_in_date_order(april_books):
    header, *entries = rows("generic")
    assert header[:3] == ["date", "reference", "debit_account"]
    assert [(e[0], e[1], e[2], e[4], e[6], e[7]) for e in entries] == [
        ("2026-04-01", "INV-000001", "売掛金", "売上高", "16500", "1500"),
        ("2026-04-20", "INV-000001-P1", "普通預金", "売掛金", "16500", "0"),
        ("2026-04-25", "INV-000002", "売掛金", "売上高", "16500", "1500"),
        ("2026-04-26", "CN-000001", "売上高", "売掛金", "16500", "1500"),
        ("2026-04-26", "INV-000003", "売掛金", "売上高", "16500", "1500"),
    ]


def test_freee_export_uses_the_freee_journal_import_columns(april_books):
    header, first, *_ = rows("freee")
    assert header == exports.FREEE_HEADER
    entry = dict(zip(header, first, strict=True))
    assert entry["日付"] == "2026/04/01"
    assert (entry["借方勘定科目"], entry["借方金額"], entry["借方税区分"]) == (
        "売掛金",
        "16500",
        "対象外",
    )
    assert (entry["貸方勘定科目"], entry["貸方税区分"], entry["貸方税額"]) == (
        "売上高",
        "課税売上 10%",
        "1500",
    )


def test_moneyforward_export_has_the_27_columns_of_the_journal_import_template(april_books):
    header, first, *_ = rows("moneyforward")
    assert len(header) == 27
    entry = dict(zip(header, first, strict=True))
    assert (entry["取引No"], entry["取引日"]) == ("1", "2026/04/01")
    assert (entry["借方勘定科目"], entry["借方金額(円)"]) == ("売掛金", "16500")
    assert (entry["貸方税区分"], entry["貸方税額"]) == ("課税売上 10%", "1500")


@pytest.mark.parametrize("layout", ["freee", "moneyforward", "generic"])
def test_exporting_the_same_period_twice_gives_the_same_bytes(april_books, layout):
    assert exports.export_csv(layout, *APRIL) == exports.export_csv(layout, *APRIL)


def test_entries_outside_the_period_are_not_exported(april_books):
    assert rows("generic")[1:] != []
    assert exports.export_csv("generic", date(2026, 6, 1), date(2026, 6, 30)).count(b"\n") == 1


def _before_the_formula_guard(layout):
    """The accounting export as it was written before the shared helper, for comparison."""
    header, make_rows = exports.LAYOUTS[layout]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(make_rows(exports.journal_entries(*APRIL)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@pytest.mark.parametrize("layout", ["freee", "moneyforward", "generic"])
def test_accounting_exports_keep_their_bytes_through_the_shared_helper(april_books, layout):
    assert exports.export_csv(layout, *APRIL) == _before_the_formula_guard(layout)


def test_a_recipient_name_that_looks_like_a_formula_is_exported_as_text(april_books):
    name = '=HYPERLINK("http://evil.example","x")'
    Invoice.objects.filter(pk=april_books.pk).update(recipient_name=name)
    _, first, *_ = rows("generic")
    assert first[8] == "'" + name
    assert first[6] == "16500"
