"""Event types of insights (see kizuna.core.catalog)."""

from kizuna.core.catalog import EventPayload, declare


class SurveyAnswered(EventPayload):
    survey_id: int


# Answers are anonymous to integrations; only staff read them, in the app.
declare("survey.answered", schema=SurveyAnswered)
