"""What a pydantic validation error says, in the reader's language.

pydantic writes its messages in English only. Each error has a type and its context
(`min_length`, `ge`...), so the common types are worded here in gettext; a type not listed
keeps pydantic's own message. A validator of ours raises `PydanticCustomError` with a type
listed here, rather than a bare ValueError, so that its message is translated too.
"""

from typing import Any

from django.utils.translation import gettext, gettext_noop
from pydantic import ValidationError

_MESSAGES = {
    "missing": gettext_noop("is required"),
    "extra_forbidden": gettext_noop("is not a field of this format"),
    "string_type": gettext_noop("must be text"),
    "empty": gettext_noop("must not be empty"),
    "string_too_short": gettext_noop("must be at least %(min_length)s characters"),
    "string_too_long": gettext_noop("must be at most %(max_length)s characters"),
    "int_type": gettext_noop("must be a whole number"),
    "int_parsing": gettext_noop("must be a whole number"),
    "int_from_float": gettext_noop("must be a whole number"),
    "float_type": gettext_noop("must be a number"),
    "float_parsing": gettext_noop("must be a number"),
    "bool_type": gettext_noop("must be true or false"),
    "bool_parsing": gettext_noop("must be true or false"),
    "date_type": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": gettext_noop("must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": gettext_noop("must be a date (YYYY-MM-DD)"),
    "list_type": gettext_noop("must be a list"),
    "dict_type": gettext_noop("must be an object"),
    "model_type": gettext_noop("must be an object"),
    "model_attributes_type": gettext_noop("must be an object"),
    "greater_than_equal": gettext_noop("must be %(ge)s or more"),
    "less_than_equal": gettext_noop("must be %(le)s or less"),
    "literal_error": gettext_noop("must be one of %(expected)s"),
    "enum": gettext_noop("must be one of %(expected)s"),
    "url_parsing": gettext_noop("must be a URL"),
    "url_scheme": gettext_noop("must be an http or https URL"),
    # Our own validators' types (PydanticCustomError).
    "unknown_prefecture": gettext_noop("unknown prefecture code %(code)s (use JIS codes 01-47)"),
    "http_url": gettext_noop("must start with http:// or https://"),
    "budget_order": gettext_noop("budget_min is above budget_max"),
}


def schema_problems(error: ValidationError, *, whole: str = "-") -> list[str]:
    """Each error as "field.path: what is wrong", in the active language. `whole` names
    the field of an error about the whole input."""
    return [f"{_where(e['loc']) or whole}: {_what(e)}" for e in error.errors()]


def _where(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def _what(error: Any) -> str:
    kind = error["type"]
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        kind = "empty"
    message = _MESSAGES.get(kind)
    if message is None:
        return str(error["msg"])
    try:
        return gettext(message) % error.get("ctx", {})
    except (KeyError, TypeError):  # a context without what the wording needs
        return str(error["msg"])
