from django.urls import path

from kizuna.insights import public, views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("targets/", views.target_set, name="target_set"),
    path("events/", views.events, name="events"),
    path("journey/", views.journey, name="journey"),
    path("outputs/", views.outputs, name="outputs"),
    path("glossary/", views.glossary, name="glossary"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/invite/", views.survey_invite, name="survey_invite"),
    path("contribution/", views.partner_contribution, name="partner_contribution"),
    path("plotly.min.js", views.plotly_js, name="plotly_js"),
    path("s/<str:token>/", public.survey_answer, name="survey_answer"),
]
