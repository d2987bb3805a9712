"""Engagement levels as community keeps them: what insights says a member earned is applied
at once when it is a promotion, and only at the monthly review when it is a demotion."""

from datetime import date

import pytest

from kizuna.community import selectors, services
from kizuna.community.models import Level, LevelSnapshot, Member, MemberLevel

pytestmark = pytest.mark.django_db
OCTOBER_31 = date(2026, 10, 31)


def level_of(person: Member) -> int:
    return MemberLevel.objects.get(member=person).level


def test_a_promotion_applies_at_once_and_a_demotion_waits_for_the_review(alice):
    person = services.member_create(actor=alice, display_name="Hana")
    services.member_levels_apply(
        earned={person.pk: Level.CONTRIBUTING}, as_of=OCTOBER_31, review=False
    )
    assert level_of(person) == Level.CONTRIBUTING

    services.member_levels_apply(earned={}, as_of=OCTOBER_31, review=False)
    assert level_of(person) == Level.CONTRIBUTING
    changed = services.member_levels_apply(earned={}, as_of=OCTOBER_31, review=True)
    assert changed == 1
    assert level_of(person) == Level.EXPLORING
    assert list(LevelSnapshot.objects.values_list("month", "member_id", "level")) == [
        (date(2026, 10, 1), person.pk, Level.EXPLORING)
    ]


def test_members_are_filtered_and_counted_by_level(alice):
    leader = services.member_create(actor=alice, display_name="Leader")
    services.member_create(actor=alice, display_name="Nobody yet")
    services.member_levels_apply(earned={leader.pk: Level.LEADING}, as_of=OCTOBER_31, review=False)
    assert list(selectors.members_at_level(Member.objects.all(), Level.LEADING)) == [leader]
    assert selectors.members_at_level(Member.objects.all(), None).count() == 2
    assert selectors.level_counts() == {1: 1, 2: 0, 3: 0, 4: 0}
    assert selectors.member_level(leader.pk) == Level.LEADING
