"""Every message of the advisories app is an outreach delivery, each sent once."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.advisories import services
from kizuna.advisories.tests.conftest import advisory_fields
from kizuna.outreach.models import Delivery
from kizuna.outreach.testing import sent_mail

pytestmark = pytest.mark.django_db


def _ack_link(body: str) -> str:
    found = re.search(r"https?://\S+(/advisories/ack/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_sharing_sends_each_targeted_partners_people_a_notice_with_a_working_link(
    client, shared_advisory, bob
):
    mail = sent_mail()
    assert [m.to for m in mail] == [[bob.email]]
    assert shared_advisory.identifier in mail[0].subject
    response = client.post(_ack_link(mail[0].body))
    assert response.status_code == 200
    assert shared_advisory.targets.get().acknowledged_at is not None


def test_a_revision_of_substance_sends_the_notice_again_and_a_wording_fix_does_not(
    client, alice, shared_advisory
):
    first_link = _ack_link(sent_mail()[0].body)
    services.advisory_update(
        actor=alice, advisory=shared_advisory, fields={"title_en": "XSS"}, summary="typo"
    )
    assert len(sent_mail()) == 1
    assert client.get(first_link).status_code == 200  # still the partner's current link
    services.advisory_update(
        actor=alice,
        advisory=shared_advisory,
        fields={
            "affected": [{"package": "ec-cube/ec-cube", "introduced": "4.0.0", "fixed": "4.2.4"}]
        },
        summary="4.2.3 was not enough",
    )
    mail = sent_mail()
    assert len(mail) == 2
    assert client.post(first_link).status_code == 400
    assert client.post(_ack_link(mail[1].body)).status_code == 200


def test_halfway_to_the_deadline_a_reminder_and_past_it_an_escalation_each_once(
    shared_advisory, make_user
):
    manager = make_user("pm@example.com", staff_role="partner_manager")
    start = shared_advisory.shared_at
    due = start + dt.timedelta(days=30)  # medium severity
    assert services.advisories_remind(now=start + dt.timedelta(days=5)) == {
        "reminded": 0,
        "escalated": 0,
    }
    services.advisories_remind(now=start + dt.timedelta(days=16))
    services.advisories_remind(now=start + dt.timedelta(days=17))
    reminders = [m for m in sent_mail() if "Reminder" in m.subject or "リマインド" in m.subject]
    assert len(reminders) == 1
    services.advisories_remind(now=due + dt.timedelta(hours=1))
    services.advisories_remind(now=due + dt.timedelta(days=2))
    escalations = [m for m in sent_mail() if m.to == [manager.email]]
    assert len(escalations) == 1
    assert "Bob Web Works" in escalations[0].subject


def test_a_partner_that_answered_is_neither_reminded_nor_escalated(bob, bob_site, shared_advisory):
    services.advisory_acknowledge(actor=bob, target=shared_advisory.targets.get())
    services.site_status_set(
        actor=bob,
        advisory=shared_advisory,
        site=bob_site,
        state="patched",
        on=timezone.localdate(),
    )
    later = shared_advisory.shared_at + dt.timedelta(days=60)
    assert services.advisories_remind(now=later) == {"reminded": 0, "escalated": 0}


def test_staff_remind_an_overdue_partner_by_hand_once_a_day(client, alice, shared_advisory):
    client.force_login(alice)
    target = shared_advisory.targets.get()
    url = reverse("advisories:staff_remind", args=[shared_advisory.identifier, target.pk])
    client.post(url)
    client.post(url)
    keys = Delivery.objects.filter(idempotency_key__contains=":manual:")
    assert keys.count() == 1


def test_a_partner_cannot_send_reminders(client, bob, shared_advisory):
    client.force_login(bob)
    target = shared_advisory.targets.get()
    url = reverse("advisories:staff_remind", args=[shared_advisory.identifier, target.pk])
    assert client.post(url).status_code == 403


def test_the_reporter_gets_an_acknowledgment(client):
    client.post(
        reverse("advisories:report"),
        {"name": "研究者", "email": "r@example.jp", "product": "ec-cube 4.2.1", "details": "XSS"},
    )
    (mail,) = sent_mail()
    assert mail.to == ["r@example.jp"]


def test_nothing_is_sent_for_a_draft(alice, bob_site):
    services.advisory_create(actor=alice, fields=advisory_fields())
    assert sent_mail() == []
