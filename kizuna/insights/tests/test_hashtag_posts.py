"""Hashtag posts: social posts, and any activity whose text carries an event's hashtag,
counted the same by the rollups as by reading every activity's text."""

from datetime import UTC, date, datetime

import pytest

from kizuna.community import services as community
from kizuna.community.models import Event
from kizuna.core.consumers import dispatch_all
from kizuna.insights import fill, hashtags, selectors
from kizuna.insights.models import HashtagPost, KpiValue
from kizuna.insights.selection import Selection
from kizuna.insights.tests.factories import activity, member
from kizuna.insights.tests.test_rollups_match_raw import TODAY, assert_rollups_match_raw

pytestmark = pytest.mark.django_db
AUGUST = date(2026, 8, 1)


def hashtag_posts(month: date = AUGUST) -> float | None:
    return (
        KpiValue.objects.filter(metric="outputs_social_posts", interval="month", period_start=month)
        .values_list("value", flat=True)
        .first()
    )


def conference(hashtag: str = "＃KizunaConf") -> Event:
    return Event.objects.create(
        source="test",
        external_id="conf",
        title="Kizuna Conference",
        hashtag=hashtag,
        starts_at=datetime(2026, 8, 20, 1, tzinfo=UTC),
        ends_at=datetime(2026, 8, 20, 9, tzinfo=UTC),
    )


@pytest.fixture
def posts():
    people = [member(f"p{n}") for n in range(5)]
    bot = member("bot", is_bot=True)
    activity(people[0], date(2026, 8, 19), "social_post")  # a social post counts as it is
    activity(people[1], date(2026, 8, 20), "blog_post", output=True, text="slides #kizunaconf")
    activity(people[2], date(2026, 8, 21), "chat_message", text="楽しい ＃ＫＩＺＵＮＡＣＯＮＦ！")
    activity(people[3], date(2026, 8, 21), "chat_message", text="#kizunaconference is another")
    activity(people[4], date(2026, 8, 22), "chat_message", text="no tag: kizunaconf")
    activity(bot, date(2026, 8, 20), "chat_message", text="#KizunaConf")
    return people


@pytest.mark.parametrize(
    ("stored", "normalized"),
    [
        ("#KizunaConf", "kizunaconf"),
        ("kizunaconf", "kizunaconf"),
        ("＃ＫｉｚｕｎａＣｏｎｆ", "kizunaconf"),
    ],
)
def test_an_events_hashtag_is_compared_without_its_sign_width_or_case(stored, normalized):
    assert hashtags.normalize_tag(stored) == normalized


def test_a_tag_ends_where_its_letters_end():
    tags = hashtags.tags_in("見に来てね#東京Ruby会議、#KizunaConf!")
    assert tags == {"東京ruby会議", "kizunaconf"}
    assert hashtags.tags_in("#kizunaconference") == {"kizunaconference"}


def test_activities_carrying_an_events_hashtag_are_hashtag_posts(posts):
    conference()
    fill.fill(today=TODAY)
    # The social post, the blog post (#) and the chat message (full-width ＃, capitals); not
    # the longer tag, the word without its sign, or the bot.
    assert hashtag_posts() == 3
    assert_rollups_match_raw()


def test_an_event_created_later_makes_older_activities_hashtag_posts(posts, alice):
    fill.fill(today=TODAY)
    assert hashtag_posts() == 1
    community.event_create(
        actor=alice,
        title="Kizuna Conference",
        hashtag="kizunaconf",
        starts_at=datetime(2026, 8, 20, 1, tzinfo=UTC),
    )
    dispatch_all()
    fill.fill(today=TODAY)
    assert hashtag_posts() == 3
    assert_rollups_match_raw()


def test_a_changed_hashtag_stops_counting_the_old_one(posts, alice):
    event = community.event_create(
        actor=alice,
        title="Kizuna Conference",
        hashtag="kizunaconf",
        starts_at=datetime(2026, 8, 20, 1, tzinfo=UTC),
    )
    dispatch_all()
    fill.fill(today=TODAY)
    community.event_update(actor=alice, event=event, hashtag="kizunaconference")
    dispatch_all()
    fill.fill(today=TODAY)
    assert set(HashtagPost.objects.values_list("hashtag", flat=True)) == {"kizunaconference"}
    assert hashtag_posts() == 2  # the social post and the longer tag's message
    assert_rollups_match_raw()


def test_a_rebuild_records_the_same_hashtag_posts(posts):
    conference()
    fill.fill(today=TODAY)
    recorded = set(HashtagPost.objects.values_list("activity_id", "hashtag"))
    fill.rebuild(date(2026, 7, 1), TODAY, today=TODAY)
    assert set(HashtagPost.objects.values_list("activity_id", "hashtag")) == recorded
    assert hashtag_posts() == 3


def test_the_events_table_counts_posts_around_the_event(posts):
    conference()
    fill.fill(today=TODAY)
    selection = Selection(interval="month", since=AUGUST, until=date(2026, 8, 31), today=TODAY)
    (row,) = selectors.event_rows_between(selection)
    # The social post was recorded for no event and carries no tag; the blog post is during
    # the event (10:00-18:00 Tokyo), the chat message after; the bot's post does not count.
    assert (row["before"], row["during"], row["after"]) == (0, 1, 1)
