"""Test fixtures shared by every app: the five personas and the browser harness.

Personas (DESIGN.md, Tests): alice (ecosystem admin), bob (owner of partner "Bob Web
Works"), carol (merchant), dave (community member), eve (another partner's owner).
"""

import pytest

pytest_plugins = ["kizuna.core.tests.browser"]

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
        "alice@example.com", display_name="Alice", staff_role="admin", is_superuser=True
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
def _test_settings(settings):
    # PBKDF2 is slow on purpose; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run inline, so a test sees their effects at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
