"""Responses that carry someone's private data: invoices, evidence, exports."""

from typing import TypeVar

from django.http import HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)

# No shared cache (proxy, CDN) may keep it, and the browser keeps no copy on disk.
PRIVATE_CACHE_CONTROL = "private, no-store"


def private(response: R) -> R:
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response
