import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from kizuna.core import exports

DANGEROUS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")']


def read_csv(content: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding))))


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_cells_that_would_run_as_formulas_are_neutralised_in_csv(text):
    [_, row] = read_csv(exports.csv_bytes(["value"], [[text]]))
    assert row == ["'" + text]


def test_numbers_stay_numbers_even_when_negative():
    [_, row] = read_csv(exports.csv_bytes(["a", "b", "c"], [[-500, 1.5, Decimal("-2")]]))
    assert row == ["-500", "1.5", "-2"]


def test_harmless_text_is_written_as_it_is():
    [_, row] = read_csv(exports.csv_bytes(["a", "b"], [["Bob Web Works", "a=b"]]))
    assert row == ["Bob Web Works", "a=b"]


def test_csv_is_utf8_with_a_byte_order_mark_for_excel():
    content = exports.csv_bytes(["名前"], [["ボブ"]])
    assert content.startswith(b"\xef\xbb\xbf")
    assert read_csv(content) == [["名前"], ["ボブ"]]


def test_shift_jis_csv_replaces_characters_it_cannot_encode_with_a_visible_mark():
    content = exports.csv_bytes(["名前"], [["髙橋 🍣 ①"]], encoding=exports.SHIFT_JIS)
    assert not content.startswith(b"\xef\xbb\xbf")
    assert read_csv(content, "cp932") == [["名前"], ["髙橋 〓 ①"]]


def test_xlsx_opens_back_with_formulas_neutralised_and_numbers_numeric():
    content = exports.xlsx_bytes(
        ["text", "amount", "day"], [["=1+1", -500, date(2026, 4, 1)], ["bell\x07", 3, None]]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["text", "amount", "day"]
    assert rows[1][0] == "'=1+1"
    assert rows[1][1] == -500
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert rows[1][2].date() == date(2026, 4, 1)
    assert rows[2][:2] == ["bell", 3]


@pytest.mark.parametrize(
    ("query", "content_type", "extension"),
    [
        ("format=csv", "text/csv; charset=utf-8", "csv"),
        ("format=csv&encoding=shift_jis", "text/csv; charset=shift_jis", "csv"),
        ("format=xlsx", exports.XLSX_CONTENT_TYPE, "xlsx"),
    ],
)
def test_export_response_answers_the_requested_format(query, content_type, extension):
    request = RequestFactory().get(f"/list/?{query}")
    response = exports.export_response(request, filename="list", header=["a"], rows=[[1]])
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="list.{extension}"'


def test_export_links_keep_the_list_filters_and_drop_the_page():
    request = RequestFactory().get("/list/?q=bob&page=3")
    hrefs = [href for _, href in exports.export_links(request)]
    assert hrefs == [
        "?q=bob&format=csv",
        "?q=bob&format=csv&encoding=shift_jis",
        "?q=bob&format=xlsx",
    ]
