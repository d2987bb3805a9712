"""WeCom (企业微信) through its official customer-contact API, with httpx.

`externalcontact/add_msg_template` does not send: it creates a task that the staff member
named as sender must confirm in their WeCom app, so a person stays in the loop. The delivery
waits in `awaiting_confirmation` until `get_groupmsg_send_result` reports it sent
(`wecom_confirmations_check`, run by the worker). Nothing here drives a person's client.

WeCom limits the group messages (群发) each customer receives, from the company and its
members together. Its documentation of this API (创建企业群发,
https://developer.work.weixin.qq.com/document/path/92135, updated 2025-11-17): "每位客户/每个
客户群每月最多可接收条数为当月天数" — as many a month as the month has days — and an admin can
change that in 企业微信 → 群发助手 → 设置群发规则 to seven a week or one a day. RECEIVE_RULE
names the rule the company chose; a delivery over it waits for the next period (advertising)
or moves to the person's next channel (a notice). Group messages members send themselves
count too and Kizuna cannot see them: WeCom then reports the customer as having received
another one already (status 3), recorded as skipped.

Settings (KIZUNA_OUTREACH_WECOM_<KEY>):
- CORP_ID, CORP_SECRET: the company id and the customer-contact secret;
- SENDER: the WeCom user id of the staff member who confirms the tasks;
- BASE_URL: the API's address (tests point it at a local fake);
- RECEIVE_RULE: the company's rule for group messages a customer receives: "days_in_month"
  (WeCom's default), "seven_a_week" (a calendar week from Monday) or "one_a_day", each
  counted in TIME_ZONE (default Asia/Shanghai, WeCom's);
- PER_MINUTE: add_msg_template calls a minute (default 300, below WeCom's API frequency cap).
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
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
        "RECEIVE_RULE": "days_in_month",
        "PER_MINUTE": 300,
        "TIME_ZONE": "Asia/Shanghai",
    }

    def limits(self, delivery: Delivery) -> list[tuple[str, Limit]]:
        return [
            ("outreach:wecom:add_msg_template", limits.per_window(self.setting("PER_MINUTE"), 60))
        ]

    def receive_period(self, at: datetime) -> tuple[datetime, datetime, int]:
        """(start, end, most group messages a customer receives in it) around `at`."""
        local = at.astimezone(ZoneInfo(self.setting("TIME_ZONE")))
        day = datetime(local.year, local.month, local.day, tzinfo=local.tzinfo)
        rule = self.setting("RECEIVE_RULE")
        if rule == "one_a_day":
            return day, day + timedelta(days=1), 1
        if rule == "seven_a_week":
            monday = day - timedelta(days=local.weekday())
            return monday, monday + timedelta(days=7), 7
        if rule != "days_in_month":
            raise ImproperlyConfigured(f"KIZUNA_OUTREACH_WECOM_RECEIVE_RULE: unknown {rule!r}")
        start = day.replace(day=1)
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        end = start.replace(year=year, month=month)
        return start, end, (end - start).days

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
        # Counted after this delivery's claim was committed, with the other claims in flight
        # (`sending`): two workers at the customer's limit at once both hold back, never
        # both send.
        start, end, most = self.receive_period(delivery.claimed_at or timezone.now())
        received = (
            Delivery.objects.filter(
                channel=self.name,
                address=delivery.address,
                claimed_at__gte=start,
                claimed_at__lt=end,
                state__in=[
                    State.SENDING,
                    State.SENT,
                    State.AWAITING_CONFIRMATION,
                    State.UNKNOWN,
                ],
            )
            .exclude(pk=delivery.pk)
            .count()
        )
        if received >= most:
            raise QuotaExhausted("WeCom's limit for this customer is reached", until=end)
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
