"""Signed links a recipient uses without signing in: preferences and one-click unsubscribe."""

import base64
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

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


# A person links their LINE account by sending this code to the official account from it:
# only the webhook learns their LINE user id, and only a message from that id can carry the
# code, so the code proves both accounts belong to the same person. It is short enough to
# type on a phone, and works for one to two days.
_LINE_LINK = "kizuna.outreach.line_link"
LINE_LINK_PATTERN = re.compile(r"^\s*KZ-(\d{1,12})-([A-Z0-9]{8})\s*$", re.IGNORECASE)


def _line_link_digest(user_pk: int, day: int) -> str:
    digest = salted_hmac(_LINE_LINK, f"{user_pk}:{day}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:8]


def _today(now: datetime | None) -> int:
    return int((now or timezone.now()).timestamp() // 86400)


def line_link_code(user: Any, *, now: datetime | None = None) -> str:
    return f"KZ-{user.pk}-{_line_link_digest(user.pk, _today(now))}"


def line_link_user_pk(text: str, *, now: datetime | None = None) -> int | None:
    """The account a code sent on LINE names, if the code is genuine and fresh."""
    found = LINE_LINK_PATTERN.match(text)
    if found is None:
        return None
    user_pk, digest = int(found.group(1)), found.group(2).upper()
    today = _today(now)
    for day in (today, today - 1):
        if constant_time_compare(digest, _line_link_digest(user_pk, day)):
            return user_pk
    return None
