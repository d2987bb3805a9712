"""The inbox and the identities the platforms tell us about: every write of the webhooks.

Follows and unfollows (LINE) update the person's identity on the channel and the consent
ledger; a message a person sends lands in their one thread; a staff answer goes back through
the same official API as a delivery, like every other message.
"""

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.errors import ServiceError
from kizuna.outreach.models import (
    OPTIONAL_TOPICS,
    ChannelIdentity,
    ConsentMethod,
    Delivery,
    Direction,
    HookEvent,
    InboxMessage,
    InboxThread,
    Purpose,
    Topic,
)
from kizuna.outreach.services import (
    Content,
    Recipient,
    consent_record,
    delivery_enqueue,
    recipient_key,
)

FOLLOW_WORDING = {
    "line": "LINE公式アカウントを友だち追加 / Added the LINE official account as a friend",
}


def hook_event_first_time(*, hook: str, event_id: str) -> bool:
    """True the first time a platform's event id is seen (redeliveries are dropped)."""
    if not event_id:
        return True
    with transaction.atomic():
        _event, created = HookEvent.objects.get_or_create(hook=hook, event_id=event_id[:200])
    return created


def identity_of(channel: str, address: str) -> ChannelIdentity | None:
    return ChannelIdentity.objects.filter(channel=channel, address=address).first()


def _recipient(channel: str, address: str) -> Recipient:
    identity = identity_of(channel, address)
    if identity is not None:
        return Recipient(address=address, user=identity.user, member=identity.member)
    if channel == "email":
        from kizuna.outreach.services import email_recipient

        return email_recipient(address)
    return Recipient(address=address)


def identity_follow(
    *, channel: str, address: str, display_name: str = "", at: datetime | None = None
) -> ChannelIdentity:
    """A person added the official account: they can be reached there and agreed to hear from it."""
    at = at or timezone.now()
    with transaction.atomic():
        identity, _created = ChannelIdentity.objects.get_or_create(
            channel=channel,
            address=address,
            defaults={"recipient_key": recipient_key(address=address), "followed_at": at},
        )
        identity.active, identity.followed_at, identity.unfollowed_at = True, at, None
        if display_name:
            identity.display_name = display_name[:200]
        identity.save()
        consent_record(
            recipient_key=identity.recipient_key,
            channel=channel,
            topics=OPTIONAL_TOPICS,
            granted=True,
            method=ConsentMethod.CHANNEL,
            source=f"{channel} follow",
            wording=FOLLOW_WORDING.get(channel, ""),
            at=at,
        )
    return identity


def identity_unfollow(*, channel: str, address: str, at: datetime | None = None) -> None:
    """A person blocked or removed the official account: nothing more goes there."""
    at = at or timezone.now()
    with transaction.atomic():
        identity = identity_of(channel, address)
        key = identity.recipient_key if identity else recipient_key(address=address)
        if identity is not None:
            identity.active, identity.unfollowed_at = False, at
            identity.save(update_fields=["active", "unfollowed_at"])
        consent_record(
            recipient_key=key,
            channel=channel,
            topics=[*OPTIONAL_TOPICS, Topic.NOTICES],
            granted=False,
            method=ConsentMethod.CHANNEL,
            source=f"{channel} unfollow",
            at=at,
        )


def identity_link(*, channel: str, address: str, user: Any = None, member: Any = None) -> None:
    """Tie a channel identity to a Kizuna account or member (the person proved both are theirs).

    The consent given under the bare address moves to the person's key with its history.
    """
    from kizuna.outreach.models import Consent

    with transaction.atomic():
        identity = ChannelIdentity.objects.select_for_update().get(channel=channel, address=address)
        old_key = identity.recipient_key
        identity.user, identity.member = user, member
        identity.recipient_key = recipient_key(user=user, member=member, address=address)
        identity.save()
        if old_key != identity.recipient_key:
            Consent.objects.filter(recipient_key=old_key, channel=channel).update(
                recipient_key=identity.recipient_key
            )
            InboxThread.objects.filter(recipient_key=old_key).update(
                recipient_key=identity.recipient_key, user=user, member=member
            )


