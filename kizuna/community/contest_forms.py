"""Forms of the contest pages: staff announce, members enter, staff moderate, judges score."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.accounts.models import User
from kizuna.community.forms import LocalDateTimeInput
from kizuna.community.models import SCORE_MAX, Contest, ContestCriterion, ContestEntry
from kizuna.community.services.contests import CONTEST_FIELDS, CriterionSpec
from kizuna.core.forms import HttpUrlField

MAX_CRITERIA = 10
MAX_JUDGES = 20


class ContestForm(forms.ModelForm):
    criteria = forms.CharField(
        label=_("Judging criteria"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: weight | name in Japanese | name in English. "
            "Example: 3 | 技術的な正確さ | Technical accuracy"
        ),
    )
    judges = forms.CharField(
        label=_("Judges"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses of their accounts, one per line (members or staff)."),
    )

    class Meta:
        model = Contest
        fields = list(CONTEST_FIELDS)
        widgets = {
            "entries_open_at": LocalDateTimeInput(),
            "entries_close_at": LocalDateTimeInput(),
            "theme_ja": forms.Textarea(attrs={"rows": 3}),
            "theme_en": forms.Textarea(attrs={"rows": 3}),
            "rules_ja": forms.Textarea(attrs={"rows": 4}),
            "rules_en": forms.Textarea(attrs={"rows": 4}),
            "prizes_ja": forms.Textarea(attrs={"rows": 3}),
            "prizes_en": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_criteria(self) -> list[CriterionSpec]:
        specs = []
        lines = [line for line in self.cleaned_data["criteria"].splitlines() if line.strip()]
        if len(lines) > MAX_CRITERIA:
            raise forms.ValidationError(_("At most %(n)d criteria."), params={"n": MAX_CRITERIA})
        for line in lines:
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (2, 3) or not parts[0].isdigit() or not parts[1]:
                raise forms.ValidationError(
                    _("Write each criterion as: weight | Japanese name | English name (%(line)s)"),
                    params={"line": line[:80]},
                )
            weight = int(parts[0])
            if not 1 <= weight <= 100:
                raise forms.ValidationError(_("Weights go from 1 to 100."))
            name_ja, name_en = parts[1][:200], (parts[2][:200] if len(parts) == 3 else "")
            specs.append(CriterionSpec(name_ja=name_ja, name_en=name_en, weight=weight))
        return specs

    def clean_judges(self) -> list[User]:
        emails = {
            line.strip().lower() for line in self.cleaned_data["judges"].split() if line.strip()
        }
        if len(emails) > MAX_JUDGES:
            raise forms.ValidationError(_("At most %(n)d judges."), params={"n": MAX_JUDGES})
        users = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = emails - {user.email.lower() for user in users}
        if unknown:
            raise forms.ValidationError(
                _("No active account with these addresses: %(emails)s"),
                params={"emails": ", ".join(sorted(unknown))[:300]},
            )
        return users

    @staticmethod
    def initial_for(contest: Contest) -> dict[str, Any]:
        criteria: list[ContestCriterion] = list(contest.criteria.all())
        return {
            "criteria": "\n".join(f"{c.weight} | {c.name_ja} | {c.name_en}" for c in criteria),
            "judges": "\n".join(j.user.email for j in contest.judges.select_related("user")),
        }

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CONTEST_FIELDS}


class EntryForm(forms.ModelForm):
    class Meta:
        model = ContestEntry
        fields = ["kind", "title", "url", "summary"]
        field_classes = {"url": HttpUrlField}
        # Words other apps translate for their own fields ("kind" is 種別 in accounts).
        labels = {
            "kind": pgettext_lazy("contest entry", "Kind of work"),
            "title": pgettext_lazy("contest entry", "Title of your work"),
            "url": pgettext_lazy("contest entry", "Link to your work"),
            "summary": pgettext_lazy("contest entry", "Summary"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScoreForm(forms.Form):
    """One number per criterion, 0 to SCORE_MAX."""

    def __init__(
        self, data: Any, *, initial: dict[str, int], criteria: list[ContestCriterion], prefix: str
    ) -> None:
        super().__init__(data, initial=initial, prefix=prefix)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (×{criterion.weight})",
                min_value=0,
                max_value=SCORE_MAX,
            )

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}
