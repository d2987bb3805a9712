from django.utils.translation import gettext_lazy as _

from kizuna.insights.permissions import InsightsAction, can_insights
from kizuna.site.navigation import Section, nav_link

nav_link(
    _("Insights"),
    "insights:overview",
    section=Section.COMMUNITY,
    visible=lambda user: can_insights(user, InsightsAction.VIEW_DASHBOARDS),
)
nav_link(
    _("Surveys"),
    "insights:survey_list",
    section=Section.COMMUNITY,
    visible=lambda user: can_insights(user, InsightsAction.MANAGE_SURVEYS),
)
nav_link(
    _("Our contribution"),
    "insights:partner_contribution",
    section=Section.PARTNER_PROGRAM,
    visible=lambda user: (
        not can_insights(user, InsightsAction.VIEW_DASHBOARDS)
        and can_insights(user, InsightsAction.VIEW_OWN_CONTRIBUTION)
    ),
)
