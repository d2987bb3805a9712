"""The run log of destinations is pruned after its retention; nothing a sync needs goes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kizuna.core import periodic
from kizuna.integrations.destinations import services, tasks
from kizuna.integrations.destinations.models import (
    DestinationRecord,
    DestinationRejection,
    DestinationRun,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def destination(alice):
    return services.destination_create(
        actor=alice,
        kind="hubspot",
        name="HubSpot (sales)",
        settings={},
        secrets={"access_token": "pat-test"},
    )


def _run(destination, days_ago):
    return DestinationRun.objects.create(
        destination=destination,
        started_at=timezone.now() - timedelta(days=days_ago),
        accepted=1,
    )


def test_runs_older_than_the_retention_are_deleted_and_younger_ones_kept(settings, destination):
    settings.KIZUNA_DESTINATION_RUN_RETENTION_DAYS = 30
    old = [_run(destination, 31), _run(destination, 400)]
    kept = [_run(destination, 29), _run(destination, 0)]
    DestinationRecord.objects.create(
        destination=destination,
        kind="partners",
        object_id=1,
        remote_id="c1",
        synced_at=timezone.now(),
    )
    DestinationRejection.objects.create(
        destination=destination,
        kind="partners",
        object_id=2,
        reason="no",
        mapping_version=1,
        last_rejected_at=timezone.now() - timedelta(days=90),
    )

    assert services.destination_runs_prune() == len(old)

    assert set(DestinationRun.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    assert DestinationRecord.objects.count() == 1
    assert DestinationRejection.objects.count() == 1


def test_pruning_a_backlog_larger_than_a_batch_deletes_all_of_it(settings, destination):
    settings.KIZUNA_DESTINATION_RUN_RETENTION_DAYS = 7
    started = timezone.now() - timedelta(days=8)
    DestinationRun.objects.bulk_create(
        DestinationRun(destination=destination, started_at=started)
        for _ in range(services.PRUNE_BATCH + 5)
    )
    assert services.destination_runs_prune() == services.PRUNE_BATCH + 5
    assert not DestinationRun.objects.exists()


def test_the_worker_prunes_runs_hourly(settings, destination):
    settings.KIZUNA_DESTINATION_RUN_RETENTION_DAYS = 1
    _run(destination, 2)
    job = {j.name: j for j in periodic.registered_jobs()}[tasks.prune_destination_runs.module_path]
    assert job.every == timedelta(hours=1)
    tasks.prune_destination_runs.enqueue()  # tasks run inline in tests
    assert not DestinationRun.objects.exists()