def inbox_receive(
    *,
    channel: str,
    address: str,
    text: str,
    subject: str = "",
    provider_id: str = "",
    display_name: str = "",
    at: datetime | None = None,
) -> InboxMessage:
    """A message a person sent us on a channel lands in their thread."""
    at = at or timezone.now()
    recipient = _recipient(channel, address)
    with transaction.atomic():
        thread, _created = InboxThread.objects.select_for_update().get_or_create(
            recipient_key=recipient.key,
            defaults={
                "user": recipient.user,
                "member": recipient.member,
                "channel": channel,
                "address": address,
                "display_name": (display_name or _display(recipient))[:200],
            },
        )
        thread.channel, thread.address = channel, address
        thread.needs_answer = True
        thread.last_message_at = max(thread.last_message_at, at)
        thread.save()
        return InboxMessage.objects.create(
            thread=thread,
            direction=Direction.IN,
            channel=channel,
            address=address,
            subject=subject[:300],
            text=text,
            provider_id=provider_id[:200],
            at=at,
        )


def _display(recipient: Recipient) -> str:
    if recipient.user is not None:
        return str(recipient.user.get_full_name() or recipient.user.email)
    if recipient.member is not None:
        return str(recipient.member.display_name)
    return recipient.address


def inbox_reply(*, actor: Any, thread: InboxThread, text: str) -> InboxMessage:
    """A staff member answers on the channel the person last wrote from, as a delivery."""
    text = text.strip()
    if not text:
        raise ServiceError(_("Write an answer first."), code="empty_answer")
    with transaction.atomic():
        thread = InboxThread.objects.select_for_update().get(pk=thread.pk)
        last_in = thread.messages.filter(direction=Direction.IN).last()
        subject = ""
        if thread.channel == "email":
            subject = f"Re: {last_in.subject}" if last_in and last_in.subject else _("Your message")
        delivery = delivery_enqueue(
            channel=thread.channel,
            recipient=Recipient(address=thread.address, user=thread.user, member=thread.member),
            purpose=Purpose.SERVICE,
            topic=Topic.NOTICES,
            idempotency_key=f"outreach.inbox_reply:{thread.pk}:{uuid.uuid4()}",
            content=Content(subject, text),
        )
        message = InboxMessage.objects.create(
            thread=thread,
            direction=Direction.OUT,
            channel=thread.channel,
            address=thread.address,
            subject=subject,
            text=text,
            author=actor,
            delivery=delivery,
        )
        thread.needs_answer = False
        thread.last_message_at = message.at
        thread.save(update_fields=["needs_answer", "last_message_at"])
        audit.record(
            actor=actor,
            action="outreach.inbox_replied",
            obj=thread,
            after={"channel": thread.channel, "delivery": delivery.pk},
        )
    return message


def chosen_channels(recipient_key: str, *, email: str = "") -> list[tuple[str, str]]:
    """Where a person's service notices go, in their order of choice: the channels they
    follow (by rank), then their account's email."""
    found = [
        (identity.channel, identity.address)
        for identity in ChannelIdentity.objects.filter(
            recipient_key=recipient_key, active=True
        ).order_by("rank", "followed_at", "id")
    ]
    if email:
        found.append(("email", email))
    return found


def identity_choose(*, recipient_key: str, channels: list[str]) -> None:
    """The person's order of choice for service notices (channels not named come after)."""
    with transaction.atomic():
        for identity in ChannelIdentity.objects.filter(recipient_key=recipient_key):
            position = channels.index(identity.channel) if identity.channel in channels else 99
            identity.rank = position
            identity.save(update_fields=["rank"])


def notice_enqueue(
    *,
    user: Any,
    topic: str,
    idempotency_key: str,
    template: str = "",
    context: dict[str, Any] | None = None,
    content: Content | None = None,
    language: str = "",
) -> Delivery:
    """A service notice on the channel the person chose (email when they chose none)."""
    channels = chosen_channels(recipient_key(user=user), email=user.email)
    if not channels:
        raise ServiceError(_("This person has no channel to reach them on."), code="no_channel")
    channel, address = channels[0]
    return delivery_enqueue(
        channel=channel,
        recipient=Recipient(address=address, user=user),
        purpose=Purpose.SERVICE,
        topic=topic,
        idempotency_key=idempotency_key,
        template=template,
        context=context,
        content=content,
        language=language,
    )


