"""Community data in the admin, for corrections.

A save of something whose changes emit events (members, groups, events, attendance,
affiliations) goes through its service, which audits and emits like the pages and the API
do; deleting those is not offered (an affiliation entered by mistake is removed through
`affiliation_remove`). Activities, merges, levels and suggestions are records of what
happened or computed: read-only here.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kizuna.community import services
from kizuna.community.models import (
    Activity,
    ActivityType,
    Affiliation,
    AffiliationSuggestion,
    Attendance,
    Contest,
    ContestConflict,
    ContestCriterion,
    ContestEntry,
    ContestJudge,
    ContestScore,
    ErasureBlock,
    Event,
    Group,
    Identity,
    IdentityName,
    LevelSnapshot,
    Member,
    MemberClaim,
    MemberLevel,
    MemberMerge,
    MergeSuggestion,
    NotSamePerson,
    Tag,
)
from kizuna.community.services.events import EVENT_FIELDS, GROUP_FIELDS
from kizuna.community.services.members import PROFILE_FIELDS
from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(ActivityType)
class ActivityTypeAdmin(AuditedAdmin):
    """Weights and the output flag are configuration, edited here."""

    list_display = ["key", "name_ja", "name_en", "weight", "is_output"]
    list_editable = ["weight", "is_output"]


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    search_fields = ["name"]


class ServiceAdmin(AuditedAdmin):
    """Saves call a service (which audits and emits) instead of writing the row."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), *(self.fixed_fields if obj else [])]

    fixed_fields: list[str] = []

    @staticmethod
    def _changes(form: ModelForm, names: list[str]) -> dict[str, Any]:
        return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


@admin.register(Member)
class MemberAdmin(ServiceAdmin):
    list_display = ["__str__", "display_name", "prefecture", "is_bot", "is_staff"]
    list_filter = ["is_bot", "is_staff"]
    search_fields = ["display_name", "name_ja", "name_romaji"]
    fields = tuple(PROFILE_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people are created by imports, the pages and the API

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.member_update(
            actor=request.user,
            member=Member.objects.get(pk=obj.pk),
            **self._changes(form, PROFILE_FIELDS),
        )


@admin.register(Group)
class GroupAdmin(ServiceAdmin):
    list_display = ["name", "slug", "prefecture"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", *GROUP_FIELDS[1:], "leaders"]
    fixed_fields = ["slug"]
    raw_id_fields = ["leaders"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        leaders = form.cleaned_data["leaders"]
        if change:
            services.group_update(
                actor=request.user,
                group=obj,
                leaders=leaders if "leaders" in form.changed_data else None,
                **self._changes(form, GROUP_FIELDS),
            )
        else:
            data = {name: form.cleaned_data[name] for name in GROUP_FIELDS}
            created = services.group_create(
                actor=request.user, slug=form.cleaned_data["slug"], leaders=leaders, **data
            )
            obj.pk = created.pk

    def save_related(
        self, request: HttpRequest, form: ModelForm, _formsets: Any, change: bool
    ) -> None:
        pass  # the organizers were set by the service


class EventAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("An event cannot end before it starts."))
        return data


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "group", "format", "source"]
    list_filter = ["format", "kind", "source"]
    search_fields = ["title", "hashtag"]
    fields = ["source", "external_id", *EVENT_FIELDS]
    readonly_fields = ["source", "external_id"]
    raw_id_fields = ["group"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            services.event_update(
                actor=request.user,
                event=Event.objects.get(pk=obj.pk),
                **self._changes(form, EVENT_FIELDS),
            )
        else:
            data = {name: form.cleaned_data[name] for name in EVENT_FIELDS}
            obj.pk = services.event_create(actor=request.user, **data).pk


@admin.register(Attendance)
class AttendanceAdmin(ServiceAdmin):
    list_display = ["member", "event", "role", "status"]
    list_filter = ["role", "status"]
    raw_id_fields = ["event", "member"]
    fields = ["event", "member", "role", "status"]
    fixed_fields = ["event", "member"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        obj.pk = services.attendance_set(
            actor=request.user,
            event=obj.event,
            member=obj.member,
            role=form.cleaned_data["role"],
            status=form.cleaned_data["status"],
        ).pk


@admin.register(Affiliation)
class AffiliationAdmin(ServiceAdmin):
    list_display = ["member", "organization", "title", "start_date", "end_date"]
    search_fields = ["member__display_name", "organization__name"]
    raw_id_fields = ["member"]
    fields = ["member", "organization", "title", "start_date", "end_date"]
    fixed_fields = ["member", "organization"]

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = self._changes(form, ["title", "start_date", "end_date"])
            services.affiliation_update(
                actor=request.user, affiliation=Affiliation.objects.get(pk=obj.pk), **changes
            )
        else:
            obj.pk = services.affiliation_add(
                actor=request.user,
                member=data["member"],
                organization=data["organization"],
                title=data["title"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            ).pk


@admin.register(Identity)
class IdentityAdmin(ReadOnlyAdmin):
    """Identities are added on the member's page and the API, which check the blocklist of
    erased people and the one-verified-email rule; merges move them."""

    list_display = ["__str__", "member", "verified"]
    search_fields = ["handle", "email"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """What people did, as imported: unique per source and never edited."""

    list_display = ["__str__", "member_number", "occurred_at"]
    list_filter = ["source"]
    show_full_result_count = False

    @admin.display(description=_("member ID"))
    def member_number(self, activity: Activity) -> int:
        # The id, not the member: a name would cost one query per row of a large table.
        return activity.member_id


@admin.register(MemberMerge, MergeSuggestion, NotSamePerson, AffiliationSuggestion)
class DecisionAdmin(ReadOnlyAdmin):
    """Merges, their suggestions and affiliation suggestions are decided (and undone) on
    their pages, which move the data and audit."""


@admin.register(MemberLevel, LevelSnapshot)
class LevelAdmin(ReadOnlyAdmin):
    """Engagement levels are computed by the monthly review."""


@admin.register(ErasureBlock)
class ErasureBlockAdmin(ReadOnlyAdmin):
    """Hashes of erased people's identifiers: deleting one would let a connector bring the
    person back, so nobody edits them."""


# Names an identity was seen under: written by imports, read by merge suggestions.
admin.site.register([IdentityName], ReadOnlyAdmin)


# Claims are decided on the staff claims page (audited, with an event).
admin.site.register([MemberClaim], ReadOnlyAdmin)


@admin.register(Contest)
class ContestAdmin(ReadOnlyAdmin):
    """Contests change through their pages (every step is a service with its events)."""

    list_display = ["title_ja", "state", "entries_open_at", "entries_close_at"]
    list_filter = ["state"]


@admin.register(ContestEntry)
class ContestEntryAdmin(ReadOnlyAdmin):
    list_display = ["title", "contest", "member", "status", "rank", "total"]
    list_filter = ["status"]


# Criteria, judges, conflicts and scores are parts of a contest, set by its services.
admin.site.register([ContestCriterion, ContestJudge, ContestConflict, ContestScore], ReadOnlyAdmin)
