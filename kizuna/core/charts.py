"""Charts on pages: plotly.js from the plotly package, drawn by static/core/charts.js.

A view builds a chart's data with `chart(...)`; the template embeds it with
`{% include "core/_chart.html" %}` (json_script) next to an element of the same id, and
loads `core/_charts_head.html`. No inline script, so the strict CSP holds.
"""

from datetime import date
from pathlib import Path
from typing import Any

import plotly
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.cache import cache_control

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# The unit after a count of things (件), on value axes and in hover labels.
COUNT_UNIT = pgettext_lazy("unit after a count", "items")

# What charts.js draws: see its header for what each kind looks like.
KINDS = {"spark", "line", "bar", "stack", "relative", "hbar", "dual"}


def chart(
    chart_id: str,
    x: list[Any],
    series: list[tuple[Any, list[Any]]],
    kind: str,
    *,
    unit: Any = "",
    partial: date | None = None,
    axes: list[Any] | None = None,
) -> dict:
    """What charts.js draws. `partial`: the x value of a period still in progress, drawn
    apart and labelled; `axes`: a title per series for a second y axis (dual charts)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown chart kind {kind!r}")
    return {
        "id": chart_id,
        "kind": kind,
        "x": [str(value) for value in x],
        "series": [{"name": str(name), "y": values} for name, values in series],
        "unit": str(unit),
        "partial": str(partial) if partial in x else "",
        "partial_label": pgettext("period still in progress", "partial"),
        "axes": [str(axis) for axis in axes or []],
    }


@cache_control(max_age=86400, public=True)
def plotly_js(request: HttpRequest) -> FileResponse:
    """The plotly.js shipped in the plotly package, served by us: no CDN, no copy in the repo."""
    if not PLOTLY_JS.exists():
        raise Http404
    return FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript")
