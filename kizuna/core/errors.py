"""Errors a service raises when it refuses, each with a machine-readable `code`.

They are Django ValidationErrors, so forms show them (`kizuna.core.forms.call_service`);
the API answers them through one mapping (`kizuna.core.api_errors`): a plain
ValidationError is 422, a `Conflict` is 409, PermissionDenied is 403, a missing object 404.
"""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A rule of the service refused the input. Give it a `code`."""

    status = 422


class Conflict(ServiceError):
    """The object is no longer in the state the action needs (someone else acted first,
    or it already exists): asking again will not help."""

    status = 409
