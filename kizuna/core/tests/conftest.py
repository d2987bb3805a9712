import pytest


@pytest.fixture(autouse=True)
def _core_tests_declare_their_event_types(test_event_types):
    """Core tests emit made-up types (kizuna.core.tests.event_types)."""
