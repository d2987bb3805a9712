from django import forms
from django.utils.translation import gettext_lazy as _

from kizuna.community.models import Level, Member
from kizuna.core.api_schema import MAX_INT
from kizuna.core.prefectures import PREFECTURES


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", _("All prefectures")), *[(c, ja) for c, ja, _en in PREFECTURES]],
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
