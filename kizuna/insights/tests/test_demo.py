import pytest
from django.core.management import call_command

from kizuna.community.models import Activity
from kizuna.insights.models import KpiValue, QuestionResponse

pytestmark = pytest.mark.django_db


def test_the_demo_answers_questions_so_time_to_first_response_has_figures():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-01", verbosity=0)
    answers = Activity.objects.filter(type_id__in=["answer", "comment"])
    assert answers.exclude(reply_to_external_id="").count() > answers.count() / 2
    assert QuestionResponse.objects.filter(first_response_at__isnull=False).exists()
    assert QuestionResponse.objects.filter(first_response_at__isnull=True).exists()
    assert KpiValue.objects.filter(metric="first_response_hours", value__gt=0).exists()
