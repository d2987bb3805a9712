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


def test_the_demo_has_a_finished_contest_with_a_tie_and_an_excluded_judge_and_an_open_one():
    from kizuna.community.models import Activity, Contest, ContestConflict, ContestState

    call_command("seed_demo", "--seed", "3", verbosity=0)

    finished = Contest.objects.get(state=ContestState.FINISHED)
    ranks = list(finished.entries.order_by("rank").values_list("rank", flat=True))
    assert ranks == [1, 2, 2, 4]
    assert ContestConflict.objects.filter(entry__contest=finished).exists()
    assert Activity.objects.filter(source="kizuna-contest").count() == 4
    open_contest = Contest.objects.get(state=ContestState.PUBLISHED)
    assert open_contest.entries.filter(member__user__email="dave@example.com").exists()
