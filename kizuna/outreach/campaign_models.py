"""Audiences (saved filters over Kizuna's own data) and campaigns (one message to many).

A campaign is written in Japanese and English, approved by a second staff member, and then
frozen: its audience is resolved into `CampaignRecipient` rows, each of which becomes one
`Delivery` when the campaign starts. The deliveries carry every per-recipient result.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.outreach.models import Delivery, Topic


class AudienceKind(models.TextChoices):
    PARTNERS = "partners", _("Partners (their people)")
    MEMBERS = "members", _("Community members")


class Audience(models.Model):
    """A saved filter; `filters` holds the keys `kizuna.outreach.audiences` understands."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("who"), max_length=16, choices=AudienceKind.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved, waiting for its time")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


class Campaign(models.Model):
    title = models.CharField(_("title (staff only)"), max_length=200)
    audience = models.ForeignKey(
        Audience, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("audience")
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    # Channels in the order they are tried: each recipient gets the message once, on the
    # first of these where they have an identity and have agreed to the topic.
    channels = models.JSONField(_("channels"), default=list)
    subject_ja = models.CharField(_("subject (Japanese)"), max_length=200)
    body_ja = models.TextField(_("message (Japanese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("message (English)"))
    # Shorter texts for the chat channels: {"slack": {"ja": "...", "en": "..."}, ...}; a
    # channel without one gets the message.
    variants = models.JSONField(_("per-channel variants"), default=dict, blank=True)
    event = models.ForeignKey(
        "community.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event invited to"),
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    # Who changed it last: they may not approve it either (four eyes see every edit).
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("edited by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CampaignRecipient(models.Model):
    """One person a campaign was approved for, on the channel chosen for them."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campaign")
    )
    recipient_key = models.CharField(_("recipient"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    member = models.ForeignKey(
        "community.Member",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8)
    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=254)
    delivery = models.OneToOneField(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        related_name="campaign_recipient",
        verbose_name=_("delivery"),
    )

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient_key"], name="outreach_campaign_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.recipient_key}"
