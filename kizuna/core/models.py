import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    The id is the event's position in the feed: consumers (webhooks, change feed,
    notifications) remember the last id they processed.
    """

    id = models.BigAutoField(_("ID"), primary_key=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    # The version of the type's payload schema (core.catalog) the payload was written with.
    version = models.PositiveSmallIntegerField(_("schema version"), default=1)
    payload = models.JSONField(_("payload"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")

    def __str__(self) -> str:
        return f"#{self.id} {self.type}"


class AuditEntry(models.Model):
    """Who did what to which object, with the fields before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text too, so the entry still says who it was after the user is deleted.
    actor_label = models.CharField(_("actor label"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object (as text)"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class RateLimitBucket(models.Model):
    """One token bucket; see core.ratelimit."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    tokens = models.FloatField(_("tokens"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("rate limit bucket")
        verbose_name_plural = _("rate limit buckets")

    def __str__(self) -> str:
        return self.key


class PeriodicJobState(models.Model):
    """When a periodic job is next due; claimed with a conditional UPDATE by any worker."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_due_at = models.DateTimeField(_("next due at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job state")
        verbose_name_plural = _("periodic job states")

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("worker ID"), max_length=64, unique=True)
    hostname = models.CharField(_("hostname"), max_length=200)
    pid = models.PositiveIntegerField(_("process ID"))
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class EventCursor(models.Model):
    """How far one consumer has read the outbox, and why it stopped if it did (core.consumers)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_event_id = models.BigIntegerField(_("last event ID"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set while the handler fails on one event; later events wait behind it, so order holds.
    failing_event_id = models.BigIntegerField(_("failing event ID"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_retry_at = models.DateTimeField(_("next retry at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


class ImportJobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked")
    APPLYING = "applying", _("applying")
    APPLIED = "applied", _("applied")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


def _import_upload_path(job: "ImportJob", filename: str) -> str:
    return f"imports/{job.kind}/{timezone.now():%Y%m%d}-{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """One uploaded file on its way in: checked (a dry run), then applied, by the worker.

    `applied_units` is how many of the file's units (lines, or the whole file for importers
    that take it at once) are committed, written in the same transaction as they are: a
    worker killed mid-apply resumes after them (kizuna.core.imports).
    """

    ENDED = (ImportJobStatus.APPLIED, ImportJobStatus.FAILED, ImportJobStatus.CANCELLED)

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.UPLOADED,
    )
    file = models.FileField(_("file"), upload_to=_import_upload_path, max_length=300, blank=True)
    filename = models.CharField(_("filename"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    options = models.JSONField(_("options"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_units = models.PositiveBigIntegerField(_("total units"), null=True, blank=True)
    checked_units = models.PositiveBigIntegerField(_("checked units"), default=0)
    applied_units = models.PositiveBigIntegerField(_("applied units"), default=0)
    check_report = models.JSONField(_("dry-run report"), default=dict, blank=True)
    apply_report = models.JSONField(_("apply report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    file_pruned = models.BooleanField(_("file deleted"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.filename}"

    @property
    def ended(self) -> bool:
        return self.status in self.ENDED
