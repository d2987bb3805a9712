"""Sources are configured on their page (credentials are checked and kept encrypted there);
cursors and sync runs are the connectors' own bookkeeping."""

from django.contrib import admin

from kizuna.connectors.models import Cursor, Source, SyncRun
from kizuna.core.admin import ReadOnlyAdmin


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(Cursor, SyncRun)
class ConnectorStateAdmin(ReadOnlyAdmin):
    """Where each source has read up to, and each run's outcome."""
