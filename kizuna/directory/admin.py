from django.contrib import admin
from django.http import HttpRequest

from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin
from kizuna.directory.models import (
    Assignment,
    DirectoryEntry,
    EntryBadge,
    EntryFacet,
    EntryText,
    GuildMember,
    GuildMessage,
    HelpAnswer,
    HelpPost,
    IndexState,
    JointProposal,
    Lead,
    LeadPreferences,
    Review,
    Suspension,
    VisitorLead,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    readonly_fields = [
        "partner",
        "status",
        "decline_reason",
        "offered_at",
        "expires_at",
        "responded_at",
    ]
    can_delete = False


@admin.register(Lead)
class LeadAdmin(AuditedAdmin):
    list_display = ["id", "products", "merchant", "routing", "budget", "created_at"]
    list_filter = ["routing", "timeline"]
    search_fields = ["products", "contact_email"]
    inlines = [AssignmentInline]
    raw_id_fields = ["merchant"]


@admin.register(Review)
class ReviewAdmin(AuditedAdmin):
    """Read-only: hiding goes through the moderation page so it is audited and announced."""

    list_display = ["id", "partner", "rating", "created_at", "hidden_at"]
    list_filter = ["rating"]

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False


# The search index is derived from partners' profiles and badges: rebuilt, never edited.
@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(ReadOnlyAdmin):
    search_fields = ["search_text"]


@admin.register(EntryText, EntryBadge, EntryFacet, IndexState)
class DirectoryIndexAdmin(ReadOnlyAdmin):
    pass


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    """Suspending and lifting a listing are staff actions on the partner's page."""


@admin.register(LeadPreferences)
class LeadPreferencesAdmin(ReadOnlyAdmin):
    """A partner's own choices, changed by the partner in its portal."""


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Which partner got which lead: written by lead routing and the partners' answers."""


# Guilds and the collaboration board change through their pages and services, which
# keep the merchant's contact hidden until it may be shown; the admin shows them.
admin.site.register([JointProposal, GuildMember, GuildMessage, HelpPost, HelpAnswer], ReadOnlyAdmin)


# Requests waiting for their sender's email confirmation: nothing for staff to edit.
admin.site.register([VisitorLead], ReadOnlyAdmin)
