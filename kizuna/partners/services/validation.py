"""Errors the partner services raise, shaped so a form shows them and the API keeps the code."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A form-friendly error that also keeps its machine code (for the API)."""
    return ValidationError({field: ValidationError(message, code=code)})


def require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise field_error(
            "reason", _("Give a reason; the partner will read it."), "reason_required"
        )
    return reason
