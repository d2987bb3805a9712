from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from kizuna.community import selectors, services
from kizuna.community.models import (
    Activity,
    ErasureBlock,
    Identity,
    Member,
    MergeSuggestion,
)
from kizuna.core.models import OutboxEvent

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def import_line(n, platform, handle, name="", email="", **extra):
    record = {
        "source": "t",
        "external_id": f"{platform}-{n}",
        "type": "answer",
        "occurred_at": "2026-04-01T10:00:00+09:00",
        "member": {"platform": platform, "handle": handle, "name": name, "email": email},
        **extra,
    }
    return services.activities_ingest(records=[(1, record)])


def member(handle, platform="slack"):
    return Member.objects.get(identities__platform=platform, identities__handle=handle)


def test_an_identity_names_one_member_per_platform(alice):
    dave = services.member_create(
        actor=alice, display_name="Dave", platform="github", handle="dave"
    )
    with pytest.raises(ValidationError):
        services.identity_add(actor=alice, member=dave, platform="github", handle="DAVE")
    with pytest.raises(IntegrityError):
        Identity.objects.create(member=dave, platform="github", handle="dave")


def test_a_verified_email_belongs_to_one_member(alice):
    one = services.member_create(actor=alice, display_name="One")
    two = services.member_create(actor=alice, display_name="Two")
    services.identity_add(
        actor=alice, member=one, platform="email", handle="a", email="a@example.jp", verified=True
    )
    with pytest.raises(ValidationError):
        services.identity_add(
            actor=alice,
            member=two,
            platform="email",
            handle="b",
            email="a@example.jp",
            verified=True,
        )


def test_suggestions_find_same_verified_email_same_handle_and_same_name(alice):
    a = services.member_create(
        actor=alice, display_name="佐藤 翔太", platform="github", handle="shota"
    )
    b = services.member_create(
        actor=alice, display_name="佐藤　翔太", platform="slack", handle="shota"
    )
    c = services.member_create(actor=alice, display_name="さとう しょうた")
    services.member_update(actor=alice, member=a, name_kana="サトウ ショウタ")

    assert services.merge_suggestions_refresh() >= 2
    pairs = {(s.member_a_id, s.member_b_id): s.reason for s in MergeSuggestion.objects.all()}
    assert pairs[(a.pk, b.pk)] in ("same_handle", "similar_name")
    assert (a.pk, c.pk) in pairs  # kana reading matches the hiragana name


def test_not_the_same_person_is_never_suggested_again(alice):
    a = services.member_create(actor=alice, display_name="山田 太郎")
    b = services.member_create(actor=alice, display_name="山田太郎")
    services.merge_suggestions_refresh()
    services.member_mark_not_same(actor=alice, first=b, second=a)

    services.merge_suggestions_refresh()
    assert not MergeSuggestion.objects.exists()


def test_merge_moves_everything_and_undo_moves_it_back(alice, bob_org):
    import_line(1, "slack", "u01", name="山田 太郎")
    import_line(2, "github", "taro", name="Taro")
    into, merged = member("u01"), member("taro", "github")
    services.affiliation_add(
        actor=alice, member=merged, organization=bob_org, start_date=date(2025, 1, 1)
    )
    services.member_update(actor=alice, member=merged, tags=["speaker"])

    merge = services.member_merge(actor=alice, into=into, merged=merged)

    assert into.activities.count() == 2
    assert into.identities.count() == 2
    assert into.affiliations.count() == 1
    assert list(into.tags.values_list("name", flat=True)) == ["speaker"]
    assert Member.objects.current().count() == 1
    assert OutboxEvent.objects.filter(type="member.merged").exists()
    import_line(3, "github", "taro")  # arrives after the merge, through the merged identity
    assert into.activities.count() == 3

    services.member_merge_undo(actor=alice, merge=merge)

    merged.refresh_from_db()
    assert merged.merged_into is None
    assert into.activities.count() == 1
    assert merged.activities.count() == 2
    assert merged.identities.get().handle == "taro"
    assert merged.affiliations.count() == 1
    assert not into.tags.exists()
    with pytest.raises(ValidationError):
        services.member_merge_undo(actor=alice, merge=merge)


def test_a_member_cannot_be_merged_with_itself_or_twice(alice):
    a = services.member_create(actor=alice, display_name="A")
    b = services.member_create(actor=alice, display_name="B")
    with pytest.raises(ValidationError):
        services.member_merge(actor=alice, into=a, merged=a)
    services.member_merge(actor=alice, into=a, merged=b)
    with pytest.raises(ValidationError):
        services.member_merge(actor=alice, into=a, merged=b)