def next_chosen_channel(delivery: Delivery) -> tuple[str, str] | None:
    """The channel after `delivery`'s in the person's order of choice (its fallback)."""
    email = delivery.user.email if delivery.user is not None else ""
    channels = chosen_channels(delivery.recipient_key, email=email)
    names = [name for name, _address in channels]
    if delivery.channel not in names:
        return channels[0] if channels and channels[0][0] != delivery.channel else None
    following = channels[names.index(delivery.channel) + 1 :]
    return following[0] if following else None


WEB = "web"  # a message a signed-in person wrote on the site itself


def own_threads(user: Any) -> Any:
    """The inbox threads that are this person's: under their account or their member record."""
    from django.db.models import Q

    return InboxThread.objects.filter(
        Q(user=user) | Q(recipient_key=recipient_key(user=user)) | Q(member__user=user)
    )


def inbox_post(*, user: Any, text: str, thread: InboxThread | None = None) -> InboxMessage:
    """A person writes to staff from the site: into their thread, which staff answer through
    the channel the person last used (email to their account when they never wrote before)."""
    text = text.strip()
    if not text:
        raise ServiceError(_("Write your message first."), code="empty_message")
    now = timezone.now()
    with transaction.atomic():
        if thread is None:
            thread, _created = InboxThread.objects.get_or_create(
                recipient_key=recipient_key(user=user),
                defaults={
                    "user": user,
                    "channel": "email",
                    "address": user.email,
                    "display_name": str(user.display_name or user.email)[:200],
                },
            )
        thread = InboxThread.objects.select_for_update().get(pk=thread.pk)
        thread.needs_answer = True
        thread.last_message_at = max(thread.last_message_at, now)
        thread.save(update_fields=["needs_answer", "last_message_at"])
        return InboxMessage.objects.create(
            thread=thread,
            direction=Direction.IN,
            channel=WEB,
            address=user.email,
            text=text,
            author=user,
            at=now,
        )


LINE_LINKED_TEXT = "{site} のアカウントと連携しました。/ Linked to your {site} account."


def line_link_attempt(*, address: str, text: str, at: datetime | None = None) -> bool:
    """A message on LINE carrying a genuine link code ties that LINE user to the account;
    True when it was such a code (then it is not an inbox message)."""
    from django.conf import settings

    from kizuna.accounts.models import User
    from kizuna.outreach import links

    user_pk = links.line_link_user_pk(text)
    user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    if user is None:
        return False
    with transaction.atomic():
        if identity_of("line", address) is None:  # the follow event has not arrived (yet)
            identity_follow(channel="line", address=address, at=at)
        identity_link(channel="line", address=address, user=user)
        site = settings.KIZUNA_ECOSYSTEM_NAME
        delivery_enqueue(
            channel="line",
            recipient=Recipient(address=address, user=user),
            purpose=Purpose.SERVICE,
            topic=Topic.NOTICES,
            idempotency_key=f"outreach.line_linked:{address}:{user.pk}:{uuid.uuid4()}",
            content=Content("", LINE_LINKED_TEXT.format(site=site)),
        )
    return True


def identity_unlink(*, user: Any, channel: str) -> int:
    """The person unties their account from a channel: nothing of theirs goes there any more
    under their name, and the consent given by following stays with the bare address."""
    from kizuna.outreach.models import Consent

    unlinked = 0
    with transaction.atomic():
        identities = ChannelIdentity.objects.select_for_update().filter(user=user, channel=channel)
        for identity in identities:
            old_key = identity.recipient_key
            identity.user = identity.member = None
            identity.recipient_key = recipient_key(address=identity.address)
            identity.save(update_fields=["user", "member", "recipient_key"])
            Consent.objects.filter(recipient_key=old_key, channel=channel).update(
                recipient_key=identity.recipient_key
            )
            unlinked += 1
    return unlinked
