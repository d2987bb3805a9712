from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "kizuna.core"
    label = "core"
    verbose_name = "Kizuna core"

    def ready(self) -> None:
        # Periodic jobs register themselves when each app's tasks module is imported.
        autodiscover_modules("tasks")
