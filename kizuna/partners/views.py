"""Pages of the partner program: validate, check permissions, call a service, redirect."""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.core.text import normalize_ja
from kizuna.partners import selectors, services
from kizuna.partners.forms import (
    AchievementForm,
    AppointForm,
    BadgeCreateForm,
    BadgeRenameForm,
    ContributionForm,
    ContributionKindCreateForm,
    EvangelistRequestForm,
    EvidenceForm,
    NominationDecisionForm,
    NominationForm,
    PartnerProfileForm,
    PointsForm,
    PublishSummaryForm,
    RespondForm,
    ResubmitForm,
    ReviewForm,
    RouteForm,
)
from kizuna.partners.models import (
    Achievement,
    AchievementStatus,
    Badge,
    BadgeFamily,
    ContributionKind,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistRequestStatus,
    Evidence,
    NominationStatus,
    PartnerProfile,
    Rank,
)
from kizuna.partners.permissions import (
    PartnerAction,
    allowed,
    can_answer_evangelist_request,
    can_set_up_profile,
    can_view_achievement,
)


def _call(form: forms.BaseForm, call: Callable[[], Any]) -> bool:
    """Run a service; put the rule it enforced on the form instead of losing the input."""
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


def _require(
    request: HttpRequest, action: PartnerAction, partner: PartnerProfile | None = None
) -> None:
    if not allowed(request.user, action, partner):
        raise PermissionDenied


def _own_partner(request: HttpRequest) -> PartnerProfile:
    partner = selectors.partner_of_user(request.user)
    if partner is None:
        raise Http404
    return partner


# Partner portal


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    organization = selectors.partner_organization_of_user(request.user)
    if organization is None:
        raise Http404
    partner = PartnerProfile.objects.filter(organization=organization).first()
    context: dict[str, Any] = {"organization": organization, "partner": partner}
    if partner is not None:
        context.update(
            awards=selectors.active_badge_awards(partner),
            lapsed_awards=selectors.lapsed_badge_awards(partner),
            achievements=selectors.partner_achievements(partner),
            rank_history=selectors.rank_history(partner),
            contributions=partner.contributions.select_related("kind")[:10],
            next_rank=_next_rank(partner),
            can_edit=allowed(request.user, PartnerAction.EDIT_PROFILE, partner),
        )
    return render(request, "partners/portal.html", context)


def _next_rank(partner: PartnerProfile) -> dict[str, Any] | None:
    order = services.rank_order(partner.rank)
    if order >= len(settings.KIZUNA_RANK_THRESHOLDS):
        return None
    threshold = settings.KIZUNA_RANK_THRESHOLDS[order]
    return {"rank": list(Rank)[order + 1].label, "missing": max(0, threshold - partner.rank_points)}


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    organization = selectors.partner_organization_of_user(request.user)
    if organization is None:
        raise Http404
    partner = PartnerProfile.objects.filter(organization=organization).first()
    if partner is not None:
        _require(request, PartnerAction.EDIT_PROFILE, partner)
    elif not can_set_up_profile(request.user, organization):
        raise PermissionDenied
    form = PartnerProfileForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        if partner is None:
            done = _call(
                form,
                lambda: services.partner_create(
                    actor=request.user, organization=organization, **fields
                ),
            )
        else:
            done = _call(
                form,
                lambda: services.partner_update(
                    actor=request.user, partner=partner, by_owner=True, **fields
                ),
            )
        if done:
            messages.success(request, _("Your profile was saved."))
            return redirect("partners:portal")
    return render(
        request, "partners/profile_form.html", {"form": form, "organization": organization}
    )


