"""LINE through the Messaging API (`line-bot-sdk`): push to people who added the official
account (their user id comes from the follow webhook).

Every push carries `X-Line-Retry-Key` derived from the delivery's key, so a push whose outcome
is unknown is sent again with the same key and LINE drops the duplicate (409). The month's
message quota is read from the API before sending; when it is used up, QuotaExhausted tells
the worker to defer advertising to next month.

Settings (KIZUNA_OUTREACH_LINE_<KEY>):
- CHANNEL_ACCESS_TOKEN: the channel's long-lived access token;
- CHANNEL_SECRET: the channel secret, which signs the webhook (`/outreach/hooks/line/`);
- BASE_URL: the API's address (tests point it at a local fake);
- PUSH_PER_SECOND: push requests per second (LINE documents 2,000; default 1,000);
- MULTICAST_PER_SECOND: multicast requests per second (LINE documents 200; default 100),
  see multicast.py;
- QUOTA_TIME_ZONE: the month the quota counts (Asia/Tokyo);
- ADD_FRIEND_URL, ADD_FRIEND_QR_URL: the official account's add-friend link and QR code
  image (LINE Official Account Manager > Gain friends), shown on the page where a person
  links their LINE account (`/outreach/me/line/`).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import pgettext_lazy
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)

from kizuna.core.ratelimit import Limit
from kizuna.outreach import limits
from kizuna.outreach.channels.base import (
    Channel,
    PermanentError,
    QuotaExhausted,
    Sent,
    TemporaryError,
)
from kizuna.outreach.models import Delivery

MAX_TEXT = 5000  # a text message holds at most 5,000 characters


class LineChannel(Channel):
    name = "line"
    label = pgettext_lazy("channel", "LINE")
    idempotent = True
    DEFAULTS = {
        "CHANNEL_ACCESS_TOKEN": "",
        "CHANNEL_SECRET": "",
        "BASE_URL": "https://api.line.me",
        "PUSH_PER_SECOND": 1000,
        "MULTICAST_PER_SECOND": 100,
        "QUOTA_TIME_ZONE": "Asia/Tokyo",
        "ADD_FRIEND_URL": "",
        "ADD_FRIEND_QR_URL": "",
    }

    def api(self) -> MessagingApi:
        configuration = Configuration(
            host=self.setting("BASE_URL"), access_token=self.setting("CHANNEL_ACCESS_TOKEN")
        )
        return MessagingApi(ApiClient(configuration))

    def limits(self, delivery: Delivery) -> list[tuple[str, Limit]]:
        return [("outreach:line:push", limits.per_window(self.setting("PUSH_PER_SECOND"), 1))]

    def quota_left(self, api: MessagingApi) -> int | None:
        """Messages left this month, or None when the plan has no limit."""
        quota = api.get_message_quota()
        if quota.type != "limited":
            return None
        used = api.get_message_quota_consumption().total_usage
        return int(quota.value or 0) - int(used)

    @contextmanager
    def session(self) -> Iterator[None]:
        # The quota is read once per batch and counted down locally, instead of two more
        # requests per push; a 429 "monthly limit" still stops the batch if it is stale.
        self._quota: list[int | None] = []
        try:
            yield
        finally:
            self._quota = []

    def _session_quota(self, api: MessagingApi) -> int | None:
        quota = getattr(self, "_quota", None)
        if quota is None:  # outside a session
            return self.quota_left(api)
        if not quota:
            quota.append(self.quota_left(api))
        left = quota[0]
        if left is not None:
            quota[0] = left - 1
        return left

    def next_month(self) -> datetime:
        local = timezone.now().astimezone(ZoneInfo(self.setting("QUOTA_TIME_ZONE")))
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        return datetime(year, month, 1, tzinfo=local.tzinfo)

    def send(self, delivery: Delivery) -> Sent:
        api = self.api()
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kizuna:{delivery.idempotency_key}"))
        text = f"{delivery.subject}\n{delivery.text}" if delivery.subject else delivery.text
        try:
            left = self._session_quota(api)
            if left is not None and left <= 0:
                raise QuotaExhausted("monthly message quota used up", until=self.next_month())
            response: Any = api.push_message_with_http_info(
                PushMessageRequest(
                    to=delivery.address, messages=[TextMessage(text=text[:MAX_TEXT])]
                ),
                x_line_retry_key=retry_key,
            )
        except ApiException as error:
            return self._answer(error)
        except OSError as error:
            raise TemporaryError(str(error)) from error
        return Sent(provider_id=_request_id(response.headers))

    def _answer(self, error: ApiException) -> Sent:
        headers = dict(error.headers or {})
        body = (error.body or b"").decode() if isinstance(error.body, bytes) else str(error.body)
        if error.status == 409:
            # The retry key was accepted before: the message went out the first time.
            return Sent(provider_id=headers.get("x-line-accepted-request-id", ""))
        if error.status == 429 and "monthly limit" in body:
            raise QuotaExhausted(body, until=self.next_month()) from error
        if error.status == 429 or (error.status or 0) >= 500:
            retry_after = headers.get("Retry-After")
            raise TemporaryError(
                f"{error.status} {body}"[:300],
                retry_after_s=int(retry_after) if retry_after and retry_after.isdigit() else None,
            ) from error
        raise PermanentError(f"{error.status} {body}"[:300]) from error


def _request_id(headers: Any) -> str:
    return str(dict(headers or {}).get("x-line-request-id", ""))


CHANNEL = LineChannel()
