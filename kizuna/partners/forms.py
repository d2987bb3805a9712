from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.billing.models import BillingCycle
from kizuna.core.api_schema import MAX_INT32
from kizuna.core.forms import BoundedDateField, HttpUrlField
from kizuna.core.prefectures import PREFECTURE_CHOICES
from kizuna.partners import selectors
from kizuna.partners.models import (
    Achievement,
    BadgeFamily,
    ContributionKind,
    Evangelist,
    PartnerProfile,
)
from kizuna.partners.services.profiles import PROFILE_FIELDS

# With a context: the bare "English" is the language switcher's, which must not be translated.
LANGUAGE_CHOICES = [
    ("ja", pgettext_lazy("spoken language", "Japanese")),
    ("en", pgettext_lazy("spoken language", "English")),
    ("zh", pgettext_lazy("spoken language", "Chinese")),
    ("ko", pgettext_lazy("spoken language", "Korean")),
    ("vi", pgettext_lazy("spoken language", "Vietnamese")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def parse_links(text: str) -> list[str]:
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    validate = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate(link)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Not a web address: %(link)s"), params={"link": link}, code="bad_link"
            ) from None
    return links


class PartnerProfileForm(forms.ModelForm):
    website = HttpUrlField(label=_("Website"), required=False)
    service_prefectures = forms.MultipleChoiceField(
        label=_("Prefectures served"),
        required=False,
        choices=PREFECTURE_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    focus_badges = forms.ModelMultipleChoiceField(
        label=_("Focus areas (注力分野)"),
        queryset=selectors.claimable_badges(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The work and site types you want more of. Shown on your page as your focus, never "
            "as a badge; recommended requests lean towards partners focused on what they ask."
        ),
    )

    class Meta:
        model = PartnerProfile
        fields = PROFILE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }


class AchievementForm(forms.Form):
    title = forms.CharField(label=_("Project title"), max_length=200)
    description = forms.CharField(
        label=_("What you delivered"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Private: only your organization and the program staff read this."),
    )
    work_badges = forms.ModelMultipleChoiceField(
        label=_("Work badges claimed"),
        queryset=selectors.claimable_badges().filter(family=BadgeFamily.WORK),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    site_badges = forms.ModelMultipleChoiceField(
        label=_("Site-type badges claimed"),
        queryset=selectors.claimable_badges().filter(family=BadgeFamily.SITE_TYPE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    industry = forms.CharField(label=_("Client industry"), max_length=100, required=False)
    completed_on = BoundedDateField(label=_("Completed on"), widget=DateInput)
    site_url = HttpUrlField(label=_("Site URL"), required=False)
    client_may_be_named = forms.BooleanField(
        label=_("The client may be named publicly"), required=False
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line: the live site, a press release, a case study..."),
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Screenshots, a delivery note, an acceptance certificate..."),
    )

    def clean_evidence_links(self) -> list[str]:
        return parse_links(self.cleaned_data["evidence_links"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("work_badges") or cleaned.get("site_badges")):
            self.add_error("work_badges", _("Claim at least one badge."))
        return cleaned


class EvidenceForm(forms.Form):
    url = HttpUrlField(label=_("Link"), required=False)
    file = forms.FileField(label=_("File"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ResubmitForm(forms.Form):
    note = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))


class PublishSummaryForm(forms.ModelForm):
    publish = forms.BooleanField(
        label=_("Publish this summary on our public profile"), required=False
    )

    class Meta:
        model = Achievement
        fields = ["public_summary"]
        widgets = {"public_summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "public_summary": _(
                "Plain text. Links, e-mail addresses and markup are removed. Name the client "
                "only if they agreed."
            )
        }


class WorkImageForm(forms.Form):
    image = forms.FileField(
        label=_("Screenshot of the work"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP. Leave empty to keep the current screenshot."),
    )
    published = forms.BooleanField(label=_("Show it on our public page"), required=False)
    position = forms.IntegerField(
        label=_("Position in the gallery"),
        required=False,
        min_value=1,
        max_value=settings.KIZUNA_WORK_IMAGES_MAX,
        help_text=_("1 is shown first. Leave empty to show the most recent work first."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("verify", pgettext_lazy("review decision", "Verify")),
            ("request_info", _("Ask for more information")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason or note for the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or to ask for information. The partner reads it."),
    )


class ContributionForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=ContributionKind.objects.all())
    occurred_on = BoundedDateField(label=_("Date"), widget=DateInput)
    points = forms.IntegerField(
        label=_("Points"),
        min_value=0,
        max_value=MAX_INT32,
        required=False,
        help_text=_("Leave empty to use the points table."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class BadgeCreateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    family = forms.ChoiceField(label=_("Family"), choices=BadgeFamily.choices)
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)


class BadgeRenameForm(forms.Form):
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)


class ContributionKindCreateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=MAX_INT32)


class PointsForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=MAX_INT32)


class ActivityRuleForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Contribution kind"),
        queryset=ContributionKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("No points"),
    )
    points = forms.IntegerField(
        label=_("Points (override)"),
        min_value=0,
        max_value=MAX_INT32,
        required=False,
        help_text=_("Empty: the kind's points from the table."),
    )


class NominationForm(forms.Form):
    self_nomination = forms.BooleanField(label=_("I am nominating myself"), required=False)
    nominee_name = forms.CharField(label=_("Nominee's name"), max_length=150, required=False)
    nominee_email = forms.EmailField(label=_("Nominee's email"), required=False)
    statement = forms.CharField(
        label=_("Why this person?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Talks, articles, help given to others..."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line."),
    )

    def clean_links(self) -> list[str]:
        return parse_links(self.cleaned_data["links"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("self_nomination"):
            for name in ("nominee_name", "nominee_email"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Required unless you nominate yourself."))
        return cleaned


def default_term() -> tuple[Any, Any]:
    today = timezone.localdate()
    return today, today + timedelta(days=settings.KIZUNA_EVANGELIST_TERM_DAYS)


class NominationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    term_start = BoundedDateField(label=_("Term start"), widget=DateInput, required=False)
    term_end = BoundedDateField(label=_("Term end"), widget=DateInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = default_term()
        self.fields["term_start"].initial, self.fields["term_end"].initial = start, end


class AppointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    bio = forms.CharField(
        label=_("Profile"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line."),
    )
    term_start = BoundedDateField(label=_("Term start"), widget=DateInput)
    term_end = BoundedDateField(label=_("Term end"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = default_term()
        self.fields["term_start"].initial, self.fields["term_end"].initial = start, end

    def clean_links(self) -> list[str]:
        return parse_links(self.cleaned_data["links"])


class EvangelistRequestForm(forms.Form):
    group_name = forms.CharField(label=_("User group"), max_length=150)
    event_title = forms.CharField(label=_("Event"), max_length=200)
    event_date = BoundedDateField(label=_("Event date"), widget=DateInput)
    location = forms.CharField(label=_("Place (or online)"), max_length=200)
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RouteForm(forms.Form):
    evangelist = forms.ModelChoiceField(label=_("Evangelist"), queryset=Evangelist.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evangelist"].queryset = selectors.active_evangelists()  # type: ignore[attr-defined]


class RespondForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("1", _("I will come")), ("0", _("I cannot come"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PartnerImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("JSON Lines, one partner per line (see docs/partners.md).")
    )


class ApplicationForm(forms.Form):
    """Applying to the program. `leave_empty` is a honeypot: people never see it, bots fill it."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    company_kana = forms.CharField(label=_("Company name reading (kana)"), max_length=200)
    registration_number = forms.CharField(
        label=_("Qualified invoice registration number"),
        max_length=14,
        help_text=_("T followed by 13 digits (適格請求書発行事業者登録番号)."),
        widget=forms.TextInput(attrs={"placeholder": "T1234567890123", "autocomplete": "off"}),
    )
    head_office_prefecture = forms.ChoiceField(
        label=_("Head office prefecture"),
        choices=[("", "---------"), *PREFECTURE_CHOICES],
    )
    website = HttpUrlField(label=_("Website"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact email"))
    work_badges = forms.ModelMultipleChoiceField(
        label=_("Work you want to focus on"),
        queryset=selectors.claimable_badges().filter(family=BadgeFamily.WORK),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    site_badges = forms.ModelMultipleChoiceField(
        label=_("Site types you want to focus on"),
        queryset=selectors.claimable_badges().filter(family=BadgeFamily.SITE_TYPE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    monthly_fee = forms.IntegerField(
        label=_("Monthly fee (yen, tax excluded)"),
        min_value=0,
        max_value=MAX_INT32,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    cycle = forms.ChoiceField(
        label=_("Billing cycle"), choices=BillingCycle.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Anything the program staff should know"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    terms_accepted = forms.BooleanField(label=_("I agree to the partner program terms"))
    leave_empty = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self, *args: Any, step: int = 1000, minimum: int = 0, maximum: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_fee"].widget.attrs.update(
            {"step": step, "min": minimum, "max": maximum}
        )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("leave_empty"))


class ApplicationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ApplicationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("request_info", _("Ask for more information")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Question or reason (sent to the applicant)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProgramExitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you leaving? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I understand and want to leave the program"))
