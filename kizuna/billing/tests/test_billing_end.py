from datetime import date

import pytest

from kizuna.billing import services
from kizuna.billing.models import BillingCycle
from kizuna.billing.tests.conftest import choose
from kizuna.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_no_period_starts_after_billing_ends(bob_account, bob_org):
    choose(bob_account)  # from 2026-04-01
    services.billing_end_set(actor=None, organization=bob_org, ends_on=date(2026, 5, 31))
    issued = services.invoices_issue_due(today=date(2026, 9, 1))
    assert [invoice.period_start for invoice in issued] == [date(2026, 4, 1), date(2026, 5, 1)]
    assert services.invoices_issue_due(today=date(2026, 10, 1)) == []
    assert AuditEntry.objects.filter(action="billing.end_set").exists()


def test_an_annual_period_already_invoiced_stays_as_it_is(bob_account, bob_org):
    choose(bob_account, cycle=BillingCycle.ANNUAL)
    (annual,) = services.invoices_issue_due(today=date(2026, 4, 1))
    services.billing_end_set(actor=None, organization=bob_org, ends_on=date(2026, 5, 31))
    assert services.invoices_issue_due(today=date(2027, 5, 1)) == []
    annual.refresh_from_db()
    assert annual.status == "open"


def test_ending_billing_without_an_account_is_nothing_to_do(rules, eve):
    organization = eve.memberships.get().organization
    assert (
        services.billing_end_set(actor=None, organization=organization, ends_on=date(2026, 5, 31))
        is None
    )
