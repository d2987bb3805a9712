"""A Salesforce destination as a week of syncs would have left it, with no call made (seeding
never reaches the network): Accounts and Opportunities held, a Bulk API resync, a wait for
Salesforce's 503, and one Opportunity the org's picklist refused."""

from datetime import timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from kizuna.core.models import OutboxEvent
from kizuna.core.seeding import DemoContext
from kizuna.directory.models import Assignment
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
    DestinationRun,
)
from kizuna.partners.models import PartnerProfile

DEMO_KEY = "-----BEGIN PRIVATE KEY-----\n(demo: not a real key)\n-----END PRIVATE KEY-----"


def seed(ctx: DemoContext, admin: Any) -> None:
    destination = services.destination_create(
        actor=admin,
        kind="salesforce",
        name="Salesforce (パートナー営業)",
        settings={
            "instance_url": "https://kizuna-demo.my.salesforce.com",
            "stages": {
                "offered": "Prospecting",
                "accepted": "Qualification",
                "completed": "Closed Won",
                "declined": "Closed Lost",
                "expired": "Closed Lost",
            },
        },
        secrets={
            "consumer_key": "3MVG9-demo-consumer-key",
            "username": "kizuna-integration@demo.example",
            "private_key": DEMO_KEY,
        },
    )
    now = timezone.now()
    head = OutboxEvent.objects.aggregate(head=Max("id"))["head"] or 0
    partners = list(PartnerProfile.objects.order_by("pk").values_list("pk", flat=True))
    slots = list(Assignment.objects.order_by("pk").values_list("pk", flat=True))
    refused = slots[-1:] if slots else []
    held = [("partners", pk, "001") for pk in partners] + [
        ("leads", pk, "006") for pk in slots if pk not in refused
    ]
    DestinationRecord.objects.bulk_create(
        DestinationRecord(
            destination=destination,
            kind=kind,
            object_id=pk,
            remote_id=f"{prefix}5g00000{pk:08d}AAA",
            synced_at=now - timedelta(minutes=ctx.rng.randint(1, 900)),
        )
        for kind, pk, prefix in held
    )
    for pk in refused:
        DestinationRejection.objects.create(
            destination=destination,
            kind="leads",
            object_id=pk,
            reason="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Stage: bad value for restricted "
            "picklist field: Qualification (Salesforce, demo)",
            mapping_version=destination.mapping_version,
            attempts=3,
            last_rejected_at=now - timedelta(minutes=7),
        )
    cursor = max(0, head - 3)
    DestinationRun.objects.bulk_create(
        [
            DestinationRun(
                destination=destination,
                started_at=now - timedelta(hours=20, seconds=48),
                finished_at=now - timedelta(hours=20),
                cursor_from=max(0, cursor - 60),
                cursor_to=max(0, cursor - 60),
                resync_kind="partners",
                accepted=len(partners),
            ),
            DestinationRun(
                destination=destination,
                started_at=now - timedelta(minutes=31, seconds=1),
                finished_at=now - timedelta(minutes=31),
                cursor_from=max(0, cursor - 25),
                cursor_to=max(0, cursor - 25),
                error="Salesforce asked to wait (503)",
                deferred_until=now - timedelta(minutes=30),
            ),
            DestinationRun(
                destination=destination,
                started_at=now - timedelta(minutes=7, seconds=3),
                finished_at=now - timedelta(minutes=7),
                cursor_from=max(0, cursor - 25),
                cursor_to=cursor,
                accepted=max(0, len(slots) - len(refused)),
                rejected=len(refused),
            ),
        ]
    )
    Destination.objects.filter(pk=destination.pk).update(
        cursor=cursor,
        last_synced_at=now - timedelta(seconds=25),
        last_check="Salesforce OK: Kizuna_Id__c found on Account, Opportunity; "
        "13,842 of 15,000 daily API requests left.",
        calls_day=timezone.localdate(),
        calls_today=412,
    )
