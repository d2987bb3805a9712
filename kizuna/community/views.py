import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community import selectors, services
from kizuna.community.forms import AttendanceForm, MemberForm, MemberSearchForm, MergeForm
from kizuna.community.lines import TOKYO
from kizuna.community.models import (
    ActivityType,
    Event,
    Group,
    Member,
    MemberMerge,
    MergeSuggestion,
)
from kizuna.community.permissions import (
    CommunityAction,
    can_community,
    can_edit_event,
    is_community_staff,
    organized_groups,
    partner_visible_activities,
)
from kizuna.core.api_schema import MAX_INT
from kizuna.core.charts import COUNT_UNIT, chart
from kizuna.core.exports import export_response, requested_format
from kizuna.core.responses import private

PAGE_SIZE = 50


def _require(request: HttpRequest, action: CommunityAction, member: Member | None = None) -> None:
    if not can_community(request.user, action, member):
        raise PermissionDenied


# Staff notes stay out of every export, as they stay out of a member's own data export.
MEMBER_COLUMNS = [
    "id", "display_name", "name_ja", "name_kana", "name_romaji", "prefecture", "tags",
    "identities", "is_bot", "is_staff", "created_at",
]  # fmt: skip
EVENT_COLUMNS = [
    "id", "source", "external_id", "title", "group", "kind", "format", "venue", "prefecture",
    "url", "hashtag", "starts_at", "ends_at", "capacity",
]  # fmt: skip


def _member_rows(members: Any) -> Any:
    for m in members.iterator(chunk_size=500):
        yield [
            m.pk, m.display_name, m.name_ja, m.name_kana, m.name_romaji, m.prefecture,
            " ".join(tag.name for tag in m.tags.all()),
            " ".join(f"{i.platform}:{i.handle}" for i in m.identities.all()),
            m.is_bot, m.is_staff, m.created_at,
        ]  # fmt: skip


def _event_rows(events: Any) -> Any:
    for e in events.iterator(chunk_size=500):
        yield [
            e.pk, e.source, e.external_id, e.title, e.group.name if e.group else "", e.kind,
            e.format, e.venue, e.prefecture, e.url, e.hashtag, e.starts_at, e.ends_at, e.capacity,
        ]  # fmt: skip


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.LIST_MEMBERS)
    form = MemberSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_search(
        query=filters.get("q", ""),
        tag=filters.get("tag", ""),
        prefecture=filters.get("prefecture", ""),
        group_slug=filters.get("group", ""),
    ).prefetch_related("identities", "tags")
    members = selectors.members_at_level(members, filters.get("level"))
    if requested_format(request):
        return export_response(
            request, filename="members", header=MEMBER_COLUMNS, rows=_member_rows(members)
        )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    seen = selectors.member_seen([m.pk for m in page])
    for member in page:
        member.last_seen = seen.get(member.pk, (None, None))[1]  # type: ignore[attr-defined]
    return render(
        request,
        "community/member_list.html",
        {
            "form": form,
            "page": page,
            "query": request.GET.copy().urlencode() if "page" not in request.GET else "",
        },
    )


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member, pk=member_id)
    _require(request, CommunityAction.VIEW_MEMBER, member)
    if member.merged_into_id:
        return redirect("community:member_detail", member_id=member.merged_into_id)
    first_seen, last_seen = selectors.member_seen([member.pk]).get(member.pk, (None, None))
    return render(
        request,
        "community/member_detail.html",
        {
            "member": member,
            "can_manage": can_community(request.user, CommunityAction.EDIT_MEMBER),
            "first_seen": first_seen,
            "last_seen": last_seen,
            "timeline": selectors.member_timeline(member),
            **_activity_chart(member),
            "attendances": selectors.member_events(member),
            "affiliations": member.affiliations.select_related("organization"),
            "merges": selectors.open_merges(member),
            "form": MemberForm(
                instance=member, initial={"tags": ", ".join(t.name for t in member.tags.all())}
            ),
            "merge_form": MergeForm(),
        },
    )


def _activity_chart(member: Member) -> dict[str, Any]:
    """The member's activity per week and type as stacked bars, and the same figures as a
    table of the weeks with activity (what the chart shows, for screen readers and print)."""
    data = selectors.member_activity_weeks(member, today=timezone.localdate(timezone.now(), TOKYO))
    # Named as the timeline table names them (a type missing from the catalog by its key).
    types = {t.key: str(t) for t in ActivityType.objects.filter(key__in=data.counts)}
    labels = {key: types.get(key, key) for key in data.counts}
    weeks = [
        (
            monday,
            sum(counts[index] for counts in data.counts.values()),
            [(labels[key], counts[index]) for key, counts in data.counts.items() if counts[index]],
        )
        for index, monday in enumerate(data.weeks)
    ]
    return {
        "activity_chart": chart(
            "activity-chart",
            data.weeks,
            [(labels[key], counts) for key, counts in data.counts.items()],
            "stack",
            unit=COUNT_UNIT,
            partial=data.current,
        )
        if data.counts
        else None,
        "activity_weeks": [week for week in reversed(weeks) if week[1]],
        "activity_year_total": sum(total for _monday, total, _types in weeks),
        "current_week": data.current,
    }


