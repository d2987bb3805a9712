"""Reads used by pages, the API, jobs and services."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from kizuna.accounts.models import Organization
from kizuna.billing import pricing
from kizuna.billing.models import (
    BillingAccount,
    Deposit,
    DepositStatus,
    FeeChoice,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    ProgramRules,
    SmallBusinessStatus,
)
from kizuna.billing.periods import add_months, first_of_next_month, period_end


class NoRulesInForce(LookupError):
    pass


def rules_for(period_start: date) -> ProgramRules:
    rules = (
        ProgramRules.objects.filter(effective_from__lte=period_start)
        .order_by("-effective_from")
        .first()
    )
    if rules is None:
        raise NoRulesInForce(f"no program rules in force on {period_start}")
    return rules


def rules_history() -> QuerySet[ProgramRules]:
    return ProgramRules.objects.order_by("-effective_from")


def account_of(organization: Organization) -> BillingAccount | None:
    return BillingAccount.objects.filter(organization=organization).first()


def is_small_business(account: BillingAccount | None) -> bool:
    return account is not None and account.small_business_status == SmallBusinessStatus.APPROVED


def live_invoices(account: BillingAccount) -> QuerySet[Invoice]:
    """Invoices (not credit notes) that stand: issued and not cancelled by a credit note."""
    return account.invoices.filter(kind=InvoiceKind.INVOICE).exclude(status=InvoiceStatus.CREDITED)


def next_period_start(account: BillingAccount, today: date) -> date | None:
    """The first day not yet billed; None while the partner has chosen no fee, or once
    billing has ended (the partner left the program)."""
    last = live_invoices(account).order_by("-period_end").first()
    if last is not None:
        start: date | None = last.period_end + timedelta(days=1)
    else:
        first_choice = account.choices.order_by("effective_from", "id").first()
        start = first_choice.effective_from if first_choice else None
    if (
        start is not None
        and account.billing_ends_on is not None
        and start > account.billing_ends_on
    ):
        return None  # the partner has left the program
    return start


def next_choice_start(account: BillingAccount | None, today: date) -> date:
    """When a fee chosen today takes effect: the next period not yet billed."""
    start = first_of_next_month(today)
    if account is not None:
        last = live_invoices(account).order_by("-period_end").first()
        if last is not None and last.period_end >= start:
            start = add_months(last.period_start, last.period_months)
    return start


def fee_bounds(account: BillingAccount | None, today: date) -> dict[str, int]:
    """The step and range a fee chosen today must keep to (None: a company applying)."""
    rules = rules_for(next_choice_start(account, today))
    minimum, maximum = pricing.fee_range(rules, small_business=is_small_business(account))
    return {"step": rules.fee_step, "minimum": minimum, "maximum": maximum}


def fee_choice_for(account: BillingAccount, period_start: date) -> FeeChoice | None:
    return (
        account.choices.filter(effective_from__lte=period_start)
        .order_by("-effective_from", "-id")
        .first()
    )


def current_choice(account: BillingAccount | None) -> FeeChoice | None:
    if account is None:
        return None
    return account.choices.order_by("-effective_from", "-id").first()


def months_already_billed(account: BillingAccount, before: date) -> int:
    billed = (
        live_invoices(account).filter(period_start__lt=before).aggregate(n=Sum("period_months"))
    )
    return int(billed["n"] or 0)


@dataclass(frozen=True)
class Preview:
    """What will be charged for a fee choice, and when."""

    quote: pricing.Quote
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    monthly_fee: int
    cycle: str


def preview(
    account: BillingAccount | None, *, monthly_fee: int, cycle: str, today: date
) -> Preview:
    start = next_choice_start(account, today)
    rules = rules_for(start)
    billed = months_already_billed(account, start) if account is not None else 0
    quote = pricing.quote(
        rules,
        monthly_fee=monthly_fee,
        cycle=cycle,
        months_already_billed=billed,
        period_start=start,
    )
    return Preview(
        quote=quote,
        period_start=start,
        period_end=period_end(start, quote.period_months),
        issue_date=start,
        due_date=due_date_for(start, rules),
        monthly_fee=monthly_fee,
        cycle=cycle,
    )


def due_date_for(issue_date: date, rules: ProgramRules) -> date:
    return issue_date + timedelta(days=rules.payment_terms_days)


def paid_amount(invoice: Invoice) -> int:
    return int(invoice.payments.aggregate(total=Sum("amount"))["total"] or 0)


def outstanding(invoice: Invoice) -> int:
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.OPEN:
        return 0
    return invoice.total - paid_amount(invoice)


def deposit_remaining(deposit: Deposit) -> int:
    applied = deposit.payments.aggregate(total=Sum("amount"))["total"] or 0
    return deposit.amount - int(applied)


def invoices_for_account(account: BillingAccount | None) -> QuerySet[Invoice]:
    if account is None:
        return Invoice.objects.none()
    return account.invoices.order_by("-issue_date", "-number")


def invoice_list(*, status: str = "", query: str = "") -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("account").order_by("-issue_date", "-kind", "-number")
    if status == "overdue":
        invoices = invoices.filter(status=InvoiceStatus.OPEN, overdue_since__isnull=False)
    elif status:
        invoices = invoices.filter(status=status)
    if query:
        invoices = invoices.filter(
            Q(recipient_name__icontains=query) | Q(account__organization__name__icontains=query)
        )
    return invoices


def overdue_accounts(today: date) -> list[dict[str, Any]]:
    """Partners with open invoices past due, most overdue first, for staff to follow up."""
    rows = (
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, status=InvoiceStatus.OPEN, due_date__lt=today
        )
        .values("account_id", "account__legal_name", "account__suspended")
        .annotate(total=Sum("total"))
        .order_by("account__legal_name")
    )
    result = []
    for row in rows:
        oldest = (
            Invoice.objects.filter(
                account_id=row["account_id"],
                kind=InvoiceKind.INVOICE,
                status=InvoiceStatus.OPEN,
                due_date__lt=today,
            )
            .order_by("due_date")
            .first()
        )
        assert oldest is not None
        result.append({**row, "oldest": oldest, "days": (today - oldest.due_date).days})
    return sorted(result, key=lambda row: -row["days"])


def deposits_needing_attention() -> QuerySet[Deposit]:
    """Every deposit not fully applied: proposals to confirm, partial and unmatched ones."""
    return (
        Deposit.objects.exclude(status=DepositStatus.MATCHED)
        .select_related("proposed_invoice", "statement")
        .order_by("status", "booked_on", "id")
    )


def open_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.OPEN)


def today() -> date:
    return timezone.localdate()
