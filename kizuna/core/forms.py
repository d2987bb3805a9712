"""What every app's pages share when a form hands its input to a service."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def call_service(form: forms.BaseForm, call: Callable[[], Any]) -> bool:
    """Run a service; put the rule it enforced on the form instead of losing the input."""
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True
