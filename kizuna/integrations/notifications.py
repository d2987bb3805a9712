"""Messages to people about their endpoints: outreach deliveries, like every message."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.integrations.models import WebhookEndpoint
from kizuna.outreach.models import Topic
from kizuna.outreach.services import Content, email_enqueue


def endpoint_disabled(*, endpoint_id: int, disabled_at: datetime) -> None:
    """Queue an email to the endpoint's owner that it was disabled, and why; once per disabling."""
    endpoint = WebhookEndpoint.objects.select_related("notify_user").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.notify_user is None:
        return
    language = endpoint.notify_user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        content = Content(
            subject=_("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url},
            text=_(
                "Kizuna stopped sending events to %(url)s: %(reason)s.\n"
                "See its delivery log, fix the receiver, enable the endpoint again and replay "
                "what it missed: %(link)s"
            )
            % {
                "url": endpoint.url,
                "reason": endpoint.get_disabled_reason_display(),
                "link": settings.SITE_URL
                + reverse("integrations:endpoint_detail", args=[endpoint.pk]),
            },
        )
    email_enqueue(
        to=endpoint.notify_user.email,
        topic=Topic.NOTICES,
        idempotency_key=f"integrations.endpoint_disabled:{endpoint.pk}:{disabled_at.isoformat()}",
        content=content,
        language=language,
    )
