"""System checks of core settings (`manage.py check`, `check --deploy`)."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security)
def ssrf_allowed_networks_are_cidrs(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for cidr in settings.KIZUNA_SSRF_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"KIZUNA_SSRF_ALLOWED_NETWORKS: {cidr!r} is not a network (CIDR).",
                    id="kizuna.E001",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def ssrf_allowed_networks_empty_in_production(
    app_configs: Any, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.KIZUNA_SSRF_ALLOWED_NETWORKS:
        return []
    return [
        Warning(
            "KIZUNA_SSRF_ALLOWED_NETWORKS is set: Kizuna may fetch URLs on "
            f"{', '.join(settings.KIZUNA_SSRF_ALLOWED_NETWORKS)}, which the SSRF guard "
            "otherwise refuses.",
            hint="Leave it empty in production; it is meant for tests and benchmarks.",
            id="kizuna.W001",
        )
    ]