def test_erasure_removes_personal_data_keeps_counts_and_blocks_reimport(alice):
    import_line(
        1,
        "slack",
        "u01",
        name="山田 太郎",
        email="taro@example.jp",
        title="私の質問",
        url="https://slack.example/1",
    )
    person = member("u01")

    services.member_erase(actor=alice, member=person)

    person.refresh_from_db()
    assert person.erased_at
    assert person.display_name == ""
    assert person.search_text == ""
    assert not Identity.objects.exists()
    activity = Activity.objects.get()
    assert (activity.member_id, activity.title, activity.url) == (person.pk, "", "")
    assert ErasureBlock.objects.count() == 2  # the handle and the email, hashed
    assert "u01" not in str(list(ErasureBlock.objects.values_list("identifier_hash", flat=True)))

    again = import_line(2, "slack", "u01", name="山田 太郎")
    by_email = import_line(3, "zenn", "taro", email="taro@example.jp")
    assert (again.rejected, by_email.rejected) == (1, 1)
    assert Member.objects.count() == 1
    assert OutboxEvent.objects.filter(type="member.erased").exists()


def test_export_contains_everything_stored_about_the_person(alice, bob_org):
    import_line(1, "slack", "u01", name="山田 太郎", email="taro@example.jp", title="質問")
    person = member("u01")
    services.affiliation_add(
        actor=alice, member=person, organization=bob_org, start_date=date(2025, 4, 1)
    )

    export = selectors.member_export(person, with_staff_notes=True)

    assert export["member"]["display_name"] == "山田 太郎"
    assert export["identities"][0]["email"] == "taro@example.jp"
    assert export["affiliations"][0]["organization__name"] == "Bob Web Works"
    assert export["activities"][0]["title"] == "質問"


def test_member_search_matches_japanese_spelling_variants(alice):
    services.member_create(
        actor=alice, display_name="サーバ太郎", platform="github", handle="server-taro"
    )
    services.member_create(actor=alice, display_name="山田 花子")
    assert [m.display_name for m in selectors.member_search(query="サーバー")] == ["サーバ太郎"]
    assert [m.display_name for m in selectors.member_search(query="SERVER-TARO")] == ["サーバ太郎"]


def test_partner_contribution_counts_only_activity_inside_the_affiliation_dates(alice, bob_org):
    for n, day in enumerate(["2025-03-31", "2025-04-01", "2025-12-31", "2026-01-01"]):
        import_line(n, "github", "kenji", occurred_at=f"{day}T12:00:00+09:00")
    kenji = member("kenji", "github")
    services.affiliation_add(
        actor=alice,
        member=kenji,
        organization=bob_org,
        start_date=date(2025, 4, 1),
        end_date=date(2025, 12, 31),
    )
    since, until = datetime(2025, 1, 1, tzinfo=TOKYO), datetime(2027, 1, 1, tzinfo=TOKYO)

    activities = selectors.partner_contribution_activities(bob_org, since, until)

    assert sorted(a.external_id for a in activities) == ["github-1", "github-2"]


def test_ingested_event_names_the_partner_organizations_of_affiliated_members(alice, bob_org):
    import_line(1, "github", "kenji")
    services.affiliation_add(
        actor=alice,
        member=member("kenji", "github"),
        organization=bob_org,
        start_date=date(2025, 4, 1),
    )
    import_line(2, "github", "kenji")
    event = OutboxEvent.objects.filter(type="activity.ingested").latest("id")
    assert event.payload["organization_ids"] == [bob_org.pk]


def test_bots_and_staff_are_not_countable(alice):
    bot = services.member_create(actor=alice, display_name="bot")
    services.member_update(actor=alice, member=bot, is_bot=True)
    staff = services.member_create(actor=alice, display_name="staff")
    services.member_update(actor=alice, member=staff, is_staff=True)
    services.member_create(actor=alice, display_name="person")
    assert [m.display_name for m in Member.objects.countable()] == ["person"]


def test_first_time_attendance_is_derived_from_earlier_events(alice):
    dave = services.member_create(actor=alice, display_name="Dave")
    first, _ = services.event_upsert(
        actor=alice,
        source="t",
        external_id="1",
        title="#1",
        starts_at=datetime(2026, 1, 1, tzinfo=TOKYO),
    )
    second, _ = services.event_upsert(
        actor=alice,
        source="t",
        external_id="2",
        title="#2",
        starts_at=datetime(2026, 2, 1, tzinfo=TOKYO),
    )
    for event in (first, second):
        services.attendance_set(actor=alice, event=event, member=dave, status="attended")
    assert selectors.event_attendance(first).get().first_time is True  # type: ignore[attr-defined]
    assert selectors.event_attendance(second).get().first_time is False  # type: ignore[attr-defined]
