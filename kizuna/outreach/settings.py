"""Outreach settings, each overridable in Django settings as KIZUNA_OUTREACH_<NAME>.

Channel settings live with their channel (`channels/<name>/transport.py`, DEFAULTS).
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A claimed delivery whose worker has not recorded the outcome after this long is
    # taken to have died mid-send.
    "LEASE_S": 300,
    # Temporary errors are retried with exponential backoff up to this many attempts.
    "MAX_ATTEMPTS": 8,
    "BACKOFF_BASE_S": 60,
    "BACKOFF_MAX_S": 6 * 3600,
    # Deliveries one run of the worker takes on.
    "BATCH": 500,
    # Deliveries of one channel decided, claimed and recorded together (one commit each):
    # a worker killed mid-group leaves at most this many `sending` (then `unknown`).
    "CLAIM_GROUP": 50,
    # Advertising per recipient, across channels, in any 7 days.
    "ADVERTISING_PER_WEEK": 2,
    # No advertising between these hours (Asia/Tokyo): deferred to the end of the quiet time.
    "QUIET_HOURS": (21, 8),
    "QUIET_HOURS_TIME_ZONE": "Asia/Tokyo",
    # The footer 特定電子メール法 requires on advertising email: who sends it, their postal
    # address and an address to contact (the opt-out link is added with its statement).
    "SENDER_NAME": "",
    "POSTAL_ADDRESS": "",
    "CONTACT_ADDRESS": "",
    # The ESP's webhook signing secret (Standard Webhooks / Svix, "whsec_..."): bounces and
    # complaints become suppressions, inbound mail lands in the inbox.
    "ESP_WEBHOOK_SECRET": "",
}


def outreach_setting(name: str) -> Any:
    return getattr(settings, f"KIZUNA_OUTREACH_{name}", DEFAULTS[name])
