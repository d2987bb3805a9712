from django.contrib import admin

from kizuna.community.models import ActivityType


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """Weights and the output flag are configuration, edited here."""

    list_display = ["key", "name", "weight", "is_output"]
    list_editable = ["weight", "is_output"]
