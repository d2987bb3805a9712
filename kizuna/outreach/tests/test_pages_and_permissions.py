"""The staff delivery list (who may see it, filters, unknown ones flagged) and preferences."""

import pytest

from kizuna.accounts.models import User
from kizuna.outreach import links
from kizuna.outreach.models import Consent, Delivery, State, Suppression
from kizuna.outreach.permissions import OutreachAction, can_outreach
from kizuna.outreach.services import Content, Recipient, delivery_enqueue

pytestmark = pytest.mark.django_db


def queue(address, key, state=State.QUEUED, channel="email", purpose="service", user=None):
    delivery = delivery_enqueue(
        channel=channel,
        recipient=Recipient(address=address, user=user),
        purpose=purpose,
        topic="news" if purpose == "advertising" else "billing",
        idempotency_key=key,
        content=Content(f"Subject {key}", "Body"),
    )
    Delivery.objects.filter(pk=delivery.pk).update(state=state)
    return delivery


@pytest.fixture
def staff(personas, make_user):
    return {
        **personas,
        "outreach": make_user("out@example.com", staff_role="outreach"),
        "community_manager": make_user("cm@example.com", staff_role="community_manager"),
    }


ALLOWED = {"alice", "outreach"}


@pytest.mark.parametrize(
    "who", ["alice", "outreach", "community_manager", "bob", "carol", "dave", "eve"]
)
@pytest.mark.parametrize("action", list(OutreachAction))
def test_only_outreach_staff_and_admins_see_and_requeue_deliveries(staff, who, action):
    assert can_outreach(staff[who], action) == (who in ALLOWED)


@pytest.mark.parametrize("who", ["alice", "outreach", "community_manager", "bob", "dave"])
def test_the_delivery_list_answers_403_to_everyone_else(client, staff, who):
    client.force_login(staff[who])
    response = client.get("/outreach/deliveries/")
    assert response.status_code == (200 if who in ALLOWED else 403)


def test_the_list_filters_by_state_channel_purpose_and_recipient(client, alice):
    queue("hana@example.com", "a", State.SENT)
    queue("jiro@example.com", "b", State.UNKNOWN)
    queue("C-NEWS", "c", State.SENT, channel="slack", purpose="advertising")
    client.force_login(alice)

    def subjects(query):
        page = client.get(f"/outreach/deliveries/?{query}").context["page"]
        return sorted(d.subject for d in page)

    assert subjects("") == ["Subject a", "Subject b", "Subject c"]
    assert subjects("state=unknown") == ["Subject b"]
    assert subjects("channel=slack") == ["Subject c"]
    assert subjects("purpose=advertising") == ["Subject c"]
    assert subjects("recipient=hana") == ["Subject a"]


def test_unknown_deliveries_are_flagged_and_can_be_sent_again(client, alice):
    unknown = queue("jiro@example.com", "b", State.UNKNOWN)
    client.force_login(alice)
    page = client.get("/outreach/deliveries/").content.decode()
    assert 'class="is-unknown"' in page
    assert 'role="alert"' in page
    client.post(f"/outreach/deliveries/{unknown.pk}/requeue/")
    unknown.refresh_from_db()
    assert unknown.state == State.QUEUED


def test_a_partner_cannot_send_a_delivery_again(client, bob):
    unknown = queue("jiro@example.com", "b", State.UNKNOWN)
    client.force_login(bob)
    assert client.post(f"/outreach/deliveries/{unknown.pk}/requeue/").status_code == 403
    unknown.refresh_from_db()
    assert unknown.state == State.UNKNOWN


def preferences_path(user):
    url = links.preferences_url(f"user:{user.pk}")
    return url[url.index("/outreach/") :]


def test_the_preferences_page_needs_no_sign_in_and_records_each_change(client, dave):
    response = client.get(preferences_path(dave) + "?lang=en")
    assert response.status_code == 200
    assert "Your message preferences" in response.content.decode()
    client.post(preferences_path(dave) + "?lang=en", {"choice": ["email:news", "email:events"]})
    entries = Consent.objects.filter(recipient_key=f"user:{dave.pk}").order_by("topic")
    assert [(c.topic, c.granted, c.method) for c in entries] == [
        ("events", True, "preferences"),
        ("news", True, "preferences"),
    ]
    assert entries[0].wording == "Send me Events by Email"
    client.post(preferences_path(dave) + "?lang=en", {"choice": ["email:events"]})
    latest_news = Consent.objects.filter(topic="news").order_by("-id")[0]
    assert latest_news.granted is False
    assert Consent.objects.count() == 3  # events unchanged: nothing added


def test_the_preferences_page_speaks_japanese_and_english(client, dave):
    assert (
        "メッセージの受け取り設定"
        in client.get(preferences_path(dave) + "?lang=ja").content.decode()
    )
    assert (
        "Your message preferences"
        in client.get(preferences_path(dave) + "?lang=en").content.decode()
    )


def test_turning_everything_off_suppresses_advertising_to_every_known_address(client, dave):
    queue("dave@example.com", "x", user=dave)
    client.post(preferences_path(dave), {"choice": ["email:news"], "everything_off": "on"})
    assert Suppression.objects.filter(reason="unsubscribed").count() == 1
    assert not Consent.objects.filter(granted=True).exists()
    client.post(preferences_path(dave), {"choice": ["email:news"]})
    assert not Suppression.objects.exists()


def test_a_link_for_one_person_shows_nothing_of_another(client, dave, carol):
    Consent.objects.create(
        recipient_key=f"user:{carol.pk}", channel="email", topic="news", granted=True, method="form"
    )
    page = client.get(preferences_path(dave))
    assert all(not cell.checked for _label, cells in page.context["rows"] for cell in cells)
    assert User.objects.count() >= 2
