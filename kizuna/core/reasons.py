"""Why an import rejected a line, kept so that each reader sees it in their own language.

A reason is a message (English, marked with gettext_noop where it is written so that it is
in the catalogs) and its parameters; `reason_text` translates it when a report is read,
since the worker that wrote it has no language of its own. Importing this module needs no
Django setup, so that the activity parsing worker (kizuna.community.parsing) can use it;
kizuna.core.imports offers the same names to importers.
"""

from collections.abc import Callable
from json import JSONDecodeError
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

Reason = dict[str, Any]


def reason(message: str, **params: Any) -> Reason:
    """A reason as a report keeps it. A parameter may be a reason itself."""
    return {"message": message, "params": params}


def reason_in_each_language(render: Callable[[], str]) -> Reason:
    """A reason whose words come from elsewhere (a form's or a model's validation errors,
    translated lazily): rendered now in each of the site's languages; the reader's is shown."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = render()
    return {"texts": texts}


def reason_text(stored: Reason | str) -> str:
    """A stored reason in the active language. Reports written before reasons were kept
    as messages hold their text, shown as it is."""
    if not isinstance(stored, dict):
        return str(stored)
    if "texts" in stored:
        texts = stored["texts"]
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ""
    params = {
        name: reason_text(value) if isinstance(value, dict) else value
        for name, value in stored.get("params", {}).items()
    }
    text = gettext(stored["message"])
    return text % params if params else text


class LineRejected(Exception):
    """A unit that cannot be read, with its reason for the report. Raised and caught where
    there is no language yet (the parsing worker), so it is put in words only when shown."""

    def __init__(self, why: Reason) -> None:
        super().__init__(why)  # the reason alone, so that it crosses to the worker pickled
        self.reason = why

    def __str__(self) -> str:
        return reason_text(self.reason)


# The parsers' own words (orjson's, then the json module's) for what is wrong, in words a
# reader can have translated. A message not listed here is shown as the parser wrote it;
# core/tests/test_reasons.py checks that the parsers still say these words.
_JSON_PROBLEMS = {
    "unexpected end of data": gettext_noop("the line ends before the JSON value does"),
    "Unterminated string starting at": gettext_noop("the line ends before the JSON value does"),
    "unexpected character": gettext_noop("an unexpected character"),
    "Expecting value": gettext_noop("an unexpected character"),
    "unexpected character, expected a string key": gettext_noop(
        "a name that is not in double quotes"
    ),
    "Expecting property name enclosed in double quotes": gettext_noop(
        "a name that is not in double quotes"
    ),
    "unexpected character, expected ':' after key": gettext_noop("a missing “:”"),
    "Expecting ':' delimiter": gettext_noop("a missing “:”"),
    "Expecting ',' delimiter": gettext_noop("a missing “,”"),
    "trailing comma is not allowed": gettext_noop("a comma before the closing bracket"),
    "unexpected content after document": gettext_noop("more text after the JSON value"),
    "Extra data": gettext_noop("more text after the JSON value"),
    "invalid escaped sequence in string": gettext_noop("an invalid escape in a string"),
    "Invalid \\escape": gettext_noop("an invalid escape in a string"),
    "unexpected control character in string": gettext_noop("a control character in a string"),
    "Invalid control character at": gettext_noop("a control character in a string"),
}


def json_problem(error: JSONDecodeError) -> Reason | str:
    """What the JSON parser found wrong, translated when read where the parser's words are
    known (orjson's JSONDecodeError is the json module's)."""
    # orjson adds what it expected after a comma ("unexpected character, expected ...").
    known = _JSON_PROBLEMS.get(error.msg) or _JSON_PROBLEMS.get(error.msg.split(",")[0])
    return reason(known) if known else error.msg
