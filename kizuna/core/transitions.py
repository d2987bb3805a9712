"""State transitions decided by the database, so two people acting at once cannot both win.

    transition(Achievement, achievement.pk, from_states=PENDING, to_state="verified",
               verified_at=now)

runs `UPDATE ... SET status='verified', verified_at=... WHERE id=? AND status IN (...)`.
The UPDATE takes the row lock and re-reads the row once the lock is free (PostgreSQL's
READ COMMITTED re-checks the WHERE clause; SQLite writes one transaction at a time), so of
two concurrent decisions exactly one changes a row; the other gets 0 rows and the
`TransitionRefused` error, a ValidationError that pages show as a form error and API
handlers answer with a 409. Call it inside the service's `transaction.atomic()` before
anything that depends on the transition (events, audit, follow-up rows), so a refused
transition leaves nothing behind.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from kizuna.core.errors import Conflict


class TransitionRefused(Conflict):
    """The object was no longer in a state the transition starts from: someone acted first."""


def transition(
    model_or_qs: type[models.Model] | models.QuerySet[Any],
    pk: Any,
    *,
    from_states: str | Iterable[str],
    to_state: str,
    field: str = "status",
    refused: ValidationError | None = None,
    **changes: Any,
) -> None:
    """Move object `pk` from one of `from_states` to `to_state`, setting `changes` with it.

    `model_or_qs` may be a queryset that narrows the rows further (an expiry, an owner).
    Raises `refused` (or a generic `TransitionRefused`) when no row was in a starting state.
    `update()` skips `auto_now` fields: pass them in `changes` when they matter.
    """
    rows = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    starting = [from_states] if isinstance(from_states, str) else list(from_states)
    changed = rows.filter(pk=pk, **{f"{field}__in": starting}).update(
        **{field: to_state}, **changes
    )
    if not changed:
        raise refused or TransitionRefused(
            _("Someone else changed this in the meantime; reload the page and look again."),
            code="state_changed",
        )
