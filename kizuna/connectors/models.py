"""Connector sources, their cursors and sync runs."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.connectors import credentials


class SourceKind(models.TextChoices):
    CONNPASS = "connpass", "connpass"
    DOORKEEPER = "doorkeeper", "Doorkeeper"
    GITHUB = "github", "GitHub"
    RSS = "rss", _("Blogs (RSS/Atom)")


class Source(models.Model):
    """A configured connection to one outside system, synced periodically."""

    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Kind-specific settings, see docs/connectors.md (e.g. {"repositories": ["owner/repo"]}).
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    sync_every_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=60)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Set while a sync runs, so two workers never sync one source at once.
    sync_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return credentials.decrypt(self.credentials_encrypted)

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)


class Cursor(models.Model):
    """How far a source's stream has been read: a timestamp, page or ETag."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=200)
    position = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "stream"], name="cursor_unique_stream")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.stream}: {self.position}"


class SyncRun(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
