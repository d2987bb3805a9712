"""`import_partners` files (JSON Lines, docs/partners.md) as import jobs (kizuna.core.imports)."""

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import ValidationError as LineError

from kizuna.core.imports import (
    NEW,
    REJECTED,
    UPDATED,
    Importer,
    ImportRun,
    LineOutcome,
    LineRejected,
    Reason,
    decoded_lines,
    reason,
    reason_in_each_language,
    register,
)
from kizuna.core.models import ImportJob
from kizuna.core.reasons import json_problem
from kizuna.partners.importing import ImportLine, describe_errors
from kizuna.partners.permissions import PartnerAction, allowed
from kizuna.partners.services.imports import partner_import

_STATUS = {"created": NEW, "updated": UPDATED}


@register
class PartnerImporter(Importer):
    kind = "partners"
    label = _("Partners (JSON Lines)")
    upload_url = "partners:staff_import"
    chunk_size = 200

    def allowed(self, user: Any) -> bool:
        return allowed(user, PartnerAction.MANAGE_PROGRAM)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[tuple[int, Any]]:
        for number, (text, problem) in enumerate(decoded_lines(stream), start=1):
            if problem:
                yield number, LineRejected(problem)
            elif text.strip():
                yield number, text

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        return [(number, *import_line(text)) for number, text in units]


def import_line(text: str | LineRejected) -> tuple[str, Reason | str]:
    """(status, reason) of one line; whatever the line holds, it is rejected alone."""
    if isinstance(text, LineRejected):
        return REJECTED, text.reason
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return REJECTED, reason(
            gettext_noop("(not JSON: %(error)s at column %(column)s)"),
            error=json_problem(error),
            column=error.colno,
        )
    except (ValueError, RecursionError) as error:
        return REJECTED, f"({error})"
    try:
        line = ImportLine.model_validate(data)
    except (LineError, ValueError, RecursionError) as error:
        # Name the line by its external id when it has one, so the sender can find it.
        return REJECTED, _problems(_external_id(data), error)
    try:
        with transaction.atomic():
            return _STATUS[partner_import(line=line)], line.external_id
    except ValidationError as error:
        return REJECTED, _problems(f"{line.external_id} ", error)
    except DatabaseError as error:
        return REJECTED, reason(
            gettext_noop("%(external_id)s (the database refused the line: %(error)s)"),
            external_id=line.external_id,
            error=str(error),
        )


def _external_id(data: Any) -> str:
    value = data.get("external_id") if isinstance(data, dict) else None
    return f"{value} " if isinstance(value, str | int) and str(value).strip() else ""


def _problems(named: str, error: Exception) -> Reason:
    """The line's name and what is wrong with it, in each language (the errors' own words
    are translated lazily)."""
    return reason_in_each_language(lambda: f"{named}({describe_errors(error)})".lstrip())
