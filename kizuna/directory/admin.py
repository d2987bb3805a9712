from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin
from kizuna.directory.forms import SearchSynonymForm
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
    SearchSynonym,
    Suspension,
    VisitorLead,
)
from kizuna.directory.services import synonyms


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


@admin.register(SearchSynonym)
class SearchSynonymAdmin(AuditedAdmin):
    """Saves and deletes go through the services, which audit them and make every process
    read the new list at its next search."""

    form = SearchSynonymForm
    list_display = ["term", "badge"]
    list_filter = ["badge__family", "badge"]
    search_fields = ["term", "badge__name_ja", "badge__name_en"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = synonyms.search_synonym_save(
            actor=request.user,
            badge=form.cleaned_data["badge"],
            term=form.cleaned_data["term"],
            synonym=SearchSynonym.objects.get(pk=obj.pk) if change else None,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        synonyms.search_synonym_delete(actor=request.user, synonym=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for synonym in queryset:
            self.delete_model(request, synonym)
