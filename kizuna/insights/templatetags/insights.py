from typing import Any

from django import template

from kizuna.insights.metrics import UNIT_SUFFIXES

register = template.Library()


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key)


@register.filter
def unit_suffix(unit: str) -> Any:
    return UNIT_SUFFIXES.get(unit, "")
