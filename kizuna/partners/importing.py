"""The line format of `manage.py import_partners` (docs/partners.md), validated before any write."""

from datetime import date
from typing import Annotated

from django.utils.translation import pgettext
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kizuna.core.prefectures import PREFECTURE_CODES
from kizuna.core.schema_errors import schema_problems

# The columns are 32-bit integers on every database; a larger number is the line's error.
MAX_INT = 2_147_483_647

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_prefecture(code: str) -> str:
    if code and code not in PREFECTURE_CODES:
        raise PydanticCustomError(
            "unknown_prefecture",
            "unknown prefecture code {code} (use JIS codes 01-47)",
            {"code": repr(code)},
        )
    return code


class ImportedAchievement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: Required
    title: Required
    description: Text = ""
    work_badges: list[str] = []
    site_badges: list[str] = []
    industry: Text = ""
    completed_on: date
    verified: bool = False


class ImportedPoints(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Required
    points: int = Field(ge=0, le=MAX_INT)
    occurred_on: date
    note: Text = ""


class ImportLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: Required
    name: Required
    name_kana: Text = ""
    summary: Text = Field("", max_length=300)
    description: Text = ""
    website: Text = ""
    prefecture: Text = ""
    service_prefectures: list[str] = []
    languages: list[str] = []
    team_size: int | None = Field(None, ge=0, le=MAX_INT)
    budget_min: int | None = Field(None, ge=0, le=MAX_INT)
    budget_max: int | None = Field(None, ge=0, le=MAX_INT)
    accepting_new_clients: bool = True
    achievements: list[ImportedAchievement] = []
    contribution_points: list[ImportedPoints] = []

    @field_validator("prefecture")
    @classmethod
    def known_prefecture(cls, code: str) -> str:
        return _check_prefecture(code)

    @field_validator("service_prefectures")
    @classmethod
    def known_prefectures(cls, codes: list[str]) -> list[str]:
        return [_check_prefecture(code) for code in codes]

    @field_validator("website")
    @classmethod
    def web_address(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise PydanticCustomError("http_url", "must start with http:// or https://")
        return url

    @model_validator(mode="after")
    def budget_order(self) -> "ImportLine":
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise PydanticCustomError("budget_order", "budget_min is above budget_max")
        return self


def describe_errors(error: Exception) -> str:
    """A one-line reason for the report, naming the fields at fault."""
    if isinstance(error, ValidationError):
        return "; ".join(schema_problems(error, whole=pgettext("an import file's", "line")))
    return "; ".join(getattr(error, "messages", [str(error)]))
