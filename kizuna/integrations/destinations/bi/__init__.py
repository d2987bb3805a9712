"""BI: a nightly export of the main entities and the rollup tables as Parquet files.

Each export is a dated folder `<prefix><YYYY-MM-DD>/` with one `<table>.parquet` per table
and a `manifest.json` (rows, bytes, sha256 and columns of each file); the top-level
`<prefix>manifest.json` is replaced last, so a reader that starts from it only ever sees a
complete export. The target is a folder under `KIZUNA_BI_EXPORT_ROOT` or an S3-compatible
bucket (boto3, endpoint configurable: AWS, MinIO, Cloudflare R2...).

Columns are fixed per table (no personal data: ids, states, amounts, dates), so the BI
side can rely on them; the mapping of CRM destinations does not apply here.
"""

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kizuna.billing.models import Invoice, Payment
from kizuna.core import ssrf
from kizuna.directory.models import Assignment, Lead, Review
from kizuna.insights.models import KpiValue, MemberFirst, MemberPeriod
from kizuna.integrations.destinations.base import (
    Deferred,
    Destination,
    DestinationError,
    WriteContext,
)
from kizuna.partners.models import PartnerProfile

CHUNK = 5_000
# table -> (model, columns); an "__" column follows a relation.
TABLES: dict[str, tuple[type[models.Model], list[str]]] = {
    "partners": (
        PartnerProfile,
        [
            "id",
            "organization_id",
            "organization__name",
            "organization__slug",
            "head_office_prefecture",
            "team_size",
            "budget_min",
            "budget_max",
            "accepting_new_clients",
            "rank",
            "rank_points",
            "created_at",
            "updated_at",
        ],
    ),
    "leads": (
        Lead,
        ["id", "budget", "timeline", "prefecture", "routing", "wanted_partners", "created_at"],
    ),
    "lead_assignments": (
        Assignment,
        [
            "id",
            "lead_id",
            "partner_id",
            "recommended",
            "status",
            "decline_reason",
            "offered_at",
            "expires_at",
            "responded_at",
            "completed_at",
        ],
    ),
    "reviews": (Review, ["id", "partner_id", "assignment_id", "rating", "created_at", "hidden_at"]),
    "invoices": (
        Invoice,
        [
            "id",
            "kind",
            "number",
            "account_id",
            "account__organization_id",
            "corrects_id",
            "cycle",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "subtotal",
            "tax",
            "total",
            "status",
            "overdue_since",
            "created_at",
        ],
    ),
    "payments": (Payment, ["id", "invoice_id", "amount", "paid_on", "confirmed_at"]),
    "member_periods": (
        MemberPeriod,
        [
            "member_id",
            "interval",
            "period_start",
            "activities",
            "weight",
            "outputs",
            "talks",
            "lightning_talks",
            "articles",
            "social_posts",
            "answers",
            "code",
            "questions",
            "chat_joins",
            "events_attended",
        ],
    ),
    "member_firsts": (MemberFirst, ["member_id", "first_active", "first_output"]),
    "kpi_values": (KpiValue, ["metric", "interval", "period_start", "value"]),
}
SAFE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


class BISettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Literal["folder", "s3"] = "folder"
    folder: str = Field("bi", pattern=SAFE_NAME)  # under KIZUNA_BI_EXPORT_ROOT
    bucket: str = ""
    prefix: str = Field("kizuna/", max_length=200)
    endpoint_url: str = ""
    region: str = ""
    export_hour: int = Field(2, ge=0, le=23)  # Asia/Tokyo

    @field_validator("prefix")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value and (value.startswith("/") or ".." in PurePosixPath(value).parts):
            raise ValueError("a relative prefix such as 'kizuna/'")
        return value if not value or value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _target_named(self) -> "BISettings":
        if self.target == "s3" and not self.bucket:
            raise ValueError("An s3 target needs a bucket.")
        if self.endpoint_url and not self.endpoint_url.startswith(("https://", "http://")):
            raise ValueError("endpoint_url is an http(s) URL.")
        return self


class BICredentials(BaseModel):
    """Empty for a folder, or to use the machine's own AWS credentials (an IAM role)."""

    model_config = ConfigDict(extra="forbid")

    access_key_id: str = ""
    secret_access_key: str = ""


def _column_type(model: type[models.Model], path: str) -> pa.DataType:
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model  # type: ignore[assignment]
    field = model._meta.get_field(name)
    if field.is_relation:
        field = field.target_field  # type: ignore[union-attr]
    if isinstance(field, models.DateTimeField):
        return pa.timestamp("us", tz="UTC")
    if isinstance(field, models.DateField):
        return pa.date32()
    if isinstance(field, models.BooleanField):
        return pa.bool_()
    if isinstance(field, models.FloatField):
        return pa.float64()
    if isinstance(field, models.IntegerField | models.AutoField):
        return pa.int64()
    return pa.string()


def table_schema(table: str) -> pa.Schema:
    model, columns = TABLES[table]
    # "organization__name" is "organization_name" in the file, as in the SQL views.
    return pa.schema(
        [(column.replace("__", "_"), _column_type(model, column)) for column in columns]
    )


