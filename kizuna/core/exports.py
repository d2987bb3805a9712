"""Every CSV and spreadsheet Kizuna hands out is written here, safe to open.

- A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as
  a formula by Excel, LibreOffice or Google Sheets (CSV injection, OWASP): it gets a leading
  apostrophe, which the spreadsheet shows as text. Numbers are written as numbers (a
  negative amount stays -500, not '-500).
- CSV is UTF-8 with a byte-order mark (Excel in Japan opens it right), or Shift_JIS (cp932,
  what older Japanese tools read) on request, where a character that encoding lacks
  becomes 〓 (geta, the customary mark for a missing glyph) instead of an error.
- XLSX is written by openpyxl in write-only mode; characters XML cannot carry (control
  characters) are dropped.

Views answer `?format=csv` / `?format=csv&encoding=shift_jis` / `?format=xlsx` with
`export_response`; `export_links` gives the three links a list page shows.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHIFT_JIS = "cp932"
UTF8 = "utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GETA = "〓"


def _geta(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)  # noqa: S101 - registered for encoding only
    return GETA * (error.end - error.start), error.end


codecs.register_error("kizuna_geta", _geta)


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet must receive it: numbers as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        # openpyxl refuses aware datetimes; people read Tokyo time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    cell = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = UTF8,
    lineterminator: str = "\r\n",
) -> bytes:
    """The whole CSV: a BOM first in UTF-8; cp932 with 〓 for what Shift_JIS cannot hold."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([_csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    if encoding == SHIFT_JIS:
        return buffer.getvalue().encode(SHIFT_JIS, errors="kizuna_geta")
    return ("\ufeff" + buffer.getvalue()).encode(UTF8)


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(ILLEGAL_CHARACTERS_RE.sub("", title) or "Sheet1")[:31])
    sheet.append([_xlsx_cell(cell) for cell in header])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def requested_format(request: HttpRequest) -> str | None:
    """ "csv" or "xlsx" when the request asks for a download, else None."""
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("csv", "xlsx") else None


def export_response(
    request: HttpRequest,
    *,
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
) -> HttpResponse:
    """The download the request asks for (format=csv|xlsx, encoding=shift_jis)."""
    if requested_format(request) == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows, title=filename), XLSX_CONTENT_TYPE)
        extension = "xlsx"
    else:
        sjis = request.GET.get("encoding", "").lower().replace("-", "_") in ("shift_jis", "sjis")
        encoding = SHIFT_JIS if sjis else UTF8
        charset = "shift_jis" if sjis else "utf-8"
        response = HttpResponse(
            csv_bytes(header, rows, encoding=encoding), f"text/csv; charset={charset}"
        )
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def export_links(request: HttpRequest) -> list[tuple[str, str]]:
    """(label, href) of the downloads of the list on this page, keeping its filters."""
    query = request.GET.copy()
    query.pop("page", None)
    links = []
    for label, params in (
        (_("CSV"), {"format": "csv"}),
        (_("CSV (Shift_JIS)"), {"format": "csv", "encoding": "shift_jis"}),
        (_("Excel (XLSX)"), {"format": "xlsx"}),
    ):
        q = query.copy()
        q.pop("encoding", None)
        for key, value in params.items():
            q[key] = value
        links.append((str(label), f"?{q.urlencode()}"))
    return links
