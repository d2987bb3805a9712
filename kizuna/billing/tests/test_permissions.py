from datetime import date

import pytest
from django.urls import reverse

from kizuna.accounts import services as accounts
from kizuna.accounts.models import MembershipRole
from kizuna.billing import services
from kizuna.billing.permissions import Action, can
from kizuna.billing.tests.conftest import choose

pytestmark = pytest.mark.django_db


@pytest.fixture
def frank(make_user, bob_org):
    """A member (not owner) of Bob Web Works."""
    user = make_user("frank@example.com", display_name="Frank")
    accounts.membership_add(actor=None, organization=bob_org, user=user, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def hanako(make_user):
    return make_user("hanako@example.com", staff_role="partner_manager")


@pytest.fixture
def taro(make_user):
    return make_user("taro@example.com", staff_role="community_manager")


MATRIX = {
    # persona: (view bob's billing, choose bob's fee, manage billing)
    "alice": (True, True, True),
    "hanako": (True, True, True),
    "taro": (False, False, False),
    "bob": (True, True, False),
    "frank": (True, False, False),
    "carol": (False, False, False),
    "dave": (False, False, False),
    "eve": (False, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_persona_action_matrix(persona, personas, frank, hanako, taro, bob_org):
    user = {**personas, "frank": frank, "hanako": hanako, "taro": taro}[persona]
    expected = MATRIX[persona]
    assert can(user, Action.VIEW_BILLING, bob_org) is expected[0]
    assert can(user, Action.CHOOSE_FEE, bob_org) is expected[1]
    assert can(user, Action.MANAGE_BILLING) is expected[2]


@pytest.fixture
def bob_invoice(bob_account):
    choose(bob_account)
    return services.invoice_issue_for_period(
        actor=None, account=bob_account, period_start=date(2026, 4, 1), issue_date=date(2026, 4, 1)
    )


def test_partner_sees_only_its_own_invoices_on_its_page(client, bob_invoice, eve_account, eve):
    client.force_login(eve)
    page = client.get(reverse("billing:overview")).content.decode()
    assert bob_invoice.display_number not in page
    assert client.get(reverse("billing:invoice_pdf", args=[bob_invoice.pk])).status_code == 404


def test_partner_downloads_its_own_invoice_pdf(client, bob, bob_invoice):
    client.force_login(bob)
    response = client.get(reverse("billing:invoice_pdf", args=[bob_invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_member_sees_invoices_but_cannot_choose_the_fee(client, frank, bob_invoice):
    client.force_login(frank)
    assert bob_invoice.display_number in client.get(reverse("billing:overview")).content.decode()
    assert client.get(reverse("billing:fee")).status_code == 403


@pytest.mark.parametrize("name", ["carol", "dave"])
def test_merchants_and_community_members_get_no_billing_pages(client, personas, name):
    client.force_login(personas[name])
    assert client.get(reverse("billing:overview")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    ["billing:staff_invoices", "billing:staff_rules", "billing:reconciliation", "billing:export"],
)
def test_staff_pages_refuse_partners_and_community_managers(client, bob, taro, url_name, rules):
    for user in (bob, taro):
        client.force_login(user)
        assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    ["billing:staff_invoices", "billing:staff_rules", "billing:reconciliation", "billing:export"],
)
def test_staff_pages_open_for_the_partner_manager(client, hanako, bob_invoice, url_name):
    client.force_login(hanako)
    assert client.get(reverse(url_name)).status_code == 200


def token(user, *scopes):
    return {
        "HTTP_AUTHORIZATION": "Bearer "
        + accounts.api_token_create(user=user, name="t", scopes=list(scopes))[1]
    }


def test_api_lists_a_partners_own_invoices(client, bob, bob_org, bob_invoice):
    response = client.get(
        "/api/v1/billing/invoices", {"organization_id": bob_org.pk}, **token(bob, "billing:read")
    )
    assert response.status_code == 200
    assert [i["number"] for i in response.json()["items"]] == ["INV-000001"]


def test_api_hides_another_partners_invoices(client, eve, bob_org, bob_invoice):
    response = client.get(
        "/api/v1/billing/invoices", {"organization_id": bob_org.pk}, **token(eve, "billing:read")
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    pdf = client.get(f"/api/v1/billing/invoices/{bob_invoice.pk}/pdf", **token(eve, "billing:read"))
    assert pdf.status_code == 404


def test_api_needs_the_billing_scope(client, bob, bob_org, bob_invoice):
    response = client.get(
        "/api/v1/billing/invoices", {"organization_id": bob_org.pk}, **token(bob, "account:read")
    )
    assert (response.status_code, response.json()["code"]) == (403, "missing_scope")


def test_api_owner_chooses_the_fee_and_gets_a_coded_error_out_of_range(
    client, bob, bob_org, bob_account
):
    headers = token(bob, "billing:read", "billing:write")
    url = f"/api/v1/billing/organizations/{bob_org.pk}/fee"
    ok = client.put(
        url, {"monthly_fee": 20_000, "cycle": "annual"}, content_type="application/json", **headers
    )
    assert (ok.status_code, ok.json()["monthly_fee"], ok.json()["cycle"]) == (200, 20_000, "annual")
    bad = client.put(
        url, {"monthly_fee": 999, "cycle": "monthly"}, content_type="application/json", **headers
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "fee_out_of_range")


def test_billing_data_is_kept_out_of_the_organization_model():
    # The directory queries Organization; billing lives in its own tables, joined only here.
    from kizuna.accounts.models import Organization

    names = {field.name for field in Organization._meta.concrete_fields}
    assert not names & {"monthly_fee", "fee", "billing_account", "suspended"}


def test_invoice_pdfs_are_never_kept_by_a_shared_cache_or_on_disk(client, alice, bob, bob_invoice):
    client.force_login(bob)
    partner = client.get(reverse("billing:invoice_pdf", args=[bob_invoice.pk]))
    client.force_login(alice)
    staff = client.get(reverse("billing:staff_invoice_pdf", args=[bob_invoice.pk]))
    api = client.get(f"/api/v1/billing/invoices/{bob_invoice.pk}/pdf", **token(bob, "billing:read"))
    for response in (partner, staff, api):
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
