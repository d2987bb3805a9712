"""Who may see insights: the one place that decides.

Staff with MANAGE_COMMUNITY (and admins) see every dashboard, set targets and run surveys.
A partner sees only its own organization's contribution figures. Nobody else sees any.
Tested as a persona x action matrix in tests/test_permissions.py.
"""

from enum import StrEnum
from typing import Any

from kizuna.accounts.models import Organization
from kizuna.accounts.permissions import Action, can


class InsightsAction(StrEnum):
    VIEW_DASHBOARDS = "view_dashboards"
    SET_TARGETS = "set_targets"
    MANAGE_SURVEYS = "manage_surveys"
    VIEW_OWN_CONTRIBUTION = "view_own_contribution"


def can_insights(
    user: Any, action: InsightsAction, organization: Organization | None = None
) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if can(user, Action.MANAGE_COMMUNITY):
        return True
    if action == InsightsAction.VIEW_OWN_CONTRIBUTION:
        if organization is None:
            return user.memberships.exists()
        return user.memberships.filter(organization=organization).exists()
    return False


def own_organizations(user: Any) -> list[Organization]:
    return list(Organization.objects.filter(memberships__user=user).order_by("name"))
