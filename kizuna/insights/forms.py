from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kizuna.community.models import EventKind, Group
from kizuna.core.api_schema import MAX_INT32, MAX_YEN
from kizuna.core.forms import BoundedDateField
from kizuna.core.prefectures import PREFECTURES
from kizuna.insights.metrics import METRICS
from kizuna.insights.models import Interval, SurveyKind


class PeriodFilterForm(forms.Form):
    interval = forms.ChoiceField(label=_("Interval"), choices=Interval.choices, required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", "—"), *[(code, ja) for code, ja, _en in PREFECTURES]],
    )
    kind = forms.ChoiceField(
        label=_("Event kind"), required=False, choices=[("", "—"), *EventKind.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group: Any = self.fields["group"]
        group.choices = [
            ("", "—"),
            *Group.objects.values_list("slug", "name"),
        ]


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("KPI"), choices=[(m.key, m.label) for m in METRICS])
    interval = forms.ChoiceField(label=_("Interval"), choices=Interval.choices)
    period = BoundedDateField(label=_("A day in the period"))
    value = forms.FloatField(label=_("Target"), min_value=-MAX_YEN, max_value=MAX_YEN)


class SurveyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SurveyKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question"), max_length=300)
    period_day = BoundedDateField(label=_("Date"))
    free_text_questions = forms.CharField(
        label=_("Free-text questions (one per line)"), widget=forms.Textarea, required=False
    )


class AnswerForm(forms.Form):
    score = forms.IntegerField(label=_("Score"), min_value=-MAX_INT32, max_value=MAX_INT32)
