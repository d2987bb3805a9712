"""Configured destinations, what each holds of ours, and what it rejected."""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kizuna.connectors import credentials


class Destination(models.Model):
    """One configured outbound connection (HubSpot, BI...), synced from the event feed."""

    kind = models.CharField(_("kind"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True, default="")
    # Staff's overrides of the default mapping: {kind: {kizuna_field: property}}.
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    # Bumped with every mapping change: rejections made under an older one are retried.
    mapping_version = models.PositiveIntegerField(default=1)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The last feed event whose changes the destination accepted.
    cursor = models.BigIntegerField(default=0)
    # Full resyncs under way: {kind: last object id accepted}.
    resyncs = models.JSONField(default=dict, blank=True)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_check = models.TextField(blank=True)
    deferred_until = models.DateTimeField(_("waiting until"), null=True, blank=True)
    deferred_reason = models.CharField(max_length=200, blank=True)
    calls_day = models.DateField(null=True, blank=True)
    calls_today = models.PositiveIntegerField(default=0)
    # Set while a run holds the destination, so two workers never sync it at once.
    sync_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return credentials.decrypt(self.credentials_encrypted)


class DestinationRecord(models.Model):
    """A Kizuna object the destination holds, with the destination's own id for it."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    remote_id = models.CharField(max_length=100)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "kind", "object_id"], name="one_record_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} -> {self.remote_id}"


class DestinationRejection(models.Model):
    """A record the destination refused, with its reason, until it is accepted."""

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="rejections"
    )
    kind = models.CharField(_("object"), max_length=30)
    object_id = models.BigIntegerField(_("id"))
    reason = models.TextField(_("reason"))
    mapping_version = models.PositiveIntegerField()
    # Not sent: the object it belongs to (its partner) is not in the destination yet.
    waiting = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_rejected_at = models.DateTimeField(auto_now_add=True)
    last_rejected_at = models.DateTimeField(_("last rejected"))

    class Meta:
        ordering = ["-last_rejected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "kind", "object_id"], name="one_rejection_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.reason[:50]}"


class DestinationRun(models.Model):
    """One sync or resync run: how much was accepted, rejected, or why it stopped."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    resync_kind = models.CharField(max_length=30, blank=True)
    cursor_from = models.BigIntegerField(default=0)
    cursor_to = models.BigIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    deferred_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.destination} {self.started_at:%Y-%m-%d %H:%M}"
