import random
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kizuna.accounts import services
from kizuna.accounts.models import Consent, LegalDocument, User
from kizuna.core.errors import ServiceError
from kizuna.core.models import OutboxEvent
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db

PASSWORD = "a long new password 42"


def _form(**changes):
    return {
        "email": "new@example.com",
        "display_name": "New Person",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "kind": "community_member",
        "language": "en",
        "agree": "on",
        "website": "",
        **changes,
    }


def _link(email="new@example.com"):
    bodies = [m.body for m in sent_mail() if m.to == [email]]
    found = [re.search(r"https?://\S+(/accounts/signup/verify/\S+/)", body) for body in bodies]
    return [m.group(1) for m in found if m]


def test_sign_up_creates_an_inactive_account_and_emails_a_link(client):
    response = client.post("/accounts/signup/", _form())
    assert response.status_code == 302
    assert response.url == "/accounts/signup/sent/"
    user = User.objects.get(email="new@example.com")
    assert not user.is_active
    assert (user.kind, user.language, user.display_name) == ("community_member", "en", "New Person")
    assert len(_link()) == 1


def test_consent_records_the_current_version_of_each_document_and_the_time(client):
    LegalDocument.objects.update(effective_at=timezone.now() - timedelta(days=30))
    LegalDocument.objects.create(
        kind="terms", version="2", body="v2", effective_at=timezone.now() - timedelta(days=1)
    )
    LegalDocument.objects.create(
        kind="terms", version="3", body="future", effective_at=timezone.now() + timedelta(days=9)
    )
    client.post("/accounts/signup/", _form())
    consents = Consent.objects.filter(user__email="new@example.com")
    assert sorted((c.document.kind, c.document.version) for c in consents) == [
        ("privacy", "1"),
        ("terms", "2"),
    ]
    assert all(c.agreed_at is not None for c in consents)


def test_following_the_link_activates_and_signs_in_once(client):
    client.post("/accounts/signup/", _form())
    (link,) = _link()
    assert client.get(link).status_code == 200
    # Opening the link (a mail scanner) spends nothing; the button does.
    assert not User.objects.get(email="new@example.com").is_active
    response = client.post(link)
    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").is_active
    assert client.get("/accounts/settings/").status_code == 200
    assert OutboxEvent.objects.filter(type="user.email_verified").exists()
    client.logout()
    assert client.post(link).status_code == 410


def test_the_link_expires_after_24_hours(client):
    client.post("/accounts/signup/", _form())
    (link,) = _link()
    from kizuna.accounts.models import EmailVerification

    EmailVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(link).status_code == 410
    assert not User.objects.get(email="new@example.com").is_active


def test_an_inactive_account_cannot_sign_in_before_verifying(client):
    client.post("/accounts/signup/", _form())
    client.post("/accounts/login/", {"username": "new@example.com", "password": PASSWORD})
    assert client.get("/accounts/settings/").status_code == 302


def test_an_existing_email_gets_the_same_answer_and_its_owner_an_email(client, carol):
    response = client.post("/accounts/signup/", _form(email="Carol@example.com"))
    assert response.status_code == 302
    assert response.url == "/accounts/signup/sent/"
    carol.refresh_from_db()
    assert carol.is_active
    assert carol.check_password("correct horse battery staple")
    (message,) = [m for m in sent_mail() if m.to == ["carol@example.com"]]
    assert "/accounts/password-reset/" in message.body
    assert _link("carol@example.com") == []


def test_signing_up_again_before_verifying_sends_a_new_link_and_the_old_one_stops(client):
    client.post("/accounts/signup/", _form())
    client.post("/accounts/signup/", _form(display_name="Renamed"))
    first, second = _link()
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 302
    assert User.objects.get(email="new@example.com").display_name == "Renamed"


def test_the_honeypot_answers_like_success_and_creates_nothing(client):
    response = client.post("/accounts/signup/", _form(website="http://spam.example"))
    assert response.status_code == 302
    assert not User.objects.filter(email="new@example.com").exists()
    assert sent_mail() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an email"}, "email"),
        ({"password1": "1234", "password2": "1234"}, "password2"),
        ({"password2": "something else 99"}, "password2"),
        ({"agree": ""}, "agree"),
        ({"display_name": ""}, "display_name"),
        ({"kind": "partner"}, "kind"),
    ],
)
def test_bad_input_gets_a_field_error(client, changes, field):
    response = client.post("/accounts/signup/", _form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_sign_ups_are_rate_limited_per_email(client):
    for _ in range(3):
        assert client.post("/accounts/signup/", _form()).status_code == 302
    response = client.post("/accounts/signup/", _form())
    assert response.status_code == 429
    assert "Retry-After" in response
    assert len(_link()) == 3


def test_sign_ups_are_rate_limited_per_ip(client):
    for number in range(10):
        client.post("/accounts/signup/", _form(email=f"p{number}@example.com"))
    assert client.post("/accounts/signup/", _form(email="last@example.com")).status_code == 429
    assert not User.objects.filter(email="last@example.com").exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve"])
def test_signed_in_people_are_sent_home_from_the_sign_up_page(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get("/accounts/signup/")
    assert response.status_code == 302
    assert response.url == "/home/"


def test_visitors_see_the_sign_up_page_and_the_legal_documents(client):
    assert client.get("/accounts/signup/").status_code == 200
    assert client.get("/accounts/legal/terms/").status_code == 200
    assert client.get("/accounts/legal/privacy/").status_code == 200
    assert client.get("/accounts/legal/other/").status_code == 404


def test_signup_start_refuses_a_staff_or_partner_kind():
    with pytest.raises(ServiceError):
        services.signup_start(
            email="x@example.com", password=PASSWORD, display_name="X", language="ja", kind="x"
        )


def test_seed_demo_leaves_an_open_invitation_and_an_erasure_request_to_decide():
    from kizuna.accounts import demo
    from kizuna.accounts.models import ErasureRequest, Invitation
    from kizuna.core.seeding import DemoContext

    demo.seed(DemoContext(rng=random.Random(1), scale="small", today=date(2026, 12, 1)))
    assert Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).exists()
    assert ErasureRequest.objects.filter(status="open").exists()
