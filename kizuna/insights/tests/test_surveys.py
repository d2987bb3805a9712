"""Surveys: scoring with confidence intervals, single-use tokens, sending each link once."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kizuna.community.models import Identity
from kizuna.insights import scoring, services
from kizuna.insights.models import SurveyInvitation
from kizuna.insights.tests.factories import member
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db


def test_nps_is_promoters_minus_detractors():
    score = scoring.nps([10, 9, 8, 7, 6, 0])
    assert score.value == 0.0  # 2 promoters, 2 detractors of 6
    assert score.low is not None
    assert score.high is not None
    assert score.low < 0 < score.high
    assert scoring.nps([10, 10, 9]).value == 100.0


def test_ces_is_the_mean_with_an_interval():
    score = scoring.ces([5, 6, 7])
    assert score.value == 6.0
    assert score.low == pytest.approx(4.9, abs=0.1)
    assert scoring.ces([]).value is None


@pytest.fixture
def survey(alice):
    return services.survey_create(
        actor=alice,
        kind="nps",
        title="Meetup survey",
        question="Recommend us?",
        period_day=date(2026, 6, 1),
        free_text_questions=["What should we improve?"],
    )


def test_a_token_takes_one_answer(survey, alice):
    services.survey_invite(actor=alice, survey=survey, members=[member()])
    invitation = SurveyInvitation.objects.get()
    question = survey.questions.get()
    services.survey_answer(token=invitation.token, score=9, free_text={question.pk: "More LTs"})
    with pytest.raises(ValidationError) as error:
        services.survey_answer(token=invitation.token, score=3)
    assert error.value.code == "used"
    assert survey.responses.get().answers.get().text == "More LTs"


def test_a_score_out_of_range_is_refused(survey, alice):
    services.survey_invite(actor=alice, survey=survey, members=[member()])
    with pytest.raises(ValidationError):
        services.survey_answer(token=SurveyInvitation.objects.get().token, score=11)


def test_links_are_emailed_once(survey, alice):
    person = member()
    Identity.objects.create(member=person, platform="connpass", handle="p", email="p@example.jp")
    services.survey_invite(actor=alice, survey=survey, members=[person, member(is_bot=True)])
    services.survey_invite(actor=alice, survey=survey, members=[person])
    assert services.survey_send_invitations(survey=survey, base_url="https://kizuna.test") == 1
    assert services.survey_send_invitations(survey=survey, base_url="https://kizuna.test") == 0
    assert len(sent_mail()) == 1
    assert "/insights/s/" in sent_mail()[0].body


def test_the_public_form_answers_without_signing_in(client, survey, alice):
    services.survey_invite(actor=alice, survey=survey, members=[member()])
    token = SurveyInvitation.objects.get().token
    page = client.get(f"/insights/s/{token}/")
    assert page.status_code == 200
    assert client.post(f"/insights/s/{token}/", {"score": "10"}).status_code == 200
    again = client.get(f"/insights/s/{token}/")
    assert "使用済み" in again.content.decode()
    assert client.get("/insights/s/not-a-token/").status_code == 404


def test_the_public_form_is_rate_limited(client, survey, alice, settings):
    settings.KIZUNA_INSIGHTS_SURVEY_ANSWERS_PER_MINUTE = 2
    responses = [client.post("/insights/s/guess/", {"score": "1"}) for _ in range(3)]
    assert responses[-1].status_code == 429
    assert responses[-1]["Retry-After"] == "30"


def test_the_public_form_requires_csrf(survey, alice):
    from django.test import Client

    services.survey_invite(actor=alice, survey=survey, members=[member()])
    token = SurveyInvitation.objects.get().token
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/insights/s/{token}/", {"score": "10"}).status_code == 403


def test_survey_scores_land_in_the_period_of_the_surveys_date(alice):
    from kizuna.insights.selectors import overview

    for day, scores in ((date(2026, 6, 1), [10, 10]), (date(2026, 8, 30), [0, 10])):
        survey = services.survey_create(
            actor=alice, kind="nps", title=str(day), question="Recommend us?", period_day=day
        )
        people = [member() for _ in scores]
        services.survey_invite(actor=alice, survey=survey, members=people)
        for invitation, score in zip(
            SurveyInvitation.objects.filter(survey=survey), scores, strict=True
        ):
            services.survey_answer(token=invitation.token, score=score, free_text={})
    cards = {
        card.key: card for card in overview(interval="month", periods=4, today=date(2026, 9, 5))
    }
    assert cards["nps"].series == [
        (date(2026, 6, 1), 100.0),
        (date(2026, 7, 1), None),
        (date(2026, 8, 1), 0.0),
        (date(2026, 9, 1), None),
    ]
