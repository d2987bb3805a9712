"""The persona x action matrix of the partner program."""

import pytest

from kizuna.partners.permissions import PartnerAction, allowed, can_view_achievement

pytestmark = pytest.mark.django_db

A = PartnerAction

# persona -> actions allowed on bob's partner (or program-wide for staff actions)
EXPECTED = {
    "alice": set(PartnerAction),
    "bob": {
        A.VIEW_PRIVATE,
        A.EDIT_PROFILE,
        A.SUBMIT_ACHIEVEMENT,
        A.LEAVE_PROGRAM,
        A.NOMINATE_EVANGELIST,
        A.REQUEST_EVANGELIST,
    },
    "carol": {A.NOMINATE_EVANGELIST, A.REQUEST_EVANGELIST},
    "dave": {A.NOMINATE_EVANGELIST, A.REQUEST_EVANGELIST},
    "eve": {A.NOMINATE_EVANGELIST, A.REQUEST_EVANGELIST},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("action", list(PartnerAction))
def test_persona_may_do_exactly_the_expected_actions_on_bobs_partner(
    personas, bob_partner, persona, action
):
    assert allowed(personas[persona], action, bob_partner) == (action in EXPECTED[persona])


def test_anonymous_visitor_may_do_nothing(bob_partner):
    from django.contrib.auth.models import AnonymousUser

    assert not any(allowed(AnonymousUser(), action, bob_partner) for action in PartnerAction)


def test_partner_cannot_read_other_partners_private_achievement(personas, bob_partner, submit):
    achievement = submit(bob_partner)
    assert can_view_achievement(personas["bob"], achievement)
    assert can_view_achievement(personas["alice"], achievement)
    assert not can_view_achievement(personas["eve"], achievement)
    assert not can_view_achievement(personas["carol"], achievement)


def test_community_manager_manages_evangelists_but_not_achievements(make_user, bob_partner):
    manager = make_user("cm@example.com", staff_role="community_manager")
    assert allowed(manager, A.MANAGE_EVANGELISTS)
    assert not allowed(manager, A.REVIEW_ACHIEVEMENTS)
    assert not allowed(manager, A.VIEW_PRIVATE, bob_partner)


def test_partner_manager_reviews_achievements_and_sees_private_data(make_user, bob_partner):
    manager = make_user("pm@example.com", staff_role="partner_manager")
    assert allowed(manager, A.REVIEW_ACHIEVEMENTS)
    assert allowed(manager, A.VIEW_PRIVATE, bob_partner)


def test_organization_member_sees_private_data_but_only_owners_edit(make_user, bob, bob_partner):
    from kizuna.accounts.services import membership_add

    colleague = make_user("colleague@example.com")
    membership_add(actor=bob, organization=bob_partner.organization, user=colleague)
    assert allowed(colleague, A.VIEW_PRIVATE, bob_partner)
    assert not allowed(colleague, A.EDIT_PROFILE, bob_partner)
    assert not allowed(colleague, A.SUBMIT_ACHIEVEMENT, bob_partner)


def test_only_an_owner_sets_up_the_first_profile(personas, make_user, bob, bob_org):
    from kizuna.accounts.services import membership_add
    from kizuna.partners.permissions import can_set_up_profile

    colleague = make_user("colleague@example.com")
    membership_add(actor=bob, organization=bob_org, user=colleague)
    assert can_set_up_profile(personas["bob"], bob_org)
    assert not can_set_up_profile(colleague, bob_org)
    assert not can_set_up_profile(personas["eve"], bob_org)
