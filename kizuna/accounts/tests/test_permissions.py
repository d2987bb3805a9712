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
        A.MANAGE_PERSONAL_DATA,
        A.USE_API_TOKENS,
    },
    "outreach": {A.VIEW_STAFF_HOME, A.MANAGE_OUTREACH, A.USE_API_TOKENS},
    "integrations": {A.VIEW_STAFF_HOME, A.MANAGE_INTEGRATIONS, A.USE_API_TOKENS},
    "security": {A.VIEW_STAFF_HOME, A.VIEW_AUDIT_LOG, A.MANAGE_SECURITY, A.USE_API_TOKENS},
    "community_and_outreach": {
        A.VIEW_STAFF_HOME,
        A.VIEW_AUDIT_LOG,
        A.MANAGE_COMMUNITY,
        A.MANAGE_PERSONAL_DATA,
        A.MANAGE_OUTREACH,
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
        "outreach": make_user("out@example.com", staff_role="outreach"),
        "integrations": make_user("int@example.com", staff_role="integrations"),
        "security": make_user("sec@example.com", staff_role="security"),
        "community_and_outreach": make_user(
            "both@example.com", staff_roles=["community_manager", "outreach"]
        ),
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
    "outreach": set(),
    "integrations": set(),
    "security": set(),
    "community_and_outreach": set(),
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


def test_an_admin_holds_every_staff_role_and_others_only_their_own(alice, make_user):
    from kizuna.accounts.models import StaffRole

    both = make_user("both@example.com", staff_roles=["community_manager", "outreach"])
    assert all(alice.has_staff_role(role) for role in StaffRole.values)
    assert {role for role in StaffRole.values if both.has_staff_role(role)} == {
        "community_manager",
        "outreach",
    }
    assert both.is_staff


def test_changing_staff_roles_replaces_the_set_and_is_audited(alice, carol):
    from kizuna.accounts.models import User
    from kizuna.core.models import AuditEntry

    services.user_set_staff_roles(actor=alice, user=carol, staff_roles=["outreach", "security"])
    assert carol.staff_roles == {"outreach", "security"}
    services.user_set_staff_roles(actor=alice, user=carol, staff_roles=["security"])
    assert User.objects.get(pk=carol.pk).staff_roles == {"security"}
    assert [
        e.after for e in AuditEntry.objects.filter(action="user.staff_role_changed").order_by("id")
    ] == [
        {"staff_roles": ["outreach", "security"]},
        {"staff_roles": ["security"]},
    ]


def test_an_unknown_staff_role_is_refused(alice, carol):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.user_set_staff_roles(actor=alice, user=carol, staff_roles=["wizard"])
