"""Inbound webhooks from the platforms' official APIs: LINE, Slack and the ESP.

Each request is verified before anything in it is believed: LINE's `x-line-signature`
(HMAC-SHA256 of the body with the channel secret, by line-bot-sdk's WebhookParser), Slack's
signing secret (v0, timestamp within 5 minutes, by slack_sdk's SignatureVerifier) and the
ESP's Standard Webhooks signature (`webhook-*` or Svix's `svix-*` headers, as Resend sends
them, by the standardwebhooks package; timestamp within 5 minutes). A request that fails is
answered 403 and recorded (HookRejection) without touching anything else. Each platform's
event id is remembered, so a redelivery changes nothing twice.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent, UnfollowEvent
from slack_sdk.signature import SignatureVerifier
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kizuna.core.request_context import client_ip
from kizuna.outreach import inbox
from kizuna.outreach.channels import registry
from kizuna.outreach.models import HookRejection, SuppressionReason
from kizuna.outreach.services import suppression_add
from kizuna.outreach.settings import outreach_setting

logger = logging.getLogger(__name__)


class Refused(Exception):
    """The request is not from the platform: answered 403 and recorded."""


def _hook(name: str) -> Callable[..., Any]:
    def decorate(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # the platforms sign the body; there is no session to forge from
        @require_POST
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            try:
                return view(request)
            except Refused as refusal:
                HookRejection.objects.create(
                    hook=name,
                    reason=str(refusal)[:100],
                    client_ip=client_ip(request)[:64],
                    body_sha256=hashlib.sha256(request.body).hexdigest(),
                )
                return HttpResponse(status=403)

        return wrapped

    return decorate


def _from_timestamp(milliseconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC) if milliseconds else None


@_hook("line")
def line(request: HttpRequest) -> HttpResponse:
    secret = registry.get("line").setting("CHANNEL_SECRET")
    if not secret:
        raise Refused("not_configured")
    try:
        payload: Any = WebhookParser(secret).parse(
            request.body.decode(), request.headers.get("x-line-signature", ""), as_payload=True
        )
    except InvalidSignatureError as error:
        raise Refused("bad_signature") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise Refused("bad_body") from error
    for event in payload.events or []:
        user_id = getattr(event.source, "user_id", None)
        if not user_id or not inbox.hook_event_first_time(
            hook="line", event_id=event.webhook_event_id
        ):
            continue
        at = _from_timestamp(event.timestamp)
        if isinstance(event, FollowEvent):
            inbox.identity_follow(channel="line", address=user_id, at=at)
        elif isinstance(event, UnfollowEvent):
            inbox.identity_unfollow(channel="line", address=user_id, at=at)
        elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
            if inbox.line_link_attempt(address=user_id, text=event.message.text, at=at):
                continue
            inbox.inbox_receive(
                channel="line",
                address=user_id,
                text=event.message.text,
                provider_id=event.message.id,
                at=at,
            )
    return HttpResponse(status=200)


@_hook("slack")
def slack(request: HttpRequest) -> HttpResponse:
    secret = registry.get("slack").setting("SIGNING_SECRET")
    if not secret:
        raise Refused("not_configured")
    if not SignatureVerifier(secret).is_valid(
        request.body,
        request.headers.get("x-slack-request-timestamp"),
        request.headers.get("x-slack-signature"),
    ):
        raise Refused("bad_signature")
    try:
        payload = json.loads(request.body)
    except ValueError as error:
        raise Refused("bad_body") from error
    if payload.get("type") == "url_verification":
        return JsonResponse({"challenge": payload.get("challenge", "")})
    event = payload.get("event") or {}
    if (
        payload.get("type") == "event_callback"
        and event.get("type") == "message"
        and event.get("channel_type") == "im"
        # Our own bot's posts and edits/joins come back as events too; only people's words count.
        and not event.get("bot_id")
        and not event.get("subtype")
        and event.get("user")
        and inbox.hook_event_first_time(hook="slack", event_id=str(payload.get("event_id", "")))
    ):
        inbox.inbox_receive(
            channel="slack",
            address=event["user"],
            text=str(event.get("text", "")),
            provider_id=f"{event.get('channel', '')}:{event.get('ts', '')}",
            at=datetime.fromtimestamp(float(event.get("ts") or 0), tz=UTC)
            if event.get("ts")
            else None,
        )
    return HttpResponse(status=200)


@_hook("esp")
def esp(request: HttpRequest) -> HttpResponse:
    secret = outreach_setting("ESP_WEBHOOK_SECRET")
    if not secret:
        raise Refused("not_configured")
    headers = {
        # Resend (through Svix) names the Standard Webhooks headers svix-*.
        name: request.headers.get(name) or request.headers.get(name.replace("webhook", "svix"), "")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    try:
        payload = Webhook(secret).verify(request.body, headers)
    except WebhookVerificationError as error:
        raise Refused("bad_signature") from error
    except ValueError as error:
        raise Refused("bad_body") from error
    if not inbox.hook_event_first_time(hook="esp", event_id=headers["webhook-id"]):
        return HttpResponse(status=200)
    kind, data = payload.get("type", ""), payload.get("data") or {}
    with transaction.atomic():
        if kind in ("email.bounced", "email.complained"):
            bounce_type = str((data.get("bounce") or {}).get("type", "Permanent"))
            if kind == "email.complained":
                reason = SuppressionReason.COMPLAINT
            elif bounce_type.lower() in ("permanent", "hard", "hardbounce"):
                reason = SuppressionReason.HARD_BOUNCE
            else:
                return HttpResponse(status=200)  # a soft bounce: the worker's retries handle it
            for address in _addresses(data.get("to")):
                suppression_add(
                    channel="email", address=address, reason=reason, source=f"esp {kind}"
                )
        elif kind == "email.received":
            sender = next(iter(_addresses(data.get("from"))), "")
            if sender:
                inbox.inbox_receive(
                    channel="email",
                    address=sender,
                    subject=str(data.get("subject", "")),
                    text=str(data.get("text", "")),
                    provider_id=str(data.get("email_id") or data.get("message_id") or ""),
                )
    return HttpResponse(status=200)


def _addresses(value: Any) -> list[str]:
    """Addresses from a string, a list, or "Name <address>" forms."""
    from email.utils import getaddresses

    items = value if isinstance(value, list) else [value] if value else []
    return [address for _name, address in getaddresses([str(item) for item in items]) if address]
