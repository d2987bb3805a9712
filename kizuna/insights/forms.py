from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.community.models import EventKind, Group
from kizuna.core.api_schema import MAX_INT32, MAX_YEN
from kizuna.core.forms import BoundedDateField
from kizuna.core.prefectures import PREFECTURE_CHOICES
from kizuna.insights.metrics import METRICS
from kizuna.insights.models import Interval, SurveyKind
from kizuna.insights.selection import MAX_PERIODS, Selection


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodFilterForm(forms.Form):
    """The period range and the event filters of a dashboard, read from its URL."""

    interval = forms.ChoiceField(label=_("Interval"), choices=Interval.choices, required=False)
    since = BoundedDateField(
        label=pgettext_lazy("start of a date range", "From"), required=False, widget=DateInput
    )
    until = BoundedDateField(
        label=pgettext_lazy("end of a date range", "To"), required=False, widget=DateInput
    )
    group = forms.ChoiceField(label=_("Group"), required=False)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", "—"), *PREFECTURE_CHOICES],
    )
    kind = forms.ChoiceField(
        label=_("Event kind"), required=False, choices=[("", "—"), *EventKind.choices]
    )

    def __init__(self, *args: Any, today: date, intervals: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today
        group: Any = self.fields["group"]
        group.choices = [
            ("", "—"),
            *Group.objects.values_list("slug", "name"),
        ]
        if intervals is not None:
            interval: Any = self.fields["interval"]
            interval.choices = [(k, v) for k, v in Interval.choices if k in intervals]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        default = Selection.default(data.get("interval") or Interval.MONTH, self.today)
        since, until = data.get("since") or default.since, data.get("until") or default.until
        if since > until:
            raise forms.ValidationError(_("The range must start before it ends."), code="order")
        if until > self.today:
            self.add_error("until", _("Choose a past range: it cannot end after today."))
            return data
        selection = Selection(interval=default.interval, since=since, until=until, today=self.today)
        if len(selection.starts) > MAX_PERIODS:
            raise forms.ValidationError(
                _(
                    "That range holds %(count)s periods; at most %(max)s are shown. Choose a "
                    "longer interval or a shorter range."
                ),
                code="too_long",
                params={"count": len(selection.starts), "max": MAX_PERIODS},
            )
        data["selection"] = selection
        return data


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
