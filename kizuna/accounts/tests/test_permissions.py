"""Persona x action matrix: the one table of who may do what in accounts/permissions.py."""

import pytest

from kizuna.accounts import services
from kizuna.accounts.permissions import Action, Persona, can, persona_of

pytestmark = pytest.mark.django_db

A = Action
# persona -> actions allowed without an object
GLOBAL = {
    "alice": set(Action),
    "partner_manager": {
        A.VIEW_STAFF_HOME,
        A.VIEW_AUDIT_LOG,
        A.MANAGE_PARTNER_PROGRAM,
        A.VIEW_ORGANIZATION_PRIVATE,
        A.MANAGE_ORGANIZATION,
        A.USE_API_TOKENS,
    },
    "community_manager": {
        A.VIEW_STAFF_HOME,
        A.VIEW_AUDIT_LOG,
        A.MANAGE_COMMUNITY,
        A.USE_API_TOKENS,
    },
    "bob": {A.USE_API_TOKENS},
    "carol": {A.USE_API_TOKENS},
    "dave": {A.USE_API_TOKENS},
    "eve": {A.USE_API_TOKENS},
}


@pytest.fixture
def everyone(personas, make_user):
    return {
        **personas,
        "partner_manager": make_user("pm@example.com", staff_role="partner_manager"),
        "community_manager": make_user("cm@example.com", staff_role="community_manager"),
    }


@pytest.mark.parametrize("who", sorted(GLOBAL))
@pytest.mark.parametrize("action", list(Action))
def test_global_permission_matrix(everyone, who, action):
    assert can(everyone[who], action) == (action in GLOBAL[who])


ORG_ACTIONS = [A.VIEW_ORGANIZATION_PRIVATE, A.MANAGE_ORGANIZATION]
# persona -> what they may do to Bob Web Works
ON_BOBS_ORGANIZATION = {
    "alice": set(ORG_ACTIONS),
    "partner_manager": set(ORG_ACTIONS),
    "community_manager": set(),
    "bob": set(ORG_ACTIONS),
    "bobs_colleague": {A.VIEW_ORGANIZATION_PRIVATE},
    "carol": set(),
    "dave": set(),
    "eve": set(),
}


@pytest.mark.parametrize("who", sorted(ON_BOBS_ORGANIZATION))
@pytest.mark.parametrize("action", ORG_ACTIONS)
def test_organization_permission_matrix(everyone, bob_org, make_user, who, action):
    if who == "bobs_colleague":
        user = make_user("colleague@example.com")
        services.membership_add(actor=everyone["bob"], organization=bob_org, user=user)
    else:
        user = everyone[who]
    assert can(user, action, bob_org) == (action in ON_BOBS_ORGANIZATION[who])


def test_anonymous_and_deactivated_users_may_do_nothing(bob):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Action.USE_API_TOKENS)
    bob.is_active = False
    assert not can(bob, Action.USE_API_TOKENS)


def test_each_persona_maps_to_its_home(personas):
    assert {name: persona_of(user) for name, user in personas.items()} == {
        "alice": Persona.STAFF,
        "bob": Persona.PARTNER,
        "carol": Persona.MERCHANT,
        "dave": Persona.COMMUNITY_MEMBER,
        "eve": Persona.PARTNER,
    }
