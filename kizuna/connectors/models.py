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
    credentials_encrypted = models.TextField(_("credentials (encrypted)"), blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    sync_every_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=60)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Set while a sync runs, so two workers never sync one source at once.
    sync_started_at = models.DateTimeField(_("sync started at"), null=True, blank=True)

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

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="cursors", verbose_name=_("source")
    )
    stream = models.CharField(_("stream"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    etag = models.CharField(_("ETag"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cursor")
        verbose_name_plural = _("cursors")
        constraints = [
            models.UniqueConstraint(fields=["source", "stream"], name="cursor_unique_stream")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.stream}: {self.position}"


class SyncRun(models.Model):
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="runs", verbose_name=_("source")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created = models.PositiveIntegerField(_("items created"), default=0)
    unchanged = models.PositiveIntegerField(_("items unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("items rejected"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
