from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoriesConfig(AppConfig):
    name = "kizuna.advisories"
    label = "advisories"
    verbose_name = _("Security advisories")

    def ready(self) -> None:
        from kizuna.advisories import importers  # noqa: F401 - registers the import job
