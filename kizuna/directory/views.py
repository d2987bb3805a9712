"""Directory pages: search, partner pages, the lead form, merchants' requests, partners'
inbox and staff views. They validate, check permissions, call a service and redirect."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.accounts.models import User, VerificationPurpose
from kizuna.accounts.services import email_verification_find
from kizuna.core import ratelimit
from kizuna.core.exports import export_response, requested_format
from kizuna.core.forms import call_service
from kizuna.core.request_context import client_ip
from kizuna.directory import permissions, selectors
from kizuna.directory.forms import (
    DeclineForm,
    HideForm,
    LeadForm,
    PreferencesForm,
    ReplyForm,
    ReviewForm,
    SearchForm,
)
from kizuna.directory.limits import search_consume
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    Lead,
    LeadPreferences,
    Review,
    VisitorLead,
)
from kizuna.directory.search import entry_badges, explain, search
from kizuna.directory.services import leads, reviews, visitors
from kizuna.partners import selectors as partner_selectors
from kizuna.partners.models import PartnerProfile


def _signed_in(request: HttpRequest) -> User:
    # Only behind @login_required: the user is a real account.
    assert isinstance(request.user, User)
    return request.user


# Search and partner pages (public)


def directory(request: HttpRequest) -> HttpResponse:
    decision = search_consume(request)
    if not decision.allowed:
        page = render(
            request, "directory/rate_limited.html", {"retry_after": decision.retry_after_s}
        )
        return ratelimit.refused(page, decision)
    form = SearchForm(request.GET or None)
    result = search(form.params())
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "result": result, "query": query.urlencode()}
    live = request.headers.get("HX-Request") == "true"
    template = "directory/_results.html" if live else "directory/search.html"
    return render(request, template, context)


def partner_page(request: HttpRequest, slug: str) -> HttpResponse:
    entry = selectors.listed_entry(slug)
    if entry is None:
        raise Http404
    partner = entry.partner
    own = permissions.can_manage_partner_leads(request.user, partner)
    shown = selectors.partner_reviews(partner.pk) if own else selectors.visible_reviews(partner.pk)
    return render(
        request,
        "directory/partner.html",
        {
            "entry": entry,
            "partner": partner,
            "badges": entry_badges([entry.pk])[entry.pk],
            "reasons": explain(entry),
            "summaries": partner_selectors.published_summaries(partner)[:10],
            "reviews": shown,
            "can_reply": own,
            "reply_form": ReplyForm(),
        },
    )


@login_required
@require_POST
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("partner__organization"), pk=pk)
    form = ReplyForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_reply(
                actor=request.user, review=review, text=form.cleaned_data["reply"]
            ),
        )
        is not None
    ):
        messages.success(request, _("Your reply is published."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect("directory:partner", review.partner.slug)


# Merchants: the lead form and their requests


def _partner_choices(slugs: list[str]) -> list[tuple[str, str]]:
    partners = PartnerProfile.objects.select_related("organization").filter(
        organization__slug__in=slugs[: settings.KIZUNA_LEAD_MAX_PARTNERS * 2],
        directory_entry__listed=True,
    )
    return [(p.slug, p.name) for p in partners]


def _rate_limited(request: HttpRequest, email: str) -> int:
    """Seconds to wait if this IP or this email sent too many requests lately, else 0."""
    per_ip = ratelimit.Limit(settings.KIZUNA_LEADS_PER_HOUR_PER_IP, 3600)
    per_email = ratelimit.Limit(settings.KIZUNA_LEADS_PER_HOUR_PER_EMAIL, 3600)
    for key, limit in (
        (f"lead-form:ip:{client_ip(request)}", per_ip),
        (f"lead-form:email:{email.strip().lower()}", per_email),
    ):
        decision = ratelimit.consume(key, limit)
        if not decision.allowed:
            return decision.retry_after_s
    return 0


def lead_new(request: HttpRequest) -> HttpResponse:
    """The lead form, for signed-in merchants and for visitors (who confirm their email)."""
    slugs = request.POST.getlist("partners") or request.GET.getlist("partner")
    choices = _partner_choices(slugs)
    visitor = not request.user.is_authenticated
    initial: dict[str, Any] = {"partners": [slug for slug, _name in choices]}
    if not visitor:
        user = _signed_in(request)
        initial |= {"contact_email": user.email, "contact_name": user.get_full_name()}
    form = LeadForm(request.POST or None, initial=initial, partner_choices=choices)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            if visitor:
                return redirect("directory:visitor_lead_sent")
            messages.success(request, _("Your request was sent."))
            return redirect("directory:requests")
        wait = _rate_limited(request, form.cleaned_data["contact_email"])
        if wait:
            form.add_error(
                None,
                _("Too many requests from you lately. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, wait // 60)},
            )
        elif visitor:
            if call_service(form, lambda: _hold_visitor_lead(request, form)) is not None:
                return redirect("directory:visitor_lead_sent")
        elif (lead := call_service(form, lambda: _create_lead(request, form))) is not None:
            messages.success(request, _("Your request was sent."))
            return redirect("directory:request", lead.pk)
    return render(request, "directory/lead_form.html", {"form": form, "visitor": visitor})


def _hold_visitor_lead(request: HttpRequest, form: LeadForm) -> VisitorLead:
    data = form.cleaned_data
    return visitors.visitor_lead_submit(
        request={name: data[name] for name in visitors.FIELDS},
        site_type=data["site_type"],
        services=list(data["services"]),
        partner_slugs=data["partners"],
        language=request.LANGUAGE_CODE,
    )


def visitor_lead_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/visitor_lead_sent.html")


def visitor_lead_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST spends the link: mail scanners that open links send nothing."""
    verification = email_verification_find(token=token, purpose=VerificationPurpose.LEAD)
    if verification is None:
        return render(request, "directory/visitor_lead_verify.html", {"valid": False}, status=410)
    if request.method == "POST":
        visitors.visitor_lead_verify(verification=verification)
        return render(request, "directory/visitor_lead_verify.html", {"done": True})
    return render(
        request,
        "directory/visitor_lead_verify.html",
        {"valid": True, "email": verification.email, "held": verification.visitor_lead},
    )


