from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "kizuna.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from kizuna.accounts.permissions import SCOPES

        SCOPES.update({"insights:read": _("Read community KPIs (staff; partners: their own)")})
