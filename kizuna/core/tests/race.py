"""Run service calls at the same moment from threads, each on its own database connection."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections


def require_concurrent_writers() -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite lets one transaction write at a time (the test database refuses a second "
            "writer outright), so two decisions cannot overlap; the race runs on PostgreSQL"
        )


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call together; each result is the call's return value or its ValidationError.

    Any other exception fails the test: a lost race must be a clear refusal, never a crash.
    """
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = call()
        except ValidationError as error:
            results[index] = error
        except Exception as error:  # pragma: no cover - reported by the assertion below
            results[index] = AssertionError(f"crashed: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    crashes = [r for r in results if isinstance(r, AssertionError)]
    assert not crashes, crashes
    return results


def refusals(results: list[Any]) -> list[ValidationError]:
    return [r for r in results if isinstance(r, ValidationError)]
