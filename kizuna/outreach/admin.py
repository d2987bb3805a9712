from django.contrib import admin

from kizuna.core.admin import ReadOnlyAdmin
from kizuna.outreach.campaign_models import Audience, Campaign, CampaignRecipient
from kizuna.outreach.inbox_models import (
    ChannelIdentity,
    HookEvent,
    HookRejection,
    InboxMessage,
    InboxThread,
)
from kizuna.outreach.models import Consent, Delivery, Suppression


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


# Campaigns go through their pages (four eyes: an admin edit would bypass approval).
admin.site.register([Audience, Campaign, CampaignRecipient], ReadOnlyAdmin)


# What the platforms' hooks and the inbox recorded.
admin.site.register(
    [
        ChannelIdentity,
        InboxThread,
        InboxMessage,
        HookEvent,
        HookRejection,
    ],
    ReadOnlyAdmin,
)
