import os
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from kizuna.core import consumers
from kizuna.core.models import OutboxEvent
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DirectoryEntry,
)
from kizuna.directory.services import leads
from kizuna.directory.services.leads import LeadStateError
from kizuna.outreach.models import Delivery, State
from kizuna.outreach.testing import send_queued
from kizuna.partners.models import Badge

pytestmark = pytest.mark.django_db


def project(**overrides):
    fields = {
        "products": "手作りの革小物",
        "budget": 1_000_000,
        "timeline": "quarter",
        "prefecture": "13",
        "message": "ネットショップを立ち上げたいです。",
        "contact_name": "中島 キャロル",
        "contact_email": "carol.shop@example.jp",
        "contact_phone": "03-0000-0000",
    }
    return {**fields, **overrides}


@pytest.fixture
def bob_partner(make_partner, bob):
    return make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 3})


@pytest.fixture
def eve_partner(make_partner, eve):
    return make_partner("Eve Commerce Lab", owner=eve, badges={"plugin_development": 1})


def test_merchant_picks_partners_who_each_get_an_offer_and_an_email(
    carol, bob_partner, eve_partner
):
    lead = leads.lead_create(merchant=carol, partners=[bob_partner, eve_partner], **project())
    slots = list(lead.assignments.order_by("partner_id"))
    assert [s.status for s in slots] == [AssignmentStatus.OFFERED] * 2
    assert slots[0].expires_at - slots[0].offered_at == timedelta(hours=72)
    consumers.dispatch_all()
    assert send_queued() >= 2
    recipients = {address for message in mail.outbox for address in message.to}
    assert "bob@example.com" in recipients
    assert "eve@example.com" in recipients
    # The partner is told what the project is, not who the merchant is.
    assert all("carol.shop@example.jp" not in message.body for message in mail.outbox)


def test_at_most_three_partners_can_be_picked(carol, make_partner):
    partners = [make_partner(f"P{n}") for n in range(4)]
    with pytest.raises(ValidationError) as error:
        leads.lead_create(merchant=carol, partners=partners, **project())
    assert error.value.error_dict["partners"][0].code == "too_many_partners"


def test_recommendation_offers_the_best_eligible_partners(carol, make_partner):
    strong = make_partner("強い", badges={"plugin_development": 3}, head_office_prefecture="13")
    weak = make_partner("弱い", badges={"plugin_development": 1}, head_office_prefecture="13")
    make_partner("遠い", badges={"plugin_development": 5}, head_office_prefecture="47")
    make_partner("高い", badges={"plugin_development": 5}, budget_min=50_000_000)
    make_partner("満員", badges={"plugin_development": 5}, accepting_new_clients=False)
    lead = leads.lead_create(
        merchant=carol,
        services=[Badge.objects.get(code="plugin_development")],
        **project(),
    )
    offered = list(lead.assignments.order_by("pk").values_list("partner_id", flat=True))
    assert offered == [strong.pk, weak.pk]
    assert lead.assignments.filter(recommended=True).count() == 2


def test_a_partner_working_remotely_is_eligible_anywhere(carol, make_partner, bob):
    remote = make_partner("リモート", owner=bob, head_office_prefecture="47")
    leads.lead_preferences_set(actor=bob, partner=remote, works_remotely=True)
    lead = leads.lead_create(merchant=carol, **project(prefecture="13"))
    assert list(lead.assignments.values_list("partner_id", flat=True)) == [remote.pk]


def test_contact_is_visible_only_after_accept_and_accept_is_recorded(carol, bob, bob_partner):
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    slot = lead.assignments.get()
    assert not slot.contact_visible
    leads.lead_accept(actor=bob, assignment=slot)
    assert slot.contact_visible
    assert slot.responded_by == bob
    assert OutboxEvent.objects.filter(type="lead.accepted").count() == 1


