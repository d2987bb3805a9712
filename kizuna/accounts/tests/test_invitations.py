import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import PASSWORD
from kizuna.accounts import services
from kizuna.accounts.models import Invitation, Membership, MembershipRole, User
from kizuna.core.errors import Conflict
from kizuna.core.models import AuditEntry
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long new password 42"


def _invite(bob, bob_org, email="new@example.com", role=MembershipRole.MEMBER, **kw):
    return services.invitation_create(
        organization=bob_org, email=email, role=role, invited_by=bob, **kw
    )


def _link(email):
    (message,) = [m for m in sent_mail() if m.to == [email]]
    return re.search(r"https?://\S+/accounts/invitations/(\S+)/", message.body)


def test_owner_invites_a_colleague_and_the_email_carries_a_working_link(bob, bob_org):
    _invite(bob, bob_org, language="en")
    found = _link("new@example.com")
    assert found is not None
    invitation = services.invitation_by_token(found.group(1))
    assert invitation is not None
    assert invitation.organization == bob_org
    # Only the hash is stored.
    assert found.group(1) not in invitation.token_hash
    assert AuditEntry.objects.filter(action="organization.invitation_created").exists()


def test_a_member_or_another_partner_cannot_invite(bob, bob_org, eve, make_user):
    member = make_user("member@example.com")
    services.membership_add(actor=bob, organization=bob_org, user=member)
    for intruder in (member, eve):
        with pytest.raises(PermissionDenied):
            _invite(intruder, bob_org)


def test_staff_of_the_partner_program_can_invite_for_an_organization(alice, bob, bob_org):
    invitation = services.invitation_create(
        organization=bob_org, email="x@example.com", role="owner", invited_by=alice
    )
    assert invitation.role == "owner"


def test_inviting_someone_already_in_the_organization_is_refused(bob, bob_org):
    with pytest.raises(Conflict):
        _invite(bob, bob_org, email="BOB@example.com")


def test_a_new_person_accepts_sets_a_password_and_joins_with_the_role(bob, bob_org):
    invitation = _invite(bob, bob_org, role=MembershipRole.OWNER)
    membership = services.invitation_accept(
        invitation=invitation, password=NEW_PASSWORD, display_name="New Person"
    )
    assert membership.role == MembershipRole.OWNER
    user = User.objects.get(email="new@example.com")
    assert user.check_password(NEW_PASSWORD)
    assert user.is_active
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_an_invitation_works_once(bob, bob_org):
    invitation = _invite(bob, bob_org)
    services.invitation_accept(invitation=invitation, password=NEW_PASSWORD, display_name="N")
    with pytest.raises(Conflict):
        services.invitation_accept(invitation=invitation, password=NEW_PASSWORD, display_name="N")


def test_an_expired_or_revoked_invitation_cannot_be_accepted(bob, bob_org):
    expired = _invite(bob, bob_org, now=timezone.now() - timedelta(days=8))
    with pytest.raises(Conflict):
        services.invitation_accept(invitation=expired, password=NEW_PASSWORD, display_name="N")
    revoked = _invite(bob, bob_org, email="other@example.com")
    services.invitation_revoke(actor=bob, invitation=revoked)
    with pytest.raises(Conflict):
        services.invitation_accept(invitation=revoked, password=NEW_PASSWORD, display_name="N")
    assert not User.objects.filter(email__in=["new@example.com", "other@example.com"]).exists()


def test_a_new_invitation_replaces_the_open_one_for_the_same_address(bob, bob_org):
    first = _invite(bob, bob_org)
    _invite(bob, bob_org)
    first.refresh_from_db()
    assert first.revoked_at is not None


def test_an_existing_user_accepts_while_signed_in_with_the_same_email(bob, bob_org, carol):
    invitation = _invite(bob, bob_org, email="carol@example.com")
    services.invitation_accept(invitation=invitation, user=carol)
    assert Membership.objects.filter(user=carol, organization=bob_org).exists()


