import pytest
from django.core.management import CommandError, call_command

from conftest import reset_database
from kizuna.accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def people_and_partners() -> tuple[list, list]:
    return (
        list(
            User.objects.order_by("email").values_list(
                "email", "display_name", "kind", "staff_role_grants__role"
            )
        ),
        list(Organization.objects.order_by("slug").values_list("slug", "name")),
    )


def test_seed_demo_creates_the_named_personas_with_their_roles():
    call_command("seed_demo", "--seed", "1", verbosity=0)
    assert User.objects.get(email="alice@example.com").staff_roles == {"admin"}
    assert (
        Membership.objects.get(user__email="bob@example.com").organization.name == "Bob Web Works"
    )
    assert User.objects.get(email="carol@example.com").kind == "merchant"
    assert User.objects.get(email="dave@example.com").kind == "community_member"
    assert Membership.objects.get(user__email="eve@example.com").role == "owner"
    assert Organization.objects.count() > 20


@pytest.mark.django_db(transaction=True)
def test_seed_demo_is_deterministic_for_a_seed():
    call_command("seed_demo", "--seed", "7", "--today", "2026-11-01", verbosity=0)
    first = people_and_partners()
    # Flush, not delete: later apps' records (invoices) refuse deletion on purpose.
    reset_database()
    call_command("seed_demo", "--seed", "7", "--today", "2026-11-01", verbosity=0)
    assert people_and_partners() == first


def test_seed_demo_refuses_a_database_that_has_data_unless_asked_to_skip(alice):
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert User.objects.count() == 1


def test_demo_personas_can_sign_in_with_the_printed_password(client):
    from kizuna.core.seeding import DEMO_PASSWORD

    call_command("seed_demo", verbosity=0)
    response = client.post(
        "/accounts/login/", {"username": "carol@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
