import importlib
from datetime import date

import pytest

from kizuna.billing import services
from kizuna.billing.models import BillingCycle, ProgramRules

NTA_NUMBER = "T7000012050002"  # 国税庁's own corporate number, a published valid example


@pytest.fixture
def rules(db):
    """The default rules (from the migration) with an issuer, as staff would set them."""
    # Transactional tests flush the tables, taking the migration's row with them.
    defaults = importlib.import_module("kizuna.billing.migrations.0002_default_rules")
    rules, _created = ProgramRules.objects.get_or_create(
        effective_from=date(2000, 1, 1), defaults=defaults.DEFAULT_RULES
    )
    rules.issuer_name = "株式会社キズナ"
    rules.registration_number = NTA_NUMBER
    rules.bank_account = "みずほ銀行 本店 普通 1234567 カ）キズナ"
    rules.save()
    return rules


@pytest.fixture
def bob_account(rules, bob, bob_org):
    return services.billing_account_save(
        actor=bob,
        organization=bob_org,
        legal_name="株式会社ボブウェブワークス",
        billing_email="billing@bob.example.jp",
        payer_kana="カ）ボブウエブワークス",
        employee_count=12,
    )


@pytest.fixture
def eve_account(rules, eve):
    return services.billing_account_save(
        actor=eve,
        organization=eve.memberships.get().organization,
        legal_name="イヴ・コマースラボ株式会社",
        billing_email="billing@eve.example.jp",
        payer_kana="イヴコマースラボ（カ",
        employee_count=3,
    )


def choose(account, monthly_fee=30_000, cycle=BillingCycle.MONTHLY, today=date(2026, 3, 15)):
    return services.fee_choose(
        actor=None, account=account, monthly_fee=monthly_fee, cycle=cycle, today=today
    )
