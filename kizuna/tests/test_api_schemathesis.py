"""schemathesis over the whole OpenAPI document: no input, from any persona, is a 500.

Every operation gets a bounded number of derandomized examples, valid and invalid, each
sent anonymously and with a token of every persona (all scopes), through the WSGI app
in-process. Failures are collected over every operation and reported together.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from kizuna.accounts.permissions import SCOPES
from kizuna.accounts.services import api_token_create

EXAMPLES = int(os.environ.get("KIZUNA_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def wsgi_app(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: the request cycle must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(personas):
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, user in personas.items():
        _token, plaintext = api_token_create(user=user, name="fuzz", scopes=list(SCOPES))
        headers[name] = {"Authorization": f"Bearer {plaintext}"}
    return headers


@pytest.mark.django_db
def test_no_api_operation_answers_a_server_error_to_any_persona(wsgi_app, auth_headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        for mode in GenerationMode:

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                for persona, headers in auth_headers.items():
                    response = case.call(headers=headers)
                    try:
                        case.validate_response(response, checks=[not_a_server_error])
                    except (AssertionError, BaseExceptionGroup):
                        failures.append(
                            f"{persona} {response.status_code} {case.method} "
                            f"{case.formatted_path} query={case.query} body={case.body!r:.200}"
                        )

            run()
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:80])
