"""Deliveries (every message Kizuna sends), the consent ledger and the suppression list."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    # Service notices (invoices, leads, security advisories, account mail) need no opt-in;
    # advertising (news, events, surveys, program) goes only to people who opted in.
    SERVICE = "service", _("Service notice")
    ADVERTISING = "advertising", _("Advertising and news")


class Topic(models.TextChoices):
    """What a message is about; the advertising topics are the ones a person can opt out of."""

    NEWS = "news", _("News")
    EVENTS = "events", _("Events")
    SURVEYS = "surveys", _("Surveys")
    PROGRAM = "program", _("Partner program")
    ACCOUNT = "account", _("Account and security")
    BILLING = "billing", _("Billing")
    LEADS = "leads", _("Requests and reviews")
    NOTICES = "notices", _("Notices")


OPTIONAL_TOPICS = [Topic.NEWS, Topic.EVENTS, Topic.SURVEYS, Topic.PROGRAM]


class State(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    UNKNOWN = "unknown", _("Unknown (may have been sent)")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")


# States from which the worker may pick a delivery up when it falls due.
DUE_STATES = [State.QUEUED, State.DEFERRED]


class Delivery(models.Model):
    """One message to one recipient on one channel: claimed before it is sent, sent once."""

    channel = models.CharField(_("channel"), max_length=32)
    # The recipient: a user and/or a community member, and the channel's address for them
    # (an email address, a Slack channel or user id, a LINE user id, a WeCom external id).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("user"),
    )
    member = models.ForeignKey(
        "community.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("member"),
    )
    address = models.CharField(_("address"), max_length=254)
    recipient_key = models.CharField(_("recipient"), max_length=300, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    template = models.CharField(_("template"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    state = models.CharField(
        _("state"), max_length=24, choices=State.choices, default=State.QUEUED, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="outreach_delivery_due"),
            models.Index(fields=["recipient_key", "purpose", "claimed_at"], name="outreach_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address} ({self.state})"


class ConsentMethod(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    DOUBLE_OPT_IN = "double_opt_in", _("Double opt-in")
    PREFERENCES = "preferences", _("Preferences page")
    ONE_CLICK = "one_click", _("One-click unsubscribe")
    CHANNEL = "channel", _("Channel event (follow/unfollow)")
    STAFF = "staff", _("Staff on request")


class Consent(models.Model):
    """One entry of the consent ledger; entries are only added, never changed.

    The person's current choice for (recipient, channel, topic) is the latest entry. The
    ledger is kept as evidence (特定電子メール法 asks the sender to keep the record of consent).
    """

    recipient_key = models.CharField(_("recipient"), max_length=300)
    channel = models.CharField(_("channel"), max_length=32)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    granted = models.BooleanField(_("granted"))
    method = models.CharField(_("how"), max_length=24, choices=ConsentMethod.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    wording = models.TextField(_("wording shown"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consent ledger")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient_key", "channel", "topic", "at"], name="outreach_consent_latest"
            )
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.recipient_key} {self.channel}/{self.topic} {verb}"


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed from everything")
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    ERASURE = "erasure", _("Erased on request")


class Suppression(models.Model):
    """An address nothing more is sent to on a channel, checked when each message is sent.

    Kept as a hash, so the erasure blocklist does not keep the address it erased.
    """

    channel = models.CharField(_("channel"), max_length=32)
    address_hash = models.CharField(_("address hash"), max_length=64)
    reason = models.CharField(_("reason"), max_length=16, choices=SuppressionReason.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppression list")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_hash"], name="outreach_suppression_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address_hash[:12]} ({self.reason})"


# Campaign and inbox models live in their own modules; imported here so Django finds them.
from kizuna.outreach.campaign_models import (  # noqa: E402, F401
    Audience,
    Campaign,
    CampaignRecipient,
)
from kizuna.outreach.inbox_models import (  # noqa: E402, F401
    ChannelIdentity,
    Direction,
    HookEvent,
    HookRejection,
    InboxMessage,
    InboxThread,
)
