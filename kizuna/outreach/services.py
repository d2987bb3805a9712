"""Every write of outreach: queueing deliveries, the consent ledger, the suppression list."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kizuna.core import audit
from kizuna.outreach import policy
from kizuna.outreach.channels import registry
from kizuna.outreach.models import (
    Consent,
    ConsentMethod,
    Delivery,
    State,
    Suppression,
    SuppressionReason,
)


@dataclass(frozen=True)
class Recipient:
    """Who a message is for: a user and/or a community member, and their address on the channel."""

    address: str
    user: Any = None
    member: Any = None
    # How the message addresses them, when the sender knows better than the account
    # (the contact name on an application, the billing contact on an invoice).
    name: str = ""

    @property
    def key(self) -> str:
        return recipient_key(user=self.user, member=self.member, address=self.address)

    @property
    def greeting_name(self) -> str:
        if self.name:
            return self.name
        if self.user is not None:
            return str(self.user.display_name)
        if self.member is not None:
            return str(self.member.display_name)
        return ""

    @property
    def language(self) -> str:
        """The language the person chose on their account; blank when they chose none."""
        user = self.user if self.user is not None else getattr(self.member, "user", None)
        return str(getattr(user, "language", "") or "")


def recipient_key(*, user: Any = None, member: Any = None, address: str = "") -> str:
    """One name for a person across channels: their account, else their member record."""
    if user is not None:
        return f"user:{user.pk}"
    if member is not None:
        return f"member:{member.pk}"
    return f"address:{address.strip().lower()}"


@dataclass(frozen=True)
class Content:
    subject: str = ""
    text: str = ""
    html: str = ""


def render(template: str, context: dict[str, Any], *, language: str) -> Content:
    """`<template>_subject.txt`, `<template>.txt` and, when it exists, `<template>.html`."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        text = render_to_string(f"{template}.txt", context)
        html: str
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return Content(" ".join(subject.split()), text, html)


def delivery_enqueue(
    *,
    channel: str,
    recipient: Recipient,
    purpose: str,
    topic: str,
    idempotency_key: str,
    template: str = "",
    context: dict[str, Any] | None = None,
    content: Content | None = None,
    language: str = "",
    due_at: datetime | None = None,
) -> Delivery:
    """Queue one message; the worker sends it. A key already queued returns that delivery.

    Give `template` (rendered now) or ready `content`. The message is in `language` when
    the sender knows it better (the form the person filled in, an invitation's), else in
    the recipient's own, else in the site's. Consent, suppression and limits are checked
    when the message is sent, not here.
    """
    transport = registry.get(channel)  # an unknown channel fails here, not in the worker
    language = language or recipient.language or settings.LANGUAGE_CODE
    if content is None:
        content = render(template, context or {}, language=language)
    with translation.override(language):
        content = transport.finish(
            content,
            recipient_key=recipient.key,
            purpose=purpose,
            topic=topic,
            name=recipient.greeting_name,
        )
    existing = Delivery.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                channel=channel,
                user=recipient.user,
                member=recipient.member,
                address=recipient.address,
                recipient_key=recipient.key,
                purpose=purpose,
                topic=topic,
                template=template,
                language=language,
                subject=content.subject[:300],
                text=content.text,
                html=content.html,
                idempotency_key=idempotency_key,
                due_at=due_at or timezone.now(),
            )
    except IntegrityError:  # queued at the same moment by another process
        return Delivery.objects.get(idempotency_key=idempotency_key)


def delivery_requeue(*, actor: Any, delivery: Delivery) -> Delivery:
    """A staff member sends again a delivery whose outcome is unknown or that failed."""
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, state__in=[State.UNKNOWN, State.FAILED]
        ).update(state=State.QUEUED, due_at=timezone.now(), reason="", error="", lease_until=None)
        if updated:
            audit.record(
                actor=actor,
                action="outreach.delivery_requeued",
                obj=delivery,
                before={"state": delivery.state},
                after={"state": State.QUEUED},
            )
    delivery.refresh_from_db()
    return delivery


def consent_record(
    *,
    recipient_key: str,
    channel: str,
    topics: Iterable[str],
    granted: bool,
    method: str,
    source: str = "",
    wording: str = "",
    at: datetime | None = None,
) -> list[Consent]:
    """Add entries to the consent ledger (a grant or a withdrawal per topic)."""
    at = at or timezone.now()
    with transaction.atomic():
        return Consent.objects.bulk_create(
            Consent(
                recipient_key=recipient_key,
                channel=channel,
                topic=topic,
                granted=granted,
                method=method,
                source=source[:300],
                wording=wording,
                at=at,
            )
            for topic in topics
        )


