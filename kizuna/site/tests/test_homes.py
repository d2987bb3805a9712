"""Home pages say what needs doing: each persona's lists, counts and links."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kizuna.advisories.tests.conftest import bob_site, partners, shared_advisory  # noqa: F401
from kizuna.billing.tests.conftest import bob_account, choose, rules  # noqa: F401
from kizuna.billing.tests.test_invoicing import issue
from kizuna.community.models import Activity, ActivityType, Attendance, Event, Group, Member
from kizuna.connectors.models import Source
from kizuna.core import consumers
from kizuna.directory.services import leads
from kizuna.directory.tests.test_leads import project
from kizuna.insights.models import Survey, SurveyInvitation
from kizuna.partners.models import Badge, EvangelistNomination, PartnerProfile
from kizuna.partners.services import achievements

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("site:home"))
    assert response.status_code == 200
    return response.content.decode()


def submit(partner, title="カート改修"):
    return achievements.achievement_submit(
        actor=None,
        partner=partner,
        title=title,
        description="詳細",
        badges=[Badge.objects.get(code="plugin_development")],
        completed_on=timezone.localdate() - timedelta(days=10),
        evidence_links=["https://example.com/case"],
    )


@pytest.fixture
def bob_partner(partners):  # noqa: F811 - the advisories fixture creates the profile
    partner = PartnerProfile.objects.get(organization=partners["bob"])
    consumers.dispatch_all()  # listed in the directory, so merchants can send it leads
    return partner


def test_partner_home_lists_what_waits_for_the_partner(
    client,
    bob,
    carol,
    alice,
    bob_partner,
    shared_advisory,  # noqa: F811
    bob_account,  # noqa: F811
):
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    asked = submit(bob_partner, "問い合わせ中の実績")
    achievements.achievement_request_info(
        actor=alice, achievement=asked, reason="画面を添付してください"
    )
    submit(bob_partner, "審査待ちの実績")
    choose(bob_account, today=date(2026, 3, 15))
    invoice = issue(bob_account)
    PartnerProfile.objects.filter(pk=bob_partner.pk).update(stale_since=timezone.now())

    page = home(client, bob)

    slot = lead.assignments.get()
    assert reverse("directory:inbox_item", args=[slot.pk]) in page
    assert timezone.localtime(slot.expires_at).strftime("%Y-%m-%d %H:%M") in page
    assert "問い合わせ中の実績" in page
    assert "審査待ちの実績" not in page  # staff's turn, not the partner's
    assert invoice.display_number in page
    assert "期限超過" in page or "Overdue" in page  # issued in April 2026, due long ago
    assert 'id="home-stale"' in page
    assert shared_advisory.identifier in page
    assert 'id="home-rank"' in page
    assert "<progress" in page


def test_partner_home_without_work_says_there_is_nothing_to_do(client, bob, bob_partner):
    page = home(client, bob)
    assert 'id="home-stale"' not in page
    assert reverse("directory:inbox") in page
    assert "Bob Web Works" in page


def test_partner_home_rank_bar_points_to_the_next_rank(client, bob, bob_partner, settings):
    settings.KIZUNA_RANK_THRESHOLDS = [10, 30, 60, 100]
    PartnerProfile.objects.filter(pk=bob_partner.pk).update(rank="bronze", rank_points=20)
    page = home(client, bob)
    assert 'value="50"' in page  # halfway from bronze (10) to silver (30)
    assert "10" in page.split('id="home-rank-caption"', 1)[1].split("</p>", 1)[0]


def test_partner_home_lists_each_kind_in_a_fixed_number_of_queries(
    client, bob, carol, bob_partner, django_assert_max_num_queries
):
    for n in range(4):
        leads.lead_create(merchant=carol, partners=[bob_partner], **project(products=f"商品{n}"))
    client.force_login(bob)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("site:home"))
    for n in range(4, 8):
        leads.lead_create(merchant=carol, partners=[bob_partner], **project(products=f"商品{n}"))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("site:home"))
    assert len(more) == len(few)


@pytest.fixture
def dave_member(dave):
    return Member.objects.create(display_name="Dave", user=dave)


def test_member_home_shows_upcoming_events_of_their_groups_and_recent_activity(
    client, dave, dave_member
):
    now = timezone.now()
    group = Group.objects.create(name="Kizuna 東京", slug="tokyo")
    past = Event.objects.create(
        title="前回の勉強会", external_id="1", group=group, starts_at=now - timedelta(days=30)
    )
    Attendance.objects.create(event=past, member=dave_member)
    Event.objects.create(
        title="次回の勉強会", external_id="2", group=group, starts_at=now + timedelta(days=7)
    )
    other = Group.objects.create(name="Kizuna 大阪", slug="osaka")
    Event.objects.create(
        title="大阪の勉強会", external_id="3", group=other, starts_at=now + timedelta(days=7)
    )
    talk = ActivityType.objects.get_or_create(
        key="talk", defaults={"name_ja": "登壇", "name_en": "Talk"}
    )[0]
    Activity.objects.create(
        source="kizuna",
        external_id="a1",
        type=talk,
        member=dave_member,
        occurred_at=now - timedelta(days=2),
        title="EC の速度改善について話しました",
    )

    page = home(client, dave)

    assert "次回の勉強会" in page
    assert "前回の勉強会" not in page  # past
    assert "大阪の勉強会" not in page  # not their group
    assert "EC の速度改善について話しました" in page


def test_member_home_shows_open_surveys_and_evangelist_requests(client, dave, dave_member):
    survey = Survey.objects.create(
        kind="nps", title="12月の満足度調査", question="?", period_day=timezone.localdate()
    )
    SurveyInvitation.objects.create(
        survey=survey, member=dave_member, token="t" * 32, sent_at=timezone.now()
    )
    answered = Survey.objects.create(
        kind="nps", title="11月の満足度調査", question="?", period_day=timezone.localdate()
    )
    SurveyInvitation.objects.create(
        survey=answered,
        member=dave_member,
        token="u" * 32,
        sent_at=timezone.now(),
        answered_at=timezone.now(),
    )
    page = home(client, dave)
    assert reverse("insights:survey_answer", args=["t" * 32]) in page
    assert "11月の満足度調査" not in page


def test_member_home_says_what_the_next_level_takes(client, dave, dave_member, settings):
    from kizuna.community.models import MemberLevel

    settings.KIZUNA_INSIGHTS_LEVEL_RULES = [(1, 200, 10, 3), (2, 40, 1, 0), (3, 10, 0, 0)]
    MemberLevel.objects.create(member=dave_member, level=3, since=timezone.localdate())
    page = home(client, dave)
    assert 'id="home-next-level"' in page
    assert "40" in page or "あと" in page


def test_member_without_a_community_record_is_invited_to_link_accounts(client, dave):
    page = home(client, dave)
    assert reverse("community:my_community") in page


QUEUES = [
    "achievements",
    "achievements_waiting",
    "nominations",
    "leads_expiring",
    "deposits",
    "connectors",
]


def test_staff_home_counts_each_queue_and_links_to_the_filtered_list(
    client, alice, bob_partner, carol
):
    submit(bob_partner, "一件目")
    asked = submit(bob_partner, "二件目")
    achievements.achievement_request_info(actor=alice, achievement=asked, reason="詳しく")
    Source.objects.create(kind="rss", name="ブログ", last_error="timeout")
    Source.objects.create(kind="rss", name="止めた", last_error="timeout", enabled=False)

    page = home(client, alice)

    for key in QUEUES:
        assert f'id="queue-{key}"' in page, key
    queue = page.split('id="queue-achievements"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">1</span>' in queue
    assert "status=submitted" in queue
    waiting = page.split('id="queue-achievements_waiting"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">1</span>' in waiting
    assert "status=needs_info" in waiting
    connectors = page.split('id="queue-connectors"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">1</span>' in connectors
    assert "<code>" not in page.split('id="home-queues"', 1)[1].split("</section>", 1)[0]


def test_staff_home_shows_no_raw_event_codes(client, alice, bob):
    page = home(client, alice)
    assert "Recent domain events" not in page
    assert "最近のドメインイベント" not in page


def test_staff_without_a_role_for_a_queue_does_not_see_it(client, make_user):
    support = make_user(
        "support@example.com", display_name="Support", staff_roles=["community_manager"]
    )
    page = home(client, support)
    assert 'id="queue-deposits"' not in page
    assert 'id="queue-achievements"' not in page


def test_nomination_queue_counts_pending_nominations(client, alice):
    EvangelistNomination.objects.create(
        nominated_by=alice,
        nominee_name="Dave",
        nominee_email="dave@example.com",
        statement="登壇多数",
    )
    page = home(client, alice)
    nominations = page.split('id="queue-nominations"', 1)[1].split("</li>", 1)[0]
    assert '<span class="queue-count">1</span>' in nominations
