import pytest
from django.core.management import call_command

from kizuna.community.models import (
    Affiliation,
    AffiliationSuggestion,
    Group,
    SuggestionSource,
    SuggestionState,
)
from kizuna.community.permissions import organized_groups

pytestmark = pytest.mark.django_db


def test_the_demo_has_groups_with_organizers_affiliations_and_suggestions():
    from kizuna.accounts.models import User

    call_command("seed_demo", "--seed", "3", verbosity=0)

    groups = Group.objects.prefetch_related("leaders")
    assert groups.exists()
    assert all(group.leaders.exists() and group.links for group in groups)
    assert organized_groups(User.objects.get(email="dave@example.com")).exists()
    assert Affiliation.objects.filter(organization__partner_profile__isnull=False).exists()
    pending = AffiliationSuggestion.objects.filter(state=SuggestionState.PENDING)
    assert set(pending.values_list("source", flat=True)) == {
        SuggestionSource.EMAIL_DOMAIN,
        SuggestionSource.PARTNER,
    }
