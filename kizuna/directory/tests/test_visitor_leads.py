"""A visitor's request: held until the emailed link is followed; only then do partners see it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.accounts.models import EmailVerification, User
from kizuna.core import consumers
from kizuna.core.models import OutboxEvent
from kizuna.directory.models import Assignment, Lead, VisitorLead
from kizuna.directory.tests.test_pages import lead_post
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db

VISITOR = "visitor.shop@example.jp"


@pytest.fixture
def bob_partner(make_partner, bob):
    return make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 1})


def _verify_path():
    bodies = [m.body for m in sent_mail() if m.to == [VISITOR]]
    paths = [re.search(r"https?://[^/\s]+(/directory/request/verify/\S+/)", b) for b in bodies]
    return [p.group(1) for p in paths if p]


def _send(client, **changes):
    return client.post(
        reverse("directory:lead_new"),
        lead_post(contact_email=VISITOR, partners=["bob-web-works"], **changes),
    )


def test_a_visitor_sees_the_lead_form_without_signing_in(client, bob_partner):
    response = client.get(reverse("directory:lead_new"), {"partner": "bob-web-works"})
    assert response.status_code == 200
    assert response.context["visitor"] is True


def test_a_visitors_request_is_held_and_partners_see_nothing_until_verified(
    client, bob, bob_partner
):
    response = _send(client)
    assert response.status_code == 302
    assert response.url == reverse("directory:visitor_lead_sent")
    assert VisitorLead.objects.count() == 1
    assert not Lead.objects.exists()
    assert not Assignment.objects.exists()
    assert not OutboxEvent.objects.filter(type__startswith="lead.").exists()
    consumers.dispatch_all()
    assert [m for m in sent_mail() if m.to == ["bob@example.com"]] == []
    client.force_login(bob)
    assert "手作りの革小物" not in client.get(reverse("directory:inbox")).content.decode()


def test_following_the_link_creates_the_merchant_account_and_offers_the_lead(
    client, bob, bob_partner
):
    _send(client)
    (path,) = _verify_path()
    assert client.get(path).status_code == 200
    assert not Lead.objects.exists()
    response = client.post(path)
    assert response.status_code == 200
    merchant = User.objects.get(email=VISITOR)
    assert merchant.is_active
    assert merchant.kind == "merchant"
    assert not merchant.has_usable_password()
    lead = Lead.objects.get()
    assert lead.merchant == merchant
    assert lead.contact_name == "中島"
    assert list(lead.assignments.values_list("partner_id", flat=True)) == [bob_partner.pk]
    assert VisitorLead.objects.get().lead == lead
    assert OutboxEvent.objects.filter(type="user.email_verified").exists()
    # The link works once.
    assert client.post(path).status_code == 410
    assert Lead.objects.count() == 1


def test_the_merchant_chooses_a_password_later_with_the_reset_flow(client, bob_partner):
    _send(client)
    client.post(_verify_path()[0])
    client.post(reverse("accounts:password_reset"), {"email": VISITOR})
    assert any("/accounts/password-reset/" in m.body for m in sent_mail() if m.to == [VISITOR])


def test_an_expired_link_sends_nothing(client, bob_partner):
    _send(client)
    EmailVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(_verify_path()[0]).status_code == 410
    assert not Lead.objects.exists()
    assert not User.objects.filter(email=VISITOR).exists()


def test_a_visitor_with_an_existing_account_gets_the_lead_on_that_account(
    client, carol, bob_partner
):
    client.post(
        reverse("directory:lead_new"),
        lead_post(contact_email="carol@example.com", partners=["bob-web-works"]),
    )
    (body,) = [m.body for m in sent_mail() if m.to == ["carol@example.com"]]
    found = re.search(r"https?://[^/\s]+(/directory/request/verify/\S+/)", body)
    assert found is not None
    path = found.group(1)
    client.post(path)
    assert Lead.objects.get().merchant == carol
    carol.refresh_from_db()
    assert carol.check_password("correct horse battery staple")


def test_a_visitors_honeypot_pretends_success_and_holds_nothing(client, bob_partner):
    response = _send(client, website="http://spam")
    assert response.status_code == 302
    assert not VisitorLead.objects.exists()
    assert sent_mail() == []


def test_visitor_requests_are_rate_limited_per_email(client, bob_partner, settings):
    settings.KIZUNA_LEADS_PER_HOUR_PER_EMAIL = 1
    _send(client)
    assert _send(client).status_code == 200
    assert VisitorLead.objects.count() == 1


def test_a_visitors_bad_input_gets_field_errors(client, bob_partner):
    response = client.post(reverse("directory:lead_new"), lead_post(contact_email="nope"))
    assert response.status_code == 200
    assert "contact_email" in response.context["form"].errors
    assert not VisitorLead.objects.exists()


def test_a_partner_that_stopped_taking_requests_is_skipped_at_verification(client, bob_partner):
    _send(client)
    from kizuna.directory.models import DirectoryEntry

    DirectoryEntry.objects.update(accepting=False)
    client.post(_verify_path()[0])
    lead = Lead.objects.get()
    assert lead.routing == "recommended"
    assert not lead.assignments.filter(partner=bob_partner).exists()
