from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from kizuna.core import audit
from kizuna.core.models import (
    AuditEntry,
    EventCursor,
    ImportJob,
    OutboxEvent,
    PeriodicJobState,
    WorkerHeartbeat,
)

# The worker's queue is the operators' to read (its arguments and tracebacks are for developers,
# and may hold personal data); staff see failures where they act: failing connectors on their
# home page, import jobs on theirs. django-tasks-db's admin also has no Japanese.
admin.site.unregister(DBTaskResult)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (or history nobody edits): staff look, not touch."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Edits made in the admin leave the same audit trail as staff actions on the pages.

    Each added, changed or deleted row (inline rows too) gets an entry "admin.added",
    "admin.changed" or "admin.deleted" with the fields before and after. The admin runs a
    save or a delete in one transaction, so the entries commit or roll back with it.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        fields = _stored_fields(obj, form.changed_data if change else None)
        before = audit.snapshot(_stored(obj), fields) if change else None
        super().save_model(request, obj, form, change)
        _record_saved(request, obj, before, fields)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        existing = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        manager = formset.get_queryset().model._default_manager
        stored = {o.pk: o for o in manager.filter(pk__in=existing)}
        for deleted in formset.deleted_forms:
            if deleted.instance.pk in stored:
                _record_deleted(request, stored[deleted.instance.pk])
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record_saved(request, obj, None, _stored_fields(obj))
        for obj, changed in formset.changed_objects:
            fields = _stored_fields(obj, changed)
            _record_saved(request, obj, audit.snapshot(stored[obj.pk], fields), fields)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        # The bulk "delete selected" action skips delete_model.
        for obj in queryset:
            _record_deleted(request, obj)
        super().delete_queryset(request, queryset)


def _stored(obj: models.Model) -> models.Model:
    # The form has already written the new values onto obj: the old ones are in the database.
    return type(obj)._default_manager.get(pk=obj.pk)


def _stored_fields(obj: models.Model, names: Any = None) -> list[str]:
    """The concrete columns among names (all of them without names), leaving out the key."""
    columns = [f.name for f in obj._meta.concrete_fields if not f.primary_key]
    return columns if names is None else [name for name in columns if name in names]


def _record_saved(
    request: HttpRequest, obj: models.Model, before: dict | None, fields: list[str]
) -> None:
    """Record an added row (before is None) with its fields, or a change with what differs."""
    after = audit.snapshot(obj, fields)
    if before is not None:
        # A form may call a field changed when only its text form differs (JSON "[]" vs []).
        before, after = audit.changed_fields(before, after)
        if not after:
            return
    audit.record(
        actor=request.user,
        action="admin.changed" if before is not None else "admin.added",
        obj=obj,
        before=before,
        after=after,
    )


def _record_deleted(request: HttpRequest, obj: models.Model) -> None:
    # Recorded before the row goes, while str(obj) and its id still say what it was.
    audit.record(
        actor=request.user,
        action="admin.deleted",
        obj=obj,
        before=audit.snapshot(obj, _stored_fields(obj)),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "occurred_at", "actor"]
    list_filter = ["type"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Jobs are driven from their page (/imports/<id>/); the admin lists them for support."""

    list_display = ["id", "kind", "filename", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["filename"]


@admin.register(EventCursor)
class EventCursorAdmin(ReadOnlyAdmin):
    """Where each consumer has read the outbox up to: moved by the consumers alone."""


@admin.register(PeriodicJobState)
class PeriodicJobStateAdmin(ReadOnlyAdmin):
    """When each periodic job last ran, for support; the worker keeps it."""


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Which workers are alive; written by the workers themselves."""
