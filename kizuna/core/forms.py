"""What every app's pages share when a form hands its input to a service."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator

from kizuna.core.api_schema import MAX_DATE, MIN_DATE

T = TypeVar("T")


def call_service(form: forms.BaseForm, call: Callable[[], T]) -> T | None:
    """Run a service and return what it returns; when it refuses (ValidationError), put the
    rule it enforced on the form instead of losing the input, and return None.

    Services called this way return what they wrote, so `if form.is_valid() and
    (obj := call_service(...))` reads as "valid and done".
    """
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


class HttpUrlField(forms.URLField):
    """A link people will click: http and https only (URLField also takes ftp)."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class BoundedDateField(forms.DateField):
    """A date within the range every date computation here supports."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(MIN_DATE), MaxValueValidator(MAX_DATE)]
