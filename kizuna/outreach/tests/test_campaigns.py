"""Campaigns: audiences resolved in bulk, four-eyes approval, sending through the worker with
consent, suppression and caps decided at send time, pause/resume/cancel and the results."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kizuna.community.models import (
    Attendance,
    AttendanceStatus,
    Event,
    Group,
    Identity,
    Member,
    MemberLevel,
)
from kizuna.core.audit import AuditEntry
from kizuna.core.errors import ServiceError
from kizuna.core.events import OutboxEvent
from kizuna.outreach import audiences, campaigns, policy
from kizuna.outreach.campaign_models import Audience, CampaignState
from kizuna.outreach.models import Consent, Delivery, State
from kizuna.outreach.services import suppression_add
from kizuna.outreach.testing import send_queued
from kizuna.partners.services.profiles import partner_create

pytestmark = pytest.mark.django_db

NOON_JST = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _daytime(settings):
    # Campaign tests send at any hour the suite runs: quiet hours have their own tests.
    settings.KIZUNA_OUTREACH_QUIET_HOURS = (0, 0)


@pytest.fixture
def outreach_staff(make_user):
    return make_user("olive@example.com", display_name="Olive", staff_roles=["outreach"])


def member(name, email, *, consent=True, user=None, prefecture="13"):
    person = Member.objects.create(
        display_name=name, name_ja=name if prefecture else "", prefecture=prefecture, user=user
    )
    Identity.objects.create(
        member=person, platform="connpass", handle=name.lower(), email=email, verified=True
    )
    if consent:
        Consent.objects.create(
            recipient_key=f"member:{person.pk}",
            channel="email",
            topic="events",
            granted=True,
            method="form",
        )
    return person


@pytest.fixture
def members_audience(alice):
    return Audience.objects.create(name="Everyone", kind="members", filters={}, created_by=alice)


def write(author, audience, **fields):
    return campaigns.campaign_create(
        actor=author,
        fields={
            "title": "December meetup",
            "audience": audience,
            "topic": "events",
            "channels": ["email"],
            "subject_ja": "{{ name }}さん、12月のもくもく会へ",
            "body_ja": "{{ name }}さん、ぜひお越しください。",
            "subject_en": "{{ name }}, join the December meetup",
            "body_en": "Hello {{ name }}, please come.",
            **fields,
        },
    )


def run(campaign):
    campaigns.campaigns_advance()
    send_queued()
    campaigns.campaigns_advance()
    campaign.refresh_from_db()
    return {
        d.address: (d.state, d.reason)
        for d in Delivery.objects.filter(campaign_recipient__campaign=campaign)
    }


def test_the_author_cannot_approve_their_own_campaign(alice, outreach_staff, members_audience):
    campaign = write(alice, members_audience)
    with pytest.raises(ServiceError) as refused:
        campaigns.campaign_approve(actor=alice, campaign=campaign)
    assert refused.value.code == "four_eyes"
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.APPROVED
    assert campaign.approved_by == outreach_staff


def test_whoever_edited_last_cannot_approve_either(alice, outreach_staff, members_audience):
    campaign = write(alice, members_audience)
    campaigns.campaign_update(actor=outreach_staff, campaign=campaign, fields={"title": "x"})
    with pytest.raises(ServiceError):
        campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)


def test_staff_without_the_outreach_role_cannot_write_or_approve(
    alice, make_user, members_audience
):
    manager = make_user("cm@example.com", staff_roles=["community_manager"])
    with pytest.raises(ServiceError):
        write(manager, members_audience)
    campaign = write(alice, members_audience)
    with pytest.raises(ServiceError):
        campaigns.campaign_approve(actor=manager, campaign=campaign)


def test_editing_after_approval_withdraws_it_and_drops_the_frozen_recipients(
    alice, outreach_staff, members_audience
):
    member("Hana", "hana@example.jp")
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    assert campaign.recipients.count() == 1
    campaigns.campaign_update(actor=alice, campaign=campaign, fields={"body_ja": "変更しました"})
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT
    assert campaign.approved_by is None
    assert campaign.recipients.count() == 0
    assert AuditEntry.objects.filter(action="outreach.campaign_approval_withdrawn").exists()
    assert OutboxEvent.objects.filter(type="campaign.approval_withdrawn").exists()
    assert campaigns.campaigns_advance() == 0  # nothing starts without a new approval


def test_an_approval_of_an_older_revision_is_refused(alice, outreach_staff, members_audience):
    campaign = write(alice, members_audience)
    seen = campaign.revision
    campaigns.campaign_update(actor=alice, campaign=campaign, fields={"title": "new"})
    with pytest.raises(ServiceError):
        campaigns.campaign_approve(actor=outreach_staff, campaign=campaign, revision=seen)


def test_unknown_variables_and_channels_are_refused(alice, members_audience):
    with pytest.raises(ValidationError) as refused:
        write(alice, members_audience, body_ja="{{ password }}", channels=["fax"])
    assert "password" in str(refused.value)
    assert "fax" in str(refused.value)


def test_each_recipient_gets_their_language_and_their_values(
    alice, outreach_staff, members_audience
):
    member("Hana", "hana@example.jp")
    member("John", "john@example.com", prefecture="")
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    run(campaign)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["hana@example.jp"].subject == "Hanaさん、12月のもくもく会へ"
    assert by_address["john@example.com"].subject == "John, join the December meetup"
    assert "Hello John, please come." in by_address["john@example.com"].body
    # Advertising email carries the legal footer and RFC 8058 headers of the delivery layer.
    assert by_address["john@example.com"].extra_headers["List-Unsubscribe-Post"]


def test_consent_and_suppression_are_applied_when_sent_not_only_when_approved(
    alice, outreach_staff, members_audience
):
    hana = member("Hana", "hana@example.jp")
    member("Jiro", "jiro@example.jp")
    member("Kenta", "kenta@example.jp", consent=False)
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    # After approval: Hana withdraws, Jiro's address bounces elsewhere.
    Consent.objects.create(
        recipient_key=f"member:{hana.pk}",
        channel="email",
        topic="events",
        granted=False,
        method="preferences",
    )
    suppression_add(channel="email", address="jiro@example.jp", reason="hard_bounce")
    results = run(campaign)
    assert results == {
        "hana@example.jp": (State.SKIPPED, policy.NO_CONSENT),
        "jiro@example.jp": (State.SKIPPED, policy.SUPPRESSED),
        "kenta@example.jp": (State.SKIPPED, policy.NO_CONSENT),
    }
    assert mail.outbox == []
    assert campaign.state == CampaignState.SENT


def test_the_weekly_cap_skips_people_who_had_enough_advertising(
    alice, outreach_staff, members_audience, settings
):
    settings.KIZUNA_OUTREACH_ADVERTISING_PER_WEEK = 1
    hana = member("Hana", "hana@example.jp")
    member("Jiro", "jiro@example.jp")
    Delivery.objects.create(
        channel="email",
        address="hana@example.jp",
        recipient_key=f"member:{hana.pk}",
        purpose="advertising",
        topic="news",
        idempotency_key="earlier",
        state=State.SENT,
        claimed_at=timezone.now() - timedelta(days=2),
    )
    campaign = write(alice, members_audience)
    decided = audiences.audience_decide(
        audience=members_audience, channels=["email"], topic="events"
    )
    assert decided.counts == {policy.CAPPED: 1, audiences.SEND: 1}
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    assert run(campaign) == {
        "hana@example.jp": (State.SKIPPED, policy.CAPPED),
        "jiro@example.jp": (State.SENT, ""),
    }


def test_the_bulk_decision_matches_the_worker_for_every_person(alice, members_audience):
    """Oracle: audience_decide says, for each person, what policy.decide says per delivery."""
    people = [member(f"P{i}", f"p{i}@example.jp", consent=i % 3 != 0) for i in range(9)]
    suppression_add(channel="email", address="p1@example.jp", reason="unsubscribed")
    Consent.objects.create(
        recipient_key=f"member:{people[2].pk}",
        channel="email",
        topic="events",
        granted=False,
        method="preferences",
    )
    decided = audiences.audience_decide(
        audience=members_audience, channels=["email"], topic="events"
    )
    for row in decided.rows:
        delivery = Delivery(
            channel="email",
            address=row.address,
            recipient_key=row.person.recipient_key,
            purpose="advertising",
            topic="events",
        )
        worker = policy.decide(delivery, now=NOON_JST)
        assert (worker.reason if worker else "") == row.outcome, row


def test_a_person_is_sent_once_on_their_first_channel_with_consent(
    alice, outreach_staff, members_audience
):
    hana = member("Hana", "hana@example.jp", consent=False)
    Identity.objects.create(member=hana, platform="slack", handle="u0hana")
    Consent.objects.create(
        recipient_key=f"member:{hana.pk}",
        channel="slack",
        topic="events",
        granted=True,
        method="channel",
    )
    campaign = write(
        alice,
        members_audience,
        channels=["email", "slack"],
        variants={"slack": {"ja": "短い案内 {{ name }}", "en": ""}},
    )
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    recipient = campaign.recipients.get()
    assert (recipient.channel, recipient.address) == ("slack", "u0hana")
    campaigns.campaigns_advance()
    assert Delivery.objects.get(campaign_recipient=recipient).text == "短い案内 Hana"


def test_pause_holds_what_waits_and_resume_sends_it(alice, outreach_staff, members_audience):
    member("Hana", "hana@example.jp")
    member("Jiro", "jiro@example.jp")
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    campaigns.campaigns_advance()
    campaign.refresh_from_db()
    campaigns.campaign_pause(actor=alice, campaign=campaign)
    send_queued()
    assert mail.outbox == []
    held = Delivery.objects.filter(campaign_recipient__campaign=campaign)
    assert set(held.values_list("state", "reason")) == {(State.DEFERRED, campaigns.PAUSED)}
    campaign.refresh_from_db()
    campaigns.campaign_resume(actor=alice, campaign=campaign)
    results = run(campaign)
    assert set(results.values()) == {(State.SENT, "")}
    assert len(mail.outbox) == 2
    assert campaign.state == CampaignState.SENT
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"outreach.campaign_paused", "outreach.campaign_resumed"} <= actions


def test_cancel_skips_everything_not_yet_sent(alice, outreach_staff, members_audience):
    member("Hana", "hana@example.jp")
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    campaigns.campaigns_advance()
    campaign.refresh_from_db()
    campaigns.campaign_cancel(actor=outreach_staff, campaign=campaign)
    assert run(campaign) == {"hana@example.jp": (State.SKIPPED, campaigns.CANCELLED)}
    assert mail.outbox == []
    assert campaign.state == CampaignState.CANCELLED
    with pytest.raises(ServiceError):
        campaigns.campaign_resume(actor=alice, campaign=campaign)


def test_a_scheduled_campaign_waits_for_its_time(alice, outreach_staff, members_audience):
    member("Hana", "hana@example.jp")
    campaign = write(alice, members_audience, scheduled_at=timezone.now() + timedelta(hours=3))
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    assert campaigns.campaigns_advance() == 0
    assert campaigns.campaigns_advance(now=timezone.now() + timedelta(hours=4)) == 1


def test_progress_counts_every_result_with_its_reason(alice, outreach_staff, members_audience):
    member("Hana", "hana@example.jp")
    member("Kenta", "kenta@example.jp", consent=False)
    campaign = write(alice, members_audience)
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    run(campaign)
    progress = campaigns.campaign_progress(campaign)
    assert progress["total"] == 2
    assert progress["percent"] == 100
    assert progress["by_reason"] == [
        ((State.SENT, ""), 1),
        ((State.SKIPPED, policy.NO_CONSENT), 1),
    ]


def test_an_event_invitation_carries_the_event_as_ics(alice, outreach_staff, members_audience):
    member("Hana", "hana@example.jp")
    event = Event.objects.create(
        external_id="m-12",
        title="もくもく会 12月",
        venue="渋谷",
        url="https://example.jp/e/12",
        starts_at=timezone.now() + timedelta(days=10),
    )
    campaign = write(alice, members_audience, event=event, body_ja="{{ event_title }} に参加を")
    campaigns.campaign_approve(actor=outreach_staff, campaign=campaign)
    run(campaign)
    (message,) = mail.outbox
    assert "もくもく会 12月 に参加を" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics"
    assert mimetype.startswith("text/calendar")
    text = content if isinstance(content, str) else content.decode()
    assert "BEGIN:VEVENT" in text
    assert "SUMMARY:もくもく会 12月" in text
    assert "DTSTART:" in text
    assert "LOCATION:渋谷" in text


def test_a_test_send_goes_to_the_author_in_both_languages(alice, members_audience):
    member("Hana", "hana@example.jp")
    campaign = write(alice, members_audience)
    campaigns.campaign_test_send(actor=alice, campaign=campaign)
    send_queued()
    assert {m.subject for m in mail.outbox} == {
        "[テスト] Aliceさん、12月のもくもく会へ",
        "[Test] Alice, join the December meetup",
    }
    assert {m.to[0] for m in mail.outbox} == {alice.email}


def test_member_filters_select_by_level_group_events_activity_and_tags(alice):
    group = Group.objects.create(name="Tokyo", slug="tokyo")
    event = Event.objects.create(
        external_id="e1", title="E", group=group, starts_at=timezone.now() - timedelta(days=3)
    )
    hana = member("Hana", "hana@example.jp")
    jiro = member("Jiro", "jiro@example.jp")
    Attendance.objects.create(event=event, member=hana, status=AttendanceStatus.ATTENDED)
    Attendance.objects.create(event=event, member=jiro, status=AttendanceStatus.CANCELLED)
    MemberLevel.objects.create(member=jiro, level=1, since=timezone.now().date())
    names = lambda filters: sorted(  # noqa: E731
        audiences.community_members(filters).values_list("display_name", flat=True)
    )
    assert names({"groups": ["tokyo"]}) == ["Hana"]
    assert names({"min_events": 1}) == ["Hana"]
    assert names({"levels": [1]}) == ["Jiro"]
    assert names({"active_within_days": 30}) == []
    assert names({}) == ["Hana", "Jiro"]


def test_partner_filters_select_the_people_of_matching_partners(alice, bob, bob_org, eve):
    partner_create(actor=alice, organization=bob_org, head_office_prefecture="13")
    eve_org = eve.memberships.get().organization
    partner_create(actor=alice, organization=eve_org, head_office_prefecture="27")
    emails = lambda filters: sorted(  # noqa: E731
        audiences.partner_users(filters).values_list("email", flat=True)
    )
    assert emails({"prefectures": ["13"]}) == ["bob@example.com"]
    assert emails({}) == ["bob@example.com", "eve@example.com"]
    assert emails({"billing": "suspended"}) == []


def test_the_demo_has_a_finished_campaign_with_a_final_result_of_every_kind():
    from django.core.management import call_command

    from kizuna.outreach.campaign_models import Campaign
    from kizuna.outreach.campaigns import PENDING_STATES

    call_command("seed_demo", "--seed", "1", verbosity=0)
    campaign = Campaign.objects.get()
    assert campaign.approved_by != campaign.author
    deliveries = Delivery.objects.filter(campaign_recipient__campaign=campaign)
    # Finished by the worker's own rule: no delivery of it waits any more.
    assert (campaign.state, deliveries.filter(state__in=PENDING_STATES).exists()) == (
        "sent",
        False,
    )
    assert campaign.finished_at is not None
    assert campaign.started_at is not None
    assert {
        (State.SENT, ""),
        (State.SKIPPED, policy.NO_CONSENT),
        (State.SKIPPED, policy.SUPPRESSED),
        (State.SKIPPED, policy.CAPPED),
        (State.FAILED, "too_many_attempts"),
        (State.BOUNCED, ""),
    } <= set(deliveries.values_list("state", "reason"))
    # The LINE message that waited for the monthly quota went out when the month turned.
    line = deliveries.get(channel="line")
    month_start = campaign.finished_at.astimezone(ZoneInfo("Asia/Tokyo")).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    assert (line.state, line.attempts) == (State.SENT, 2)
    assert line.sent_at is not None
    assert campaign.started_at < month_start <= line.sent_at <= campaign.finished_at
