"""Pages that change groups, events, attendance and affiliations.

Staff (community role) change everything; a group's organizers change their own groups and
their events; a partner's owner proposes affiliations of its people; a member ends their own.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community import services
from kizuna.community.forms import (
    AffiliationEditForm,
    AffiliationEndForm,
    AffiliationForm,
    AffiliationProposeForm,
    AttendanceForm,
    EventForm,
    GroupForm,
    SuggestionConfirmForm,
)
from kizuna.community.models import (
    Affiliation,
    AffiliationSuggestion,
    Event,
    Group,
    Member,
    SuggestionState,
)
from kizuna.community.permissions import (
    can_create_event,
    can_edit_event,
    can_edit_group,
    is_community_staff,
    organized_groups,
    own_member,
    proposable_organizations,
)
from kizuna.core.forms import call_service

PAGE_SIZE = 50


def _staff_only(request: HttpRequest) -> None:
    if not is_community_staff(request.user):
        raise PermissionDenied


# Groups


def _group_initial(group: Group) -> dict[str, Any]:
    return {
        "name": group.name,
        "prefecture": group.prefecture,
        "description": group.description,
        "links": "\n".join(group.links),
        "organizers": ", ".join(str(m.pk) for m in group.leaders.all()),
    }


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        leaders = data.pop("organizers")
        group = call_service(
            form, lambda: services.group_create(actor=request.user, leaders=leaders, **data)
        )
        if group is not None:
            messages.success(request, _("Group created."))
            return redirect("community:group_list")
    return render(request, "community/group_form.html", {"form": form, "group": None})


@login_required
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=group_id)
    if not can_edit_group(request.user, group):
        raise PermissionDenied
    form = GroupForm(request.POST or None, initial=_group_initial(group))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        leaders = data.pop("organizers")
        saved = call_service(
            form,
            lambda: services.group_update(actor=request.user, group=group, leaders=leaders, **data),
        )
        if saved is not None:
            messages.success(request, _("Group saved."))
            return redirect("community:group_list")
    return render(request, "community/group_form.html", {"form": form, "group": group})


# Events


def _event_groups(request: HttpRequest) -> Any:
    if is_community_staff(request.user):
        return Group.objects.order_by("name")
    return organized_groups(request.user).order_by("name")


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    groups = _event_groups(request)
    staff = is_community_staff(request.user)
    if not staff and not groups.exists():
        raise PermissionDenied
    initial = {}
    if (group_id := request.GET.get("group", "")).isdecimal():
        initial["group"] = groups.filter(pk=int(group_id)).first()
    form = EventForm(request.POST or None, groups=groups, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not can_create_event(request.user, data.get("group")):
            raise PermissionDenied
        event = call_service(form, lambda: services.event_create(actor=request.user, **data))
        if event is not None:
            messages.success(request, _("Event created."))
            return redirect("community:event_detail", event_id=event.pk)
    return render(request, "community/event_form.html", {"form": form, "event": None})


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    staff = is_community_staff(request.user)
    form = EventForm(
        request.POST or None,
        instance=Event.objects.get(pk=event.pk),
        groups=_event_groups(request),
        staff=staff,
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        saved = call_service(
            form, lambda: services.event_update(actor=request.user, event=event, **data)
        )
        if saved is not None:
            messages.success(request, _("Event saved."))
            return redirect("community:event_detail", event_id=event.pk)
    return render(request, "community/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def attendance_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    if not can_edit_event(request.user, event):
        raise PermissionDenied
    form = AttendanceForm(request.POST)
    member = None
    if form.is_valid():
        member = (
            Member.objects.current()
            .filter(pk=form.cleaned_data["member"], erased_at__isnull=True)
            .first()
        )
    # An organizer changes the people already registered; staff may add anyone.
    if member is not None and not (
        is_community_staff(request.user) or event.attendances.filter(member=member).exists()
    ):
        member = None
    if member is None:
        messages.error(request, _("Attendance was not saved: check the member number."))
    else:
        services.attendance_set(
            actor=request.user,
            event=event,
            member=member,
            role=form.cleaned_data["role"],
            status=form.cleaned_data["status"],
        )
        messages.success(request, _("Attendance saved."))
    return redirect("community:event_detail", event_id=event.pk)


# Affiliations: staff


@login_required
def affiliation_staff(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = AffiliationForm(request.POST or None)
    if request.method == "POST":
        if "refresh" in request.POST:
            count = services.affiliation_suggestions_refresh(actor=request.user)
            messages.success(request, _("%(count)d new suggestions.") % {"count": count})
            return redirect("community:affiliation_staff")
        if form.is_valid():
            data = form.cleaned_data
            added = call_service(form, lambda: services.affiliation_add(actor=request.user, **data))
            if added is not None:
                messages.success(request, _("Affiliation added."))
                return redirect("community:affiliation_staff")
    suggestions = AffiliationSuggestion.objects.filter(
        state=SuggestionState.PENDING
    ).select_related("member", "organization", "proposed_by")
    recent = Affiliation.objects.select_related("member", "organization").order_by("-id")
    return render(
        request,
        "community/affiliation_staff.html",
        {
            "form": form,
            "suggestions": suggestions,
            "page": Paginator(recent, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    _staff_only(request)
    suggestion = get_object_or_404(AffiliationSuggestion, pk=suggestion_id)
    if suggestion.state != SuggestionState.PENDING:
        messages.error(request, _("This suggestion was already decided."))
    elif request.POST.get("decision") == "confirm":
        form = SuggestionConfirmForm(request.POST)
        if form.is_valid() and (
            call_service(
                form,
                lambda: services.affiliation_suggestion_confirm(
                    actor=request.user,
                    suggestion=suggestion,
                    start_date=form.cleaned_data["start_date"],
                ),
            )
            is not None
        ):
            messages.success(request, _("Affiliation confirmed."))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        services.affiliation_suggestion_dismiss(actor=request.user, suggestion=suggestion)
        messages.success(request, _("Suggestion dismissed."))
    return redirect("community:affiliation_staff")


@login_required
def affiliation_edit(request: HttpRequest, affiliation_id: int) -> HttpResponse:
    _staff_only(request)
    affiliation = get_object_or_404(
        Affiliation.objects.select_related("member", "organization"), pk=affiliation_id
    )
    if request.method == "POST" and "remove" in request.POST:
        services.affiliation_remove(actor=request.user, affiliation=affiliation)
        messages.success(request, _("Affiliation removed."))
        return redirect("community:affiliation_staff")
    form = AffiliationEditForm(
        request.POST or None,
        initial={
            "title": affiliation.title,
            "start_date": affiliation.start_date,
            "end_date": affiliation.end_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            lambda: services.affiliation_update(
                actor=request.user, affiliation=affiliation, **data
            ),
        )
        if saved is not None:
            messages.success(request, _("Affiliation saved."))
            return redirect("community:affiliation_staff")
    return render(
        request, "community/affiliation_edit.html", {"form": form, "affiliation": affiliation}
    )


# Affiliations: a partner's owner


@login_required
def affiliation_propose(request: HttpRequest) -> HttpResponse:
    organizations = proposable_organizations(request.user)
    if not organizations.exists():
        raise PermissionDenied
    form = AffiliationProposeForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proposed = call_service(
            form,
            lambda: services.affiliation_propose(
                actor=request.user,
                organization=data["organization"],
                member=data["member"],
                start_date=data["start_date"],
                title=data["title"],
            ),
        )
        if proposed is not None:
            messages.success(request, _("Proposed. Staff will confirm it."))
            return redirect("community:affiliation_propose")
    proposals = AffiliationSuggestion.objects.filter(
        organization__in=organizations, proposed_by__isnull=False
    ).select_related("organization", "member")[:100]
    current = (
        Affiliation.objects.filter(organization__in=organizations)
        .select_related("organization", "member")
        .order_by("end_date", "-start_date")[:500]
    )
    return render(
        request,
        "community/affiliation_propose.html",
        {"form": form, "proposals": proposals, "affiliations": current},
    )


# Affiliations: the member themselves


@login_required
def my_affiliations(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    if member is None:
        raise PermissionDenied
    affiliations = member.affiliations.select_related("organization")
    if request.method == "POST":
        pk = request.POST.get("affiliation", "")
        if not pk.isdecimal():
            raise Http404
        affiliation = get_object_or_404(affiliations, pk=int(pk), end_date__isnull=True)
        form = AffiliationEndForm(request.POST)
        if (
            form.is_valid()
            and call_service(
                form,
                lambda: services.affiliation_end(
                    actor=request.user,
                    affiliation=affiliation,
                    end_date=form.cleaned_data["end_date"],
                ),
            )
            is not None
        ):
            messages.success(request, _("Your affiliation was ended."))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("community:my_affiliations")
    return render(
        request,
        "community/my_affiliations.html",
        {"affiliations": affiliations, "today": timezone.localdate()},
    )
