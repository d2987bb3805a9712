"""Read-only admin: advisories change through the security team's pages, which notify and audit."""

from django.contrib import admin

from kizuna.advisories.models import (
    Advisory,
    AdvisoryRevision,
    AdvisoryTarget,
    AdvisoryView,
    ClientSite,
    SiteStatus,
    SiteStatusChange,
    VulnerabilityReport,
)
from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "title_ja", "severity", "state", "public_at"]
    list_filter = ["state", "severity"]
    search_fields = ["identifier", "title_ja", "title_en", "aliases"]


@admin.register(AdvisoryTarget)
class AdvisoryTargetAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "organization", "acknowledged_at"]
    list_filter = ["advisory"]


@admin.register(AdvisoryView)
class AdvisoryViewAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "user", "organization", "viewed_at"]


@admin.register(ClientSite)
class ClientSiteAdmin(ReadOnlyAdmin):
    list_display = ["label", "organization", "product_version", "updated_at"]
    search_fields = ["label", "organization__name"]


@admin.register(SiteStatus)
class SiteStatusAdmin(ReadOnlyAdmin):
    list_display = ["advisory", "site", "state", "on"]
    list_filter = ["state", "advisory"]


@admin.register(VulnerabilityReport)
class VulnerabilityReportAdmin(AuditedAdmin):
    """Staff mark reports handled here; the report itself is the reporter's words, kept as sent."""

    list_display = ["product", "email", "received_at", "handled"]
    list_filter = ["handled"]
    readonly_fields = ["name", "email", "product", "details", "received_at"]
    fields = ["name", "email", "product", "details", "received_at", "handled"]


@admin.register(AdvisoryRevision, SiteStatusChange)
class AdvisoryHistoryAdmin(ReadOnlyAdmin):
    """Revisions sent and status changes recorded: history, never edited."""
