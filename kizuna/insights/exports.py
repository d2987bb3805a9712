"""Downloads of the dashboard tables, through core's formula-safe export helper.

`?format=csv` (UTF-8 with BOM, so Excel in Japan opens it right; `&encoding=shift_jis` for
older tools) or `?format=xlsx`.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from kizuna.core.exports import export_response, requested_format
from kizuna.insights.metrics import Metric

# Units whose figures are whole numbers (stored as floats among the others).
WHOLE_UNITS = ("count", "people")


def figure(value: float | None, unit: str) -> float | int | None:
    """A KPI value as a download cell: counts as integers, the rest as they are."""
    if value is not None and unit in WHOLE_UNITS:
        return round(value)
    return value


def with_unit(metric: Metric) -> str:
    """A column header naming its unit: "Retention (%)"."""
    return f"{metric.label} ({metric.unit_suffix})"


def wants_csv(request: HttpRequest) -> bool:
    return requested_format(request) is not None


def csv_response(
    request: HttpRequest, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    return export_response(request, filename=filename, header=header, rows=rows)
