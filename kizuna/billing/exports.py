"""Journal entries for an accounting period, as CSV for freee, Money Forward or generic use.

Entries (tax-inclusive amounts, with the tax on its own column as both products import):
- invoice issued:  売掛金 / 売上高 (課税売上 <rate>%), one line per tax rate;
- credit note:     売上高 (課税売上 <rate>%) / 売掛金, the same lines reversed;
- payment matched: 普通預金 / 売掛金.
Rows are ordered by date, then document number, so the same period gives the same bytes.
Account names are the products' defaults; rename them in ACCOUNTS if your books differ.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from kizuna.billing.models import Invoice, InvoiceKind, Payment
from kizuna.core.exports import csv_bytes

ACCOUNTS = {
    "receivable": "売掛金",
    "sales": "売上高",
    "bank": "普通預金",
}
NOT_TAXABLE = "対象外"


@dataclass(frozen=True)
class JournalEntry:
    booked_on: date
    reference: str
    debit_account: str
    debit_tax_category: str
    credit_account: str
    credit_tax_category: str
    amount: int
    tax: int
    partner: str
    description: str


def _sales_tax_category(rate_percent: int) -> str:
    return f"課税売上 {rate_percent}%"


def journal_entries(start: date, end: date) -> list[JournalEntry]:
    entries = list(_document_entries(start, end)) + list(_payment_entries(start, end))
    return sorted(entries, key=lambda e: (e.booked_on, e.reference, e.debit_account))


def _document_entries(start: date, end: date) -> Iterator[JournalEntry]:
    documents = (
        Invoice.objects.filter(issue_date__range=(start, end))
        .prefetch_related("taxes")
        .order_by("issue_date", "kind", "number")
    )
    for document in documents:
        for tax in document.taxes.all():
            category = _sales_tax_category(tax.rate_percent)
            receivable = (ACCOUNTS["receivable"], NOT_TAXABLE)
            sales = (ACCOUNTS["sales"], category)
            debit, credit = (
                (sales, receivable)
                if document.kind == InvoiceKind.CREDIT_NOTE
                else (receivable, sales)
            )
            yield JournalEntry(
                booked_on=document.issue_date,
                reference=document.display_number,
                debit_account=debit[0],
                debit_tax_category=debit[1],
                credit_account=credit[0],
                credit_tax_category=credit[1],
                amount=tax.taxable_amount + tax.tax,
                tax=tax.tax,
                partner=document.recipient_name,
                description=_description(document),
            )


def _description(document: Invoice) -> str:
    label = "返還" if document.kind == InvoiceKind.CREDIT_NOTE else "会費"
    period = f"{document.period_start:%Y-%m}〜{document.period_end:%Y-%m}"
    return f"{label} {document.display_number} {period}"


def _payment_entries(start: date, end: date) -> Iterator[JournalEntry]:
    payments = (
        Payment.objects.filter(paid_on__range=(start, end))
        .select_related("invoice")
        .order_by("paid_on", "id")
    )
    for payment in payments:
        yield JournalEntry(
            booked_on=payment.paid_on,
            reference=f"{payment.invoice.display_number}-P{_ordinal(payment)}",
            debit_account=ACCOUNTS["bank"],
            debit_tax_category=NOT_TAXABLE,
            credit_account=ACCOUNTS["receivable"],
            credit_tax_category=NOT_TAXABLE,
            amount=payment.amount,
            tax=0,
            partner=payment.invoice.recipient_name,
            description=f"入金 {payment.invoice.display_number}",
        )


def _ordinal(payment: Payment) -> int:
    """1 for an invoice's first payment, 2 for its second: a reference stable across exports."""
    earlier = Payment.objects.filter(invoice_id=payment.invoice_id).filter(
        Q(paid_on__lt=payment.paid_on) | Q(paid_on=payment.paid_on, id__lt=payment.pk)
    )
    return earlier.count() + 1


FREEE_HEADER = [
    "日付", "伝票番号", "決算整理仕訳",
    "借方勘定科目", "借方補助科目", "借方取引先", "借方税区分", "借方金額", "借方税額",
    "貸方勘定科目", "貸方補助科目", "貸方取引先", "貸方税区分", "貸方金額", "貸方税額",
    "摘要",
]  # fmt: skip


def _freee_rows(entries: list[JournalEntry]) -> Iterator[list[object]]:
    for number, e in enumerate(entries, start=1):
        debit_tax = e.tax if e.debit_tax_category != NOT_TAXABLE else 0
        credit_tax = e.tax if e.credit_tax_category != NOT_TAXABLE else 0
        yield [
            f"{e.booked_on:%Y/%m/%d}", number, "",
            e.debit_account, "", e.partner, e.debit_tax_category, e.amount, debit_tax,
            e.credit_account, "", e.partner, e.credit_tax_category, e.amount, credit_tax,
            e.description,
        ]  # fmt: skip


MONEYFORWARD_HEADER = [
    "取引No", "取引日",
    "借方勘定科目", "借方補助科目", "借方部門", "借方取引先", "借方税区分", "借方インボイス",
    "借方金額(円)", "借方税額",
    "貸方勘定科目", "貸方補助科目", "貸方部門", "貸方取引先", "貸方税区分", "貸方インボイス",
    "貸方金額(円)", "貸方税額",
    "摘要", "仕訳メモ", "タグ", "MF仕訳タイプ", "決算整理仕訳",
    "作成日時", "作成者", "最終更新日時", "最終更新者",
]  # fmt: skip


def _moneyforward_rows(entries: list[JournalEntry]) -> Iterator[list[object]]:
    for number, e in enumerate(entries, start=1):
        debit_tax = e.tax if e.debit_tax_category != NOT_TAXABLE else ""
        credit_tax = e.tax if e.credit_tax_category != NOT_TAXABLE else ""
        yield [
            number, f"{e.booked_on:%Y/%m/%d}",
            e.debit_account, "", "", e.partner, e.debit_tax_category, "", e.amount, debit_tax,
            e.credit_account, "", "", e.partner, e.credit_tax_category, "", e.amount, credit_tax,
            e.description, e.reference, "", "", "", "", "", "", "",
        ]  # fmt: skip


GENERIC_HEADER = [
    "date", "reference", "debit_account", "debit_tax_category", "credit_account",
    "credit_tax_category", "amount", "tax", "partner", "description",
]  # fmt: skip


def _generic_rows(entries: list[JournalEntry]) -> Iterator[list[object]]:
    for e in entries:
        yield [
            e.booked_on.isoformat(), e.reference, e.debit_account, e.debit_tax_category,
            e.credit_account, e.credit_tax_category, e.amount, e.tax, e.partner, e.description,
        ]  # fmt: skip


LAYOUTS: dict[str, tuple[list[str], Callable[[list[JournalEntry]], Iterator[list[object]]]]] = {
    "freee": (FREEE_HEADER, _freee_rows),
    "moneyforward": (MONEYFORWARD_HEADER, _moneyforward_rows),
    "generic": (GENERIC_HEADER, _generic_rows),
}


def export_csv(layout: str, start: date, end: date) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends: what both products' importers accept.

    Written by the shared formula-safe helper: a partner name such as "=1+1" arrives as text.
    """
    header, rows = LAYOUTS[layout]
    return csv_bytes(header, rows(journal_entries(start, end)))