def _create_lead(request: HttpRequest, form: LeadForm) -> Lead:
    data = form.cleaned_data
    partners = list(
        PartnerProfile.objects.select_related("organization").filter(
            organization__slug__in=data["partners"]
        )
    )
    return leads.lead_create(
        merchant=request.user,
        partners=partners,
        **{name: data[name] for name in form.Meta.fields},
    )


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    own = selectors.leads_visible_to(request.user).filter(merchant=_signed_in(request))
    return render(request, "directory/requests.html", {"leads": own})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_of_merchant(request.user, pk)
    if lead is None:
        raise Http404
    return render(
        request,
        "directory/request_detail.html",
        {
            "lead": lead,
            "slots": list(lead.assignments.all()),
            "review_form": ReviewForm(),
            "is_merchant": permissions.is_lead_merchant(request.user, lead),
        },
    )


def _own_slot(request: HttpRequest, pk: int) -> Assignment:
    slot = get_object_or_404(
        Assignment.objects.select_related("lead__merchant", "partner__organization"), pk=pk
    )
    if not permissions.is_lead_merchant(request.user, slot.lead):
        raise PermissionDenied
    return slot


@login_required
@require_POST
def slot_complete(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _own_slot(request, pk)
    try:
        leads.lead_complete(actor=request.user, assignment=slot)
        messages.success(request, _("Marked as done. You can now review the partner."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:request", slot.lead_id)


@login_required
@require_POST
def slot_review(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _own_slot(request, pk)
    form = ReviewForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_publish(
                actor=request.user,
                assignment=slot,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            ),
        )
        is not None
    ):
        messages.success(request, _("Thank you: your review is published."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("directory:request", slot.lead_id)


# Partners: the lead inbox


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    partner = partner_selectors.partner_of_user(request.user)
    if partner is None:
        raise PermissionDenied
    preferences = LeadPreferences.objects.filter(partner=partner).first()
    return render(
        request,
        "directory/inbox.html",
        {
            "partner": partner,
            "slots": selectors.inbox_of(request.user),
            "preferences_form": PreferencesForm(
                initial={"works_remotely": preferences.works_remotely if preferences else False}
            ),
            "can_manage": permissions.can_manage_partner_leads(request.user, partner),
        },
    )


@login_required
@require_POST
def inbox_preferences(request: HttpRequest) -> HttpResponse:
    partner = partner_selectors.partner_of_user(request.user)
    if partner is None:
        raise PermissionDenied
    form = PreferencesForm(request.POST)
    form.is_valid()
    leads.lead_preferences_set(
        actor=request.user, partner=partner, works_remotely=form.cleaned_data["works_remotely"]
    )
    messages.success(request, _("Saved."))
    return redirect("directory:inbox")


def _inbox_slot(request: HttpRequest, pk: int) -> Assignment:
    slot = selectors.inbox_of(request.user).filter(pk=pk).first()
    if slot is None:
        raise Http404
    return slot


@login_required
def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _inbox_slot(request, pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                leads.lead_accept(actor=request.user, assignment=slot)
                messages.success(
                    request, _("Accepted. The merchant's contact details are shown below.")
                )
                return redirect("directory:inbox_item", slot.pk)
            if form.is_valid():
                leads.lead_decline(
                    actor=request.user, assignment=slot, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Declined. The merchant was told."))
                return redirect("directory:inbox")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("directory:inbox_item", slot.pk)
    review = Review.objects.filter(assignment=slot).first()
    return render(
        request,
        "directory/inbox_item.html",
        {"slot": slot, "lead": slot.lead, "form": form, "review": review},
    )


# Staff


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_staff(request.user):
        raise PermissionDenied


LEAD_COLUMNS = [
    "id", "created_at", "products", "site_type", "budget", "timeline", "prefecture", "routing",
    "contact_name", "contact_email", "contact_phone", "message", "partners",
]  # fmt: skip


def _lead_rows(leads: Any) -> Any:
    for lead in leads.select_related("site_type").prefetch_related(
        "assignments__partner__organization"
    ):
        yield [
            lead.pk, lead.created_at, lead.products, str(lead.site_type or ""), lead.budget,
            lead.timeline, lead.prefecture, lead.routing, lead.contact_name, lead.contact_email,
            lead.contact_phone, lead.message,
            " / ".join(f"{a.partner.organization.name}: {a.status}"
                       for a in lead.assignments.all()),
        ]  # fmt: skip


@login_required
def staff_leads(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    status = request.GET.get("status", "")
    all_leads = selectors.leads_visible_to(request.user)
    if status in AssignmentStatus.values:
        all_leads = all_leads.filter(assignments__status=status).distinct()
    if requested_format(request):
        return export_response(
            request, filename="leads", header=LEAD_COLUMNS, rows=_lead_rows(all_leads)
        )
    return render(
        request,
        "directory/staff_leads.html",
        {"leads": all_leads[:200], "statuses": AssignmentStatus.choices, "status": status},
    )


@login_required
def staff_reviews(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "directory/staff_reviews.html",
        {"reviews": selectors.recent_reviews_for_moderation()[:200], "form": HideForm()},
    )


@login_required
@require_POST
def staff_review_hide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    review = get_object_or_404(Review, pk=pk)
    form = HideForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_hide(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            ),
        )
        is not None
    ):
        messages.success(request, _("The review is hidden."))
    else:
        messages.error(request, _("Give the reason for hiding the review."))
    return redirect("directory:staff_reviews")
