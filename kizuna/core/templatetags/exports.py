"""`{% export_links %}`: the CSV / Shift_JIS CSV / XLSX downloads of the list on the page."""

from typing import Any

from django import template

from kizuna.core.exports import export_links as links_of

register = template.Library()


@register.inclusion_tag("core/_export_links.html", takes_context=True)
def export_links(context: Any) -> dict[str, Any]:
    return {"links": links_of(context["request"])}
