"""Survey pages for staff: list and trend, one survey's results, sending links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kizuna.community.models import Attendance, AttendanceStatus, Level, Member
from kizuna.core.charts import chart
from kizuna.insights import selectors, services
from kizuna.insights.exports import csv_response, wants_csv
from kizuna.insights.forms import SurveyForm
from kizuna.insights.metrics import UNIT_SUFFIXES
from kizuna.insights.models import Survey
from kizuna.insights.permissions import InsightsAction
from kizuna.insights.views.common import filters, require, tokyo_today


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    require(request, InsightsAction.MANAGE_SURVEYS)
    form = SurveyForm(request.POST or None, initial={"period_day": tokyo_today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = services.survey_create(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            question=data["question"],
            period_day=data["period_day"],
            free_text_questions=data["free_text_questions"].splitlines(),
        )
        return redirect("insights:survey_detail", survey_id=survey.pk)
    period_form, selection, _where = filters(request)
    scores = selectors.survey_kpis_by_period(selection.interval, selection.starts)
    return render(
        request,
        "insights/survey_list.html",
        {
            "form": form,
            "period_form": period_form,
            "selection": selection,
            "surveys": [
                (s, selectors.survey_results(s))
                for s in Survey.objects.select_related("event")[:100]
            ],
            # NPS runs from -100 to 100 and CES from 1 to 7: one axis each.
            "chart": chart(
                "survey-chart",
                selection.starts,
                [
                    (_("NPS"), [scores[start]["nps"] for start in selection.starts]),
                    (_("CES"), [scores[start]["ces"] for start in selection.starts]),
                ],
                "dual",
                partial=selection.partial,
                axes=[
                    f"{_('NPS')} ({UNIT_SUFFIXES['points']})",
                    f"{_('CES')} ({UNIT_SUFFIXES['of_seven']})",
                ],
            ),
        },
    )


@login_required
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    require(request, InsightsAction.MANAGE_SURVEYS)
    survey = get_object_or_404(Survey.objects.select_related("event"), pk=survey_id)
    answers = survey.responses.prefetch_related("answers__question").order_by("-created_at")
    if wants_csv(request):
        return csv_response(
            request,
            f"survey-{survey.pk}",
            [
                pgettext("survey response", "Answered"),
                _("Score"),
                *(q.text for q in survey.questions.all()),
            ],
            (
                [
                    r.created_at,
                    r.score,
                    *(
                        {a.question_id: a.text for a in r.answers.all()}.get(q.pk, "")
                        for q in survey.questions.all()
                    ),
                ]
                for r in answers
            ),
        )
    results = selectors.survey_results(survey)
    return render(
        request,
        "insights/survey_detail.html",
        {
            "survey": survey,
            "results": results,
            "answers": answers[:200],
            "chart": chart(
                "survey-distribution",
                [value for value, _n in results["distribution"]],
                [(_("Answers"), [n for _v, n in results["distribution"]])],
                "bar",
            ),
            "level_choices": Level.choices,
        },
    )


@login_required
@require_POST
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    require(request, InsightsAction.MANAGE_SURVEYS)
    survey = get_object_or_404(Survey, pk=survey_id)
    members = _invitees(survey, request.POST.get("audience", ""))
    created = services.survey_invite(actor=request.user, survey=survey, members=members)
    sent = services.survey_send_invitations(survey=survey, base_url=request.build_absolute_uri("/"))
    messages.success(
        request,
        _("%(created)s new links, %(sent)s emails sent.") % {"created": created, "sent": sent},
    )
    return redirect("insights:survey_detail", survey_id=survey.pk)


def _invitees(survey: Survey, audience: str) -> list[Member]:
    counted = Member.objects.filter(
        is_bot=False, is_staff=False, merged_into__isnull=True, erased_at__isnull=True
    )
    if audience == "attendees" and survey.event_id:
        return list(
            counted.filter(
                attendances__in=Attendance.objects.filter(
                    event_id=survey.event_id, status=AttendanceStatus.ATTENDED
                )
            )
        )
    if audience.isdigit():
        return list(counted.filter(engagement__level=int(audience)))
    return []
