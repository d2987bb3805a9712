"""Read-mostly admin for billing: invoices, payments and rules are written by the services.

Staff may correct what invoices say about a partner (its billing account) here; the
change goes through the same service as the partner's own edit, which audits it. The
small-business tier and suspension are decided on the billing staff pages, which announce
them to the rest of the system.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kizuna.billing.models import (
    BankStatement,
    BillingAccount,
    Deposit,
    FeeChoice,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    NumberCounter,
    Payment,
    ProgramRules,
    ReminderLog,
    SmallBusinessStatus,
)
from kizuna.billing.services.program import ACCOUNT_FIELDS, billing_account_save
from kizuna.core.admin import ReadOnlyAdmin


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = [
        "legal_name",
        "organization",
        "billing_email",
        "small_business_status",
        "suspended",
    ]
    list_filter = ["small_business_status", "suspended"]
    search_fields = ["legal_name", "organization__name", "billing_email"]
    fields = [
        "organization",
        *ACCOUNT_FIELDS,
        "small_business_status",
        "suspended",
        "suspension_reason",
        "created_at",
    ]
    readonly_fields = [
        "organization",
        "small_business_status",
        "suspended",
        "suspension_reason",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not form.changed_data:
            return
        stored = BillingAccount.objects.select_related("organization").get(pk=obj.pk)
        billing_account_save(
            actor=request.user,
            organization=stored.organization,
            **{name: form.cleaned_data[name] for name in ACCOUNT_FIELDS},
            # Keep the partner's declaration as it is: only staff's decision changes the tier.
            declare_small_business=stored.small_business_status != SmallBusinessStatus.NOT_DECLARED,
        )
        obj.refresh_from_db()


@admin.register(ProgramRules)
class ProgramRulesAdmin(ReadOnlyAdmin):
    list_display = ["effective_from", "min_fee", "max_fee", "tax_rate_percent", "issuer_name"]


@admin.register(FeeChoice)
class FeeChoiceAdmin(ReadOnlyAdmin):
    list_display = ["account", "monthly_fee", "cycle", "effective_from", "chosen_at"]
    list_filter = ["cycle"]
    search_fields = ["account__legal_name"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine


class InvoiceTaxInline(ReadOnlyInline):
    model = InvoiceTax


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """An issued invoice never changes: a correction is a new invoice (billing staff pages)."""

    list_display = ["__str__", "kind", "account", "issue_date", "due_date", "total", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["account__legal_name", "recipient_name"]
    exclude = ["pdf"]
    inlines = [InvoiceLineInline, InvoiceTaxInline]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["filename", "imported_at", "imported_by", "rows_read", "deposits_added"]


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    list_display = ["booked_on", "payer_name", "amount", "status", "proposed_invoice"]
    list_filter = ["status"]
    search_fields = ["payer_name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount", "paid_on", "confirmed_at", "confirmed_by"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "stage", "claimed_at"]
    list_filter = ["stage"]


@admin.register(InvoiceLine, InvoiceTax)
class InvoiceDetailAdmin(ReadOnlyAdmin):
    """Lines and tax totals of issued qualified invoices: a legal record, corrected by a
    credit note, never edited."""


@admin.register(NumberCounter)
class NumberCounterAdmin(ReadOnlyAdmin):
    """Invoice numbers must stay gapless and unique: only issuing an invoice moves them."""
