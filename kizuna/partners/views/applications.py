"""Applying to the partner program (public), the applicant's status page (signed link),
the staff's review of applications, and a partner leaving the program."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kizuna.billing import selectors as billing_selectors
from kizuna.billing.views import preview_context
from kizuna.core import ratelimit
from kizuna.core.forms import call_service
from kizuna.core.request_context import client_ip
from kizuna.partners.forms import (
    ApplicationAnswerForm,
    ApplicationDecisionForm,
    ApplicationForm,
    ProgramExitForm,
)
from kizuna.partners.models import ApplicationStatus, PartnerApplication, ProgramExit
from kizuna.partners.permissions import PartnerAction
from kizuna.partners.services import applications, exits
from kizuna.partners.views.access import own_partner, require

FIELDS = [
    "company_name",
    "company_kana",
    "registration_number",
    "head_office_prefecture",
    "website",
    "contact_name",
    "contact_email",
    "monthly_fee",
    "cycle",
    "message",
    "terms_accepted",
]


def _refusal(request: HttpRequest, email: str) -> ratelimit.Decision | None:
    """The refusal if this address or this email applied too often lately, else None."""
    for key, limit in (
        (
            f"partner-application:ip:{client_ip(request)}",
            ratelimit.Limit(settings.KIZUNA_APPLICATIONS_PER_HOUR_PER_IP, 3600),
        ),
        (
            f"partner-application:email:{email.strip().lower()}",
            ratelimit.Limit(settings.KIZUNA_APPLICATIONS_PER_DAY_PER_EMAIL, 86400),
        ),
    ):
        decision = ratelimit.consume(key, limit)
        if not decision.allowed:
            return decision
    return None


def apply(request: HttpRequest) -> HttpResponse:
    today = billing_selectors.today()
    bounds = billing_selectors.fee_bounds(None, today)
    initial = {"monthly_fee": bounds["minimum"], "cycle": "monthly"}
    form = ApplicationForm(request.POST or None, initial=initial, **bounds)
    refusal = None
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return render(request, "partners/application_sent.html")
        refusal = _refusal(request, form.cleaned_data["contact_email"])
        if refusal is not None:
            form.add_error(
                None,
                _("Too many applications from you lately. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, refusal.retry_after_s // 60)},
            )
        else:
            data = form.cleaned_data
            application = call_service(
                form,
                lambda: applications.application_submit(
                    **{name: data[name] for name in FIELDS},
                    focus_badges=[*data["work_badges"], *data["site_badges"]],
                    language=(get_language() or "ja")[:2],
                    today=today,
                ),
            )
            if application is not None:
                messages.success(
                    request,
                    _("Thank you. Your application was sent; we emailed you this page's link."),
                )
                return redirect(
                    "partners:application_status", applications.status_token(application)
                )
    preview_data = request.POST if request.method == "POST" else initial
    response = render(
        request,
        "partners/apply.html",
        {"form": form, **bounds, **preview_context(None, preview_data)},
    )
    return response if refusal is None else ratelimit.refused(response, refusal)


def application_status(request: HttpRequest, token: str) -> HttpResponse:
    application = applications.application_from_token(token)
    if application is None:
        raise Http404
    answer_form = ApplicationAnswerForm(
        request.POST if request.POST.get("action") == "answer" else None
    )
    if request.method == "POST":
        done = None
        if request.POST.get("action") == "withdraw":
            done = call_service(
                answer_form, lambda: applications.application_withdraw(application=application)
            )
            notice = _("Your application was withdrawn.")
        elif answer_form.is_valid():
            answer = answer_form.cleaned_data["answer"]
            done = call_service(
                answer_form,
                lambda: applications.application_answer(application=application, answer=answer),
            )
            notice = _("Thank you. Your answer was sent to the staff.")
        if done is not None:
            messages.success(request, notice)
            return redirect("partners:application_status", token)
    return render(
        request,
        "partners/application_status.html",
        {
            "application": application,
            "steps": application.steps.all(),
            "focus": application.focus_badges.all(),
            "answer_form": answer_form,
            "is_open": application.status in applications.OPEN,
        },
    )


# Staff


@login_required
def staff_applications(request: HttpRequest) -> HttpResponse:
    require(request, PartnerAction.REVIEW_APPLICATIONS)
    state = request.GET.get("state", ApplicationStatus.SUBMITTED)
    rows = PartnerApplication.objects.all()
    if state in ApplicationStatus.values:
        rows = rows.filter(status=state)
    else:
        state = ""
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/staff_applications.html",
        {"page": page, "state": state, "states": ApplicationStatus.choices},
    )


@login_required
def staff_application(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, PartnerAction.REVIEW_APPLICATIONS)
    application = get_object_or_404(PartnerApplication, pk=pk)
    form = ApplicationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, text = form.cleaned_data["decision"], form.cleaned_data["text"]
        if decision == "approve":
            done = call_service(
                form,
                lambda: applications.application_approve(
                    actor=request.user, application=application, today=billing_selectors.today()
                ),
            )
        elif decision == "reject":
            done = call_service(
                form,
                lambda: applications.application_reject(
                    actor=request.user, application=application, reason=text
                ),
            )
        elif not text.strip():
            form.add_error("text", _("Write the question for the applicant."))
            done = None
        else:
            done = call_service(
                form,
                lambda: applications.application_request_info(
                    actor=request.user, application=application, question=text
                ),
            )
        if done is not None:
            messages.success(request, _("The decision was saved and the applicant was emailed."))
            return redirect("partners:staff_application", pk)
    return render(
        request,
        "partners/staff_application.html",
        {
            "application": application,
            "steps": application.steps.select_related("actor"),
            "focus": application.focus_badges.all(),
            "form": form,
            "is_open": application.status in applications.OPEN,
        },
    )


# Leaving the program


@login_required
def program_leave(request: HttpRequest) -> HttpResponse:
    partner = own_partner(request)
    require(request, PartnerAction.LEAVE_PROGRAM, partner)
    existing = ProgramExit.objects.filter(partner=partner).first()
    form = ProgramExitForm(request.POST or None)
    if existing is None and request.method == "POST" and form.is_valid():
        program_exit = call_service(
            form,
            lambda: exits.program_exit_request(
                actor=request.user,
                partner=partner,
                reason=form.cleaned_data["reason"],
                today=billing_selectors.today(),
            ),
        )
        if program_exit is not None:
            messages.success(
                request,
                _("Your request was received. Your last day in the program is %(date)s.")
                % {"date": f"{program_exit.leaves_on:%Y-%m-%d}"},
            )
            return redirect("partners:program_leave")
    return render(
        request,
        "partners/program_leave.html",
        {
            "partner": partner,
            "existing": existing,
            "form": form,
            "leaves_on": exits.exit_date(billing_selectors.today()),
            "notice_days": settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS,
        },
    )
