"""What a partner is charged for one billing period: pure functions of the rules in force.

Discounts, in this order, each a line of the invoice rounded down to the yen:
1. first-time discount: first_time_discount_percent off each of the partner's first
   first_time_discount_months billed months (those falling inside this period);
2. annual discount: annual_discount_percent off what remains, when billed annually.
Consumption tax is computed once on the total per rate (rules.tax_rounding).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from kizuna.billing.models import BillingCycle, ProgramRules
from kizuna.core.money import Rounding, percent_of, tax_per_rate

MONTHS_IN = {BillingCycle.MONTHLY: 1, BillingCycle.ANNUAL: 12}


@dataclass(frozen=True)
class QuoteLine:
    description: str
    amount: int
    tax_rate_percent: int


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    taxable_by_rate: dict[int, int]
    tax_by_rate: dict[int, int]
    period_months: int

    @property
    def subtotal(self) -> int:
        return sum(self.taxable_by_rate.values())

    @property
    def tax(self) -> int:
        return sum(self.tax_by_rate.values())

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


def fee_range(rules: ProgramRules, *, small_business: bool) -> tuple[int, int]:
    minimum = rules.small_business_min_fee if small_business else rules.min_fee
    return minimum, rules.max_fee


def fee_error(rules: ProgramRules, monthly_fee: int, *, small_business: bool) -> str | None:
    """Why a monthly fee cannot be chosen under these rules, or None if it can."""
    minimum, maximum = fee_range(rules, small_business=small_business)
    if not minimum <= monthly_fee <= maximum:
        return _("Choose an amount from %(min)s to %(max)s yen.") % {
            "min": f"{minimum:,}",
            "max": f"{maximum:,}",
        }
    if monthly_fee % rules.fee_step:
        return _("Choose a multiple of %(step)s yen.") % {"step": f"{rules.fee_step:,}"}
    return None


def clamp_fee(rules: ProgramRules, monthly_fee: int, *, small_business: bool) -> int:
    """A fee chosen under older rules, moved into the range of the rules now in force."""
    minimum, maximum = fee_range(rules, small_business=small_business)
    return min(max(monthly_fee, minimum), maximum)


def quote(
    rules: ProgramRules,
    *,
    monthly_fee: int,
    cycle: str,
    months_already_billed: int,
    period_start: date,
) -> Quote:
    months = MONTHS_IN[BillingCycle(cycle)]
    rate = rules.tax_rate_percent
    base = monthly_fee * months
    lines = [QuoteLine(_fee_description(cycle, period_start, months), base, rate)]
    first_time_months = min(
        months, max(0, rules.first_time_discount_months - months_already_billed)
    )
    after_discounts = base
    if first_time_months and rules.first_time_discount_percent:
        discount = percent_of(monthly_fee * first_time_months, rules.first_time_discount_percent)
        lines.append(
            QuoteLine(
                _("First-time discount %(percent)s%% (%(months)s months)")
                % {"percent": rules.first_time_discount_percent, "months": first_time_months},
                -discount,
                rate,
            )
        )
        after_discounts -= discount
    if cycle == BillingCycle.ANNUAL and rules.annual_discount_percent:
        discount = percent_of(after_discounts, rules.annual_discount_percent)
        lines.append(
            QuoteLine(
                _("Annual payment discount %(percent)s%%")
                % {"percent": rules.annual_discount_percent},
                -discount,
                rate,
            )
        )
    taxable: dict[int, int] = {}
    for line in lines:
        taxable[line.tax_rate_percent] = taxable.get(line.tax_rate_percent, 0) + line.amount
    return Quote(
        lines=tuple(lines),
        taxable_by_rate=taxable,
        tax_by_rate=tax_per_rate(taxable, Rounding(rules.tax_rounding)),
        period_months=months,
    )


def _fee_description(cycle: str, period_start: date, months: int) -> str:
    if months == 1:
        return _("Partner program membership fee (%(month)s)") % {"month": f"{period_start:%Y-%m}"}
    return _("Partner program membership fee, annual (%(months)s months from %(month)s)") % {
        "months": months,
        "month": f"{period_start:%Y-%m}",
    }