def test_another_signed_in_user_cannot_take_someone_elses_invitation(bob, bob_org, carol):
    invitation = _invite(bob, bob_org, email="someone@example.com")
    with pytest.raises(Exception, match=r"someone@example\.com"):
        services.invitation_accept(invitation=invitation, user=carol)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_member_can_leave_but_the_last_owner_cannot(bob, bob_org, make_user):
    member = make_user("member@example.com")
    services.membership_add(actor=bob, organization=bob_org, user=member)
    services.membership_leave(user=member, organization=bob_org)
    assert not Membership.objects.filter(user=member).exists()
    with pytest.raises(Conflict) as refused:
        services.membership_leave(user=bob, organization=bob_org)
    assert refused.value.code == "last_owner"
    services.membership_add(actor=bob, organization=bob_org, user=member, role="owner")
    services.membership_leave(user=bob, organization=bob_org)
    assert not Membership.objects.filter(user=bob).exists()


# Pages


def test_the_members_page_lets_an_owner_invite_and_revoke(client, bob, bob_org):
    client.force_login(bob)
    url = f"/accounts/organizations/{bob_org.pk}/members/"
    response = client.post(url, {"email": "new@example.com", "role": "member", "language": "ja"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert "new@example.com" in client.get(url).content.decode()
    client.post(f"/accounts/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.parametrize(
    ("persona", "view_status", "invite_status"),
    [
        ("alice", 200, 302),
        ("bob", 200, 302),
        ("carol", 403, 403),
        ("dave", 403, 403),
        ("eve", 403, 403),
        (None, 302, 302),
    ],
)
def test_who_may_see_the_members_page_and_invite(
    client, personas, bob_org, persona, view_status, invite_status
):
    if persona:
        client.force_login(personas[persona])
    url = f"/accounts/organizations/{bob_org.pk}/members/"
    assert client.get(url).status_code == view_status
    response = client.post(url, {"email": "n@example.com", "role": "member", "language": "ja"})
    assert response.status_code == invite_status
    assert Invitation.objects.exists() == (invite_status == 302 and persona is not None)


@pytest.mark.parametrize("persona", ["carol", "dave", "eve"])
def test_outsiders_cannot_revoke_an_invitation(client, personas, bob_org, persona):
    invitation = _invite(personas["bob"], bob_org)
    client.force_login(personas[persona])
    assert client.post(f"/accounts/invitations/{invitation.pk}/revoke/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_new_person_accepts_on_the_invitation_page_and_is_signed_in(client, bob, bob_org):
    _invite(bob, bob_org)
    token = _link("new@example.com").group(1)
    page = client.get(f"/accounts/invitations/{token}/")
    assert "Bob Web Works" in page.content.decode()
    response = client.post(
        f"/accounts/invitations/{token}/",
        {"display_name": "New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/accounts/settings/").status_code == 200
    assert client.get(f"/accounts/invitations/{token}/").status_code == 410


def test_a_weak_password_on_the_invitation_page_gets_a_field_error(client, bob, bob_org):
    _invite(bob, bob_org)
    token = _link("new@example.com").group(1)
    response = client.post(
        f"/accounts/invitations/{token}/",
        {"display_name": "New", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="new@example.com").exists()


def test_an_existing_account_is_asked_to_sign_in_first(client, bob, bob_org, carol):
    _invite(bob, bob_org, email="carol@example.com")
    token = _link("carol@example.com").group(1)
    page = client.get(f"/accounts/invitations/{token}/").content.decode()
    assert "/accounts/login/?next=" in page
    client.post("/accounts/login/", {"username": "carol@example.com", "password": PASSWORD})
    client.post(f"/accounts/invitations/{token}/")
    assert Membership.objects.filter(user__email="carol@example.com").exists()


def test_an_unknown_token_is_not_found(client):
    assert client.get("/accounts/invitations/nope/").status_code == 404
