from datetime import date

import pytest

from kizuna.billing import pricing
from kizuna.billing.models import BillingCycle, ProgramRules
from kizuna.core.money import Rounding, tax_per_rate

pytestmark = pytest.mark.django_db


def make_rules(**changes):
    values = {
        "effective_from": date(2000, 1, 1),
        "min_fee": 10_000,
        "max_fee": 50_000,
        "fee_step": 1_000,
        "small_business_min_fee": 3_000,
        "small_business_max_employees": 5,
        "tax_rate_percent": 10,
        "tax_rounding": Rounding.DOWN,
        "annual_discount_percent": 10,
        "first_time_discount_percent": 50,
        "first_time_discount_months": 3,
        "payment_terms_days": 30,
        "issuer_name": "x",
        "registration_number": "T7000012050002",
    }
    return ProgramRules(**{**values, **changes})


def quote(rules, fee=30_000, cycle=BillingCycle.MONTHLY, billed=3):
    return pricing.quote(
        rules,
        monthly_fee=fee,
        cycle=cycle,
        months_already_billed=billed,
        period_start=date(2026, 4, 1),
    )


def test_monthly_without_discounts_is_the_fee_plus_ten_percent_tax():
    q = quote(make_rules())
    assert [line.amount for line in q.lines] == [30_000]
    assert (q.subtotal, q.tax, q.total) == (30_000, 3_000, 33_000)


def test_first_month_gets_the_first_time_discount():
    q = quote(make_rules(), billed=0)
    assert [line.amount for line in q.lines] == [30_000, -15_000]
    assert q.total == 16_500


def test_fourth_month_no_longer_gets_the_first_time_discount():
    assert quote(make_rules(), billed=3).subtotal == 30_000


def test_annual_billing_takes_ten_percent_off_twelve_months():
    q = quote(make_rules(), cycle=BillingCycle.ANNUAL, billed=12)
    assert [line.amount for line in q.lines] == [360_000, -36_000]
    assert (q.subtotal, q.tax, q.total) == (324_000, 32_400, 356_400)


def test_first_annual_period_stacks_the_first_time_then_the_annual_discount():
    q = quote(make_rules(), cycle=BillingCycle.ANNUAL, billed=0)
    # 3 months at 50%: -45,000; then 10% off the remaining 315,000: -31,500
    assert [line.amount for line in q.lines] == [360_000, -45_000, -31_500]
    assert q.subtotal == 283_500


def test_annual_period_after_one_discounted_month_discounts_only_the_remaining_two():
    q = quote(make_rules(), cycle=BillingCycle.ANNUAL, billed=1)
    assert q.lines[1].amount == -30_000


def test_discounts_set_to_zero_add_no_lines():
    rules = make_rules(annual_discount_percent=0, first_time_discount_percent=0)
    assert len(quote(rules, cycle=BillingCycle.ANNUAL, billed=0).lines) == 1


def test_a_later_rules_version_prices_with_its_own_rate_and_discounts():
    later = make_rules(
        effective_from=date(2027, 1, 1), tax_rate_percent=8, annual_discount_percent=20
    )
    q = quote(later, cycle=BillingCycle.ANNUAL, billed=12)
    assert (q.subtotal, q.tax_by_rate) == (288_000, {8: 23_040})


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.DOWN, 1_233), (Rounding.HALF_UP, 1_234), (Rounding.UP, 1_234)],
)
def test_tax_is_rounded_once_per_rate_with_the_configured_mode(rounding, expected):
    assert tax_per_rate({10: 12_335}, rounding) == {10: expected}


def test_rounding_the_invoice_total_once_differs_from_rounding_each_line():
    # Three lines of 1,005 yen: 100.5 each -> 300 if rounded down per line, 301 per invoice.
    assert tax_per_rate({10: 3_015}, Rounding.DOWN) == {10: 301}


def test_odd_fee_with_first_time_discount_rounds_the_discount_down():
    q = quote(make_rules(first_time_discount_percent=33, fee_step=1), fee=10_001, billed=0)
    assert q.lines[1].amount == -3_300


@pytest.mark.parametrize(
    ("fee", "small", "ok"),
    [
        (10_000, False, True),
        (50_000, False, True),
        (9_000, False, False),
        (51_000, False, False),
        (10_500, False, False),
        (3_000, True, True),
        (2_000, True, False),
        (3_000, False, False),
    ],
)
def test_fee_must_be_a_step_inside_the_range_for_the_partner(fee, small, ok):
    assert (pricing.fee_error(make_rules(), fee, small_business=small) is None) is ok
