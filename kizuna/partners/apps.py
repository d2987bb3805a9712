from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "kizuna.partners"
    label = "partners"
    verbose_name = _("Partner program")

    def ready(self) -> None:
        from kizuna.partners import importers  # noqa: F401 - registers the import job
