from django.contrib import admin
from django.http import HttpRequest

from kizuna.directory.models import Assignment, Lead, Review


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
class LeadAdmin(admin.ModelAdmin):
    list_display = ["pk", "products", "merchant", "routing", "budget", "created_at"]
    list_filter = ["routing", "timeline"]
    search_fields = ["products", "contact_email"]
    inlines = [AssignmentInline]
    raw_id_fields = ["merchant"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: hiding goes through the moderation page so it is audited and announced."""

    list_display = ["pk", "partner", "rating", "created_at", "hidden_at"]
    list_filter = ["rating"]

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        return False