@login_required
@require_POST
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.current(), pk=member_id, erased_at__isnull=True)
    _require(request, CommunityAction.EDIT_MEMBER, member)
    form = MemberForm(request.POST, instance=Member.objects.get(pk=member.pk))
    if form.is_valid():
        data = dict(form.cleaned_data)
        tags = [t for t in data.pop("tags").split(",") if t.strip()]
        services.member_update(actor=request.user, member=member, tags=tags, **data)
        messages.success(request, _("Profile saved."))
    else:
        messages.error(
            request, _("The profile was not saved: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("community:member_detail", member_id=member.pk)


@login_required
@require_POST
def member_merge(request: HttpRequest, member_id: int) -> HttpResponse:
    _require(request, CommunityAction.MERGE_MEMBERS)
    into = get_object_or_404(Member, pk=member_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        other = Member.objects.filter(pk=form.cleaned_data["other"]).first()
        try:
            if other is None:
                raise ValidationError(_("No member with this number."))
            services.member_merge(actor=request.user, into=into, merged=other)
            messages.success(request, _("Merged. You can undo this below."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("community:member_detail", member_id=into.pk)


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    _require(request, CommunityAction.MERGE_MEMBERS)
    merge = get_object_or_404(MemberMerge, pk=merge_id)
    try:
        services.member_merge_undo(actor=request.user, merge=merge)
        messages.success(request, _("The merge was undone."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("community:member_detail", member_id=merge.into_id)


@login_required
@require_POST
def member_erase(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.current(), pk=member_id, erased_at__isnull=True)
    _require(request, CommunityAction.ERASE_MEMBER, member)
    services.member_erase(actor=request.user, member=member)
    messages.success(request, _("The person's data was erased."))
    return redirect("community:member_list")


@login_required
def member_export(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.current(), pk=member_id, erased_at__isnull=True)
    _require(request, CommunityAction.EXPORT_MEMBER, member)
    body = json.dumps(
        selectors.member_export(
            member,
            with_staff_notes=can_community(request.user, CommunityAction.EDIT_MEMBER),
        ),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}.json"'
    return private(response)


@login_required
def merge_suggestions(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.MERGE_MEMBERS)
    if request.method == "POST":
        if "refresh" in request.POST:
            count = services.merge_suggestions_refresh()
            messages.success(request, _("%(count)d new suggestions.") % {"count": count})
        else:
            pk = request.POST.get("suggestion", "")
            if not pk.isdecimal() or int(pk) > MAX_INT:
                raise Http404
            suggestion = get_object_or_404(MergeSuggestion, pk=int(pk))
            first, second = suggestion.member_a, suggestion.member_b
            if request.POST.get("decision") == "merge":
                services.member_merge(actor=request.user, into=first, merged=second)
                messages.success(request, _("Merged."))
            else:
                services.member_mark_not_same(actor=request.user, first=first, second=second)
                messages.success(request, _("Noted: not the same person."))
        return redirect("community:merge_suggestions")
    page = Paginator(selectors.merge_suggestions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "community/merge_suggestions.html", {"page": page})


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.VIEW_EVENTS)
    events = Event.objects.select_related("group")
    group = request.GET.get("group", "")
    if group:
        events = events.filter(group__slug=group)
    if requested_format(request):
        return export_response(
            request, filename="events", header=EVENT_COLUMNS, rows=_event_rows(events)
        )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "community/event_list.html", {"page": page, "group": group})


@login_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    _require(request, CommunityAction.VIEW_EVENTS)
    event = get_object_or_404(Event.objects.select_related("group"), pk=event_id)
    is_staff = can_community(request.user, CommunityAction.LIST_MEMBERS)
    can_edit = can_edit_event(request.user, event)
    context: dict[str, Any] = {
        "event": event,
        "is_staff": is_staff,
        "can_edit": can_edit,
        "attendance_form": AttendanceForm(),
    }
    if is_staff or can_edit:
        attendance = list(selectors.event_attendance(event))
        if requested_format(request):
            return export_response(
                request,
                filename=f"attendance-{event.pk}",
                header=["member_id", "member", "role", "status", "first_time"],
                rows=(
                    [a.member_id, str(a.member), a.role, a.status, getattr(a, "first_time", False)]
                    for a in attendance
                ),
            )
        context.update(
            attendance=attendance,
            first_timers=sum(
                1 for a in attendance if getattr(a, "first_time", False) and a.status == "attended"
            ),
        )
    return render(request, "community/event_detail.html", context)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.VIEW_EVENTS)
    groups = Group.objects.prefetch_related("leaders").order_by("name")
    staff = is_community_staff(request.user)
    editable = (
        {g.pk for g in groups}
        if staff
        else set(organized_groups(request.user).values_list("pk", flat=True))
    )
    return render(
        request,
        "community/group_list.html",
        {"groups": groups, "can_create": staff, "editable": editable},
    )


@login_required
def partner_activity(request: HttpRequest) -> HttpResponse:
    """What the people affiliated with the user's organizations did in public, while affiliated."""
    _require(request, CommunityAction.VIEW_PARTNER_ACTIVITY)
    activities = partner_visible_activities(request.user)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "community/partner_activity.html", {"page": page})
