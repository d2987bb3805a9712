"""Inbound webhooks: each platform's signature checked, bad ones refused (403) and recorded;
follows, unfollows, bounces, complaints and messages change what they should, once."""

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from kizuna.outreach import policy
from kizuna.outreach.models import (
    ChannelIdentity,
    Consent,
    HookRejection,
    InboxMessage,
    InboxThread,
    Suppression,
    SuppressionReason,
)

pytestmark = pytest.mark.django_db

LINE_SECRET = "line-channel-secret"
SLACK_SECRET = "slack-signing-secret"
ESP_SECRET = "whsec_" + base64.b64encode(b"esp-secret-of-32-bytes-long!!!!!").decode()
USER_ID = "U4af4980629a1b2c3d4e5f60718293a4b"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.KIZUNA_OUTREACH_LINE_CHANNEL_SECRET = LINE_SECRET
    settings.KIZUNA_OUTREACH_SLACK_SIGNING_SECRET = SLACK_SECRET
    settings.KIZUNA_OUTREACH_ESP_WEBHOOK_SECRET = ESP_SECRET


# LINE


def line_event(kind, event_id="01HEVENT0001", **fields):
    return {
        "type": kind,
        "mode": "active",
        "timestamp": 1764800000000,
        "source": {"type": "user", "userId": USER_ID},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        **fields,
    }


def post_line(client, *events, secret=LINE_SECRET, signature=None):
    body = json.dumps({"destination": "Ubot", "events": list(events)}).encode()
    if signature is None:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
    return client.post(
        "/outreach/hooks/line/",
        body,
        content_type="application/json",
        headers={"x-line-signature": signature},
    )


def test_a_line_follow_records_the_user_id_and_the_consent_it_gives(client):
    response = post_line(
        client, line_event("follow", replyToken="r", follow={"isUnblocked": False})
    )
    assert response.status_code == 200
    identity = ChannelIdentity.objects.get(channel="line", address=USER_ID)
    assert identity.active
    assert policy.latest_consent(identity.recipient_key, "line", "news") is True
    entry = Consent.objects.filter(recipient_key=identity.recipient_key).first()
    assert entry is not None
    assert (entry.method, entry.source) == ("channel", "line follow")


def test_a_line_unfollow_withdraws_consent_and_deactivates_the_identity(client):
    post_line(client, line_event("follow", replyToken="r", follow={"isUnblocked": False}))
    post_line(client, line_event("unfollow", event_id="01HEVENT0002"))
    identity = ChannelIdentity.objects.get(channel="line", address=USER_ID)
    assert not identity.active
    assert identity.unfollowed_at is not None
    assert policy.latest_consent(identity.recipient_key, "line", "news") is False
    assert policy.latest_consent(identity.recipient_key, "line", "notices") is False


def test_a_line_message_lands_in_the_persons_thread(client):
    message = {
        "type": "text",
        "id": "468789577898262530",
        "quoteToken": "q",
        "text": "参加できますか？",
    }
    post_line(client, line_event("message", replyToken="r", message=message))
    thread = InboxThread.objects.get()
    assert (thread.channel, thread.address, thread.needs_answer) == ("line", USER_ID, True)
    assert thread.messages.get().text == "参加できますか？"


def test_a_redelivered_line_event_changes_nothing_twice(client):
    message = {"type": "text", "id": "1", "quoteToken": "q", "text": "hello"}
    event = line_event("message", replyToken="r", message=message)
    post_line(client, event)
    event["deliveryContext"] = {"isRedelivery": True}
    post_line(client, event)
    assert InboxMessage.objects.count() == 1


def test_a_line_request_with_a_bad_signature_is_refused_and_recorded(client):
    response = post_line(
        client,
        line_event("follow", replyToken="r", follow={"isUnblocked": False}),
        secret="not-the-secret",
    )
    assert response.status_code == 403
    assert not ChannelIdentity.objects.exists()
    rejection = HookRejection.objects.get()
    assert (rejection.hook, rejection.reason) == ("line", "bad_signature")
    assert rejection.client_ip == "127.0.0.1"


def test_a_line_request_without_signature_is_refused(client):
    assert (
        post_line(
            client, line_event("follow", follow={"isUnblocked": False}), signature=""
        ).status_code
        == 403
    )
    assert HookRejection.objects.filter(hook="line").exists()


def test_line_hook_refuses_everything_until_the_secret_is_set(client, settings):
    settings.KIZUNA_OUTREACH_LINE_CHANNEL_SECRET = ""
    assert post_line(client, line_event("follow", follow={"isUnblocked": False})).status_code == 403
    assert HookRejection.objects.get().reason == "not_configured"


def test_hooks_take_only_post(client):
    assert client.get("/outreach/hooks/line/").status_code == 405


# Slack


