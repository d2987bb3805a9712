"""Achievements: the partner submits and completes them; staff review them from a queue."""

from collections.abc import Callable
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from kizuna.core.exports import export_response, requested_format
from kizuna.core.forms import call_service
from kizuna.core.responses import private
from kizuna.partners import selectors
from kizuna.partners.forms import (
    AchievementForm,
    EvidenceForm,
    PublishSummaryForm,
    ResubmitForm,
    ReviewForm,
    WorkImageForm,
)
from kizuna.partners.models import Achievement, AchievementStatus, Evidence, WorkImage
from kizuna.partners.permissions import PartnerAction, allowed, can_view_achievement
from kizuna.partners.services import achievements as achievement_services
from kizuna.partners.services import work_images
from kizuna.partners.views.access import own_partner, require


@login_required
def achievement_new(request: HttpRequest) -> HttpResponse:
    partner = own_partner(request)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, partner)
    form = AchievementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        achievement = call_service(
            form,
            lambda: achievement_services.achievement_submit(
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
            ),
        )
        if achievement is not None:
            messages.success(request, _("Your achievement was submitted for review."))
            return redirect("partners:achievement", pk=achievement.pk)
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
        "evidence": _with_previews(achievement.evidence.all()),
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
        "work_image": WorkImage.objects.filter(achievement=achievement).first(),
        "work_image_form": _work_image_form(achievement, forms_.get("work_image_form"))
        if can_submit and achievement.status == AchievementStatus.VERIFIED
        else None,
        "work_images_max": settings.KIZUNA_WORK_IMAGES_MAX,
        # A refused decision keeps its form, so the reviewer reads why (someone decided first).
        "review_form": forms_.get("review_form")
        or (
            ReviewForm()
            if pending and allowed(request.user, PartnerAction.REVIEW_ACHIEVEMENTS)
            else None
        ),
    }
    return render(
        request, "partners/achievement_detail.html", context, status=400 if forms_ else 200
    )


def _work_image_form(achievement: Achievement, refused: WorkImageForm | None) -> WorkImageForm:
    if refused is not None:
        return refused
    work = WorkImage.objects.filter(achievement=achievement).first()
    initial = {"published": work.published, "position": work.position} if work else {}
    return WorkImageForm(initial=initial)


def _with_previews(evidence: Any) -> list[Evidence]:
    items = list(evidence)
    for item in items:
        item.preview = preview_kind(item)
    return items


@login_required
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _achievement_page(request, _visible_achievement(request, pk))


def _submit_form(
    request: HttpRequest,
    achievement: Achievement,
    form: BaseForm,
    service: Callable[[], object],
    *,
    success: str,
    form_name: str,
    redirect_to: str = "",
) -> HttpResponse:
    """A form posted from the achievement's page: when it is valid and `service` does it, say
    `success` and go to the URL named `redirect_to` (by default the achievement's page);
    otherwise show the page again, status 400, with the form under `form_name` and its errors
    (its own or the service's refusal)."""
    if form.is_valid() and call_service(form, service) is not None:
        messages.success(request, success)
        if redirect_to:
            return redirect(redirect_to)
        return redirect("partners:achievement", pk=achievement.pk)
    return _achievement_page(request, achievement, **{form_name: form})


@login_required
@require_POST
def achievement_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = EvidenceForm(request.POST, request.FILES)
    return _submit_form(
        request,
        achievement,
        form,
        lambda: achievement_services.achievement_add_evidence(
            actor=request.user, achievement=achievement, **form.cleaned_data
        ),
        success=_("Evidence added."),
        form_name="evidence_form",
    )


@login_required
@require_POST
def achievement_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = ResubmitForm(request.POST)
    return _submit_form(
        request,
        achievement,
        form,
        lambda: achievement_services.achievement_resubmit(
            actor=request.user, achievement=achievement, note=form.cleaned_data["note"]
        ),
        success=_("Sent back for review."),
        form_name="resubmit_form",
    )


@login_required
@require_POST
def achievement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = PublishSummaryForm(request.POST)
    return _submit_form(
        request,
        achievement,
        form,
        lambda: achievement_services.achievement_publish_summary(
            actor=request.user,
            achievement=achievement,
            public_summary=form.cleaned_data["public_summary"],
            publish=form.cleaned_data["publish"],
        ),
        success=_("Public summary saved."),
        form_name="publish_form",
    )


