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
    credentials_encrypted = models.TextField(_("credentials (encrypted)"), blank=True, default="")
    # Staff's overrides of the default mapping: {kind: {kizuna_field: property}}.
    mapping = models.JSONField(_("field mapping"), default=dict, blank=True)
    # Bumped with every mapping change: rejections made under an older one are retried.
    mapping_version = models.PositiveIntegerField(_("mapping version"), default=1)
    enabled = models.BooleanField(_("enabled"), default=True)
    # The last feed event whose changes the destination accepted.
    cursor = models.BigIntegerField(_("cursor"), default=0)
    # Full resyncs under way: {kind: last object id accepted}.
    resyncs = models.JSONField(_("resyncs"), default=dict, blank=True)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_check = models.TextField(_("last checked"), blank=True)
    deferred_until = models.DateTimeField(_("waiting until"), null=True, blank=True)
    deferred_reason = models.CharField(_("deferred reason"), max_length=200, blank=True)
    calls_day = models.DateField(_("day of the calls"), null=True, blank=True)
    calls_today = models.PositiveIntegerField(_("calls today"), default=0)
    # Set while a run holds the destination, so two workers never sync it at once.
    sync_started_at = models.DateTimeField(_("sync started at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

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

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="records", verbose_name=_("destination")
    )
    kind = models.CharField(_("kind"), max_length=30)
    object_id = models.BigIntegerField(_("object ID"))
    remote_id = models.CharField(_("remote ID"), max_length=100)
    synced_at = models.DateTimeField(_("synced at"))

    class Meta:
        verbose_name = _("destination record")
        verbose_name_plural = _("destination records")
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
        Destination,
        on_delete=models.CASCADE,
        related_name="rejections",
        verbose_name=_("destination"),
    )
    kind = models.CharField(_("object"), max_length=30)
    object_id = models.BigIntegerField(_("ID"))
    reason = models.TextField(_("reason"))
    mapping_version = models.PositiveIntegerField(_("mapping version"))
    # Not sent: the object it belongs to (its partner) is not in the destination yet.
    waiting = models.BooleanField(_("waiting"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_rejected_at = models.DateTimeField(_("first rejected at"), auto_now_add=True)
    last_rejected_at = models.DateTimeField(_("last rejected"))

    class Meta:
        verbose_name = _("destination rejection")
        verbose_name_plural = _("destination rejections")
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

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="runs", verbose_name=_("destination")
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    resync_kind = models.CharField(_("resync kind"), max_length=30, blank=True)
    cursor_from = models.BigIntegerField(_("cursor from"), default=0)
    cursor_to = models.BigIntegerField(_("cursor to"), default=0)
    accepted = models.PositiveIntegerField(_("records accepted"), default=0)
    rejected = models.PositiveIntegerField(_("records rejected"), default=0)
    error = models.TextField(_("error"), blank=True)
    deferred_until = models.DateTimeField(_("deferred until"), null=True, blank=True)

    class Meta:
        verbose_name = _("destination run")
        verbose_name_plural = _("destination runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.destination} {self.started_at:%Y-%m-%d %H:%M}"
