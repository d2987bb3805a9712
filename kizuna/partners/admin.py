"""Read-mostly admin: every change of the partner program goes through its pages and services."""

from django.contrib import admin

from kizuna.partners.models import (
    Achievement,
    BadgeAward,
    Contribution,
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistWork,
    PartnerProfile,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerProfile)
class PartnerProfileAdmin(ReadOnlyAdmin):
    list_display = ["organization", "head_office_prefecture", "rank", "rank_points", "stale_since"]
    list_filter = ["rank", "accepting_new_clients"]
    search_fields = ["organization__name", "name_kana"]


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    list_display = ["title", "partner", "status", "completed_on", "verified_at"]
    list_filter = ["status"]
    search_fields = ["title", "partner__organization__name"]


@admin.register(BadgeAward)
class BadgeAwardAdmin(ReadOnlyAdmin):
    list_display = ["partner", "badge", "level", "evidence_count", "last_verified_at", "lapsed_at"]
    list_filter = ["level", "badge"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["partner", "kind", "points", "occurred_on", "source"]
    list_filter = ["kind", "source"]


@admin.register(EvangelistNomination)
class EvangelistNominationAdmin(ReadOnlyAdmin):
    list_display = ["nominee_name", "nominated_by", "status", "created_at"]
    list_filter = ["status"]


@admin.register(EvangelistRequest)
class EvangelistRequestAdmin(ReadOnlyAdmin):
    list_display = ["event_title", "group_name", "event_date", "status", "evangelist"]
    list_filter = ["status"]


class EvangelistWorkInline(admin.TabularInline):
    model = EvangelistWork
    extra = 1


@admin.register(Evangelist)
class EvangelistAdmin(admin.ModelAdmin):
    """Staff keep each evangelist's talks and articles here; appointment is on the program page."""

    list_display = ["name", "email", "term_start", "term_end"]
    fields = ["bio", "links"]
    inlines = [EvangelistWorkInline]

    def has_add_permission(self, request, obj=None):
        return False
