from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kizuna.outreach.models import Consent, Delivery, Suppression


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: the admin shows them, changes go through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "address", "purpose", "topic", "state", "attempts"]
    list_filter = ["state", "channel", "purpose", "topic"]
    search_fields = ["address", "idempotency_key", "subject"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["at", "recipient_key", "channel", "topic", "granted", "method", "source"]
    list_filter = ["channel", "topic", "granted", "method"]
    search_fields = ["recipient_key"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["at", "channel", "reason", "source"]
    list_filter = ["channel", "reason"]