def test_only_the_partner_may_answer(carol, eve, alice, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    for outsider in (carol, eve, alice):
        with pytest.raises(PermissionDenied):
            leads.lead_accept(actor=outsider, assignment=slot)


def test_a_second_accept_of_the_same_slot_is_refused(carol, bob, bob_partner):
    """The conditional UPDATE is the arbiter (the SQLite side of the concurrency test)."""
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    stale_copy = Assignment.objects.get(pk=slot.pk)
    leads.lead_accept(actor=bob, assignment=slot)
    with pytest.raises(LeadStateError):
        leads.lead_accept(actor=bob, assignment=stale_copy)
    with pytest.raises(LeadStateError):
        leads.lead_decline(actor=bob, assignment=stale_copy, reason="busy")
    assert Assignment.objects.get(pk=slot.pk).status == AssignmentStatus.ACCEPTED
    assert OutboxEvent.objects.filter(type="lead.accepted").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in os.environ.get("DATABASE_URL", ""),
    reason="real concurrent transactions need PostgreSQL",
)
def test_concurrent_accepts_cannot_both_win(carol, bob, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait()
            leads.lead_accept(actor=bob, assignment=Assignment.objects.get(pk=slot.pk))
            outcomes.append("accepted")
        except LeadStateError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused", "refused", "refused"]
    assert OutboxEvent.objects.filter(type="lead.accepted").count() == 1


def test_decline_needs_a_known_reason(carol, bob, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    with pytest.raises(ValidationError):
        leads.lead_decline(actor=bob, assignment=slot, reason="no thanks")


def test_declined_recommended_lead_moves_to_the_next_eligible_partner(
    carol, bob, bob_partner, eve_partner, settings
):
    settings.KIZUNA_LEAD_MAX_PARTNERS = 1
    lead = leads.lead_create(merchant=carol, **project())
    first = lead.assignments.get()
    assert first.partner_id == bob_partner.pk
    leads.lead_decline(actor=bob, assignment=first, reason="busy")
    second = lead.assignments.exclude(pk=first.pk).get()
    assert second.partner_id == eve_partner.pk
    assert second.recommended


def test_expiry_moves_recommended_leads_on_and_is_idempotent(
    carol, bob_partner, eve_partner, settings
):
    settings.KIZUNA_LEAD_MAX_PARTNERS = 1
    lead = leads.lead_create(merchant=carol, **project())
    later = timezone.now() + timedelta(hours=73)
    assert leads.leads_expire(now=later) == 1
    assert leads.leads_expire(now=later) == 0
    statuses = dict(lead.assignments.values_list("partner_id", "status"))
    assert statuses == {
        bob_partner.pk: AssignmentStatus.EXPIRED,
        eve_partner.pk: AssignmentStatus.OFFERED,
    }
    assert OutboxEvent.objects.filter(type="lead.expired").count() == 1


def test_picked_lead_that_expires_is_not_reassigned(carol, bob_partner, eve_partner):
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    leads.leads_expire(now=timezone.now() + timedelta(hours=73))
    assert list(lead.assignments.values_list("status", flat=True)) == [AssignmentStatus.EXPIRED]


def test_an_expired_slot_can_no_longer_be_accepted(carol, bob, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    with pytest.raises(LeadStateError):
        leads.lead_accept(actor=bob, assignment=slot, now=timezone.now() + timedelta(hours=73))


def test_only_the_merchant_marks_an_accepted_engagement_done(carol, bob, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    with pytest.raises(LeadStateError):
        leads.lead_complete(actor=carol, assignment=slot)  # not accepted yet
    leads.lead_accept(actor=bob, assignment=slot)
    with pytest.raises(PermissionDenied):
        leads.lead_complete(actor=bob, assignment=slot)
    leads.lead_complete(actor=carol, assignment=slot)
    assert slot.status == AssignmentStatus.COMPLETED


def test_response_time_and_acceptance_feed_the_partner_entry(carol, bob, bob_partner):
    first = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    second = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    now = timezone.now()
    leads.lead_accept(actor=bob, assignment=first.assignments.get(), now=now + timedelta(hours=2))
    leads.lead_decline(
        actor=bob, assignment=second.assignments.get(), reason="busy", now=now + timedelta(hours=4)
    )
    consumers.dispatch_all()
    entry = DirectoryEntry.objects.get(pk=bob_partner.pk)
    assert entry.acceptance_rate == 0.5
    assert entry.answered_leads == 2
    assert entry.median_response_hours is not None
    assert 2 <= entry.median_response_hours <= 4


def test_each_email_is_sent_once_even_if_sending_runs_twice(carol, bob, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    leads.lead_accept(actor=bob, assignment=slot)
    consumers.dispatch_all()
    queued = Delivery.objects.count()
    sent = send_queued()
    assert sent == queued
    assert send_queued() == 0
    assert len(mail.outbox) == queued
    assert not Delivery.objects.exclude(state=State.SENT).exists()
    accepted = [m for m in mail.outbox if "carol" in " ".join(m.to)]
    assert accepted  # the merchant hears that Bob accepted


def test_an_email_claimed_by_a_worker_that_died_is_not_sent_again(carol, bob_partner):
    leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    consumers.dispatch_all()
    Delivery.objects.update(state=State.SENDING, claimed_at=timezone.now())
    assert send_queued() == 0
    assert mail.outbox == []
