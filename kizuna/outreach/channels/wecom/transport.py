"""WeCom (企业微信) through its official customer-contact API, with httpx.

`externalcontact/add_msg_template` does not send: it creates a task that the staff member
named as sender must confirm in their WeCom app, so a person stays in the loop. The delivery
waits in `awaiting_confirmation` until `get_groupmsg_send_result` reports it sent
(`wecom_confirmations_check`, run by the worker). Nothing here drives a person's client.

WeCom lets each customer receive a limited number of group messages from a company a month;
a delivery over that cap waits for next month (advertising) or moves to email (a notice).

Settings (KIZUNA_OUTREACH_WECOM_<KEY>):
- CORP_ID, CORP_SECRET: the company id and the customer-contact secret;
- SENDER: the WeCom user id of the staff member who confirms the tasks;
- BASE_URL: the API's address (tests point it at a local fake);
- PER_CUSTOMER_PER_MONTH: group messages one customer may receive a month (default 4);
- PER_MINUTE: add_msg_template calls a minute (default 300, below WeCom's API frequency cap).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from kizuna.core.ratelimit import Limit
from kizuna.outreach import limits
from kizuna.outreach.channels.base import (
    Channel,
    PermanentError,
    QuotaExhausted,
    Sent,
    TemporaryError,
)
from kizuna.outreach.models import Delivery, State

TOKEN_EXPIRED = {40014, 42001}
# Frequency limits and WeCom's own busy answer: try again later.
TEMPORARY = {-1, 45009, 45033}
# get_groupmsg_send_result: 0 not sent yet, 1 sent, 2 not a contact, 3 got another one already.
SENT, NOT_A_CONTACT, ALREADY_RECEIVED = 1, 2, 3


class WeComChannel(Channel):
    name = "wecom"
    label = pgettext_lazy("channel", "WeCom")
    idempotent = False
    DEFAULTS = {
        "CORP_ID": "",
        "CORP_SECRET": "",
        "SENDER": "",
        "BASE_URL": "https://qyapi.weixin.qq.com",
        "PER_CUSTOMER_PER_MONTH": 4,
        "PER_MINUTE": 300,
        "TIME_ZONE": "Asia/Shanghai",
    }

    def limits(self, delivery: Delivery) -> list[tuple[str, Limit]]:
        return [
            ("outreach:wecom:add_msg_template", limits.per_window(self.setting("PER_MINUTE"), 60))
        ]

    def _month_start(self) -> datetime:
        local = timezone.now().astimezone(ZoneInfo(self.setting("TIME_ZONE")))
        return datetime(local.year, local.month, 1, tzinfo=local.tzinfo)

    def _next_month(self) -> datetime:
        start = self._month_start()
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return datetime(year, month, 1, tzinfo=start.tzinfo)

    def _token(self, client: httpx.Client, *, fresh: bool = False) -> str:
        key = f"outreach:wecom:token:{self.setting('CORP_ID')}"
        token = None if fresh else cache.get(key)
        if token:
            return str(token)
        answer = self._get(
            client,
            "/cgi-bin/gettoken",
            {"corpid": self.setting("CORP_ID"), "corpsecret": self.setting("CORP_SECRET")},
        )
        cache.set(key, answer["access_token"], max(60, int(answer.get("expires_in", 7200)) - 300))
        return str(answer["access_token"])

    def _get(self, client: httpx.Client, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return _checked(client.get(self.setting("BASE_URL") + path, params=params))

    def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(timeout=15) as client:
            for fresh in (False, True):
                token = self._token(client, fresh=fresh)
                response = client.post(
                    self.setting("BASE_URL") + path, params={"access_token": token}, json=payload
                )
                try:
                    return _checked(response)
                except PermanentError as error:
                    if fresh or getattr(error, "errcode", None) not in TOKEN_EXPIRED:
                        raise
        raise AssertionError("unreachable")

    def send(self, delivery: Delivery) -> Sent:
        received = (
            Delivery.objects.filter(
                channel=self.name,
                address=delivery.address,
                claimed_at__gte=self._month_start(),
                state__in=[State.SENT, State.AWAITING_CONFIRMATION, State.UNKNOWN],
            )
            .exclude(pk=delivery.pk)
            .count()
        )
        if received >= self.setting("PER_CUSTOMER_PER_MONTH"):
            raise QuotaExhausted(
                "monthly limit for this customer reached", until=self._next_month()
            )
        text = f"{delivery.subject}\n{delivery.text}" if delivery.subject else delivery.text
        try:
            answer = self.call(
                "/cgi-bin/externalcontact/add_msg_template",
                {
                    "chat_type": "single",
                    "external_userid": [delivery.address],
                    "sender": self.setting("SENDER"),
                    "text": {"content": text[:4000]},
                },
            )
        except httpx.HTTPError as error:
            raise TemporaryError(str(error)) from error
        if delivery.address in answer.get("fail_list", []):
            raise PermanentError("not a contact of the sender")
        return Sent(provider_id=str(answer.get("msgid", "")), awaiting_confirmation=True)


def _checked(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500:
        raise TemporaryError(f"HTTP {response.status_code}")
    answer = response.json()
    errcode = int(answer.get("errcode", 0))
    if errcode == 0:
        return dict(answer)
    message = f"{errcode} {answer.get('errmsg', '')}"
    if errcode in TEMPORARY:
        raise TemporaryError(message)
    error = PermanentError(message)
    error.errcode = errcode  # type: ignore[attr-defined]
    raise error


def wecom_confirmations_check() -> int:
    """Ask WeCom which confirmed tasks went out; return how many deliveries changed."""
    waiting = Delivery.objects.filter(channel=CHANNEL.name, state=State.AWAITING_CONFIRMATION)
    changed = 0
    for delivery in waiting.exclude(provider_id="")[:500]:
        try:
            answer = CHANNEL.call(
                "/cgi-bin/externalcontact/get_groupmsg_send_result",
                {"msgid": delivery.provider_id, "userid": CHANNEL.setting("SENDER")},
            )
        except (TemporaryError, PermanentError, httpx.HTTPError):
            continue  # asked again on the next run
        status = {
            row.get("external_userid"): row.get("status") for row in answer.get("send_list", [])
        }
        outcome = status.get(delivery.address)
        fields: dict[str, Any] | None = None
        if outcome == SENT:
            fields = {"state": State.SENT, "sent_at": timezone.now()}
        elif outcome == NOT_A_CONTACT:
            fields = {"state": State.FAILED, "error": "not a contact of the sender"}
        elif outcome == ALREADY_RECEIVED:
            fields = {"state": State.SKIPPED, "reason": "wecom_already_received"}
        if fields:
            with transaction.atomic():
                changed += Delivery.objects.filter(
                    pk=delivery.pk, state=State.AWAITING_CONFIRMATION
                ).update(**fields)
    return changed


CHANNEL = WeComChannel()
