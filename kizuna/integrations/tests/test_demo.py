import pytest
from django.core.management import call_command

from kizuna.integrations.destinations.models import Destination

pytestmark = pytest.mark.django_db


def test_seed_demo_leaves_a_hubspot_destination_with_synced_records_lag_and_a_rejection():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-10", verbosity=0)
    destination = Destination.objects.get(kind="hubspot")
    assert destination.records.count() > 0
    assert destination.rejections.count() == 1
    assert destination.runs.count() == 2
    assert destination.credentials["access_token"].startswith("pat-demo")
    assert destination.last_synced_at is not None


def test_seed_demo_leaves_a_salesforce_destination_with_accounts_a_resync_and_a_refusal():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-10", verbosity=0)
    destination = Destination.objects.get(kind="salesforce")
    assert destination.records.filter(kind="partners").count() > 0
    assert destination.records.filter(kind="leads").count() > 0
    [rejection] = destination.rejections.all()
    assert "RESTRICTED_PICKLIST" in rejection.reason
    assert destination.runs.filter(resync_kind="partners").count() == 1
    assert destination.settings["instance_url"] == "https://kizuna-demo.my.salesforce.com"
    assert destination.credentials["username"] == "kizuna-integration@demo.example"


def test_seed_demo_leaves_a_freee_destination_with_booked_invoices_and_a_waiting_payment():
    call_command("seed_demo", "--seed", "3", "--today", "2026-11-10", verbosity=0)
    destination = Destination.objects.get(kind="freee")
    assert destination.records.filter(kind="invoices").exists()
    assert destination.records.filter(kind="billing_accounts").exists()
    assert set(destination.rejections.values_list("kind", flat=True)) <= {"payments"}
    assert destination.settings["company_id"] == 1_234_567
    assert "refresh_token" in destination.credentials
    assert destination.last_synced_at is not None
