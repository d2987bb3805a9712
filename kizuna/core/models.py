from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    The id is the event's position in the feed: consumers (webhooks, change feed,
    notifications) remember the last id they processed.
    """

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=100, db_index=True)
    # The version of the type's payload schema (core.catalog) the payload was written with.
    version = models.PositiveSmallIntegerField(default=1)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"#{self.id} {self.type}"


class AuditEntry(models.Model):
    """Who did what to which object, with the fields before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the entry still says who it was after the user is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class RateLimitBucket(models.Model):
    """One token bucket; see core.ratelimit."""

    key = models.CharField(max_length=200, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class PeriodicJobState(models.Model):
    """When a periodic job is next due; claimed with a conditional UPDATE by any worker."""

    name = models.CharField(max_length=100, unique=True)
    next_due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class EventCursor(models.Model):
    """How far one consumer has read the outbox (see core.consumers)."""

    name = models.CharField(max_length=100, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"
