"""The partner's rank page and the staff's table of activity rules (issue 13, item 4)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.community import services as community
from kizuna.community.models import Activity, ActivityType
from kizuna.core.consumers import dispatch
from kizuna.core.events import emit
from kizuna.core.models import AuditEntry, OutboxEvent
from kizuna.partners.models import ActivityContributionRule, Contribution, ContributionKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_points(alice, bob_partner):
    """One public talk and two attendances (no link) of bob's person, all counted."""
    member = community.member_create(
        actor=alice, display_name="健二", platform="connpass", handle="kenji"
    )
    community.affiliation_add(
        actor=alice,
        member=member,
        organization=bob_partner.organization,
        start_date=date(2020, 1, 1),
    )
    ActivityContributionRule.objects.create(
        activity_type=ActivityType.objects.get(key="attended_event"),
        kind=ContributionKind.objects.get(code="talk"),
        points=1,
    )
    when = timezone.now() - timedelta(days=2)
    rows = [
        ("t-1", "talk", "https://example.connpass.com/event/1/", "売上を伸ばす在庫連携"),
        ("a-1", "attended_event", "", ""),
        ("a-2", "attended_event", "", ""),
    ]
    for external_id, type_key, url, title in rows:
        Activity.objects.create(
            source="sheet",
            external_id=external_id,
            type_id=type_key,
            member=member,
            occurred_at=when,
            url=url,
            title=title,
        )
    emit(
        "activity.ingested",
        {
            "count": 3,
            "sources": ["sheet"],
            "occurred_from": when,
            "occurred_until": when,
            "organization_ids": [bob_partner.organization_id],
        },
    )
    dispatch("partners.community_points")
    assert Contribution.objects.filter(partner=bob_partner).count() == 3


def test_rank_page_lists_public_activities_by_title_and_link_and_counts_the_others(
    client, bob, bob_points
):
    client.force_login(bob)
    page = client.get(reverse("partners:rank")).content.decode()
    assert (
        '<a href="https://example.connpass.com/event/1/" rel="noopener">売上を伸ばす在庫連携</a>'
        in page
    )
    assert "<td>イベント参加</td><td>2</td><td>2</td>" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 404), ("bob", 200), ("carol", 404), ("dave", 404), ("eve", 404)],
)
def test_own_rank_page_is_for_the_partners_people(client, personas, bob_partner, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("partners:rank")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403)],
)
def test_staff_rank_page_of_a_partner_is_for_program_staff(
    client, personas, bob_partner, persona, status
):
    client.force_login(personas[persona])
    url = reverse("partners:staff_rank", args=[bob_partner.slug])
    assert client.get(url).status_code == status


def test_anonymous_visitor_is_sent_to_log_in_for_the_rank_page(client, bob_partner):
    assert client.get(reverse("partners:rank")).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 302), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403)],
)
def test_only_program_staff_change_activity_rules(client, personas, persona, status):
    client.force_login(personas[persona])
    url = reverse("partners:activity_rule", args=["review"])
    response = client.post(url, {"kind": "product_contribution", "points": "2"})
    assert response.status_code == status
    assert ActivityContributionRule.objects.filter(activity_type__key="review").exists() == (
        status == 302
    )


def test_staff_change_of_a_rule_is_audited_and_emitted(client, alice):
    client.force_login(alice)
    client.post(reverse("partners:activity_rule", args=["talk"]), {"kind": "talk", "points": "9"})
    rule = ActivityContributionRule.objects.get(activity_type__key="talk")
    assert rule.points == 9
    entry = AuditEntry.objects.get(action="contribution_rule.changed")
    assert (entry.before, entry.after) == (
        {"kind": "talk", "points": None},
        {"kind": "talk", "points": 9},
    )
    event = OutboxEvent.objects.get(type="contribution_rule.changed")
    assert event.payload == {"activity_type": "talk", "kind": "talk", "points": 9}


def test_choosing_no_points_removes_the_rule(client, alice):
    client.force_login(alice)
    client.post(reverse("partners:activity_rule", args=["talk"]), {"kind": "", "points": ""})
    assert not ActivityContributionRule.objects.filter(activity_type__key="talk").exists()


def test_negative_points_override_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("partners:activity_rule", args=["talk"]), {"kind": "talk", "points": "-1"}
    )
    assert response.status_code == 400
    assert ActivityContributionRule.objects.get(activity_type__key="talk").points is None


def test_program_settings_show_every_activity_type_with_its_rule(client, alice):
    client.force_login(alice)
    page = client.get(reverse("partners:program_settings")).content.decode()
    for activity_type in ActivityType.objects.all():
        assert f'id="rule-kind-{activity_type.key}"' in page
    assert '<option value="talk" selected>' in page


def test_admin_save_of_a_rule_goes_through_the_service(client, alice):
    client.force_login(alice)
    rule = ActivityContributionRule.objects.get(activity_type__key="blog_post")
    url = reverse("admin:partners_activitycontributionrule_change", args=[rule.pk])
    response = client.post(url, {"kind": rule.kind_id, "points": "4"})
    assert response.status_code == 302
    assert OutboxEvent.objects.filter(
        type="contribution_rule.changed", payload__activity_type="blog_post", payload__points=4
    ).exists()
    assert AuditEntry.objects.filter(action="contribution_rule.changed").count() == 1
