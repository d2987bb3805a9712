"""Signed links a recipient uses without signing in: preferences and one-click unsubscribe."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_PREFERENCES = "kizuna.outreach.preferences"
_UNSUBSCRIBE = "kizuna.outreach.unsubscribe"


def preferences_token(recipient_key: str) -> str:
    return signing.dumps(recipient_key, salt=_PREFERENCES, compress=True)


def preferences_recipient(token: str) -> str | None:
    try:
        return str(signing.loads(token, salt=_PREFERENCES))
    except signing.BadSignature:
        return None


def unsubscribe_token(recipient_key: str, channel: str, topic: str) -> str:
    return signing.dumps([recipient_key, channel, topic], salt=_UNSUBSCRIBE, compress=True)


def unsubscribe_target(token: str) -> tuple[str, str, str] | None:
    try:
        recipient_key, channel, topic = signing.loads(token, salt=_UNSUBSCRIBE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(recipient_key), str(channel), str(topic)


def preferences_url(recipient_key: str) -> str:
    return settings.SITE_URL + reverse(
        "outreach:preferences", args=[preferences_token(recipient_key)]
    )


def unsubscribe_url(recipient_key: str, channel: str, topic: str) -> str:
    return settings.SITE_URL + reverse(
        "outreach:unsubscribe", args=[unsubscribe_token(recipient_key, channel, topic)]
    )
