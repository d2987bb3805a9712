from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kizuna.connectors.forms import JSONField
from kizuna.integrations.destinations.registry import kind_choices


class DestinationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=kind_choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    settings = JSONField(
        label=_("Settings (JSON)"),
        required=False,
        help_text=_("Checked against the destination's schema when saved; see below."),
    )
    secrets = JSONField(
        label=_("Credentials (JSON)"),
        required=False,
        help_text=_(
            "Stored encrypted and never shown again. Leave empty to keep the stored credentials."
        ),
    )
    mapping = JSONField(
        label=_("Field mapping overrides (JSON)"),
        required=False,
        help_text=_(
            'Only what differs from the defaults below: {"partners": {"rank": "tier"}}; '
            "an empty property stops sending that field."
        ),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        else:
            self.fields["secrets"].required = True
            self.fields["secrets"].help_text = _("Stored encrypted and never shown again.")


class ResyncForm(forms.Form):
    kind = forms.ChoiceField(label=_("Object"))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(kind, kind) for kind in kinds]
