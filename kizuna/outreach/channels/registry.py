"""The channels Kizuna can send on: every folder of `outreach/channels/` with a transport."""

import importlib
import pkgutil

from kizuna.outreach.channels.base import Channel

_channels: dict[str, Channel] = {}


def discover() -> None:
    import kizuna.outreach.channels as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.ispkg:
            transport = importlib.import_module(f"{package.__name__}.{module.name}.transport")
            register(transport.CHANNEL)


def register(channel: Channel) -> None:
    _channels[channel.name] = channel


def get(name: str) -> Channel:
    return _channels[name]


def names() -> list[str]:
    return sorted(_channels)


def choices() -> list[tuple[str, str]]:
    return [(name, str(_channels[name].label)) for name in names()]
