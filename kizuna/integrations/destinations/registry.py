"""Every destination Kizuna can write to, by kind. A new one is a folder and a line here."""

from kizuna.integrations.destinations.base import Destination
from kizuna.integrations.destinations.bi import BIExport
from kizuna.integrations.destinations.freee import Freee
from kizuna.integrations.destinations.hubspot import HubSpot
from kizuna.integrations.destinations.salesforce import SalesforceDestination

DESTINATIONS: dict[str, Destination] = {
    plugin.kind: plugin for plugin in [HubSpot(), SalesforceDestination(), Freee(), BIExport()]
}


def plugin_for(kind: str) -> Destination:
    return DESTINATIONS[kind]


def kind_choices() -> list[tuple[str, str]]:
    return [(plugin.kind, plugin.label) for plugin in DESTINATIONS.values()]
