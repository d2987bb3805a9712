"""Read-mostly admin: changes of the partner program go through its pages and services.

Staff edit here an evangelist's profile and works, and which contribution kind each
community activity type earns; those edits are audited like any other staff action, and
the rules go through their service so partners' points follow.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    ActivityContributionRule,
    ApplicationStep,
    Badge,
    BadgeAward,
    Contribution,
    ContributionKind,
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistWork,
    Evidence,
    PartnerApplication,
    PartnerProfile,
    ProgramExit,
    RankChange,
    WorkImage,
)
from kizuna.partners.services.community_points import activity_contribution_rule_set
from kizuna.partners.services.evangelists import evangelist_update


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


@admin.register(ActivityContributionRule)
class ActivityContributionRuleAdmin(AuditedAdmin):
    """Saves and deletes go through the service, which audits them and emits the event."""

    list_display = ["activity_type", "kind", "points", "updated_at"]
    fields = ["activity_type", "kind", "points"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["activity_type"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = activity_contribution_rule_set(
            actor=request.user,
            activity_type=obj.activity_type,
            kind=form.cleaned_data["kind"],
            points=form.cleaned_data["points"],
        )
        obj.pk = saved.pk if saved is not None else None

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        activity_contribution_rule_set(
            actor=request.user, activity_type=obj.activity_type, kind=None, points=None
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset.select_related("activity_type"):
            self.delete_model(request, rule)


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


class EvangelistForm(forms.ModelForm):
    class Meta:
        model = Evangelist
        fields = ["bio", "links"]

    def clean_links(self) -> list[str]:
        links = self.cleaned_data["links"]
        if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
            raise forms.ValidationError(_('Enter the links as a JSON list: ["https://…"].'))
        return links


@admin.register(Evangelist)
class EvangelistAdmin(AuditedAdmin):
    """Staff keep each evangelist's talks and articles here; appointment is on the program page."""

    list_display = ["name", "email", "term_start", "term_end"]
    form = EvangelistForm
    fields = ["bio", "links"]
    inlines = [EvangelistWorkInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not {"bio", "links"} & set(form.changed_data):
            return
        # The service records the change itself and keeps the search text in step.
        stored = Evangelist.objects.get(pk=obj.pk)
        evangelist_update(
            actor=request.user,
            evangelist=stored,
            bio=form.cleaned_data["bio"],
            links=form.cleaned_data["links"],
        )
        obj.refresh_from_db()


@admin.register(Badge, ContributionKind)
class CatalogAdmin(ReadOnlyAdmin):
    """The badge and contribution catalogs: awarded badges and rank points are computed from
    them, so a change goes through the partner program's pages, which recompute."""


@admin.register(Evidence, AchievementReview)
class AchievementRecordAdmin(ReadOnlyAdmin):
    """What a partner submitted and what the reviewers decided: the verification's record."""


@admin.register(RankChange)
class RankChangeAdmin(ReadOnlyAdmin):
    """Rank history, written by the scheduled review."""


@admin.register(EvangelistWork)
class EvangelistWorkAdmin(AuditedAdmin):
    list_display = ["__str__", "evangelist"]


# Applications and exits change only through their review pages and services (audited,
# emailed, with events); the admin shows them.
admin.site.register([PartnerApplication, ApplicationStep, ProgramExit, WorkImage], ReadOnlyAdmin)
