"""CSV downloads of the dashboard tables (UTF-8 with BOM, so Excel in Japan opens them right)."""

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from kizuna.core.responses import private


def wants_csv(request: Any) -> bool:
    return request.GET.get("format") == "csv"


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    private(response)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return response
