"""Test fixtures shared by every app: the five personas and the browser harness.

Personas (DESIGN.md, Tests): alice (ecosystem admin), bob (owner of partner "Bob Web
Works"), carol (merchant), dave (community member), eve (another partner's owner).
"""

from typing import Any

import pytest

pytest_plugins = ["kizuna.core.tests.browser", "kizuna.core.tests.event_types"]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db):
    from kizuna.accounts.models import User

    def make(email: str, **fields):
        return User.objects.create_user(email, PASSWORD, **fields)

    return make


@pytest.fixture
def alice(make_user):
    return make_user(
        "alice@example.com", display_name="Alice", staff_roles=["admin"], is_superuser=True
    )


@pytest.fixture
def bob_org(bob):
    return bob.memberships.get().organization


@pytest.fixture
def bob(make_user):
    from kizuna.accounts import services

    user = make_user("bob@example.com", display_name="Bob")
    services.organization_create(actor=None, name="Bob Web Works", slug="bob-web-works", owner=user)
    return user


@pytest.fixture
def carol(make_user):
    return make_user("carol@example.com", display_name="Carol", kind="merchant")


@pytest.fixture
def dave(make_user):
    return make_user("dave@example.com", display_name="Dave", kind="community_member")


@pytest.fixture
def eve(make_user):
    from kizuna.accounts import services

    user = make_user("eve@example.com", display_name="Eve")
    services.organization_create(
        actor=None, name="Eve Commerce Lab", slug="eve-commerce-lab", owner=user
    )
    return user


@pytest.fixture
def personas(alice, bob, carol, dave, eve):
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "eve": eve}


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    # PBKDF2 is slow on purpose; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run inline, so a test sees their effects at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Uploads (import jobs, evidence) land in a directory of the test's own.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # Other apps' tests send a handful of emails at once; outreach's own tests set the limits
    # they test.
    settings.KIZUNA_OUTREACH_EMAIL_PER_SECOND = 10_000


# What the SSRF guard's resolver answers in tests: no test resolves a real name.
PUBLIC_TEST_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def _no_real_dns(monkeypatch):
    """Every host name resolves to one public address; a test may patch it otherwise."""
    from kizuna.core import ssrf

    monkeypatch.setattr(ssrf, "_resolve", lambda host, port: [PUBLIC_TEST_ADDRESS])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give transactional tests (live server, real transactions) serialized rollback.

    Such tests are followed by a flush, which would also wipe rows loaded by data
    migrations (the badge catalog, the fee program rules) for every later test;
    serialized rollback puts them back at the start of each transactional test.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction")
        if transactional or "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(
                pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False
            )


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_connection(django_db_setup):
    """Keep the migrated database's snapshot reachable from every connection object.

    Django keeps it on the connection that created the test database; once Playwright runs
    its event loop in this thread, `connections` hands out another wrapper without it, and
    serialized rollback would silently restore nothing.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            wrapper_class: Any = type(connection)
            wrapper_class._test_serialized_contents = contents


def reset_database() -> None:
    """Empty the test database back to its migrated state (data migrations included)."""
    from django.core.management import call_command
    from django.db import connection

    # As Django's TransactionTestCase does: no post_migrate, whose content types and
    # permissions the serialized contents already hold; and sequences left as they are,
    # since the restored rows keep their ids (restarted, the next insert would reuse one).
    call_command(
        "flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False, verbosity=0
    )
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)  # type: ignore[attr-defined]
