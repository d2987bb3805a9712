from typing import Any

from django import template

from kizuna.insights.models import Level, MemberLevel

register = template.Library()


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key)


@register.inclusion_tag("insights/_level_pill.html")
def engagement_level(member: Any) -> dict[str, Any]:
    level = MemberLevel.objects.filter(member_id=member.pk).values_list("level", flat=True).first()
    return {"level": level, "label": Level(level).label if level else None}
