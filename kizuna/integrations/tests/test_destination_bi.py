"""BI export: Parquet files and a manifest, in a folder or an S3-compatible bucket (a stub)."""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from django.utils import timezone

from kizuna.core.errors import ServiceError
from kizuna.directory.services import leads
from kizuna.directory.tests.conftest import make_partner  # noqa: F401 - a fixture
from kizuna.directory.tests.test_leads import project
from kizuna.integrations.destinations import services
from kizuna.integrations.destinations.bi import TABLES
from kizuna.integrations.destinations.models import Destination

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_root(settings, tmp_path):
    settings.KIZUNA_BI_EXPORT_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def bob_partner(make_partner, bob):  # noqa: F811
    return make_partner("Bob Web Works", owner=bob)


def make_bi(alice, **settings):
    return services.destination_create(
        actor=alice, kind="bi", name="BI", settings={"folder": "warehouse", **settings}, secrets={}
    )


def sync(destination, **kw):
    run = services.destination_sync(destination=destination, **kw)
    assert run is not None
    return run


def test_the_export_writes_every_table_as_parquet_with_a_manifest(
    alice, carol, export_root, bob_partner
):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    destination = make_bi(alice)
    run = sync(destination)

    assert run.error == ""
    root = export_root / "warehouse" / "kizuna"
    manifest = json.loads((root / "manifest.json").read_text())
    day = timezone.localdate().isoformat()
    assert manifest["date"] == day
    assert [t["name"] for t in manifest["tables"]] == list(TABLES)
    assert (root / day / "manifest.json").read_text() == (root / "manifest.json").read_text()
    for entry in manifest["tables"]:
        path = export_root / "warehouse" / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert pq.read_table(path).num_rows == entry["rows"]
    partners = pq.read_table(root / day / "partners.parquet")
    assert partners.column("organization_name").to_pylist() == ["Bob Web Works"]
    assert partners.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assignments = pq.read_table(root / day / "lead_assignments.parquet").to_pylist()
    assert [(a["id"], a["status"]) for a in assignments] == [(slot.pk, "offered")]
    invoices = pq.read_table(root / day / "invoices.parquet")
    assert invoices.num_rows == 0
    assert invoices.schema.field("total").type == pa.int64()  # typed even when empty
    assert "contact_email" not in pq.read_table(root / day / "leads.parquet").column_names


def test_the_export_runs_once_a_night_unless_staff_ask(alice, export_root, bob_partner):
    destination = make_bi(alice)
    sync(destination)
    assert services.destination_sync(destination=destination) is None  # done today
    assert sync(destination, force=True).error == ""  # "sync now"
    Destination.objects.filter(pk=destination.pk).update(
        last_synced_at=timezone.now() - timedelta(days=1)
    )
    destination.refresh_from_db()
    late = timezone.localtime().hour >= 2
    assert (services.destination_sync(destination=destination) is not None) == late


def test_a_folder_outside_the_export_root_is_refused(alice, export_root):
    for folder in ("../etc", "/var/x", "a/b"):
        with pytest.raises(ServiceError) as error:
            make_bi(alice, folder=folder)
        assert "settings" in error.value.error_dict


class StubS3:
    """What the plugin asks of boto3's S3 client, recorded; a queued error is raised first."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.errors: list[ClientError] = []
        self.made: list[tuple[str, dict]] = []  # boto3.client(...) calls

    def _maybe_fail(self) -> None:
        if self.errors:
            raise self.errors.pop(0)

    def upload_file(self, filename, bucket, key, ExtraArgs=None):
        self._maybe_fail()
        assert Path(filename).stat().st_size > 0
        self.calls.append((bucket, key))

    def put_object(self, Bucket, Key, Body, ContentType):
        self._maybe_fail()
        self.calls.append((Bucket, Key))
        if Key.endswith("manifest.json"):
            self.manifest = json.loads(Body)


@pytest.fixture
def s3(monkeypatch):
    import boto3

    stub = StubS3()

    def client(service, **kwargs):
        stub.made.append((service, kwargs))
        return stub

    monkeypatch.setattr(boto3, "client", client)
    return stub


def test_an_s3_target_uploads_every_file_then_the_manifests_last(alice, s3, bob_partner):
    destination = services.destination_create(
        actor=alice,
        kind="bi",
        name="BI (MinIO)",
        settings={
            "target": "s3",
            "bucket": "warehouse",
            "prefix": "kizuna",
            "endpoint_url": "https://hooks.example.com",  # public in the fake DNS
        },
        secrets={"access_key_id": "AK", "secret_access_key": "SK"},
    )
    run = sync(destination)

    assert run.error == ""
    day = timezone.localdate().isoformat()
    keys = [key for _bucket, key in s3.calls]
    assert keys[-2:] == [f"kizuna/{day}/manifest.json", "kizuna/manifest.json"]
    assert sorted(keys[:-2]) == sorted(f"kizuna/{day}/{t}.parquet" for t in TABLES)
    assert s3.made[0][1]["endpoint_url"] == "https://hooks.example.com"
    assert s3.made[0][1]["aws_access_key_id"] == "AK"
    assert s3.manifest["tables"][0]["rows"] == 1


def test_s3_slow_down_defers_the_export(alice, s3, bob_partner):
    destination = services.destination_create(
        actor=alice, kind="bi", name="BI", settings={"target": "s3", "bucket": "b"}, secrets={}
    )
    s3.errors.append(
        ClientError(
            {
                "Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."},
                "ResponseMetadata": {"HTTPStatusCode": 503, "HTTPHeaders": {"retry-after": "30"}},
            },
            "PutObject",
        )
    )
    run = sync(destination)
    assert "SlowDown" in run.error
    assert destination.deferred_until is not None
    wait = destination.deferred_until - timezone.now()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    assert destination.cursor == 0


def test_an_endpoint_on_a_private_address_is_refused(alice, s3):
    destination = services.destination_create(
        actor=alice,
        kind="bi",
        name="BI",
        settings={"target": "s3", "bucket": "b", "endpoint_url": "http://intranet.example.com"},
        secrets={},
    )
    run = sync(destination)
    assert "endpoint_url refused" in run.error
    assert s3.calls == []
