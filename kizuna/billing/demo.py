"""A year of fees, invoices and bank-transfer payments for the demo partners.

Bob's Web Works pays monthly and has this month's invoice open; most partners paid every
invoice; a few pay annually; a few are behind, so the staff pages have overdue partners
and unmatched deposits to show. Everything is bulk-inserted and follows ctx.rng.
"""

import importlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import translation

from kizuna.accounts.models import Organization
from kizuna.billing import pricing
from kizuna.billing.kana import payer_key
from kizuna.billing.models import (
    BankStatement,
    BillingAccount,
    BillingCycle,
    Deposit,
    DepositStatus,
    FeeChoice,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoiceTax,
    NumberCounter,
    Payment,
    ProgramRules,
)
from kizuna.billing.periods import add_months, period_end
from kizuna.billing.services.invoicing import amount_rows
from kizuna.core.seeding import DemoContext

DEMO_ISSUER = {
    "issuer_name": "Kizuna エコシステム運営株式会社",
    "registration_number": "T9234567890123",  # a valid check digit; no real company
    "issuer_address": "東京都千代田区丸の内1-1-1",
    "bank_account": "つばさ銀行 本店営業部 普通 1234567 キズナエコシステム（カ",
}
KANA = {
    "Bob Web Works": "カ）ボブウエブワークス",
    "イヴ・コマースラボ株式会社": "イヴコマースラボ（カ",
}
BATCH = 2_000


@dataclass
class _Plan:
    organization: Organization
    monthly_fee: int
    cycle: str
    pays: bool


def seed(ctx: DemoContext) -> None:
    organizations: list[Organization] = ctx.shared.get("partner_organizations", [])
    if not organizations:
        return
    rules = _default_rules()
    first_period = add_months(ctx.today.replace(day=1), -11)
    plans = [_plan(ctx, index, organization) for index, organization in enumerate(organizations)]
    accounts = BillingAccount.objects.bulk_create(
        [_account(index, plan) for index, plan in enumerate(plans)], batch_size=BATCH
    )
    FeeChoice.objects.bulk_create(
        [
            FeeChoice(
                account=account,
                monthly_fee=plan.monthly_fee,
                cycle=plan.cycle,
                effective_from=first_period,
            )
            for account, plan in zip(accounts, plans, strict=True)
        ],
        batch_size=BATCH,
    )
    with translation.override("ja"):
        _seed_invoices(ctx, rules, accounts, plans, first_period)


def _default_rules() -> ProgramRules:
    # The migration creates these; a flushed database (tests) needs them again.
    defaults = importlib.import_module("kizuna.billing.migrations.0002_default_rules")
    rules, _created = ProgramRules.objects.update_or_create(
        effective_from=defaults.DEFAULT_RULES["effective_from"],
        defaults={**defaults.DEFAULT_RULES, **DEMO_ISSUER},
    )
    return rules


def _plan(ctx: DemoContext, index: int, organization: Organization) -> _Plan:
    fee = ctx.rng.randrange(10, 51) * 1_000
    if index == 0:  # bob
        return _Plan(organization, 30_000, BillingCycle.MONTHLY, pays=True)
    cycle = BillingCycle.ANNUAL if ctx.rng.random() < 0.2 else BillingCycle.MONTHLY
    return _Plan(organization, fee, cycle, pays=ctx.rng.random() > 0.1)


def _account(index: int, plan: _Plan) -> BillingAccount:
    name = plan.organization.name
    kana = KANA.get(name, f"カ）パートナー{index:04d}")
    return BillingAccount(
        organization=plan.organization,
        legal_name=name,
        billing_email=f"billing@{plan.organization.slug}.example.jp",
        payer_kana=kana,
        payer_kana_key=payer_key(kana),
        employee_count=10 + index % 40,
    )


