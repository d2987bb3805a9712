"""One mapping from what services and lookups raise to API errors with a machine code."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404

from kizuna.core.api_errors import ApiError, api_error_for
from kizuna.core.errors import Conflict, ServiceError


def answer(exc: Exception) -> tuple[int, str, str]:
    error = api_error_for(exc)
    return error.status_code, error.code, str(error)


def test_a_service_refusal_is_422_with_its_code():
    assert answer(ServiceError("Too late.", code="too_late")) == (422, "too_late", "Too late.")
    assert answer(ValidationError("Bad.", code="bad")) == (422, "bad", "Bad.")


def test_a_refusal_keyed_by_field_gives_the_first_code_given():
    error = ValidationError(
        {"reason": ValidationError("Choose a reason.", code="invalid_reason"), "note": "Long."}
    )
    assert answer(error) == (422, "invalid_reason", "Choose a reason. Long.")


def test_a_refusal_without_a_code_is_invalid_input():
    assert answer(ValidationError("Bad.")) == (422, "invalid_input", "Bad.")


def test_a_conflict_is_409():
    assert answer(Conflict("Already answered.", code="lead_not_open")) == (
        409,
        "lead_not_open",
        "Already answered.",
    )


def test_permission_and_missing_objects_have_their_codes():
    assert answer(PermissionDenied())[:2] == (403, "forbidden")
    assert answer(ObjectDoesNotExist())[:2] == (404, "not_found")
    assert answer(Http404())[:2] == (404, "not_found")


def test_an_api_error_is_answered_as_raised():
    assert answer(ApiError(429, "rate_limited", "Slow down.")) == (
        429,
        "rate_limited",
        "Slow down.",
    )


def test_anything_else_is_not_mapped():
    with pytest.raises(TypeError):
        api_error_for(RuntimeError("boom"))
