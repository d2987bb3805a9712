"""Billing data: versioned program rules, each partner's billing account and fee choices,
qualified invoices and credit notes, bank deposits and the payments matched from them.

Nothing here is read by the directory: the fee a partner pays never affects its ranking.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.accounts.models import Organization
from kizuna.core.money import Rounding


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class ProgramRules(models.Model):
    """One version of the fee program, in force for billing periods from `effective_from`.

    Versions are never edited: a change is a new row effective from a later period, so an
    invoice already issued was priced by rules that still exist unchanged.
    """

    effective_from = models.DateField(_("effective from"), unique=True)
    min_fee = models.PositiveIntegerField(_("minimum monthly fee (yen, tax excluded)"))
    max_fee = models.PositiveIntegerField(_("maximum monthly fee (yen, tax excluded)"))
    fee_step = models.PositiveIntegerField(_("fee step (yen)"))
    small_business_min_fee = models.PositiveIntegerField(_("small-business minimum fee (yen)"))
    small_business_max_employees = models.PositiveIntegerField(
        _("small business: at most this many employees")
    )
    tax_rate_percent = models.PositiveSmallIntegerField(_("consumption tax rate (%)"))
    tax_rounding = models.CharField(
        _("tax rounding"),
        max_length=16,
        choices=[
            (Rounding.DOWN, _("Round down")),
            (Rounding.HALF_UP, _("Round half up")),
            (Rounding.UP, _("Round up")),
        ],
    )
    annual_discount_percent = models.PositiveSmallIntegerField(_("annual payment discount (%)"))
    first_time_discount_percent = models.PositiveSmallIntegerField(_("first-time discount (%)"))
    first_time_discount_months = models.PositiveSmallIntegerField(_("first-time discount months"))
    payment_terms_days = models.PositiveSmallIntegerField(_("days to pay after issue"))
    issuer_name = models.CharField(_("issuer name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=14)
    issuer_address = models.CharField(_("issuer address"), max_length=300, blank=True)
    bank_account = models.CharField(_("bank account for transfers"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("program rules")
        verbose_name_plural = _("program rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"


class SmallBusinessStatus(models.TextChoices):
    NOT_DECLARED = "not_declared", _("Not declared")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class BillingAccount(models.Model):
    """Who is billed for a partner organization, and how its bank transfers are named."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="billing_account",
        verbose_name=_("organization"),
    )
    legal_name = models.CharField(_("legal name on invoices"), max_length=200)
    billing_email = models.EmailField(_("billing email"))
    payer_kana = models.CharField(
        _("payer name in kana, as on bank transfers"), max_length=100, blank=True
    )
    payer_kana_key = models.CharField(
        _("payer kana key"), max_length=100, blank=True, db_index=True, editable=False
    )
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    is_sole_proprietor = models.BooleanField(_("sole proprietor"), default=False)
    small_business_status = models.CharField(
        _("small-business tier"),
        max_length=16,
        choices=SmallBusinessStatus.choices,
        default=SmallBusinessStatus.NOT_DECLARED,
    )
    suspended = models.BooleanField(_("suspended from the directory"), default=False)
    suspension_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The last day billed when the partner leaves the program; no period starts after it.
    billing_ends_on = models.DateField(_("billing ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name


class FeeChoice(models.Model):
    """A partner's chosen monthly fee, in force from a billing period until the next choice."""

    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="choices", verbose_name=_("account")
    )
    monthly_fee = models.PositiveIntegerField(_("monthly fee (yen, tax excluded)"))
    cycle = models.CharField(_("billing"), max_length=16, choices=BillingCycle.choices)
    effective_from = models.DateField(_("effective from"))
    chosen_at = models.DateTimeField(_("chosen at"), auto_now_add=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chosen by"),
    )

    class Meta:
        verbose_name = _("fee choice")
        verbose_name_plural = _("fee choices")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.monthly_fee:,} ({self.cycle}) from {self.effective_from}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Cancelled by credit note")
    SETTLED = "settled", _("Settled")  # a credit note, which nobody pays


class NumberCounter(models.Model):
    """The next number of a series; locked while an invoice takes it, so numbers never skip."""

    series = models.CharField(_("series"), max_length=16, unique=True)
    next_number = models.PositiveIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.series}: {self.next_number}"


class ImmutableInvoice(ValidationError):
    pass