def _seed_invoices(
    ctx: DemoContext,
    rules: ProgramRules,
    accounts: list[BillingAccount],
    plans: list[_Plan],
    first_period: date,
) -> None:
    quoted: list[tuple[Invoice, pricing.Quote]] = []
    for account, plan in ctx.track(zip(accounts, plans, strict=True), "billing", len(accounts)):
        start, billed = first_period, 0
        while start <= ctx.today:
            quote = pricing.quote(
                rules,
                monthly_fee=plan.monthly_fee,
                cycle=plan.cycle,
                months_already_billed=billed,
                period_start=start,
            )
            quoted.append((_invoice(rules, account, plan, start, quote), quote))
            billed += quote.period_months
            start = add_months(start, quote.period_months)
    # Numbers follow issue order; each invoice keeps its own quote through the sort.
    quoted.sort(key=lambda pair: (pair[0].issue_date, pair[0].account.pk))
    for number, (invoice, _quote) in enumerate(quoted, start=1):
        invoice.number = number
    invoices = Invoice.objects.bulk_create([invoice for invoice, _ in quoted], batch_size=BATCH)
    rows = [amount_rows(invoice, quote) for invoice, quote in quoted]
    InvoiceLine.objects.bulk_create([line for lines, _ in rows for line in lines], batch_size=BATCH)
    InvoiceTax.objects.bulk_create([tax for _, taxes in rows for tax in taxes], batch_size=BATCH)
    NumberCounter.objects.update_or_create(
        series=InvoiceKind.INVOICE, defaults={"next_number": len(invoices) + 1}
    )
    _seed_payments(ctx, invoices, {plan.organization.pk: plan for plan in plans})


def _invoice(
    rules: ProgramRules, account: BillingAccount, plan: _Plan, start: date, quote: pricing.Quote
) -> Invoice:
    due = start + timedelta(days=rules.payment_terms_days)
    return Invoice(
        kind=InvoiceKind.INVOICE,
        number=0,
        account=account,
        rules=rules,
        cycle=plan.cycle,
        period_start=start,
        period_end=period_end(start, quote.period_months),
        period_months=quote.period_months,
        issue_date=start,
        due_date=due,
        recipient_name=account.legal_name,
        subtotal=quote.subtotal,
        tax=quote.tax,
        total=quote.total,
        tax_rounding=rules.tax_rounding,
        status=InvoiceStatus.OPEN,
        **{key: getattr(rules, key) for key in DEMO_ISSUER},
    )


def _seed_payments(ctx: DemoContext, invoices: list[Invoice], plans: dict[int, _Plan]) -> None:
    """Paid invoices get a matched deposit a few days before their due date."""
    statement = BankStatement.objects.create(file_hash="demo", filename="demo-statement.csv")
    deposits, payments, paid = [], [], []
    for invoice in invoices:
        plan = plans[invoice.account.organization_id]
        this_month = invoice.period_start > ctx.today - timedelta(days=31)
        if this_month or not plan.pays:
            continue
        booked_on = invoice.due_date - timedelta(days=ctx.rng.randrange(1, 20))
        deposit = Deposit(
            statement=statement,
            row_hash=f"demo-{invoice.number}",
            booked_on=booked_on,
            payer_name=invoice.account.payer_kana,
            payer_key=invoice.account.payer_kana_key,
            amount=invoice.total,
            status=DepositStatus.MATCHED,
        )
        deposits.append(deposit)
        payments.append(
            Payment(invoice=invoice, deposit=deposit, amount=invoice.total, paid_on=booked_on)
        )
        paid.append(invoice.pk)
    # A transfer nobody could match, for the reconciliation page.
    deposits.append(
        Deposit(
            statement=statement,
            row_hash="demo-unmatched",
            booked_on=ctx.today - timedelta(days=2),
            payer_name="ﾔﾏﾀﾞ ﾀﾛｳ",
            payer_key=payer_key("ﾔﾏﾀﾞ ﾀﾛｳ"),
            amount=5_500,
            status=DepositStatus.UNMATCHED,
        )
    )
    Deposit.objects.bulk_create(deposits, batch_size=BATCH)
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    statement.deposits_added = statement.rows_read = len(deposits)
    statement.save(update_fields=["deposits_added", "rows_read"])
    for start in range(0, len(paid), BATCH):
        Invoice.objects.filter(pk__in=paid[start : start + BATCH]).update(status=InvoiceStatus.PAID)
    Invoice.objects.filter(status=InvoiceStatus.OPEN, due_date__lt=ctx.today).update(
        overdue_since=ctx.today
    )
