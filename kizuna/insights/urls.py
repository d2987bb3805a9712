from django.urls import path

from kizuna.insights import public
from kizuna.insights.views import dashboards, partners, surveys

app_name = "insights"

urlpatterns = [
    path("", dashboards.overview, name="overview"),
    path("targets/", dashboards.target_set, name="target_set"),
    path("events/", dashboards.events, name="events"),
    path("journey/", dashboards.journey, name="journey"),
    path("outputs/", dashboards.outputs, name="outputs"),
    path("glossary/", dashboards.glossary, name="glossary"),
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/invite/", surveys.survey_invite, name="survey_invite"),
    path("contribution/", partners.partner_contribution, name="partner_contribution"),
    path("s/<str:token>/", public.survey_answer, name="survey_answer"),
]
