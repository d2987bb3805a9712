"""Slack through its Web API (`slack_sdk`) with a bot token: to a channel, or to a user id.

Settings (KIZUNA_OUTREACH_SLACK_<KEY>):
- BOT_TOKEN: the app's bot token (xoxb-...), with the chat:write scope;
- SIGNING_SECRET: the app's signing secret, which signs the Events API (`/outreach/hooks/slack/`);
- BASE_URL: the Web API's address (tests point it at a local fake);
- PER_CHANNEL_PER_SECOND: chat.postMessage allows about 1 message per second per channel;
- PER_MINUTE: a workspace-wide cap for chat.postMessage (Slack documents one, unnumbered).
"""

from typing import Any

from django.utils.translation import pgettext_lazy
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from kizuna.core.ratelimit import Limit
from kizuna.outreach import limits
from kizuna.outreach.channels.base import Channel, PermanentError, Sent, TemporaryError
from kizuna.outreach.models import Delivery

# Errors that another try cannot fix (https://api.slack.com/methods/chat.postMessage#errors).
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "no_text",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "restricted_action",
    "user_not_found",
}


class SlackChannel(Channel):
    name = "slack"
    label = pgettext_lazy("channel", "Slack")
    idempotent = False
    DEFAULTS = {
        "BOT_TOKEN": "",
        "SIGNING_SECRET": "",
        "BASE_URL": "https://slack.com/api/",
        "PER_CHANNEL_PER_SECOND": 1,
        "PER_MINUTE": 60,
    }

    def client(self) -> WebClient:
        # No automatic retries: a 429 goes back to the worker, which waits Retry-After.
        return WebClient(
            token=self.setting("BOT_TOKEN"), base_url=self.setting("BASE_URL"), retry_handlers=[]
        )

    def limits(self, delivery: Delivery) -> list[tuple[str, Limit]]:
        return [
            (
                f"outreach:slack:chat.postMessage:{delivery.address}",
                limits.per_window(self.setting("PER_CHANNEL_PER_SECOND"), 1),
            ),
            ("outreach:slack:chat.postMessage", limits.per_window(self.setting("PER_MINUTE"), 60)),
        ]

    def send(self, delivery: Delivery) -> Sent:
        text = f"*{delivery.subject}*\n{delivery.text}" if delivery.subject else delivery.text
        try:
            response: Any = self.client().chat_postMessage(channel=delivery.address, text=text)
        except SlackApiError as error:
            status = error.response.status_code
            if status == 429:
                retry_after = int(error.response.headers.get("Retry-After", "60"))
                raise TemporaryError("rate_limited", retry_after_s=retry_after) from error
            code = str(error.response.get("error", ""))
            if code in PERMANENT:
                raise PermanentError(code) from error
            raise TemporaryError(code or str(status)) from error
        except OSError as error:
            raise TemporaryError(str(error)) from error
        return Sent(provider_id=f"{response.get('channel', '')}:{response.get('ts', '')}")


CHANNEL = SlackChannel()
