from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kizuna.core"
    label = "core"
    verbose_name = _("Audit and events")

    def ready(self) -> None:
        # Event types, periodic jobs and event consumers register themselves when imported;
        # types first, so a consumer module may refer to them.
        autodiscover_modules("events")
        autodiscover_modules("tasks")
        autodiscover_modules("consumers")
        autodiscover_modules("navigation")
