"""The program's rules, each partner's billing account, fee choices and suspension."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.billing import pricing, selectors
from kizuna.billing.kana import payer_key
from kizuna.billing.models import (
    BillingAccount,
    BillingCycle,
    FeeChoice,
    ProgramRules,
    SmallBusinessStatus,
)
from kizuna.billing.periods import first_of_next_month
from kizuna.billing.registration import is_valid_registration_number
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.serialization import json_ready

RULE_FIELDS = [
    "effective_from",
    "min_fee",
    "max_fee",
    "fee_step",
    "small_business_min_fee",
    "small_business_max_employees",
    "tax_rate_percent",
    "tax_rounding",
    "annual_discount_percent",
    "first_time_discount_percent",
    "first_time_discount_months",
    "payment_terms_days",
    "issuer_name",
    "registration_number",
    "issuer_address",
    "bank_account",
]


def rules_publish(*, actor: Any, today: date, **values: Any) -> ProgramRules:
    """A new version of the rules, in force from a coming billing period (never a past one)."""
    effective_from: date = values["effective_from"]
    earliest = first_of_next_month(today)
    if effective_from < earliest or effective_from.day != 1:
        raise ValidationError(
            _("New rules take effect on the first day of a coming month (%(date)s or later).")
            % {"date": earliest.isoformat()},
            code="rules_effective_in_past",
        )
    if not is_valid_registration_number(values["registration_number"]):
        raise ValidationError(
            _("Enter a registration number as T and 13 digits with a valid check digit."),
            code="invalid_registration_number",
        )
    if not values["small_business_min_fee"] <= values["min_fee"] <= values["max_fee"]:
        raise ValidationError(
            _("The fee range must satisfy small-business minimum ≤ minimum ≤ maximum."),
            code="invalid_fee_range",
        )
    with transaction.atomic():
        rules, _created = ProgramRules.objects.update_or_create(
            effective_from=effective_from,
            defaults={**{k: values[k] for k in RULE_FIELDS[1:]}, "created_by": actor},
        )
        audit.record(
            actor=actor,
            action="billing.rules_published",
            obj=rules,
            after=audit.snapshot(rules, RULE_FIELDS),
        )
    return rules


ACCOUNT_FIELDS = [
    "legal_name",
    "billing_email",
    "payer_kana",
    "employee_count",
    "is_sole_proprietor",
]


def billing_account_save(
    *,
    actor: Any,
    organization: Organization,
    legal_name: str,
    billing_email: str,
    payer_kana: str,
    employee_count: int | None = None,
    is_sole_proprietor: bool = False,
    declare_small_business: bool = False,
) -> BillingAccount:
    with transaction.atomic():
        account = selectors.account_of(organization) or BillingAccount(organization=organization)
        before = audit.snapshot(account, ACCOUNT_FIELDS) if account.pk else None
        account.legal_name = legal_name
        account.billing_email = billing_email
        account.payer_kana = payer_kana
        account.payer_kana_key = payer_key(payer_kana)
        account.employee_count = employee_count
        account.is_sole_proprietor = is_sole_proprietor
        declaration_changed = declare_small_business != (
            account.small_business_status != SmallBusinessStatus.NOT_DECLARED
        )
        if declaration_changed:
            # A declaration waits for staff; withdrawing it takes effect at once.
            account.small_business_status = (
                SmallBusinessStatus.PENDING
                if declare_small_business
                else SmallBusinessStatus.NOT_DECLARED
            )
        account.save()
        audit.record(
            actor=actor,
            action="billing.account_saved",
            obj=account,
            before=before,
            after=audit.snapshot(account, [*ACCOUNT_FIELDS, "small_business_status"]),
        )
    return account


def small_business_decide(*, actor: Any, account: BillingAccount, approve: bool) -> BillingAccount:
    with transaction.atomic():
        before = audit.snapshot(account, ["small_business_status"])
        account.small_business_status = (
            SmallBusinessStatus.APPROVED if approve else SmallBusinessStatus.REJECTED
        )
        account.save(update_fields=["small_business_status"])
        audit.record(
            actor=actor,
            action="billing.small_business_decided",
            obj=account,
            before=before,
            after=audit.snapshot(account, ["small_business_status"]),
        )
    return account


def fee_choose(
    *, actor: Any, account: BillingAccount, monthly_fee: int, cycle: str, today: date
) -> FeeChoice:
    """Record the partner's fee from the next billing period; earlier choices stay as history."""
    if cycle not in BillingCycle.values:
        raise ValidationError(_("Choose monthly or annual billing."), code="invalid_cycle")
    effective_from = selectors.next_choice_start(account, today)
    rules = selectors.rules_for(effective_from)
    problem = pricing.fee_error(
        rules, monthly_fee, small_business=selectors.is_small_business(account)
    )
    if problem:
        raise ValidationError(problem, code="fee_out_of_range")
    with transaction.atomic():
        previous = selectors.current_choice(account)
        choice = FeeChoice.objects.create(
            account=account,
            monthly_fee=monthly_fee,
            cycle=cycle,
            effective_from=effective_from,
            chosen_by=actor,
        )
        change = {"monthly_fee": monthly_fee, "cycle": cycle, "effective_from": effective_from}
        audit.record(
            actor=actor,
            action="billing.fee_chosen",
            obj=account,
            before={"monthly_fee": previous.monthly_fee, "cycle": previous.cycle}
            if previous
            else None,
            after=json_ready(change),
        )
        emit(
            "fee.changed",
            {"account_id": account.pk, "organization_id": account.organization_id, **change},
            actor=actor,
        )
    return choice


def billing_suspension_set(
    *, actor: Any, account: BillingAccount, suspended: bool, reason: str = ""
) -> BillingAccount:
    """A staff decision to hide (or show again) a partner in the directory."""
    with transaction.atomic():
        before = audit.snapshot(account, ["suspended", "suspension_reason"])
        if account.suspended == suspended:
            return account
        account.suspended = suspended
        account.suspension_reason = reason if suspended else ""
        account.save(update_fields=["suspended", "suspension_reason"])
        audit.record(
            actor=actor,
            action="billing_suspension_set",
            obj=account,
            before=before,
            after=audit.snapshot(account, ["suspended", "suspension_reason"]),
        )
        # The directory hides suspended partners on this event; it never reads billing data.
        emit(
            "partner.suspended" if suspended else "partner.unsuspended",
            {"organization_id": account.organization_id},
            actor=actor,
        )
    return account


def billing_end_set(
    *, actor: Any, organization: Organization, ends_on: date
) -> BillingAccount | None:
    """The partner leaves the program: no billing period starts after `ends_on`.

    Periods already invoiced stay as they are (an annual period paid ahead is not refunded,
    as the program terms say); a partner without a billing account has nothing to end.
    """
    with transaction.atomic():
        account = selectors.account_of(organization)
        if account is None:
            return None
        before = audit.snapshot(account, ["billing_ends_on"])
        account.billing_ends_on = ends_on
        account.save(update_fields=["billing_ends_on"])
        audit.record(
            actor=actor,
            action="billing.end_set",
            obj=account,
            before=before,
            after=audit.snapshot(account, ["billing_ends_on"]),
        )
    return account
