"""Reasons put in the reader's words: the JSON parsers' and pydantic's English included."""

import json
import re
from datetime import date
from typing import Literal

import orjson
import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kizuna.core.reasons import json_problem, reason_text
from kizuna.core.schema_errors import schema_problems

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
BROKEN_JSON = ['{"a" 1}', "{a:1}", '{"a":1} x', '"\\q"', '"abc', '"a\x01"', "[1,]", "{", "x"]


@pytest.mark.parametrize("parse", [orjson.loads, json.loads], ids=["orjson", "json"])
@pytest.mark.parametrize("text", BROKEN_JSON)
def test_what_the_json_parsers_find_wrong_is_worded_in_each_language(parse, text):
    """Fails when a parser's words change and the table no longer knows them."""
    with pytest.raises(json.JSONDecodeError) as raised:
        parse(text)
    problem = json_problem(raised.value)
    assert isinstance(problem, dict), f"not in the table: {raised.value.msg!r}"
    with translation.override("ja"):
        assert JAPANESE.search(reason_text(problem))


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    required: str
    code: str = Field("", min_length=2, max_length=3)
    text: str = ""
    count: int = Field(0, ge=0, le=9)
    flag: bool = False
    day: date | None = None
    items: list[str] = []
    kind: Literal["a", "b"] = "a"
    nested: dict[str, int] = {}


INVALID = {
    "code": "x",
    "text": 1,
    "count": "many",
    "flag": "maybe",
    "day": "2026-13-01",
    "items": "a",
    "kind": "c",
    "nested": [],
    "unknown": 1,
}


def _problems(data: dict, language: str) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        Sample.model_validate(data)
    with translation.override(language):
        return schema_problems(raised.value)


def test_pydantic_errors_are_worded_in_the_readers_language():
    english, japanese = _problems(INVALID, "en"), _problems(INVALID, "ja")
    assert len(english) == len(INVALID) + 1  # "required" is missing too
    for line in english:
        assert "Input should" not in line, line  # pydantic's own wording
        assert not JAPANESE.search(line), line
    for line in japanese:
        assert JAPANESE.search(line), line
    assert "required: is required" in english
    assert "code: must be at least 2 characters" in english


def test_the_bounds_of_a_number_and_a_text_are_named():
    english = _problems({"required": "", "code": "abcd", "count": 10}, "en")
    assert "code: must be at most 3 characters" in english
    assert "count: must be 9 or less" in english
    assert _problems({"required": "x", "count": -1}, "en") == ["count: must be 0 or more"]
