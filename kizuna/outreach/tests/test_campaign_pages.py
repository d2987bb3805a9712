"""Campaign pages: who may open them (every persona), writing, the audience preview, four
eyes on the page, steering, and the results shown with their reasons."""

import pytest
from django.utils import timezone

from kizuna.community.models import Identity, Member
from kizuna.outreach import campaigns
from kizuna.outreach.campaign_models import Audience, Campaign, CampaignState
from kizuna.outreach.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime(settings):
    settings.KIZUNA_OUTREACH_QUIET_HOURS = (0, 0)


@pytest.fixture
def staff(personas, make_user):
    return {
        **personas,
        "outreach": make_user("olive@example.com", staff_roles=["outreach"]),
        "community_manager": make_user("cm@example.com", staff_roles=["community_manager"]),
    }


@pytest.fixture
def audience(alice):
    for name, consent in (("Hana", True), ("Kenta", False)):
        person = Member.objects.create(display_name=name, name_ja=name, prefecture="13")
        Identity.objects.create(
            member=person,
            platform="connpass",
            handle=name.lower(),
            email=f"{name.lower()}@example.jp",
            verified=True,
        )
        if consent:
            Consent.objects.create(
                recipient_key=f"member:{person.pk}",
                channel="email",
                topic="news",
                granted=True,
                method="form",
            )
    return Audience.objects.create(name="Tokyo members", kind="members", created_by=alice)


@pytest.fixture
def campaign(staff, audience):
    return campaigns.campaign_create(
        actor=staff["outreach"],
        fields={
            "title": "Winter news",
            "audience": audience,
            "topic": "news",
            "channels": ["email"],
            "subject_ja": "冬のお知らせ",
            "body_ja": "{{ name }}さん",
            "subject_en": "Winter news",
            "body_en": "Hi {{ name }}",
        },
    )


ALLOWED = {"alice", "outreach"}
WHO = ["alice", "outreach", "community_manager", "bob", "carol", "dave", "eve"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "path",
    [
        "/outreach/campaigns/",
        "/outreach/campaigns/new/",
        "/outreach/campaigns/{pk}/",
        "/outreach/campaigns/{pk}/edit/",
        "/outreach/campaigns/{pk}/progress/",
        "/outreach/audiences/",
        "/outreach/audiences/new/",
    ],
)
def test_campaign_pages_answer_403_to_everyone_but_outreach_staff(
    client, staff, campaign, who, path
):
    client.force_login(staff[who])
    response = client.get(path.format(pk=campaign.pk))
    assert response.status_code == (200 if who in ALLOWED else 403)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", ["approve", "pause", "resume", "cancel", "test"])
def test_campaign_actions_refuse_everyone_but_outreach_staff(client, staff, campaign, who, action):
    client.force_login(staff[who])
    response = client.post(f"/outreach/campaigns/{campaign.pk}/{action}/")
    assert response.status_code == (302 if who in ALLOWED else 403)
    campaign.refresh_from_db()
    if who not in ALLOWED:
        assert campaign.state == CampaignState.DRAFT


def test_signed_out_visitors_are_sent_to_sign_in(client, campaign):
    assert client.get("/outreach/campaigns/").status_code == 302


def test_writing_a_campaign_on_the_page(client, staff, audience):
    client.force_login(staff["outreach"])
    response = client.post(
        "/outreach/campaigns/new/",
        {
            "title": "Spring",
            "audience": audience.pk,
            "topic": "events",
            "channels": ["email", "slack"],
            "subject_ja": "春",
            "body_ja": "本文 {{ name }}",
            "subject_en": "Spring",
            "body_en": "Body",
            "variant_slack_ja": "短い",
            "scheduled_at": "2030-04-01T10:00",
        },
    )
    campaign = Campaign.objects.get(title="Spring")
    assert response.status_code == 302
    assert campaign.channels == ["email", "slack"]
    assert campaign.variants == {"slack": {"ja": "短い"}}
    assert timezone.localtime(campaign.scheduled_at).hour == 10


def test_a_form_with_an_unknown_variable_keeps_the_input_and_says_why(client, staff, audience):
    client.force_login(staff["outreach"])
    response = client.post(
        "/outreach/campaigns/new/",
        {
            "title": "Bad",
            "audience": audience.pk,
            "topic": "news",
            "channels": ["email"],
            "subject_ja": "s",
            "body_ja": "{{ password }}",
            "subject_en": "s",
            "body_en": "b",
        },
    )
    assert response.status_code == 200
    assert "password" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_audience_preview_shows_the_count_and_a_sample(client, staff, audience):
    client.force_login(staff["outreach"])
    response = client.post(
        "/outreach/audiences/new/",
        {"name": "x", "kind": "members", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "2" in text
    assert "Hana" in text
    assert "Kenta" in text
    assert not Audience.objects.filter(name="x").exists()


def test_the_author_sees_no_approve_button_a_colleague_does(client, staff, campaign):
    client.force_login(staff["outreach"])
    page = client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert f"/outreach/campaigns/{campaign.pk}/approve/" not in page
    client.post(f"/outreach/campaigns/{campaign.pk}/approve/")
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.DRAFT
    client.force_login(staff["alice"])
    page = client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert f"/outreach/campaigns/{campaign.pk}/approve/" in page


def test_the_detail_page_lists_each_result_with_its_reason(client, staff, campaign):
    from kizuna.outreach.testing import send_queued

    campaigns.campaign_approve(actor=staff["alice"], campaign=campaign)
    campaigns.campaigns_advance()
    send_queued()
    client.force_login(staff["alice"])
    page = client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "hana@example.jp" in page
    assert "kenta@example.jp" in page
    assert "no consent" in page or "同意なし" in page
