"""Insights are computed: rollups, KPI values and the rebuild's bookkeeping are read-only here.

KPI targets and surveys have their own staff pages (which audit); the admin shows them for
support.
"""

from django.contrib import admin

from kizuna.core.admin import ReadOnlyAdmin
from kizuna.insights.models import (
    DigestSend,
    DirtyDay,
    DirtyFiguresDay,
    DirtyMember,
    FillState,
    HashtagPost,
    KpiTarget,
    KpiValue,
    MemberFirst,
    MemberPeriod,
    QuestionResponse,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)


@admin.register(
    FillState, DirtyDay, DirtyFiguresDay, DirtyMember, MemberPeriod, MemberFirst, HashtagPost
)
class RollupAdmin(ReadOnlyAdmin):
    """Rollups and their watermarks: rebuilt from activities by rebuild_insights."""


@admin.register(KpiValue)
class KpiValueAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(KpiTarget)
class KpiTargetAdmin(ReadOnlyAdmin):
    """Targets are set on the KPI pages (kpi_target_set), which audit."""


@admin.register(
    Survey, SurveyQuestion, SurveyInvitation, SurveyResponse, SurveyAnswer, QuestionResponse
)
class SurveyRecordAdmin(ReadOnlyAdmin):
    """Surveys are run from their pages; answers are what people said, never edited."""


@admin.register(DigestSend)
class DigestSendAdmin(ReadOnlyAdmin):
    """Which digests went out, so none is sent twice."""
