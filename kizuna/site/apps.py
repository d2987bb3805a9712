from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The shell around every app's pages: base layout, navigation, home pages per role.

    It sits above the apps (it may import them); `kizuna.core` sits below and imports none.
    The label is not "site" so it never reads as django.contrib.sites.
    """

    name = "kizuna.site"
    label = "kizuna_site"
    verbose_name = _("Site")

    def ready(self) -> None:
        # Each app lists its links in its own navigation.py, registered when imported.
        autodiscover_modules("navigation")
