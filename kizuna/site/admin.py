"""The admin wears the ecosystem's name, in the reader's language."""

from django.conf import settings
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

admin.site.site_header = format_lazy(_("{name} admin"), name=settings.KIZUNA_ECOSYSTEM_NAME)
admin.site.site_title = settings.KIZUNA_ECOSYSTEM_NAME
admin.site.index_title = settings.KIZUNA_ECOSYSTEM_NAME
