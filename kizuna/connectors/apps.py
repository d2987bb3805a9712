from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "kizuna.connectors"
    label = "connectors"
    verbose_name = _("Connectors")

    def ready(self) -> None:
        from kizuna.connectors import importers  # noqa: F401 - registers the import jobs
