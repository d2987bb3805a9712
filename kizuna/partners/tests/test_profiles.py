from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kizuna.core.models import AuditEntry, OutboxEvent
from kizuna.outreach.testing import sent_mail
from kizuna.partners import tasks
from kizuna.partners.models import PartnerProfile
from kizuna.partners.services.profiles import (
    partner_confirm_reviewed,
    partner_update,
    partners_flag_stale,
)

pytestmark = pytest.mark.django_db


def test_creating_a_profile_emits_partner_created_and_fills_search_text(bob_partner):
    assert OutboxEvent.objects.filter(
        type="partner.created", payload__slug="bob-web-works"
    ).exists()
    assert "ec" in bob_partner.search_text.split()
    assert "集団" in bob_partner.search_text.split()


def test_profile_edit_is_audited_with_only_the_changed_fields(bob, bob_partner):
    partner_update(
        actor=bob, partner=bob_partner, by_owner=True, summary="新しい紹介文", team_size=12
    )
    entry = AuditEntry.objects.get(action="partner.updated")
    assert entry.before == {"summary": "ECサイト構築のプロ集団", "team_size": None}
    assert entry.after == {"summary": "新しい紹介文", "team_size": 12}
    assert OutboxEvent.objects.get(type="partner.updated").payload["fields"] == [
        "summary",
        "team_size",
    ]


def test_budget_range_must_be_in_order(bob, bob_partner):
    with pytest.raises(ValidationError):
        partner_update(
            actor=bob, partner=bob_partner, by_owner=True, budget_min=500_000, budget_max=100_000
        )
    assert PartnerProfile.objects.get(pk=bob_partner.pk).budget_min is None


def age(partner, days):
    PartnerProfile.objects.filter(pk=partner.pk).update(
        owner_reviewed_at=timezone.now() - timedelta(days=days)
    )


def test_profile_not_reviewed_for_a_year_is_flagged_stale_to_owner_and_staff(
    alice, bob, bob_partner, eve_partner, django_capture_on_commit_callbacks
):
    age(bob_partner, 366)
    with django_capture_on_commit_callbacks(execute=True):
        assert partners_flag_stale() == 1
    bob_partner.refresh_from_db()
    assert bob_partner.is_stale
    assert {tuple(m.to) for m in sent_mail()} == {(bob.email,), (alice.email,)}


def test_stale_flagging_is_idempotent(bob_partner, django_capture_on_commit_callbacks):
    age(bob_partner, 400)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.flag_stale_profiles.enqueue()
        tasks.flag_stale_profiles.enqueue()
    assert len([m for m in sent_mail() if "bob@example.com" in m.to]) == 1


def test_owner_confirming_the_profile_clears_the_stale_flag(bob, bob_partner):
    age(bob_partner, 400)
    partners_flag_stale()
    bob_partner.refresh_from_db()
    partner_confirm_reviewed(actor=bob, partner=bob_partner)
    assert not PartnerProfile.objects.get(pk=bob_partner.pk).is_stale


def test_staff_edit_does_not_count_as_the_owners_review(alice, bob_partner):
    age(bob_partner, 400)
    partners_flag_stale()
    bob_partner.refresh_from_db()
    partner_update(actor=alice, partner=bob_partner, by_owner=False, summary="スタッフ修正")
    assert PartnerProfile.objects.get(pk=bob_partner.pk).is_stale