def _rows(table: str) -> Iterator[list[dict[str, Any]]]:
    model, columns = TABLES[table]
    chunk: list[dict[str, Any]] = []
    rows = model._default_manager.order_by(*columns[:1]).values_list(*columns)
    names = [column.replace("__", "_") for column in columns]
    for row in rows.iterator(CHUNK):
        chunk.append(dict(zip(names, row, strict=True)))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write_parquet(table: str, path: Path) -> int:
    schema = table_schema(table)
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for chunk in _rows(table):
            writer.write_batch(pa.RecordBatch.from_pylist(chunk, schema=schema))
            rows += len(chunk)
    return rows


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class BIExport(Destination):
    kind = "bi"
    label = "BI (Parquet)"
    settings_schema = BISettings
    credentials_schema = BICredentials
    default_mapping: ClassVar[dict[str, dict[str, str]]] = {}
    daily_export = True

    @property
    def objects(self) -> list[str]:
        return list(TABLES)

    def export_due(self, settings: dict[str, Any], last: datetime | None, now: datetime) -> bool:
        local = timezone.localtime(now)
        if last is None:
            return True
        return timezone.localtime(last).date() < local.date() and (
            local.hour >= settings.get("export_hour", 2)
        )

    def check(self, ctx: WriteContext) -> str:
        if ctx.settings["target"] == "folder":
            folder = self._folder(ctx)
            folder.mkdir(parents=True, exist_ok=True)
            return f"Folder {folder} is writable."
        client = self._s3(ctx)
        self._s3_call(ctx, lambda: client.head_bucket(Bucket=ctx.settings["bucket"]))
        return f"Bucket {ctx.settings['bucket']} is reachable."

    def export(self, ctx: WriteContext, now: datetime) -> dict[str, Any]:
        """Write every table, then the manifests; return the manifest."""
        day = timezone.localtime(now).date().isoformat()
        prefix = ctx.settings.get("prefix", "")
        with tempfile.TemporaryDirectory() as scratch:
            tables = []
            for table in TABLES:
                path = Path(scratch) / f"{table}.parquet"
                rows = _write_parquet(table, path)
                tables.append(
                    {
                        "name": table,
                        "path": f"{prefix}{day}/{table}.parquet",
                        "rows": rows,
                        "bytes": path.stat().st_size,
                        "sha256": _sha256(path),
                        "columns": [
                            {"name": f.name, "type": str(f.type)} for f in table_schema(table)
                        ],
                    }
                )
            manifest = {
                "format": "parquet",
                "generated_at": now.isoformat(),
                "date": day,
                "tables": tables,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            files = [
                (Path(scratch) / f"{table}.parquet", f"{prefix}{day}/{table}.parquet")
                for table in TABLES
            ]
            if ctx.settings["target"] == "folder":
                self._publish_folder(ctx, files, body, f"{prefix}{day}/manifest.json", prefix)
            else:
                self._publish_s3(ctx, files, body, f"{prefix}{day}/manifest.json", prefix)
        return manifest

    def _folder(self, ctx: WriteContext) -> Path:
        return Path(django_settings.KIZUNA_BI_EXPORT_ROOT) / ctx.settings["folder"]

    def _publish_folder(
        self,
        ctx: WriteContext,
        files: list[tuple[Path, str]],
        manifest: bytes,
        dated: str,
        prefix: str,
    ) -> None:
        root = self._folder(ctx)
        for source, key in files:
            target = root / key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (root / dated).write_bytes(manifest)
        latest = root / f"{prefix}manifest.json"
        staged = latest.with_suffix(".json.tmp")
        staged.write_bytes(manifest)
        staged.replace(latest)  # atomic: readers see the old or the new manifest, whole

    def _s3(self, ctx: WriteContext) -> Any:
        import boto3  # only S3 targets pay for importing it

        endpoint = ctx.settings.get("endpoint_url") or None
        if endpoint:
            try:
                ssrf.check_public_url(endpoint)
            except ValueError as error:
                raise DestinationError(f"endpoint_url refused: {error}") from None
        creds = ctx.credentials
        return boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=ctx.settings.get("region") or None,
            aws_access_key_id=creds.get("access_key_id") or None,
            aws_secret_access_key=creds.get("secret_access_key") or None,
        )

    def _s3_call(self, ctx: WriteContext, call: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        ctx.count_call()
        try:
            return call()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("SlowDown", "Throttling", "TooManyRequests") or status in (429, 503):
                wait = int(
                    error.response.get("ResponseMetadata", {})
                    .get("HTTPHeaders", {})
                    .get("retry-after", 60)
                )
                raise Deferred(timezone.now() + timedelta(seconds=wait), f"S3: {code}") from None
            raise DestinationError(f"S3: {code or status}: {error}") from None
        except BotoCoreError as error:
            raise DestinationError(f"S3: {error}") from None

    def _publish_s3(
        self,
        ctx: WriteContext,
        files: list[tuple[Path, str]],
        manifest: bytes,
        dated: str,
        prefix: str,
    ) -> None:
        client = self._s3(ctx)
        bucket = ctx.settings["bucket"]
        for source, key in files:
            # upload_file switches to multipart for big tables.
            self._s3_call(
                ctx,
                lambda s=source, k=key: client.upload_file(
                    str(s), bucket, k, ExtraArgs={"ContentType": "application/vnd.apache.parquet"}
                ),
            )
        for key in (dated, f"{prefix}manifest.json"):
            self._s3_call(
                ctx,
                lambda k=key: client.put_object(
                    Bucket=bucket, Key=k, Body=manifest, ContentType="application/json"
                ),
            )
