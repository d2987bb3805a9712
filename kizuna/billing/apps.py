from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "kizuna.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from kizuna.billing import (  # noqa: F401 - the retention guard, the import job
            importers,
            signals,
        )
