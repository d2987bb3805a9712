from typing import Any

from django import template
from django.utils.translation import get_language

from kizuna.partners.models import PartnerProfile, Rank

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def rank_label(value: str) -> str:
    return str(Rank(value).label) if value in Rank.values else value


@register.filter
def summary_in_language(partner: PartnerProfile) -> str:
    english = (get_language() or "ja").startswith("en")
    return partner.summary_en if english and partner.summary_en else partner.summary


@register.filter
def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)
