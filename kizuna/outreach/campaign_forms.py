"""Forms of the campaign pages: an audience's filters, a campaign's content and schedule."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.outreach.campaign_models import Audience, AudienceKind, Campaign
from kizuna.outreach.channels import registry
from kizuna.outreach.models import OPTIONAL_TOPICS

CHAT_CHANNELS = ("slack", "line", "wecom")


def _prefectures() -> list[tuple[str, str]]:
    from kizuna.core.prefectures import PREFECTURE_CHOICES

    return PREFECTURE_CHOICES


class AudienceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Who"), choices=AudienceKind.choices)
    ranks = forms.MultipleChoiceField(
        label=_("Partner rank"), required=False, widget=forms.CheckboxSelectMultiple
    )
    badges = forms.MultipleChoiceField(label=_("Partner holds badge"), required=False)
    prefectures = forms.MultipleChoiceField(label=_("Prefecture"), required=False)
    billing = forms.ChoiceField(
        label=_("Billing state"),
        required=False,
        choices=[
            ("", _("Any")),
            ("good_standing", _("In good standing")),
            ("overdue", _("Has an overdue invoice")),
            ("suspended", _("Suspended")),
        ],
    )
    levels = forms.MultipleChoiceField(
        label=_("Member level"), required=False, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.MultipleChoiceField(label=_("Attended or leads group"), required=False)
    min_events = forms.IntegerField(
        label=_("Attended at least this many events"), required=False, min_value=0, max_value=1000
    )
    active_within_days = forms.IntegerField(
        label=_("Active within the last days"), required=False, min_value=0, max_value=3650
    )
    tags = forms.MultipleChoiceField(label=_("Tags"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kizuna.community.models import Group, Level, Tag
        from kizuna.partners.models import Badge, Rank

        fields: Any = self.fields
        fields["ranks"].choices = Rank.choices
        fields["badges"].choices = list(Badge.objects.values_list("code", "name_ja"))
        fields["prefectures"].choices = _prefectures()
        fields["levels"].choices = [(str(value), label) for value, label in Level.choices]
        fields["groups"].choices = list(Group.objects.values_list("slug", "name"))
        fields["tags"].choices = [
            (name, name) for name in Tag.objects.values_list("name", flat=True)
        ]

    @classmethod
    def initial_of(cls, audience: Audience) -> dict[str, Any]:
        return {"name": audience.name, "kind": audience.kind, **audience.filters}

    def audience_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["kind"] == AudienceKind.PARTNERS:
            keys: tuple[str, ...] = ("ranks", "badges", "prefectures", "billing")
        else:
            keys = ("levels", "groups", "min_events", "active_within_days", "tags")
        filters = {key: data[key] for key in keys if data.get(key)}
        if "levels" in filters:
            filters["levels"] = [int(level) for level in filters["levels"]]
        return {"name": data["name"], "kind": data["kind"], "filters": filters}


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title (staff only)"), max_length=200)
    audience = forms.ModelChoiceField(label=_("Audience"), queryset=Audience.objects.all())
    topic = forms.ChoiceField(
        label=_("Topic"),
        choices=[(topic.value, topic.label) for topic in OPTIONAL_TOPICS],
        help_text=_("Recipients get it only if they agreed to this topic on the channel."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels, tried in this order"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each person gets the message once, on the first of these channels where they "
            "have an account and have agreed."
        ),
    )
    subject_ja = forms.CharField(label=_("Subject (Japanese)"), max_length=200)
    body_ja = forms.CharField(
        label=_("Message (Japanese)"), widget=forms.Textarea(attrs={"rows": 8})
    )
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(
        label=_("Message (English)"), widget=forms.Textarea(attrs={"rows": 8})
    )
    event: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Event invited to"),
        required=False,
        queryset=None,
        help_text=_("Its invitation email carries the event as a calendar file (.ics)."),
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at (Japan time)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: as soon as it is approved."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kizuna.community.models import Event

        fields: Any = self.fields
        fields["channels"].choices = [
            (name, label) for name, label in registry.choices() if name == "email"
        ] + [(name, label) for name, label in registry.choices() if name != "email"]
        fields["event"].queryset = Event.objects.filter(starts_at__gte=timezone.now()).order_by(
            "starts_at"
        )
        for channel in CHAT_CHANNELS:
            if channel not in registry.names():
                continue
            for language, label in (("ja", _("Japanese")), ("en", _("English"))):
                self.fields[f"variant_{channel}_{language}"] = forms.CharField(
                    label=pgettext_lazy("campaign variant", "%(channel)s variant (%(language)s)")
                    % {"channel": registry.get(channel).label, "language": label},
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    def variant_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("variant_")]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("variant_")]

    @classmethod
    def initial_of(cls, campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": campaign.title,
            "audience": campaign.audience_id,
            "topic": campaign.topic,
            "channels": campaign.channels,
            "subject_ja": campaign.subject_ja,
            "body_ja": campaign.body_ja,
            "subject_en": campaign.subject_en,
            "body_en": campaign.body_en,
            "event": campaign.event_id,
            "scheduled_at": timezone.localtime(campaign.scheduled_at)
            if campaign.scheduled_at
            else None,
        }
        for channel, texts in campaign.variants.items():
            for language, text in texts.items():
                initial[f"variant_{channel}_{language}"] = text
        return initial

    def campaign_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = set(data["channels"])
        order = [name for name, _label in self.fields["channels"].choices]  # type: ignore[attr-defined]
        variants: dict[str, dict[str, str]] = {}
        for channel in CHAT_CHANNELS:
            texts = {
                language: data.get(f"variant_{channel}_{language}", "") for language in ("ja", "en")
            }
            if channel in chosen and any(texts.values()):
                variants[channel] = texts
        return {
            "title": data["title"],
            "audience": data["audience"],
            "topic": data["topic"],
            "channels": [name for name in order if name in chosen],
            "subject_ja": data["subject_ja"],
            "body_ja": data["body_ja"],
            "subject_en": data["subject_en"],
            "body_en": data["body_en"],
            "variants": variants,
            "event": data["event"],
            "scheduled_at": data["scheduled_at"],
        }
