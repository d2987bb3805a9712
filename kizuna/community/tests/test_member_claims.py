"""People link their account to their community records (claims)."""

import pytest

from kizuna.accounts.services import signup_start
from kizuna.accounts.services.signup import email_verification_find, signup_verify
from kizuna.community.models import ClaimStatus, Identity, Member, MemberClaim
from kizuna.community.services import claims
from kizuna.core import consumers
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def _member(name, platform, handle, email="", verified=False):
    member = Member.objects.create(display_name=name)
    Identity.objects.create(
        member=member, platform=platform, handle=handle, email=email, verified=verified
    )
    return member


def _sign_up_and_verify(email):
    import re

    from kizuna.outreach.testing import sent_mail

    signup_start(email=email, password="a long new password 42", display_name="H", language="ja")
    (body,) = [m.body for m in sent_mail() if m.to == [email]]
    found = re.search(r"/accounts/signup/verify/(\S+)/", body)
    assert found is not None
    verification = email_verification_find(token=found.group(1), purpose="signup")
    assert verification is not None
    return signup_verify(verification=verification)


def test_verifying_a_sign_up_claims_the_member_with_the_same_verified_email():
    member = _member("Hanako", "github", "hanako", "hanako@example.com", verified=True)
    user = _sign_up_and_verify("hanako@example.com")
    consumers.dispatch_all()
    member.refresh_from_db()
    assert member.user == user
    assert OutboxEvent.objects.filter(type="member.claimed").exists()
    assert AuditEntry.objects.filter(action="member.claimed").exists()


def test_an_unverified_email_is_not_claimed_automatically():
    member = _member("Hanako", "github", "hanako", "hanako@example.com", verified=False)
    _sign_up_and_verify("hanako@example.com")
    consumers.dispatch_all()
    member.refresh_from_db()
    assert member.user is None


def test_two_members_with_the_same_verified_email_are_left_for_staff():
    first = _member("A", "github", "a", "same@example.com", verified=True)
    second = _member("B", "slack", "b", "same@example.com", verified=True)
    _sign_up_and_verify("same@example.com")
    consumers.dispatch_all()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user is None
    assert second.user is None


def test_a_member_already_linked_to_someone_else_is_not_taken(carol, dave):
    _member("X", "github", "x", "carol@example.com", verified=True)
    Member.objects.update(user=dave)
    assert claims.member_claim_by_email(user=carol) is None
    assert Member.objects.get().user == dave


def test_staff_confirm_a_claimed_handle_and_the_member_is_linked(alice, dave):
    member = _member("Dave", "connpass", "dave_c")
    claim = claims.member_claim_request(user=dave, platform="connpass", handle="@Dave_C")
    assert claim.handle == "dave_c"
    claims.member_claim_confirm(actor=alice, claim=claim)
    member.refresh_from_db()
    assert member.user == dave
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CONFIRMED
    assert claim.decided_by == alice
    event = OutboxEvent.objects.get(type="member.claimed")
    assert event.payload == {"member_id": member.pk, "user_id": dave.pk, "how": "confirmed_claim"}


def test_a_claim_of_an_unknown_handle_cannot_be_confirmed(alice, dave):
    claim = claims.member_claim_request(user=dave, platform="github", handle="nobody")
    with pytest.raises(ServiceError):
        claims.member_claim_confirm(actor=alice, claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_a_claim_of_someone_elses_member_is_refused(alice, carol, dave):
    _member("Carol", "github", "carol")
    Member.objects.update(user=carol)
    claim = claims.member_claim_request(user=dave, platform="github", handle="carol")
    with pytest.raises(Conflict):
        claims.member_claim_confirm(actor=alice, claim=claim)


def test_only_github_and_connpass_handles_can_be_claimed(dave):
    with pytest.raises(ServiceError):
        claims.member_claim_request(user=dave, platform="slack", handle="dave")


def test_the_person_claims_on_their_page_and_staff_decide_on_theirs(client, alice, dave):
    member = _member("Dave", "github", "dave-gh")
    client.force_login(dave)
    response = client.post("/community/me/", {"platform": "github", "handle": "dave-gh"})
    assert response.status_code == 302
    claim = MemberClaim.objects.get()
    client.force_login(alice)
    assert "dave-gh" in client.get("/community/staff/claims/").content.decode()
    client.post(f"/community/staff/claims/{claim.pk}/", {"decision": "confirm"})
    member.refresh_from_db()
    assert member.user == dave
    client.force_login(dave)
    assert "dave-gh" in client.get("/community/me/").content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403), (None, 302)],
)
def test_who_may_review_claims(client, personas, persona, status):
    claim = claims.member_claim_request(user=personas["dave"], platform="github", handle="d")
    _member("D", "github", "d")
    if persona:
        client.force_login(personas[persona])
    assert client.get("/community/staff/claims/").status_code == status
    response = client.post(f"/community/staff/claims/{claim.pk}/", {"decision": "confirm"})
    assert response.status_code == (302 if status == 200 else status)
    claim.refresh_from_db()
    assert (claim.status == ClaimStatus.CONFIRMED) == (persona == "alice")


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve"])
def test_every_signed_in_person_has_a_community_profile_page(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get("/community/me/").status_code == 200


def test_visitors_are_sent_to_sign_in_for_the_community_profile_page(client):
    assert client.get("/community/me/").status_code == 302
