from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "kizuna.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from kizuna.accounts.permissions import SCOPES

        # Token scopes live in accounts; each app registers the ones its endpoints name.
        SCOPES.update(
            {
                "community:read": _("Read community members, events and activities"),
                "community:write": _("Create and import community activities and events"),
            }
        )
