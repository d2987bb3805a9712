from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "kizuna.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from kizuna.outreach import navigation, tasks  # noqa: F401 - registers nav and jobs
        from kizuna.outreach.channels import registry

        registry.discover()
