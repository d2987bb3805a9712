from django import template

from kizuna.core.money import format_yen

register = template.Library()


@register.filter
def yen(amount: int | None) -> str:
    return "" if amount is None else format_yen(int(amount))
