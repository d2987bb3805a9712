"""Messages to people about their endpoints (moves onto outreach deliveries later)."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.integrations.models import WebhookEndpoint


def endpoint_disabled(*, endpoint_id: int) -> None:
    """Email the endpoint's owner that it was disabled, and why."""
    endpoint = WebhookEndpoint.objects.select_related("notify_user").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.notify_user is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url},
            message=_(
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
            from_email=None,
            recipient_list=[endpoint.notify_user.email],
        )
