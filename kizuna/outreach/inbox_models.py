"""Who a person is on each channel (from the platforms' follow webhooks), their inbox thread,
and the webhook requests refused or already handled."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelIdentity(models.Model):
    """An address a person can be reached at on a channel, learned from the platform.

    A LINE user id comes from the follow event (only people who added the official account
    can be pushed to); an unfollow makes it inactive. `rank` is the person's order of choice
    for service notices (lowest first); email from their account comes after every identity.
    """

    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=254)
    recipient_key = models.CharField(_("recipient"), max_length=300, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_identities",
        verbose_name=_("user"),
    )
    member = models.ForeignKey(
        "community.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_identities",
        verbose_name=_("member"),
    )
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    rank = models.PositiveSmallIntegerField(_("order of choice"), default=0)
    followed_at = models.DateTimeField(_("followed"), default=timezone.now)
    unfollowed_at = models.DateTimeField(_("unfollowed"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel identity")
        verbose_name_plural = _("channel identities")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="outreach_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class InboxThread(models.Model):
    """Everything one person wrote to us and what staff answered, across channels."""

    recipient_key = models.CharField(_("recipient"), max_length=300, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_threads",
        verbose_name=_("user"),
    )
    member = models.ForeignKey(
        "community.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_threads",
        verbose_name=_("member"),
    )
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    # Where staff's answer goes: the channel and address the person last wrote from.
    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=254)
    needs_answer = models.BooleanField(_("needs an answer"), default=True, db_index=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)

    class Meta:
        verbose_name = _("inbox thread")
        verbose_name_plural = _("inbox threads")
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return self.display_name or self.address


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Answered")


class InboxMessage(models.Model):
    thread = models.ForeignKey(
        InboxThread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread")
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    provider_id = models.CharField(_("provider id"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # A staff answer is sent as a delivery like every other message.
    delivery = models.OneToOneField(
        "outreach.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_message",
        verbose_name=_("delivery"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} {self.channel}:{self.address}"


class HookEvent(models.Model):
    """A platform's event already handled, so a redelivery (LINE, Slack retries, the ESP)
    changes nothing twice."""

    hook = models.CharField(_("hook"), max_length=16)
    event_id = models.CharField(_("event ID"), max_length=200)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("hook event")
        verbose_name_plural = _("hook events")
        constraints = [
            models.UniqueConstraint(fields=["hook", "event_id"], name="outreach_hook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.hook}:{self.event_id}"


class HookRejection(models.Model):
    """A webhook request refused (bad or missing signature, stale timestamp): kept for staff."""

    hook = models.CharField(_("hook"), max_length=16)
    reason = models.CharField(_("reason"), max_length=100)
    client_ip = models.CharField(_("client address"), max_length=64, blank=True)
    body_sha256 = models.CharField(_("body hash"), max_length=64)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("refused webhook")
        verbose_name_plural = _("refused webhooks")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.hook}: {self.reason}"
