from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kizuna.billing.bankcsv import PRESETS
from kizuna.billing.exports import LAYOUTS
from kizuna.billing.models import BillingCycle, ProgramRules
from kizuna.billing.registration import is_valid_registration_number
from kizuna.billing.services.program import RULE_FIELDS
from kizuna.core.api_schema import MAX_INT32, MAX_YEN
from kizuna.core.forms import BoundedDateField


class FeeForm(forms.Form):
    monthly_fee = forms.IntegerField(
        label=_("Monthly fee (yen, tax excluded)"),
        min_value=0,
        max_value=MAX_YEN,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    cycle = forms.ChoiceField(
        label=_("Billing cycle"), choices=BillingCycle.choices, widget=forms.RadioSelect
    )

    def __init__(
        self, *args: Any, step: int = 1000, minimum: int = 0, maximum: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_fee"].widget.attrs.update(
            {"step": step, "min": minimum, "max": maximum}
        )


class BillingAccountForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name on invoices"), max_length=200)
    billing_email = forms.EmailField(label=_("Billing email"))
    payer_kana = forms.CharField(
        label=_("Payer name in kana"),
        max_length=100,
        help_text=_("As it appears on your bank transfers, e.g. カ）ボブウエブワークス"),
    )
    is_sole_proprietor = forms.BooleanField(label=_("We are a sole proprietor"), required=False)
    employee_count = forms.IntegerField(
        label=_("Number of employees"), min_value=0, max_value=MAX_INT32, required=False
    )
    declare_small_business = forms.BooleanField(
        label=_("Apply for the small-business tier"), required=False
    )

    def __init__(self, *args: Any, max_employees: int = 5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_employees = max_employees
        self.fields["declare_small_business"].help_text = _(
            "For sole proprietors and companies with up to %(count)s employees; staff approve it."
        ) % {"count": max_employees}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("declare_small_business") and not data.get("is_sole_proprietor"):
            employees = data.get("employee_count")
            if employees is None or employees > self.max_employees:
                raise ValidationError(
                    _(
                        "The small-business tier is for sole proprietors "
                        "or up to %(count)s employees."
                    )
                    % {"count": self.max_employees}
                )
        return data


class RulesForm(forms.ModelForm):
    class Meta:
        model = ProgramRules
        fields = RULE_FIELDS
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def clean_registration_number(self) -> str:
        value = self.cleaned_data["registration_number"].strip().upper()
        if not is_valid_registration_number(value):
            raise ValidationError(
                _("Enter T and 13 digits; the check digit does not match."),
                code="invalid_registration_number",
            )
        return value

    def validate_unique(self) -> None:
        # Publishing for a month that already has a version replaces it (until it starts).
        pass


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Bank statement (CSV, UTF-8 or Shift_JIS)"))
    layout = forms.ChoiceField(
        label=_("Column layout"), choices=[(name, name) for name in PRESETS], required=False
    )


LAYOUT_LABELS = {
    "freee": _("freee (仕訳インポート)"),
    "moneyforward": _("Money Forward クラウド会計 (仕訳帳インポート)"),
    "generic": _("Generic CSV"),
}


class ExportForm(forms.Form):
    start = BoundedDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[(name, LAYOUT_LABELS[name]) for name in LAYOUTS],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The start date must not be after the end date."))
        return data


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)


class SuspensionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
