"""A HubSpot destination (and a Salesforce one: salesforce/demo.py) in a realistic state, with
no call made: seeding never reaches the network, so the state is what syncs against a portal
would have left (see docs)."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from kizuna.accounts.models import Membership, MembershipRole, User
from kizuna.core.models import OutboxEvent
from kizuna.core.seeding import DemoContext
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.models import (
    Destination,
    DestinationRecord,
    DestinationRejection,
    DestinationRun,
)
from kizuna.integrations.destinations.salesforce import demo as salesforce_demo
from kizuna.partners.models import PartnerProfile


def seed(ctx: DemoContext) -> None:
    admin = User.objects.filter(staff_role_grants__role="admin").order_by("pk").first()
    destination = services.destination_create(
        actor=admin,
        kind="hubspot",
        name="HubSpot (営業部)",
        settings={"pipeline": "partner-deals", "daily_call_limit": 250_000},
        secrets={"access_token": "pat-demo-not-a-real-token"},
        mapping={"partners": {"rank": "kizuna_rank", "contact_phone": ""}},
    )
    now = timezone.now()
    head = OutboxEvent.objects.aggregate(head=Max("id"))["head"] or 0
    partners = list(PartnerProfile.objects.order_by("pk").values_list("pk", flat=True))
    synced = partners[: max(1, len(partners) - 3)]
    DestinationRecord.objects.bulk_create(
        DestinationRecord(
            destination=destination,
            kind="partners",
            object_id=pk,
            remote_id=str(18_000_000_000 + pk),
            synced_at=now - timedelta(minutes=ctx.rng.randint(1, 600)),
        )
        for pk in synced
    )
    owner = Membership.objects.filter(role=MembershipRole.OWNER).order_by("pk").first()
    if owner is not None:
        DestinationRejection.objects.create(
            destination=destination,
            kind="partner_owners",
            object_id=owner.pk,
            reason="Property values were not valid: INVALID_EMAIL (HubSpot, demo)",
            mapping_version=destination.mapping_version,
            attempts=2,
            last_rejected_at=now - timedelta(minutes=12),
        )
    cursor = max(0, head - 5)
    DestinationRun.objects.bulk_create(
        [
            DestinationRun(
                destination=destination,
                started_at=now - timedelta(minutes=15, seconds=2),
                finished_at=now - timedelta(minutes=15),
                cursor_from=max(0, cursor - 40),
                cursor_to=max(0, cursor - 40),
                error="HubSpot rate limit: You have reached your ten_secondly_rolling limit.",
                deferred_until=now - timedelta(minutes=14),
            ),
            DestinationRun(
                destination=destination,
                started_at=now - timedelta(minutes=12, seconds=9),
                finished_at=now - timedelta(minutes=12),
                cursor_from=max(0, cursor - 40),
                cursor_to=cursor,
                accepted=len(synced),
                rejected=1 if owner else 0,
            ),
        ]
    )
    Destination.objects.filter(pk=destination.pk).update(
        cursor=cursor,
        last_synced_at=now - timedelta(seconds=40),
        calls_day=timezone.localdate(),
        calls_today=1_284,
    )
    salesforce_demo.seed(ctx, admin)
