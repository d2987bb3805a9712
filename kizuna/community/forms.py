from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.accounts.models import Organization
from kizuna.community.models import (
    AttendanceRole,
    AttendanceStatus,
    Event,
    Identity,
    Level,
    Member,
)
from kizuna.core.api_schema import MAX_INT
from kizuna.core.forms import BoundedDateField, HttpUrlField
from kizuna.core.prefectures import PREFECTURE_CHOICES


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", _("All prefectures")), *PREFECTURE_CHOICES],
    )
    group = forms.CharField(label=_("Group"), required=False)
    level = forms.TypedChoiceField(
        label=_("Engagement level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All levels")), *Level.choices],
    )


class MemberForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )

    class Meta:
        model = Member
        fields = [
            "display_name",
            "name_ja",
            "name_kana",
            "name_romaji",
            "prefecture",
            "notes",
            "is_bot",
            "is_staff",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label=_("Member number to merge into this one"), min_value=1, max_value=MAX_INT
    )


MAX_GROUP_LINKS = 20


def _member_numbers(text: str) -> list[Member]:
    """Member numbers separated by commas or spaces -> current members, or a form error."""
    numbers: list[int] = []
    for part in text.replace("、", ",").replace(",", " ").split():
        if not part.isdecimal() or int(part) > MAX_INT:
            raise forms.ValidationError(
                _("“%(value)s” is not a member number."), params={"value": part}
            )
        numbers.append(int(part))
    members = list(Member.objects.current().filter(pk__in=numbers, erased_at__isnull=True))
    missing = sorted(set(numbers) - {m.pk for m in members})
    if missing:
        raise forms.ValidationError(
            _("No current member has the number %(numbers)s."),
            params={"numbers": ", ".join(map(str, missing))},
        )
    return members


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", _("Online / nationwide")), *PREFECTURE_CHOICES],
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line: the group's connpass page, site, social accounts."),
    )
    organizers = forms.CharField(
        label=_("Organizers"),
        required=False,
        help_text=_(
            "Member numbers, separated by commas. Organizers with an account can edit the "
            "group and its events."
        ),
    )

    def clean_links(self) -> list[str]:
        field = HttpUrlField()
        links = [
            field.clean(line.strip())
            for line in self.cleaned_data["links"].splitlines()
            if line.strip()
        ]
        if len(links) > MAX_GROUP_LINKS:
            raise forms.ValidationError(
                _("At most %(count)d links."), params={"count": MAX_GROUP_LINKS}
            )
        return links

    def clean_organizers(self) -> list[Member]:
        return _member_numbers(self.cleaned_data["organizers"])


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title", "group", "kind", "format", "staff_run", "starts_at", "ends_at", "venue",
            "prefecture", "online_url", "url", "hashtag", "capacity",
        ]  # fmt: skip
        widgets = {"starts_at": LocalDateTimeInput(), "ends_at": LocalDateTimeInput()}
        # "title" alone is translated for leads (案件名) by an app listed earlier.
        labels = {"title": pgettext_lazy("event", "Title")}
        field_classes = {"online_url": HttpUrlField, "url": HttpUrlField}

    def __init__(self, *args: Any, groups: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        group_field.queryset = groups  # type: ignore[attr-defined]
        if not staff:
            # An organizer's events belong to one of their groups, and are community-run.
            group_field.required = True
            del self.fields["staff_run"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("An event cannot end before it starts."))
        return data


class AttendanceForm(forms.Form):
    member = forms.IntegerField(label=_("Member number"), min_value=1, max_value=MAX_INT)
    role = forms.ChoiceField(label=_("Role"), choices=AttendanceRole.choices)
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)


class AffiliationForm(forms.Form):
    member = forms.IntegerField(label=_("Member number"), min_value=1, max_value=MAX_INT)
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.all()
    )
    title = forms.CharField(label=pgettext_lazy("job", "Job title"), required=False, max_length=200)
    start_date = BoundedDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = BoundedDateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_member(self) -> Member:
        [member] = _member_numbers(str(self.cleaned_data["member"]))
        return member


class AffiliationEditForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("job", "Job title"), required=False, max_length=200)
    start_date = BoundedDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = BoundedDateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AffiliationEndForm(forms.Form):
    end_date = BoundedDateField(
        label=_("Last day there"), widget=forms.DateInput(attrs={"type": "date"})
    )


class SuggestionConfirmForm(forms.Form):
    start_date = BoundedDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))


class AffiliationProposeForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    platform = forms.ChoiceField(
        label=_("Where they are known"),
        choices=[("github", "GitHub"), ("connpass", "connpass"), ("email", _("Email address"))],
    )
    handle = forms.CharField(label=_("Handle or email address"), max_length=200)
    title = forms.CharField(label=pgettext_lazy("job", "Job title"), required=False, max_length=200)
    start_date = BoundedDateField(
        label=_("Works here since"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations  # type: ignore[attr-defined]
        if organizations.count() == 1:
            field.empty_label = None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        platform, handle = data.get("platform"), (data.get("handle") or "").strip().lower()
        if not platform or not handle:
            return data
        identities = Identity.objects.filter(
            member__merged_into__isnull=True, member__erased_at__isnull=True
        )
        if platform == "email":
            identities = identities.filter(email__iexact=handle)
        else:
            identities = identities.filter(platform=platform, handle=handle)
        identity = identities.select_related("member").first()
        if identity is None:
            self.add_error("handle", _("The community knows nobody by this name yet."))
        else:
            data["member"] = identity.member
        return data