@login_required
@require_POST
def achievement_work_image(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    form = WorkImageForm(request.POST, request.FILES)
    return _submit_form(
        request,
        achievement,
        form,
        lambda: work_images.work_image_save(
            actor=request.user, achievement=achievement, **form.cleaned_data
        ),
        success=_("The screenshot was saved."),
        form_name="work_image_form",
    )


@login_required
@require_POST
def achievement_work_image_remove(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = _visible_achievement(request, pk)
    require(request, PartnerAction.SUBMIT_ACHIEVEMENT, achievement.partner)
    work_images.work_image_remove(actor=request.user, achievement=achievement)
    messages.success(request, _("The screenshot was removed."))
    return redirect("partners:achievement", pk=pk)


# Public screenshots may be kept this long by browsers and proxies: their address changes
# with each new file, and a screenshot hidden again is gone for everyone within the hour.
PUBLIC_IMAGE_MAX_AGE_S = 3600


def work_image(request: HttpRequest, pk: int) -> FileResponse:
    """A screenshot of work: to anyone while it is on the public page, otherwise only to
    those who may see the achievement (its partner's people and staff), never cached."""
    work = get_object_or_404(
        WorkImage.objects.select_related("achievement__partner__organization"), pk=pk
    )
    public = selectors.work_image_is_public(work)
    if not public and not can_view_achievement(request.user, work.achievement):
        raise Http404
    handle = work.image.open("rb")
    content_type = _inline_type(handle.read(16))
    handle.seek(0)
    if content_type is None or not content_type.startswith("image/"):
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=content_type)
    if not public:
        return private(response)
    patch_cache_control(response, public=True, max_age=PUBLIC_IMAGE_MAX_AGE_S)
    return response


REVIEW_SERVICES: dict[str, Callable[..., Achievement]] = {
    "verify": lambda *, actor, achievement, reason: achievement_services.achievement_verify(
        actor=actor, achievement=achievement, note=reason
    ),
    "reject": achievement_services.achievement_reject,
    "request_info": achievement_services.achievement_request_info,
}


@login_required
@require_POST
def achievement_review(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.REVIEW_ACHIEVEMENTS)
    achievement = _visible_achievement(request, pk)
    form = ReviewForm(request.POST)
    return _submit_form(
        request,
        achievement,
        form,
        lambda: REVIEW_SERVICES[form.cleaned_data["decision"]](
            actor=request.user, achievement=achievement, reason=form.cleaned_data["reason"]
        ),
        success=_("Decision recorded: %(title)s") % {"title": achievement.title},
        form_name="review_form",
        redirect_to="partners:review_queue",
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        Evidence.objects.select_related("achievement__partner__organization"), pk=pk
    )
    if not evidence.file or not can_view_achievement(request.user, evidence.achievement):
        raise Http404
    return private(
        FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=(evidence.file.name or "").rsplit("/", 1)[-1],
        )
    )


# What the first bytes of an evidence file must be for it to be shown inline, and as what.
# Anything else (or a file whose name lies about it) is only ever downloaded.
_INLINE_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
_PREVIEW_BY_SUFFIX = {".pdf": "pdf", ".png": "image", ".jpg": "image", ".jpeg": "image",
                      ".gif": "image", ".webp": "image"}  # fmt: skip


def _inline_type(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _INLINE_SIGNATURES if head.startswith(magic)), None)


def preview_kind(evidence: Evidence) -> str | None:
    """How the review page previews the file ("image", "pdf" or not at all), by its name."""
    name = (evidence.file.name or "").lower() if evidence.file else ""
    return next(
        (kind for suffix, kind in _PREVIEW_BY_SUFFIX.items() if name.endswith(suffix)), None
    )


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF], "object-src": [SELF]})  # type: ignore[arg-type]
def evidence_inline(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evidence file shown inside the achievement page (an <img> or an <iframe>).

    The type comes from the file's content, never from its name or the upload's claim, and
    only images and PDFs are served inline; the PDF viewer needs object-src and a same-origin
    frame, which only this response allows.
    """
    evidence = get_object_or_404(
        Evidence.objects.select_related("achievement__partner__organization"), pk=pk
    )
    if not evidence.file or not can_view_achievement(request.user, evidence.achievement):
        raise Http404
    handle = evidence.file.open("rb")
    content_type = _inline_type(handle.read(16))
    handle.seek(0)
    if content_type is None:
        handle.close()
        return redirect("partners:evidence_download", pk=pk)
    return private(FileResponse(handle, content_type=content_type, as_attachment=False))


ACHIEVEMENT_COLUMNS = [
    "id", "partner", "title", "industry", "completed_on", "badges", "status", "site_url",
    "verified_at",
]  # fmt: skip


def _achievement_rows(achievements: Any) -> Any:
    for a in achievements.select_related("partner__organization").prefetch_related("badges"):
        yield [
            a.pk, a.partner.organization.name, a.title, a.industry, a.completed_on,
            " ".join(b.code for b in a.badges.all()), a.status, a.site_url, a.verified_at,
        ]  # fmt: skip


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.REVIEW_ACHIEVEMENTS)
    status = request.GET.get("status", "")
    if status not in selectors.REVIEWABLE_STATUSES:
        status = ""
    if requested_format(request):
        return export_response(
            request,
            filename="achievements",
            header=ACHIEVEMENT_COLUMNS,
            rows=_achievement_rows(selectors.review_queue(status)),
        )
    page = Paginator(selectors.review_queue(status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/review_queue.html",
        {"page": page, "status": status, "statuses": _REVIEW_TABS},
    )


# The queue's tabs: everything (what staff can act on first), then each state alone.
_REVIEW_TABS = [
    ("", pgettext_lazy("achievement filter", "All")),
    (AchievementStatus.SUBMITTED, pgettext_lazy("achievement filter", "To review")),
    (AchievementStatus.NEEDS_INFO, pgettext_lazy("achievement filter", "Waiting on the partner")),
]
