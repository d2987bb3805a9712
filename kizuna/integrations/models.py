"""Webhook endpoints, one delivery per event and endpoint, and the log of its attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import Organization
from kizuna.core.models import OutboxEvent


class DisabledReason(models.TextChoices):
    MANUAL = "manual", _("Disabled by a person")
    GONE = "gone", _("The receiver answered 410 Gone")
    FAILING = "failing", _("Failing for 5 days")


class WebhookEndpoint(models.Model):
    """A URL that receives signed events: staff's (no organization) or a partner's own."""

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organization"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    personal_data = models.BooleanField(
        _("include personal data"),
        default=False,
        help_text=_("Send the fields the event catalog marks as personal data."),
    )
    notify_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner to notify"),
    )
    secret = models.CharField(_("secret"), max_length=100)
    # During a rotation both secrets sign every attempt until previous_secret_until.
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret until"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(
        max_length=16, choices=DisabledReason.choices, blank=True, verbose_name=_("why disabled")
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    # The first failure since the last success; five days of it disable the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body and webhook-id stay the same across attempts and
    replays, so receivers can deduplicate by webhook-id."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    # Null for test events, and once retention has pruned the event (the body is kept).
    event = models.ForeignKey(
        OutboxEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("event"),
    )
    webhook_id = models.CharField(_("webhook ID"), max_length=100, unique=True)
    event_type = models.CharField(_("event type"), max_length=100)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # A worker claims a due delivery (conditional UPDATE, committed) before sending it; a
    # claim whose lease has run out belongs to a dead worker and may be taken again.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last status code"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.event_type}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("delivery"),
    )
    number = models.PositiveIntegerField(_("number"))
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    response_excerpt = models.TextField(
        _("response excerpt"), blank=True
    )  # the first 1 KB of the response body
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.status_code or self.error}"


# Destinations keep their models in their own folder; Django finds them through this module.
from kizuna.integrations.destinations.models import (  # noqa: E402
    Destination as Destination,
)
from kizuna.integrations.destinations.models import (  # noqa: E402
    DestinationRecord as DestinationRecord,
)
from kizuna.integrations.destinations.models import (  # noqa: E402
    DestinationRejection as DestinationRejection,
)
from kizuna.integrations.destinations.models import (  # noqa: E402
    DestinationRun as DestinationRun,
)
