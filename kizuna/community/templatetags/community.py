from typing import Any

from django import template

from kizuna.community import selectors
from kizuna.community.models import Level

register = template.Library()


@register.inclusion_tag("community/_level_pill.html")
def engagement_level(member: Any) -> dict[str, Any]:
    level = selectors.member_level(member.pk)
    return {"level": level, "label": Level(level).label if level else None}