def unsubscribe_one_click(*, recipient_key: str, channel: str, topic: str) -> None:
    """RFC 8058: the POST from the mailbox provider withdraws consent at once."""
    consent_record(
        recipient_key=recipient_key,
        channel=channel,
        topics=[topic],
        granted=False,
        method=ConsentMethod.ONE_CLICK,
    )


def suppression_add(*, channel: str, address: str, reason: str, source: str = "") -> Suppression:
    with transaction.atomic():
        suppression, _created = Suppression.objects.get_or_create(
            channel=channel,
            address_hash=policy.address_hash(channel, address),
            defaults={"reason": reason, "source": source[:300]},
        )
    return suppression


def delivery_fallback(*, delivery: Delivery) -> Delivery | None:
    """Queue a service notice again on the person's next chosen channel when its channel
    cannot take it (LINE quota used up); email from their account comes last."""
    from kizuna.outreach.inbox import next_chosen_channel

    following = next_chosen_channel(delivery)
    if following is None:
        return None
    channel, address = following
    return delivery_enqueue(
        channel=channel,
        recipient=Recipient(address=address, user=delivery.user, member=delivery.member),
        purpose=delivery.purpose,
        topic=delivery.topic,
        idempotency_key=f"{delivery.idempotency_key}:{channel}",
        template=delivery.template,
        content=Content(delivery.subject, delivery.text, delivery.html),
        language=delivery.language,
    )


def preferences_save(
    *, recipient_key: str, chosen: set[str], rows: list[Any], everything_off: bool
) -> None:
    """What a person chose on their preferences page, added to the ledger as they changed it."""
    from kizuna.outreach import selectors

    with transaction.atomic():
        for _label, cells in rows:
            for cell in cells:
                wanted = cell.value in chosen and not everything_off
                if wanted != cell.checked:
                    consent_record(
                        recipient_key=recipient_key,
                        channel=cell.channel,
                        topics=[cell.topic],
                        granted=wanted,
                        method=ConsentMethod.PREFERENCES,
                        wording=cell.wording,
                    )
        pairs = selectors.addresses(recipient_key)
        if everything_off:
            for channel, address in pairs:
                suppression_add(
                    channel=channel,
                    address=address,
                    reason=SuppressionReason.UNSUBSCRIBED,
                    source="preferences",
                )
        else:
            hashes = [policy.address_hash(channel, address) for channel, address in pairs]
            Suppression.objects.filter(
                address_hash__in=hashes, reason=SuppressionReason.UNSUBSCRIBED
            ).delete()


def email_recipient(address: str, *, name: str = "") -> Recipient:
    """The recipient behind an email address: their account when they have one."""
    from kizuna.accounts.models import User

    address = address.strip()
    return Recipient(
        address=address, user=User.objects.filter(email__iexact=address).first(), name=name
    )


def email_written_enqueue(
    *,
    to: str,
    write: Callable[[], tuple[str, str]],
    topic: str,
    idempotency_key: str | Callable[[Content], str],
    language: str = "",
) -> Delivery:
    """Queue an email whose words the sender writes in code rather than in a template.

    `write` returns its subject and body, and runs in `language`, else the recipient's own
    (their account's), else the site's. The key may depend on the words written."""
    language = language or email_recipient(to).language or settings.LANGUAGE_CODE
    with translation.override(language):
        content = Content(*write())
    return email_enqueue(
        to=to,
        topic=topic,
        idempotency_key=idempotency_key(content) if callable(idempotency_key) else idempotency_key,
        content=content,
        language=language,
    )


def email_enqueue(
    *,
    to: str,
    topic: str,
    idempotency_key: str,
    purpose: str = "service",
    template: str = "",
    context: dict[str, Any] | None = None,
    content: Content | None = None,
    language: str = "",
    name: str = "",
) -> Delivery:
    """Queue one email: the shortcut every service notice of the other apps uses.

    The greeting uses `name`, else the name on the account of `to`; the template writes
    only the body (the delivery layer adds greeting, signature and HTML part)."""
    return delivery_enqueue(
        channel="email",
        recipient=email_recipient(to, name=name),
        purpose=purpose,
        topic=topic,
        idempotency_key=idempotency_key,
        template=template,
        context=context,
        content=content,
        language=language,
    )
