import json
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from kizuna.community.models import Event
from kizuna.connectors.models import Source

IMPORT_FORMATS = [
    ("jsonl", _("JSONL (one activity per line)")),
    ("csv", _("CSV (one activity per row)")),
    ("slack_zip", _("Slack export ZIP")),
]


class JSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_('Enter a JSON object: {"key": "value"}.'))
        if "\\u0000" in json.dumps(parsed):  # PostgreSQL's jsonb cannot store NUL
            raise forms.ValidationError(
                ProhibitNullCharactersValidator.message, code="null_characters_not_allowed"
            )
        return parsed

    def prepare_value(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False, indent=2) if isinstance(value, dict) else value


class SourceForm(forms.ModelForm):
    settings = JSONField(
        label=_("Settings (JSON)"),
        required=False,
        help_text=_("See docs/connectors.md for each kind's settings."),
    )
    secrets = JSONField(
        label=_("Credentials (JSON)"),
        required=False,
        help_text=_(
            "Stored encrypted and never shown again. Leave empty to keep the stored credentials."
        ),
    )

    class Meta:
        model = Source
        fields = ["kind", "name", "settings", "enabled", "sync_every_minutes"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(label=_("Format"), choices=IMPORT_FORMATS)


class ConnpassImportForm(forms.Form):
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.order_by("-starts_at"),
        help_text=_("The event whose participant list this is."),
    )
    file = forms.FileField(
        label=_("Participant CSV"),
        help_text=_("The CSV connpass gives on the event's management page (UTF-8 or Shift_JIS)."),
    )
