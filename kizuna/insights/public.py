"""The public survey answer form: a personal token instead of a sign-in.

CSRF-protected like every form, and rate-limited per client address, so tokens cannot be
guessed by brute force and one person cannot flood the form.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kizuna.core import ratelimit
from kizuna.core.request_context import client_ip
from kizuna.insights import services
from kizuna.insights.forms import AnswerForm
from kizuna.insights.models import SurveyInvitation
from kizuna.insights.services import SCORE_RANGES
from kizuna.insights.settings import insights_setting


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        decision = _consume(request)
        if not decision.allowed:
            page = render(request, "insights/survey_answer.html", {"limited": True})
            return ratelimit.refused(page, decision)
    invitation = SurveyInvitation.objects.select_related("survey").filter(token=token).first()
    if invitation is None:
        raise Http404
    survey = invitation.survey
    low, high = SCORE_RANGES[survey.kind]  # type: ignore[index]
    context = {
        "survey": survey,
        "scores": range(low, high + 1),
        "questions": survey.questions.all(),
        "used": invitation.answered_at is not None,
    }
    if request.method == "POST" and not context["used"]:
        form = AnswerForm(request.POST)
        if form.is_valid():
            free_text = {
                question.pk: request.POST.get(f"question-{question.pk}", "")
                for question in survey.questions.all()
            }
            try:
                services.survey_answer(
                    token=token, score=form.cleaned_data["score"], free_text=free_text
                )
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
            else:
                return render(request, "insights/survey_thanks.html", {"survey": survey})
        else:
            context["error"] = _("Choose a score.")
    return render(request, "insights/survey_answer.html", context)


def _consume(request: HttpRequest) -> ratelimit.Decision:
    per_minute = insights_setting("SURVEY_ANSWERS_PER_MINUTE")
    limit = ratelimit.Limit(per_minute, 60)
    return ratelimit.consume(f"survey-answer:{client_ip(request)}", limit)
