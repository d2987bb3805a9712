from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kizuna.core.api_schema import MAX_YEN
from kizuna.core.forms import BoundedDateField
from kizuna.core.pagination import MAX_PAGE
from kizuna.core.prefectures import PREFECTURES
from kizuna.directory.models import DeclineReason, Lead, SearchSynonym
from kizuna.directory.search import SearchParams
from kizuna.directory.services import synonyms
from kizuna.partners.models import Badge, BadgeFamily, Rank


def _prefecture_choices() -> list[tuple[str, str]]:
    english = (get_language() or "ja").startswith("en")
    return [(code, en if english else ja) for code, ja, en in PREFECTURES]


def _badges(family: str) -> Any:
    return Badge.objects.filter(family=family, retired_at__isnull=True)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=200)
    service = forms.MultipleChoiceField(
        label=_("Services"), required=False, widget=forms.CheckboxSelectMultiple
    )
    site_type = forms.MultipleChoiceField(
        label=_("Site type"), required=False, widget=forms.CheckboxSelectMultiple
    )
    prefecture = forms.MultipleChoiceField(label=_("Prefecture"), required=False)
    budget_max = forms.IntegerField(
        label=_("Your budget (yen)"), required=False, min_value=0, max_value=MAX_YEN
    )
    accepting = forms.BooleanField(label=_("Accepting new clients only"), required=False)
    rank = forms.ChoiceField(label=_("Minimum contribution rank"), required=False)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any
        for name, family in (("service", BadgeFamily.WORK), ("site_type", BadgeFamily.SITE_TYPE)):
            field = self.fields[name]
            field.choices = [(b.code, b.name) for b in _badges(family)]
        field = self.fields["prefecture"]
        field.choices = _prefecture_choices()
        field = self.fields["rank"]
        field.choices = [("", _("Any rank")), *[(r.value, r.label) for r in Rank][1:]]

    def params(self) -> SearchParams:
        data = self.cleaned_data if self.is_valid() else {}
        return SearchParams(
            q=data.get("q", ""),
            services=tuple(data.get("service", ())),
            site_types=tuple(data.get("site_type", ())),
            prefectures=tuple(data.get("prefecture", ())),
            budget_max=data.get("budget_max"),
            accepting=True if data.get("accepting") else None,
            rank=data.get("rank", ""),
            page=data.get("page") or 1,
        )

    def active_filter_count(self) -> int:
        """How many filters narrow the search (the keywords apart): the phone's filter
        button shows it, and search_filters.js counts the same way as they change."""
        params = self.params()
        return (
            len(params.services)
            + len(params.site_types)
            + len(params.prefectures)
            + (params.budget_max is not None)
            + bool(params.accepting)
            + bool(params.rank)
        )


@dataclass(frozen=True)
class PartnerOption:
    """A partner the lead form offers: one the merchant came for, or a suggested one."""

    slug: str
    name: str
    budget_min: int | None
    prefecture: str
    suggested: bool


class LeadForm(forms.ModelForm):
    """The project description. `website` is a honeypot: people never see it, bots fill it."""

    services = forms.ModelMultipleChoiceField(
        label=_("Services needed"),
        queryset=_badges(BadgeFamily.WORK),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.MultipleChoiceField(
        label=_("Send to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to have the directory recommend up to three partners."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Lead
        fields = [
            "products",
            "site_type",
            "services",
            "budget",
            "timeline",
            "prefecture",
            "message",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, partner_options: list[PartnerOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner_options = partner_options
        field: Any = self.fields["site_type"]
        field.queryset = _badges(BadgeFamily.SITE_TYPE)
        field = self.fields["partners"]
        field.choices = [(option.slug, option.name) for option in partner_options]
        field = self.fields["prefecture"]
        field.choices = [("", "---------"), *_prefecture_choices()]
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["aria-required"] = "true"

    def clean_partners(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["partners"]
        if len(chosen) > settings.KIZUNA_LEAD_MAX_PARTNERS:
            raise forms.ValidationError(
                _(
                    "A request goes to at most %(max)s partners and you chose %(count)s: "
                    "untick %(extra)s of them."
                )
                % {
                    "max": settings.KIZUNA_LEAD_MAX_PARTNERS,
                    "count": len(chosen),
                    "extra": len(chosen) - settings.KIZUNA_LEAD_MAX_PARTNERS,
                },
                code="too_many_partners",
            )
        return chosen

    @property
    def has_suggestions(self) -> bool:
        return any(option.suggested for option in self.partner_options)

    def chosen_slugs(self) -> list[str]:
        return [str(slug) for slug in self["partners"].value() or []]

    def partners_above_budget(self) -> list[PartnerOption]:
        """The chosen partners whose minimum budget is above the merchant's: a warning, not
        an error, since a partner may still take on a smaller project."""
        try:
            budget = int(self["budget"].value())
        except (TypeError, ValueError):
            return []
        chosen = set(self.chosen_slugs())
        return [
            option
            for option in self.partner_options
            if option.slug in chosen and option.budget_min and budget < option.budget_min
        ]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Your review"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Public reply"), widget=forms.Textarea(attrs={"rows": 3}))


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the partner)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PreferencesForm(forms.Form):
    works_remotely = forms.BooleanField(
        label=_("We work remotely with clients anywhere in Japan"), required=False
    )


class GuildForm(forms.Form):
    """The initiator's own role when it forms a guild."""

    role = forms.CharField(
        label=_("Your role"), max_length=80, help_text=_("e.g. project lead, storefront build")
    )
    scope = forms.CharField(
        label=_("Scope of work"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class GuildInviteForm(forms.Form):
    partner = forms.SlugField(label=_("Partner"), widget=forms.HiddenInput)
    role = forms.CharField(
        label=_("Role"), max_length=80, help_text=_("e.g. design, back-office integration")
    )
    scope = forms.CharField(
        label=_("Scope of work"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposeForm(forms.Form):
    pitch = forms.CharField(
        label=_("Message to the merchant"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuildMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HelpPostForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("help post", "Title"), max_length=120)
    description = forms.CharField(
        label=_("What help you look for"), widget=forms.Textarea(attrs={"rows": 4})
    )
    badges = forms.ModelMultipleChoiceField(
        label=_("Skills wanted (verified badges)"),
        queryset=Badge.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False)
    starts_on = BoundedDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = BoundedDateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = BoundedDateField(
        label=_("Answers accepted until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["badges"].queryset = Badge.objects.filter(  # type: ignore[attr-defined]
            family__in=[BadgeFamily.WORK, BadgeFamily.SITE_TYPE], retired_at__isnull=True
        ).order_by("family", "pk")
        self.fields["prefecture"].choices = [  # type: ignore[attr-defined]
            ("", _("Anywhere")),
            *_prefecture_choices(),
        ]


class HelpAnswerForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only the poster reads it. Answering agrees to share your contact once the "
            "poster agrees too."
        ),
    )


class SearchSynonymForm(forms.ModelForm):
    """A synonym as staff edit it in the admin; the service's check runs before saving."""

    class Meta:
        model = SearchSynonym
        fields = ["term", "badge"]
        help_texts = {
            "term": _(
                "A word merchants type for this badge, e.g. サブスク for 定期販売. A search for"
                " it also finds the partners holding the badge."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["badge"]
        field.queryset = Badge.objects.filter(retired_at__isnull=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "term" in data and "badge" in data:
            data["term"] = synonyms.search_synonym_check(
                badge=data["badge"],
                term=data["term"],
                synonym=self.instance if self.instance.pk else None,
            )
        return data