def post_slack(client, payload, *, secret=SLACK_SECRET, timestamp=None):
    body = json.dumps(payload)
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = (
        "v0="
        + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    return client.post(
        "/outreach/hooks/slack/",
        body,
        content_type="application/json",
        headers={"x-slack-request-timestamp": timestamp, "x-slack-signature": signature},
    )


def slack_message(event_id="Ev01", **event):
    return {
        "type": "event_callback",
        "event_id": event_id,
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D0123",
            "user": "U0SLACK1",
            "text": "請求書の宛名を変えたい",
            "ts": "1764800000.000100",
            **event,
        },
    }


def test_slack_url_verification_answers_the_challenge(client):
    response = post_slack(client, {"type": "url_verification", "challenge": "abc123"})
    assert response.json() == {"challenge": "abc123"}


def test_a_slack_direct_message_lands_in_a_thread(client):
    assert post_slack(client, slack_message()).status_code == 200
    message = InboxMessage.objects.get()
    assert (message.channel, message.address, message.text) == (
        "slack",
        "U0SLACK1",
        "請求書の宛名を変えたい",
    )
    assert message.at == datetime(2025, 12, 3, 22, 13, 20, 100, tzinfo=UTC)


def test_slack_retries_and_our_own_bots_posts_are_not_messages(client):
    post_slack(client, slack_message())
    post_slack(client, slack_message())  # Slack retried the same event
    post_slack(client, slack_message(event_id="Ev02", bot_id="B1"))
    post_slack(client, slack_message(event_id="Ev03", subtype="message_changed"))
    assert InboxMessage.objects.count() == 1


def test_a_slack_request_with_a_bad_signature_is_refused_and_recorded(client):
    assert post_slack(client, slack_message(), secret="wrong").status_code == 403
    assert not InboxMessage.objects.exists()
    assert HookRejection.objects.get().hook == "slack"


def test_a_slack_request_signed_too_long_ago_is_refused(client):
    response = post_slack(client, slack_message(), timestamp=int(time.time()) - 600)
    assert response.status_code == 403
    assert HookRejection.objects.get().reason == "bad_signature"


# The ESP (Standard Webhooks, as Resend sends them through Svix)


def post_esp(client, payload, *, secret=ESP_SECRET, prefix="webhook", msg_id="msg_1"):
    body = json.dumps(payload)
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, now, body)
    return client.post(
        "/outreach/hooks/esp/",
        body,
        content_type="application/json",
        headers={
            f"{prefix}-id": msg_id,
            f"{prefix}-timestamp": str(int(now.timestamp())),
            f"{prefix}-signature": signature,
        },
    )


def suppression_of(address):
    return Suppression.objects.filter(
        channel="email", address_hash=policy.address_hash("email", address)
    ).first()


def test_a_hard_bounce_from_the_esp_suppresses_the_address(client):
    payload = {
        "type": "email.bounced",
        "data": {"to": ["Hana <hana@example.jp>"], "bounce": {"type": "Permanent"}},
    }
    assert post_esp(client, payload).status_code == 200
    assert suppression_of("hana@example.jp").reason == SuppressionReason.HARD_BOUNCE


def test_a_soft_bounce_suppresses_nothing(client):
    payload = {
        "type": "email.bounced",
        "data": {"to": ["hana@example.jp"], "bounce": {"type": "Transient"}},
    }
    post_esp(client, payload)
    assert suppression_of("hana@example.jp") is None


def test_a_spam_complaint_with_svix_headers_suppresses_as_complaint(client):
    payload = {"type": "email.complained", "data": {"to": ["hana@example.jp"]}}
    assert post_esp(client, payload, prefix="svix").status_code == 200
    assert suppression_of("hana@example.jp").reason == SuppressionReason.COMPLAINT


def test_an_email_reply_lands_in_the_senders_thread(client, bob):
    payload = {
        "type": "email.received",
        "data": {"from": f"Bob <{bob.email}>", "subject": "Re: 請求書", "text": "確認しました"},
    }
    post_esp(client, payload)
    thread = InboxThread.objects.get()
    assert (thread.user, thread.channel, thread.recipient_key) == (bob, "email", f"user:{bob.pk}")
    assert thread.messages.get().subject == "Re: 請求書"


def test_an_esp_request_with_a_bad_signature_is_refused_and_recorded(client):
    payload = {"type": "email.complained", "data": {"to": ["hana@example.jp"]}}
    other = "whsec_" + base64.b64encode(b"another-secret-of-32-bytes-long!").decode()
    assert post_esp(client, payload, secret=other).status_code == 403
    assert suppression_of("hana@example.jp") is None
    assert HookRejection.objects.get().hook == "esp"


def test_an_esp_event_sent_twice_is_handled_once(client, bob):
    payload = {"type": "email.received", "data": {"from": bob.email, "text": "x"}}
    post_esp(client, payload, msg_id="msg_9")
    post_esp(client, payload, msg_id="msg_9")
    assert InboxMessage.objects.count() == 1