@login_required
@require_POST
def profile_confirm(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    _require(request, PartnerAction.EDIT_PROFILE, partner)
    services.partner_confirm_reviewed(actor=request.user, partner=partner)
    messages.success(request, _("Thank you. Your profile is marked as up to date."))
    return redirect("partners:portal")


def public_profile(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    return render(
        request,
        "partners/public_profile.html",
        {
            "partner": partner,
            "awards": selectors.active_badge_awards(partner),
            "summaries": selectors.published_summaries(partner),
        },
    )


def partner_logo(request: HttpRequest, slug: str) -> FileResponse:
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    if not partner.logo:
        raise Http404
    return FileResponse(partner.logo.open("rb"))


# Achievements


@login_required
def achievement_new(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    _require(request, PartnerAction.SUBMIT_ACHIEVEMENT, partner)
    form = AchievementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submitted: list[Achievement] = []
        if _call(
            form,
            lambda: submitted.append(
                services.achievement_submit(
                    actor=request.user,
                    partner=partner,
                    title=data["title"],
                    description=data["description"],
                    badges=[*data["work_badges"], *data["site_badges"]],
                    industry=data["industry"],
                    completed_on=data["completed_on"],
                    site_url=data["site_url"],
                    client_may_be_named=data["client_may_be_named"],
                    evidence_links=data["evidence_links"],
                    evidence_files=data["evidence_files"],
                )
            ),
        ):
            messages.success(request, _("Your achievement was submitted for review."))
            return redirect("partners:achievement", pk=submitted[0].pk)
    return render(request, "partners/achievement_form.html", {"form": form, "partner": partner})


def _visible_achievement(request: HttpRequest, pk: int) -> Achievement:
    achievement = get_object_or_404(
        Achievement.objects.select_related("partner__organization"), pk=pk
    )
    if not can_view_achievement(request.user, achievement):
        # Not 403: another partner must not learn that the achievement exists.
        raise Http404
    return achievement


def _achievement_page(
    request: HttpRequest, achievement: Achievement, **forms_: Any
) -> HttpResponse:
    partner = achievement.partner
    can_submit = allowed(request.user, PartnerAction.SUBMIT_ACHIEVEMENT, partner)
    pending = achievement.status in (AchievementStatus.SUBMITTED, AchievementStatus.NEEDS_INFO)
    context = {
        "achievement": achievement,
        "badges": achievement.badges.all(),
        "evidence": achievement.evidence.all(),
        "reviews": achievement.reviews.select_related("actor"),
        "evidence_form": forms_.get("evidence_form", EvidenceForm())
        if can_submit and pending
        else None,
        "resubmit_form": (
            forms_.get("resubmit_form", ResubmitForm())
            if can_submit and achievement.status == AchievementStatus.NEEDS_INFO
            else None
        ),
        "publish_form": (
            forms_.get(
                "publish_form",
                PublishSummaryForm(
                    instance=achievement, initial={"publish": achievement.summary_published}
                ),
            )
            if can_submit and achievement.status == AchievementStatus.VERIFIED
            else None
        ),
        "review_form": (
            forms_.get("review_form", ReviewForm())
            if pending and allowed(request.user, PartnerAction.REVIEW_ACHIEVEMENTS)
            else None
        ),
    }
    return render(
        request, "partners/achievement_detail.html", context, status=400 if forms_ else 200
    )


@login_required
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _achievement_page(request, _visible_achievement(request, pk))


@login_required
@require_POST
def achievement_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    _require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid() and _call(
        form,
        lambda: services.achievement_add_evidence(
            actor=request.user, achievement=achievement, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Evidence added."))
        return redirect("partners:achievement", pk=pk)
    return _achievement_page(request, achievement, evidence_form=form)


@login_required
@require_POST
def achievement_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    _require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = ResubmitForm(request.POST)
    if form.is_valid() and _call(
        form,
        lambda: services.achievement_resubmit(
            actor=request.user, achievement=achievement, note=form.cleaned_data["note"]
        ),
    ):
        messages.success(request, _("Sent back for review."))
        return redirect("partners:achievement", pk=pk)
    return _achievement_page(request, achievement, resubmit_form=form)


@login_required
@require_POST
def achievement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    _require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = PublishSummaryForm(request.POST)
    if form.is_valid() and _call(
        form,
        lambda: services.achievement_publish_summary(
            actor=request.user,
            achievement=achievement,
            public_summary=form.cleaned_data["public_summary"],
            publish=form.cleaned_data["publish"],
        ),
    ):
        messages.success(request, _("Public summary saved."))
        return redirect("partners:achievement", pk=pk)
    return _achievement_page(request, achievement, publish_form=form)


REVIEW_SERVICES: dict[str, Callable[..., Achievement]] = {
    "verify": lambda *, actor, achievement, reason: services.achievement_verify(
        actor=actor, achievement=achievement, note=reason
    ),
    "reject": services.achievement_reject,
    "request_info": services.achievement_request_info,
}


@login_required
@require_POST
def achievement_review(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, PartnerAction.REVIEW_ACHIEVEMENTS)
    achievement = _visible_achievement(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid() and _call(
        form,
        lambda: REVIEW_SERVICES[form.cleaned_data["decision"]](
            actor=request.user, achievement=achievement, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, _("Decision recorded: %(title)s") % {"title": achievement.title})
        return redirect("partners:review_queue")
    return _achievement_page(request, achievement, review_form=form)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        Evidence.objects.select_related("achievement__partner__organization"), pk=pk
    )
    if not evidence.file or not can_view_achievement(request.user, evidence.achievement):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=(evidence.file.name or "").rsplit("/", 1)[-1],
    )


# Staff


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.REVIEW_ACHIEVEMENTS)
    page = Paginator(selectors.review_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "partners/review_queue.html", {"page": page})


@login_required
def staff_partners(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    partners = PartnerProfile.objects.select_related("organization")
    query = request.GET.get("q", "").strip()
    if query:
        partners = partners.filter(
            Q(search_text__contains=normalize_ja(query)) | Q(organization__slug__contains=query)
        )
    if request.GET.get("stale"):
        partners = partners.filter(stale_since__isnull=False)
    page = Paginator(partners, 50).get_page(request.GET.get("page"))
    return render(request, "partners/staff_partners.html", {"page": page, "query": query})


@login_required
def staff_partner(request: HttpRequest, slug: str) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    form = PartnerProfileForm(request.POST or None, request.FILES or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        if _call(
            form,
            lambda: services.partner_update(
                actor=request.user, partner=partner, by_owner=False, **fields
            ),
        ):
            messages.success(request, _("The profile was saved."))
            return redirect("partners:staff_partner", slug=slug)
    return _staff_partner_page(request, partner, form, ContributionForm())


def _staff_partner_page(
    request: HttpRequest, partner: PartnerProfile, form: Any, contribution_form: Any
) -> HttpResponse:
    return render(
        request,
        "partners/staff_partner.html",
        {
            "partner": partner,
            "form": form,
            "contribution_form": contribution_form,
            "achievements": selectors.partner_achievements(partner),
            "awards": selectors.active_badge_awards(partner),
            "rank_history": selectors.rank_history(partner),
            "contributions": partner.contributions.select_related("kind")[:20],
        },
    )


@login_required
@require_POST
def staff_contribution_add(request: HttpRequest, slug: str) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    partner = get_object_or_404(selectors.partner_by_slug(slug))
    form = ContributionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Each staff entry is its own contribution; the id only has to be unique per source.
        if _call(
            form,
            lambda: services.contribution_record(
                partner=partner,
                kind=data["kind"].code,
                occurred_on=data["occurred_on"],
                points=data["points"],
                note=data["note"],
                source="staff",
                external_id=str(uuid.uuid4()),
                actor=request.user,
            ),
        ):
            messages.success(request, _("Contribution recorded."))
            return redirect("partners:staff_partner", slug=slug)
    return _staff_partner_page(request, partner, PartnerProfileForm(instance=partner), form)


@login_required
def program_settings(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    return _program_page(request)


def _program_page(request: HttpRequest, **forms_: Any) -> HttpResponse:
    badges = Badge.objects.all()
    return render(
        request,
        "partners/program_settings.html",
        {
            "work_badges": [b for b in badges if b.family == BadgeFamily.WORK],
            "site_badges": [b for b in badges if b.family == BadgeFamily.SITE_TYPE],
            "kinds": ContributionKind.objects.all(),
            "badge_form": forms_.get("badge_form", BadgeCreateForm()),
            "kind_form": forms_.get("kind_form", ContributionKindCreateForm()),
            "error_form": forms_.get("error_form"),
        },
        status=400 if forms_ else 200,
    )


@login_required
@require_POST
def badge_add(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    form = BadgeCreateForm(request.POST)
    if form.is_valid() and _call(
        form, lambda: services.badge_create(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Badge added."))
        return redirect("partners:program_settings")
    return _program_page(request, badge_form=form)


@login_required
@require_POST
def badge_change(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    badge = get_object_or_404(Badge, pk=pk)
    if "retire" in request.POST:
        services.badge_retire(actor=request.user, badge=badge)
        messages.success(request, _("Badge retired: %(name)s") % {"name": badge.name})
        return redirect("partners:program_settings")
    form = BadgeRenameForm(request.POST)
    if form.is_valid() and _call(
        form, lambda: services.badge_rename(actor=request.user, badge=badge, **form.cleaned_data)
    ):
        messages.success(request, _("Badge renamed."))
        return redirect("partners:program_settings")
    return _program_page(request, error_form=form)


@login_required
@require_POST
def kind_add(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    form = ContributionKindCreateForm(request.POST)
    if form.is_valid() and _call(
        form, lambda: services.contribution_kind_create(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Contribution kind added."))
        return redirect("partners:program_settings")
    return _program_page(request, kind_form=form)


@login_required
@require_POST
def kind_points(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_PROGRAM)
    kind = get_object_or_404(ContributionKind, pk=pk)
    form = PointsForm(request.POST)
    if form.is_valid():
        services.contribution_kind_set_points(
            actor=request.user, kind=kind, points=form.cleaned_data["points"]
        )
        messages.success(request, _("Points updated."))
        return redirect("partners:program_settings")
    return _program_page(request, error_form=form)


# Evangelists


def evangelists(request: HttpRequest) -> HttpResponse:
    return render(
        request, "partners/evangelists.html", {"evangelists": selectors.active_evangelists()}
    )


@login_required
def nominate(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.NOMINATE_EVANGELIST)
    form = NominationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _call(form, lambda: services.nomination_submit(actor=request.user, **form.cleaned_data))
    ):
        messages.success(request, _("Thank you. Your nomination was sent to the program staff."))
        return redirect("partners:evangelists")
    return render(request, "partners/nominate.html", {"form": form})


@login_required
def evangelist_request(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.REQUEST_EVANGELIST)
    form = EvangelistRequestForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _call(
            form,
            lambda: services.evangelist_request_submit(actor=request.user, **form.cleaned_data),
        )
    ):
        messages.success(
            request, _("Your request was sent. The staff will find an evangelist for you.")
        )
        return redirect("partners:evangelists")
    return render(request, "partners/evangelist_request.html", {"form": form})


@login_required
def evangelist_inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "partners/evangelist_inbox.html",
        {
            "requests": selectors.evangelist_requests_for(request.user),
            "form": RespondForm(),
        },
    )


@login_required
@require_POST
def evangelist_request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    evangelist_request_ = get_object_or_404(
        EvangelistRequest.objects.select_related("evangelist"), pk=pk
    )
    if not can_answer_evangelist_request(request.user, evangelist_request_):
        raise Http404
    form = RespondForm(request.POST)
    if form.is_valid() and _call(
        form,
        lambda: services.evangelist_request_respond(
            actor=request.user, request=evangelist_request_, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Thank you for your answer."))
    else:
        messages.error(request, _("Choose whether you will come."))
    return redirect("partners:evangelist_inbox")


@login_required
def staff_evangelists(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_EVANGELISTS)
    return _staff_evangelists_page(request)


def _staff_evangelists_page(request: HttpRequest, **forms_: Any) -> HttpResponse:
    return render(
        request,
        "partners/staff_evangelists.html",
        {
            "nominations": EvangelistNomination.objects.filter(
                status=NominationStatus.PENDING
            ).select_related("nominated_by"),
            "decided": EvangelistNomination.objects.exclude(
                status=NominationStatus.PENDING
            ).select_related("decided_by")[:20],
            "requests": EvangelistRequest.objects.exclude(
                status=EvangelistRequestStatus.ACCEPTED
            ).select_related("evangelist", "requested_by"),
            "decision_form": NominationDecisionForm(),
            "route_form": RouteForm(),
            "appoint_form": forms_.get("appoint_form", AppointForm()),
            "error_form": forms_.get("error_form"),
            "evangelists": selectors.active_evangelists(),
        },
        status=400 if forms_ else 200,
    )


@login_required
@require_POST
def nomination_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_EVANGELISTS)
    nomination = get_object_or_404(EvangelistNomination, pk=pk)
    form = NominationDecisionForm(request.POST)
    if form.is_valid() and _call(
        form, lambda: _decide_nomination(request, nomination, form.cleaned_data)
    ):
        messages.success(
            request, _("Decision recorded for %(name)s.") % {"name": nomination.nominee_name}
        )
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, error_form=form)


def _decide_nomination(request: HttpRequest, nomination: EvangelistNomination, data: dict) -> None:
    if data["decision"] == "decline":
        services.nomination_decline(
            actor=request.user, nomination=nomination, reason=data["reason"]
        )
        return
    if data["term_start"] is None or data["term_end"] is None:
        raise ValidationError({"term_end": _("Set the term.")})
    services.nomination_accept(
        actor=request.user,
        nomination=nomination,
        term_start=data["term_start"],
        term_end=data["term_end"],
        reason=data["reason"],
    )


@login_required
@require_POST
def evangelist_appoint(request: HttpRequest) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_EVANGELISTS)
    form = AppointForm(request.POST)
    if form.is_valid() and _call(
        form, lambda: services.evangelist_appoint(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("Evangelist appointed."))
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, appoint_form=form)


@login_required
@require_POST
def evangelist_request_route(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, PartnerAction.MANAGE_EVANGELISTS)
    evangelist_request_ = get_object_or_404(EvangelistRequest, pk=pk)
    form = RouteForm(request.POST)
    if form.is_valid() and _call(
        form,
        lambda: services.evangelist_request_route(
            actor=request.user,
            request=evangelist_request_,
            evangelist=form.cleaned_data["evangelist"],
        ),
    ):
        messages.success(request, _("The request was sent to the evangelist."))
        return redirect("partners:staff_evangelists")
    return _staff_evangelists_page(request, error_form=form)
