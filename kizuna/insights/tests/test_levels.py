"""Engagement levels: promotion at once, demotion only at the review."""

from datetime import date, timedelta

import pytest

from kizuna.community.models import Level, LevelSnapshot, MemberLevel
from kizuna.insights import fill, levels
from kizuna.insights.tests.factories import activity, member

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 31)


def level_of(person) -> int:
    return MemberLevel.objects.get(member=person).level


def test_levels_follow_weight_outputs_and_presence():
    assert levels.level_for(0, 0, 0) == Level.EXPLORING
    assert levels.level_for(12, 0, 0) == Level.PARTICIPATING
    assert levels.level_for(45, 1, 0) == Level.CONTRIBUTING
    assert levels.level_for(500, 20, 0) == Level.CONTRIBUTING  # no presence milestone yet
    assert levels.level_for(500, 20, 3) == Level.LEADING


def test_promotion_is_immediate_and_demotion_waits_for_the_review():
    person = member()
    activity(person, date(2026, 9, 1), "chat_message")
    fill.fill(today=TODAY)
    levels.levels_update(as_of=TODAY, review=False)
    assert level_of(person) == Level.EXPLORING
    for n in range(6):
        activity(person, date(2026, 9, 2) + timedelta(days=n), "talk", output=True)
    fill.fill(today=TODAY)
    levels.levels_update(as_of=TODAY, review=False)
    assert level_of(person) == Level.CONTRIBUTING

    a_year_later = TODAY + timedelta(days=400)
    levels.levels_update(as_of=a_year_later, review=False)
    assert level_of(person) == Level.CONTRIBUTING  # no demotion between reviews
    levels.levels_update(as_of=a_year_later, review=True)
    assert level_of(person) == Level.EXPLORING
    assert LevelSnapshot.objects.filter(member=person).count() == 1


def test_bots_get_no_level():
    bot = member(is_bot=True)
    activity(bot, date(2026, 9, 1), "talk", output=True)
    fill.fill(today=TODAY)
    levels.levels_update(as_of=TODAY, review=True)
    assert not MemberLevel.objects.filter(member=bot).exists()
