"""Every public event becomes one delivery per matching webhook endpoint."""

from kizuna.core import catalog
from kizuna.core.consumers import consumer
from kizuna.core.models import OutboxEvent
from kizuna.integrations.services import webhook_deliveries_create


@consumer("integrations.webhooks", event_types={t.name for t in catalog.public_types()})
def fan_out_to_webhooks(event: OutboxEvent) -> None:
    webhook_deliveries_create(event=event)
