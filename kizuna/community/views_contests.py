"""Contest pages: the public announcement, gallery and results; the member's entry form;
the staff's editing and moderation; the judge's scoring sheet."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.community import contest_selectors as selectors
from kizuna.community.contest_forms import ContestForm, EntryForm, RejectForm, ScoreForm
from kizuna.community.models import (
    LIVE_ENTRY_STATUSES,
    Contest,
    ContestEntry,
    ContestState,
    EntryStatus,
)
from kizuna.community.permissions import (
    can_enter_contest,
    can_see_results,
    can_view_contest,
    can_withdraw_entry,
    is_community_staff,
    own_member,
)
from kizuna.community.services import contests as services
from kizuna.core.forms import call_service
from kizuna.core.responses import private


def _contest(request: HttpRequest, contest_id: int) -> Contest:
    contest = get_object_or_404(Contest, pk=contest_id)
    if not can_view_contest(request.user, contest):
        raise Http404
    return contest


def _staff_only(request: HttpRequest) -> None:
    if not is_community_staff(request.user):
        raise PermissionDenied


def contest_list(request: HttpRequest) -> HttpResponse:
    staff = is_community_staff(request.user)
    contests = Contest.objects.all() if staff else selectors.public_contests()
    return render(request, "community/contest_list.html", {"contests": contests, "staff": staff})


def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(request, contest_id)
    member = own_member(request.user)
    mine = contest.entries.filter(member=member) if member else ContestEntry.objects.none()
    context = {
        "contest": contest,
        "criteria": contest.criteria.all(),
        "judges": contest.judges.select_related("user"),
        "my_entries": mine,
        # One live entry per member: the form is offered again after a withdrawal.
        "can_enter": can_enter_contest(request.user, contest)
        and not mine.filter(status__in=LIVE_ENTRY_STATUSES).exists(),
        "judge": selectors.judge_of(contest, request.user),
        "staff": is_community_staff(request.user),
        "gallery_count": selectors.gallery(contest).count(),
    }
    response = render(request, "community/contest_detail.html", context)
    return private(response) if member or context["staff"] else response


def _form_page(request: HttpRequest, contest: Contest | None) -> HttpResponse:
    _staff_only(request)
    initial = ContestForm.initial_for(contest) if contest else None
    form = ContestForm(request.POST or None, instance=contest, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if contest is None:
            saved = call_service(
                form,
                lambda: services.contest_create(
                    actor=request.user,
                    criteria=data["criteria"],
                    judges=data["judges"],
                    **form.service_values(),
                ),
            )
        else:
            saved = call_service(
                form,
                lambda: services.contest_update(
                    actor=request.user,
                    contest=contest,
                    criteria=data["criteria"],
                    judges=data["judges"],
                    **form.service_values(),
                ),
            )
        if saved is not None:
            messages.success(request, _("The contest was saved."))
            return redirect("community:contest_manage", saved.pk)
    return render(request, "community/contest_form.html", {"form": form, "contest": contest})


@login_required
def contest_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def contest_edit(request: HttpRequest, contest_id: int) -> HttpResponse:
    _staff_only(request)
    return _form_page(request, get_object_or_404(Contest, pk=contest_id))


@login_required
def contest_enter(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(request, contest_id)
    member = own_member(request.user)
    if member is None or not can_enter_contest(request.user, contest):
        raise PermissionDenied
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = call_service(
            form,
            lambda: services.entry_submit(
                actor=request.user, contest=contest, member=member, **form.cleaned_data
            ),
        )
        if entry is not None:
            messages.success(request, _("Your entry was sent. Staff will review it."))
            return redirect("community:contest_detail", contest.pk)
    return private(
        render(request, "community/contest_enter.html", {"form": form, "contest": contest})
    )


def _entry(contest_id: int, entry_id: int) -> ContestEntry:
    return get_object_or_404(
        ContestEntry.objects.select_related("contest", "member"), pk=entry_id, contest_id=contest_id
    )


def _refused(request: HttpRequest, error: Exception) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


@login_required
@require_POST
def entry_withdraw(request: HttpRequest, contest_id: int, entry_id: int) -> HttpResponse:
    entry = _entry(contest_id, entry_id)
    if not can_withdraw_entry(request.user, entry):
        raise PermissionDenied
    try:
        services.entry_withdraw(actor=request.user, entry=entry)
        messages.success(request, _("Your entry was withdrawn."))
    except ValidationError as error:
        _refused(request, error)
    return redirect("community:contest_detail", contest_id)


def contest_gallery(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(request, contest_id)
    return render(
        request,
        "community/contest_gallery.html",
        {"contest": contest, "entries": selectors.gallery(contest)},
    )


def contest_results(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(request, contest_id)
    if not can_see_results(request.user, contest):
        raise Http404
    entries = selectors.results(contest)
    conflicts = selectors.conflicts_by_entry(contest)
    ranks = [entry.rank for entry in entries if entry.rank is not None]
    return render(
        request,
        "community/contest_results.html",
        {
            "contest": contest,
            "rows": [(entry, conflicts.get(entry.pk, [])) for entry in entries],
            "shared_ranks": {rank for rank in ranks if ranks.count(rank) > 1},
        },
    )


# Staff


@login_required
def contest_manage(request: HttpRequest, contest_id: int) -> HttpResponse:
    _staff_only(request)
    contest = get_object_or_404(Contest, pk=contest_id)
    entries = list(contest.entries.select_related("member").order_by("status", "submitted_at"))
    conflicts = selectors.conflicts_by_entry(contest)
    return private(
        render(
            request,
            "community/contest_manage.html",
            {
                "contest": contest,
                "rows": [(entry, conflicts.get(entry.pk, [])) for entry in entries],
                "pending": sum(entry.status == EntryStatus.SUBMITTED for entry in entries),
                "reject_form": RejectForm(),
                "progress": selectors.scoring_progress(contest),
                "judges": contest.judges.select_related("user"),
                "editable": contest.state in (ContestState.DRAFT, ContestState.PUBLISHED),
            },
        )
    )


CONTEST_ACTIONS = {
    "publish": (services.contest_publish, gettext_lazy("The contest is announced.")),
    "start_judging": (services.contest_judging_start, gettext_lazy("Judging has started.")),
    "publish_results": (
        services.contest_results_publish,
        gettext_lazy("The results are published."),
    ),
}


@login_required
@require_POST
def contest_action(request: HttpRequest, contest_id: int, action: str) -> HttpResponse:
    _staff_only(request)
    contest = get_object_or_404(Contest, pk=contest_id)
    if action not in CONTEST_ACTIONS:
        raise Http404
    service, done = CONTEST_ACTIONS[action]
    try:
        service(actor=request.user, contest=contest)
        messages.success(request, done)
    except ValidationError as error:
        _refused(request, error)
    return redirect("community:contest_manage", contest.pk)


@login_required
@require_POST
def entry_moderate(request: HttpRequest, contest_id: int, entry_id: int) -> HttpResponse:
    _staff_only(request)
    entry = _entry(contest_id, entry_id)
    try:
        if request.POST.get("decision") == "accept":
            services.entry_accept(actor=request.user, entry=entry)
            messages.success(request, _("The entry was accepted."))
        else:
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.entry_reject(actor=request.user, entry=entry, reason=reason)
            messages.success(request, _("The entry was rejected."))
    except ValidationError as error:
        _refused(request, error)
    return redirect("community:contest_manage", contest_id)


# Judges


def _sheet_rows(contest: Contest, judge: Any, posted: Any, posted_entry: int | None) -> list:
    criteria = list(contest.criteria.all())
    scores = selectors.scores_of(contest)
    conflicts = selectors.conflicts_by_entry(contest)
    others_visible = selectors.scores_visible_to_judges(contest)
    judges = list(contest.judges.select_related("user"))
    rows = []
    for entry in selectors.gallery(contest):
        excluded = any(j.pk == judge.pk for j in conflicts.get(entry.pk, []))
        initial = {
            f"c{c.pk}": scores[(entry.pk, judge.pk, c.pk)]
            for c in criteria
            if (entry.pk, judge.pk, c.pk) in scores
        }
        data = posted if posted_entry == entry.pk else None
        others = [
            (other, [scores.get((entry.pk, other.pk, c.pk)) for c in criteria])
            for other in judges
            if other.pk != judge.pk
        ]
        rows.append(
            {
                "entry": entry,
                "excluded": excluded,
                "scored": len(initial) == len(criteria),
                "form": None
                if excluded
                else ScoreForm(data, initial=initial, criteria=criteria, prefix=f"e{entry.pk}"),
                "others": others if others_visible else None,
            }
        )
    return rows


def _score(form: ScoreForm, judge: Any, entry: ContestEntry) -> bool:
    def save() -> bool:
        services.entry_score(judge=judge, entry=entry, scores=form.scores())
        return True

    return bool(call_service(form, save))


@login_required
def contest_judge(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(request, contest_id)
    judge = selectors.judge_of(contest, request.user)
    if judge is None:
        raise PermissionDenied
    posted_entry = None
    if request.method == "POST":
        if contest.state != ContestState.JUDGING:
            raise PermissionDenied
        posted = request.POST.get("entry", "")
        posted_entry = int(posted) if posted.isdigit() else None
    rows = _sheet_rows(contest, judge, request.POST or None, posted_entry)
    posted_row = next((row for row in rows if row["entry"].pk == posted_entry), None)
    if posted_row is not None and posted_row["form"] is not None:
        form = posted_row["form"]
        if form.is_valid() and _score(form, judge, posted_row["entry"]):
            messages.success(request, _("Your scores were saved."))
            return redirect("community:contest_judge", contest.pk)
    return private(
        render(
            request,
            "community/contest_judge.html",
            {
                "contest": contest,
                "rows": rows,
                "criteria": contest.criteria.all(),
                "progress": selectors.scoring_progress(contest),
                "open": contest.state == ContestState.JUDGING,
            },
        )
    )