class Invoice(models.Model):
    """A qualified invoice (適格請求書) or credit note (適格返還請求書), frozen once issued.

    Everything printed is stored here as issued (issuer, recipient, amounts), so neither a
    rules change nor a renamed partner can alter a past invoice. Only the payment status,
    the overdue date and the rendered PDF may be written afterwards.
    """

    MUTABLE_FIELDS = frozenset({"status", "overdue_since", "pdf"})
    SERIES_PREFIX = {InvoiceKind.INVOICE: "INV", InvoiceKind.CREDIT_NOTE: "CN"}

    kind = models.CharField(_("kind"), max_length=16, choices=InvoiceKind.choices)
    number = models.PositiveIntegerField(_("number"))
    account = models.ForeignKey(
        BillingAccount, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("account")
    )
    rules = models.ForeignKey(
        ProgramRules, on_delete=models.PROTECT, related_name="+", verbose_name=_("rules")
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("corrects"),
    )
    cycle = models.CharField(_("billing"), max_length=16, choices=BillingCycle.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_months = models.PositiveSmallIntegerField(_("period months"))
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    issuer_name = models.CharField(_("issuer name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=14)
    issuer_address = models.CharField(_("issuer address"), max_length=300, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=300, blank=True)
    recipient_name = models.CharField(pgettext_lazy("invoice", "recipient"), max_length=200)
    subtotal = models.IntegerField(_("subtotal (tax excluded)"))
    tax = models.IntegerField(_("consumption tax"))
    total = models.IntegerField(_("total"))
    tax_rounding = models.CharField(_("tax rounding"), max_length=16)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InvoiceStatus.choices)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="invoice_number_unique"),
            # One live invoice per account and period, whatever runs the issuing job twice.
            models.UniqueConstraint(
                fields=["account", "period_start"],
                condition=Q(kind="invoice") & ~Q(status="credited"),
                name="one_live_invoice_per_period",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            self._refuse_changes_to_issued_fields(kwargs.get("update_fields"))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def _refuse_changes_to_issued_fields(self, update_fields: object) -> None:
        if update_fields is not None and set(update_fields) <= self.MUTABLE_FIELDS:  # type: ignore[call-overload]
            return
        stored = type(self).objects.filter(pk=self.pk).values().first()
        if stored is None:
            return
        changed = [
            name
            for name, value in stored.items()
            if name not in self.MUTABLE_FIELDS and getattr(self, name) != value
        ]
        if changed:
            raise ImmutableInvoice(
                _("An issued invoice cannot change (%(fields)s); issue a credit note instead.")
                % {"fields": ", ".join(changed)},
                code="invoice_immutable",
            )

    @property
    def display_number(self) -> str:
        return f"{self.SERIES_PREFIX[InvoiceKind(self.kind)]}-{self.number:06d}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(pgettext_lazy("invoice line", "description"), max_length=200)
    amount = models.IntegerField(_("amount (tax excluded)"))
    tax_rate_percent = models.PositiveSmallIntegerField(_("tax rate (%)"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.description


class InvoiceTax(models.Model):
    """The total and the consumption tax for one tax rate, as the law asks them printed."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="taxes", verbose_name=_("invoice")
    )
    rate_percent = models.PositiveSmallIntegerField(_("rate (%)"))
    taxable_amount = models.IntegerField(_("taxable amount"))
    tax = models.IntegerField(_("tax"))

    class Meta:
        verbose_name = _("invoice tax")
        verbose_name_plural = _("invoice taxes")
        ordering = ["-rate_percent"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "rate_percent"], name="one_tax_per_rate")
        ]

    def __str__(self) -> str:
        return f"{self.rate_percent}%: {self.taxable_amount:,} + {self.tax:,}"


class BankStatement(models.Model):
    file_hash = models.CharField(_("file hash"), max_length=64, unique=True)
    filename = models.CharField(_("filename"), max_length=200)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    deposits_added = models.PositiveIntegerField(_("deposits added"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename


class DepositStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("Unmatched")
    PROPOSED = "proposed", _("Match proposed")
    PARTIAL = "partial", _("Partial amount")
    MATCHED = "matched", _("Matched")


class Deposit(models.Model):
    """One incoming transfer read from a bank statement; kept whether or not it matched."""

    statement = models.ForeignKey(
        BankStatement,
        on_delete=models.PROTECT,
        related_name="deposits",
        verbose_name=_("bank statement"),
    )
    row_hash = models.CharField(_("row hash"), max_length=64, unique=True)
    booked_on = models.DateField(_("date"))
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_key = models.CharField(_("payer key"), max_length=200, db_index=True)
    amount = models.PositiveIntegerField(_("amount"))
    status = models.CharField(
        _("status"), max_length=16, choices=DepositStatus.choices, default=DepositStatus.UNMATCHED
    )
    proposed_invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposed_deposits",
        verbose_name=_("proposed invoice"),
    )

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["booked_on", "id"]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.payer_name} {self.amount:,}"


class Payment(models.Model):
    """Money from a deposit (or a card charge) applied to an invoice, confirmed by staff."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    deposit = models.ForeignKey(
        Deposit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("deposit"),
    )
    amount = models.PositiveIntegerField(_("amount"))
    paid_on = models.DateField(_("paid on"))
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount:,}"


class ReminderStage(models.TextChoices):
    DUE = "due", _("On the due date")
    OVERDUE_7 = "overdue_7", _("7 days overdue")
    OVERDUE_14 = "overdue_14", _("14 days overdue")


class ReminderLog(models.Model):
    """One reminder per invoice and stage: created once, when its email is queued.

    What became of the email is its outreach delivery (key `billing.reminder:<invoice>:<stage>`).
    """

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("invoice")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=ReminderStage.choices)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder log")
        verbose_name_plural = _("reminder logs")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "stage"], name="one_reminder_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.stage}"


RETENTION_YEARS = 7


def retention_ends(issue_date: date) -> date:
    """The first day an invoice may be deleted (法人税法: books and invoices kept 7 years)."""
    try:
        return issue_date.replace(year=issue_date.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return issue_date.replace(year=issue_date.year + RETENTION_YEARS, day=28)
