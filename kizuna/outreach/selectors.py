"""Reads of outreach shared by pages and services."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kizuna.accounts.models import User
from kizuna.outreach import policy
from kizuna.outreach.channels import registry
from kizuna.outreach.models import OPTIONAL_TOPICS, Consent, Delivery, SuppressionReason, Topic


@dataclass(frozen=True)
class Cell:
    channel: str
    topic: str
    checked: bool
    wording: str

    @property
    def value(self) -> str:
        return f"{self.channel}:{self.topic}"


def addresses(recipient_key: str) -> set[tuple[str, str]]:
    """(channel, address) pairs a recipient has been written to, and their account's email."""
    found = set(
        Delivery.objects.filter(recipient_key=recipient_key)
        .values_list("channel", "address")
        .distinct()
    )
    kind, _sep, ident = recipient_key.partition(":")
    if kind == "user" and ident.isdigit():
        email = User.objects.filter(pk=int(ident)).values_list("email", flat=True).first()
        if email:
            found.add(("email", email))
    elif kind == "address":
        found.add(("email", ident))
    return found


def preference_channels(recipient_key: str) -> list[tuple[str, str]]:
    names = {channel for channel, _address in addresses(recipient_key)} | {"email"}
    names |= set(
        Consent.objects.filter(recipient_key=recipient_key).values_list("channel", flat=True)
    )
    return [(name, label) for name, label in registry.choices() if name in names]


def current_consents(recipient_key: str) -> dict[tuple[str, str], bool]:
    latest: dict[tuple[str, str], bool] = {}
    for channel, topic, granted in (
        Consent.objects.filter(recipient_key=recipient_key)
        .order_by("at", "id")
        .values_list("channel", "topic", "granted")
    ):
        latest[(channel, topic)] = granted
    return latest


def preference_rows(recipient_key: str) -> list[tuple[Any, list[Cell]]]:
    """One row per optional topic, one cell per channel: whether the person wants it there."""
    consents = current_consents(recipient_key)
    channels = preference_channels(recipient_key)
    return [
        (
            Topic(topic).label,
            [
                Cell(
                    channel=channel,
                    topic=topic,
                    checked=bool(consents.get((channel, topic))),
                    wording=_("Send me %(topic)s by %(channel)s")
                    % {"topic": Topic(topic).label, "channel": label},
                )
                for channel, label in channels
            ],
        )
        for topic in OPTIONAL_TOPICS
    ]


def everything_off(recipient_key: str) -> bool:
    pairs = addresses(recipient_key)
    return bool(pairs) and all(
        policy.suppression_reason(channel, address) == SuppressionReason.UNSUBSCRIBED
        for channel, address in pairs
    )
