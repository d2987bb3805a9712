from django.contrib import admin
from django.http import HttpRequest

from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
    DestinationRun,
)
from kizuna.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    list_display = ["url", "organization", "enabled", "disabled_reason", "failing_since"]
    list_filter = ["enabled", "disabled_reason"]
    search_fields = ["url", "description"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["created_by", "disabled_at", "failing_since", "previous_secret_until"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in WebhookAttempt._meta.fields]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedAdmin):
    list_display = ["webhook_id", "endpoint", "event_type", "status", "attempt_count", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["webhook_id"]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: WebhookDelivery | None = None
    ) -> bool:
        return False


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    """Each try of a delivery, as it happened."""


# Destinations are configured on their staff page (settings checked, credentials
# encrypted, audited); records, rejections and runs are what syncs wrote.
admin.site.register(
    [Destination, DestinationRecord, DestinationRejection, DestinationRun], ReadOnlyAdmin
)
