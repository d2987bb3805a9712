"""Bounded types for API input: what a schema accepts, the database can store.

PostgreSQL refuses NUL characters and over-long values (SQLite stores them), and both
refuse integers past 64 bits; each of those was a 500. A schema field says its bounds with
these types and `pydantic.Field` (lengths taken from the model with `max_length_of`):

    class EventIn(Schema):
        title: RequiredText = Field(max_length=max_length_of(Event, "title"))
        venue: Text = Field("", max_length=max_length_of(Event, "venue"))
        kind: Annotated[str, Choice(EventKind.values)] = "meetup"   # an enum in OpenAPI
        capacity: Count | None = None
        starts_at: ApiDateTime

Out-of-range dates answer 400 `out_of_range`; every other invalid input 422 `invalid_input`.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from django.db import models
from pydantic import AfterValidator, Field, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

MAX_INT = 2**63 - 1  # a PostgreSQL bigint, SQLite's INTEGER
MAX_INT32 = 2**31 - 1  # a PostgreSQL integer
MAX_YEN = 10**12  # ¥1 trillion: more than any fee, budget or invoice
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
OUT_OF_RANGE = "out_of_range"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "NUL characters are not allowed")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "This field cannot be blank")
    return value


def _http_url(value: str) -> str:
    if not value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        raise PydanticCustomError("url_scheme", "Enter a valid http or https URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("url_scheme", "Enter a valid http or https URL")
    return value


def _date_in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise PydanticCustomError(
            OUT_OF_RANGE,
            "Dates are supported from {min} to {max}",
            {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
        )
    return value


def _aware(value: datetime) -> datetime:
    # A time without an offset is read as UTC, the way it is stored.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Any text: no NUL. Give it a max_length with Field().
Text = Annotated[str, AfterValidator(_no_nul)]
# Required text: no NUL, not only blanks.
RequiredText = Annotated[
    str, Field(min_length=1), AfterValidator(_no_nul), AfterValidator(_not_blank)
]
# A URL stored for display or fetched later: http and https only ("" allowed where optional).
HttpUrlText = Annotated[str, AfterValidator(_no_nul), AfterValidator(_http_url)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
Yen = Annotated[int, Field(ge=0, le=MAX_YEN)]
ApiDate = Annotated[date, AfterValidator(_date_in_range)]
ApiDateTime = Annotated[datetime, AfterValidator(_date_in_range), AfterValidator(_aware)]


class Choice:
    """`Annotated[str, Choice(values)]`: one of values, an enum in the OpenAPI document."""

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = list(values)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.literal_schema(self.values)


def max_length_of(model: type[models.Model], field: str) -> int:
    length = model._meta.get_field(field).max_length  # type: ignore[union-attr]
    assert length is not None, f"{model.__name__}.{field} has no max_length"
    return int(length)
