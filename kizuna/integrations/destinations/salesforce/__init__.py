"""Salesforce through `simple-salesforce`.

Partners are Accounts, leads (one per partner a lead was offered to) Opportunities on the
partner's Account, with the stage from the lead's state. Both are upserted on an external-id
field (`Kizuna_Id__c` by default) that the org's admin creates on each object: the feed's
changes through the REST API's sObject Collections upsert (one call per 100 records, each
record accepted or refused on its own), a full resync through Bulk API 2.0 (one ingest job
per 2,000 records). Only the mapped fields are sent: Salesforce leaves every other field as
it is.

Login: the OAuth 2.0 JWT bearer flow of a connected app, as an integration user: no password
and no client secret is stored, only the private key whose certificate the connected app
holds, and a new access token is minted whenever Salesforce calls the old one expired.

Limits: every HTTP call (login and Bulk API included) goes through one session that counts
it, reads the org's usage from the `Sforce-Limit-Info` header, stops before the org's daily
allowance reaches the reserve the settings keep for other integrations, and turns
REQUEST_LIMIT_EXCEEDED, 429 and 503 (with `Retry-After`) into `Deferred`.
"""

import json
import time
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceOperationError,
)
from simple_salesforce.login import token_login

from kizuna.core.retry_after import retry_after
from kizuna.integrations.destinations.base import (
    Deferred,
    Destination,
    DestinationError,
    Record,
    WriteContext,
    WriteResult,
)

SOBJECTS = {"partners": "Account", "leads": "Opportunity"}
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Salesforce's daily allowance is a rolling 24 hours: look again after an hour.
USAGE_WAIT = timedelta(hours=1)
# A 429 or 503 that does not say how long to wait.
DEFAULT_WAIT = timedelta(seconds=60)
# Seconds between polls of a Bulk API job (simple-salesforce backs off up to 2 s).
BULK_POLL_SECONDS = 2
# The org's API usage last seen per instance URL: (used, allowed, when). Usage belongs to the
# org, not to one destination, and every call's answer tells it again.
_ORG_USAGE: dict[str, tuple[int, int, datetime]] = {}


def _allowed_host(host: str) -> bool:
    return any(
        host == domain or host.endswith(f".{domain}")
        for domain in settings.KIZUNA_SALESFORCE_DOMAINS
    )


class SalesforceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The org's My Domain URL, e.g. https://acme.my.salesforce.com.
    instance_url: str = Field(min_length=8, max_length=200)
    # Sandboxes sign their JWT for test.salesforce.com.
    sandbox: bool = False
    api_version: str = Field("62.0", pattern=r"^[1-9][0-9]\.0$")
    external_id_field: str = Field("Kizuna_Id__c", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,36}__c$")
    # lead state -> Opportunity StageName (the org's picklist values)
    stages: dict[str, str] = {
        "offered": "Prospecting",
        "accepted": "Qualification",
        "completed": "Closed Won",
        "declined": "Closed Lost",
        "expired": "Closed Lost",
    }
    # Share of the org's daily API requests left to its other integrations.
    api_reserve_percent: int = Field(20, ge=0, le=90)
    daily_call_limit: int | None = Field(None, ge=1)

    @field_validator("instance_url")
    @classmethod
    def _salesforce_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname or parts.path.strip("/"):
            raise ValueError("Enter the org's https:// My Domain URL, with no path.")
        if not _allowed_host(parts.hostname):
            raise ValueError(
                f"{parts.hostname} is not a Salesforce domain "
                f"({', '.join(settings.KIZUNA_SALESFORCE_DOMAINS)})."
            )
        return f"https://{parts.netloc}"


class SalesforceCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consumer_key: str = Field(min_length=1, max_length=300)
    username: str = Field(min_length=3, max_length=200)
    private_key: str = Field(min_length=1, max_length=10_000)
    # Not entered by staff: Kizuna adds the access token the JWT bearer flow returns (and the
    # instance it names) to the stored credentials, and replaces them when they expire.

    @field_validator("private_key")
    @classmethod
    def _pem(cls, value: str) -> str:
        if "-----BEGIN" not in value or "PRIVATE KEY-----" not in value:
            raise ValueError("Enter the connected app's RSA private key in PEM form.")
        return value


def _retry_at(value: str | None) -> datetime:
    now = timezone.now()
    return retry_after(value, now=now) or now + DEFAULT_WAIT


def _errors(content: Any) -> str:
    """Salesforce's error list ([{errorCode, message}]) as one line."""
    if isinstance(content, list):
        return "; ".join(
            f"{e.get('errorCode') or e.get('statusCode')}: {e.get('message')}"
            for e in content
            if isinstance(e, dict)
        ) or str(content)
    return str(content)


class _MeteredSession(requests.Session):
    """The one HTTP session every call of the SDK goes through (see the module's docstring)."""

    def __init__(self, ctx: WriteContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.org = ctx.settings["instance_url"]
        self.reserve = ctx.settings.get("api_reserve_percent", 20)

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        self._refuse_over_reserve()
        self.ctx.count_call()
        response = super().send(request, **kwargs)
        self._observe(response)
        return response

    def _refuse_over_reserve(self) -> None:
        seen = _ORG_USAGE.get(self.org)
        if seen is None:
            return
        used, allowed, when = seen
        until = when + USAGE_WAIT
        if used * 100 >= allowed * (100 - self.reserve) and until > timezone.now():
            raise Deferred(
                until,
                f"Salesforce API usage {used}/{allowed} reached the "
                f"{self.reserve}% kept for the org's other integrations",
            )

    def _observe(self, response: requests.Response) -> None:
        if info := response.headers.get("Sforce-Limit-Info"):
            usage = Salesforce.parse_api_usage(info).get("api-usage")
            if usage is not None:
                _ORG_USAGE[self.org] = (usage.used, usage.total, timezone.now())
        if response.status_code in (429, 503):
            raise Deferred(
                _retry_at(response.headers.get("Retry-After")),
                f"Salesforce asked to wait ({response.status_code})",
            )
        if response.status_code == 403 and b"REQUEST_LIMIT_EXCEEDED" in response.content:
            message = _errors(response.json())
            wait = USAGE_WAIT if "TotalRequests" in message else DEFAULT_WAIT
            raise Deferred(timezone.now() + wait, f"Salesforce API limit: {message}")


class SalesforceDestination(Destination):
    kind = "salesforce"
    label = "Salesforce"
    settings_schema = SalesforceSettings
    credentials_schema = SalesforceCredentials
    resync_batch = 2000
    default_mapping: ClassVar[dict[str, dict[str, str]]] = {
        "partners": {
            "name": "Name",
            "website": "Website",
            "prefecture": "BillingState",
            "contact_phone": "Phone",
            "rank": "Kizuna_Rank__c",
        },
        "leads": {
            "title": "Name",
            "budget": "Amount",
            "status": "StageName",
            "offered_at": "CloseDate",
        },
    }

    def related_kinds(self, kind: str) -> list[str]:
        return ["partners"] if kind == "leads" else []

    def _login(self, ctx: WriteContext, session: requests.Session) -> None:
        """The JWT bearer flow: a fresh access token for the integration user."""
        creds, audience = ctx.credentials, "test" if ctx.settings["sandbox"] else "login"
        claims = {
            "iss": creds["consumer_key"],
            "sub": creds["username"],
            "aud": f"https://{audience}.salesforce.com",
            "exp": int(time.time()) + 180,
        }
        try:
            assertion = jwt.encode(claims, creds["private_key"], algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            raise DestinationError(f"The private key cannot sign: {error}") from None
        try:
            token, instance = token_login(
                f"{ctx.settings['instance_url']}/services/oauth2/token",
                {"grant_type": JWT_BEARER, "assertion": assertion},
                audience,
                creds["consumer_key"],
                None,
                None,
                session,
            )
        except SalesforceAuthenticationFailed as error:
            raise DestinationError(f"Salesforce refused the JWT bearer login: {error}") from None
        creds = {**creds, "access_token": token, "instance": instance}
        ctx.credentials.update(creds)
        ctx.save_credentials(creds)

    def _call(self, ctx: WriteContext, operation: Any) -> Any:
        """Run `operation(client)`; log in first if needed, and once more on an expired token.

        A 400 (the request itself refused) is left to the caller, which knows the records.
        """
        session = _MeteredSession(ctx)
        try:
            for attempt in (1, 2):
                if not ctx.credentials.get("access_token"):
                    self._login(ctx, session)
                client = Salesforce(
                    instance=ctx.credentials["instance"],
                    session_id=ctx.credentials["access_token"],
                    session=session,
                    version=ctx.settings["api_version"],
                )
                try:
                    return operation(client)
                except SalesforceExpiredSession:
                    if attempt == 2:
                        raise DestinationError(
                            "Salesforce refused a new access token at once"
                        ) from None
                    ctx.credentials["access_token"] = ""
        except (SalesforceMalformedRequest, SalesforceOperationError):
            raise
        except SalesforceError as error:
            raise DestinationError(
                f"Salesforce answered {error.status}: {_errors(error.content)}"
            ) from None
        except requests.RequestException as error:
            raise DestinationError(f"Salesforce unreachable: {error}") from None
        finally:
            session.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def check(self, ctx: WriteContext) -> str:
        field = ctx.settings["external_id_field"]

        def look(client: Salesforce) -> tuple[dict[str, Any], list[str]]:
            missing = []
            for sobject in SOBJECTS.values():
                fields = getattr(client, sobject).describe()["fields"]
                if not any(f["name"] == field and f.get("externalId") for f in fields):
                    missing.append(sobject)
            return client.limits(), missing

        try:
            limits, missing = self._call(ctx, look)
        except (SalesforceMalformedRequest, SalesforceOperationError) as error:
            raise DestinationError(f"Salesforce refused the check: {error}") from None
        if missing:
            raise DestinationError(
                f"{field} is not an External ID field on {', '.join(missing)}: create it first."
            )
        daily = limits.get("DailyApiRequests", {})
        return (
            f"Salesforce OK: {field} found on {', '.join(SOBJECTS.values())}; "
            f"{daily.get('Remaining', '?')} of {daily.get('Max', '?')} daily API requests left."
        )

    def _fields(self, ctx: WriteContext, record: Record) -> dict[str, Any]:
        fields = dict(record.properties)
        if record.kind == "leads":
            if "StageName" in fields:
                fields["StageName"] = ctx.settings["stages"].get(fields["StageName"])
            if record.related.get("partners"):
                fields["AccountId"] = record.related["partners"]
        fields[ctx.settings["external_id_field"]] = record.external_id
        return fields

    def write(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        """sObject Collections upsert: each record accepted or refused on its own."""
        sobject, field = SOBJECTS[kind], ctx.settings["external_id_field"]
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": sobject}, **self._fields(ctx, r)} for r in records],
        }
        try:
            answers = self._call(
                ctx,
                lambda c: c.restful(
                    f"composite/sobjects/{sobject}/{field}", method="PATCH", data=json.dumps(body)
                ),
            )
        except SalesforceMalformedRequest as error:
            # The request as a whole (an unknown field: the mapping) applies to every record.
            return WriteResult(
                rejected=dict.fromkeys((r.object_id for r in records), _errors(error.content))
            )
        result = WriteResult()
        for record, answer in zip(records, answers or [], strict=False):
            if answer.get("success"):
                result.accepted[record.object_id] = answer["id"]
            else:
                result.rejected[record.object_id] = _errors(answer.get("errors"))
        for record in records[len(answers or []) :]:
            result.rejected[record.object_id] = "Salesforce did not answer for the record"
        return result

    def write_resync(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        """One Bulk API 2.0 upsert job, and its per-record results."""
        sobject, field = SOBJECTS[kind], ctx.settings["external_id_field"]
        by_external = {r.external_id: r.object_id for r in records}
        rows = [{k: _csv_value(v) for k, v in self._fields(ctx, r).items()} for r in records]

        def ingest(client: Salesforce) -> dict[str, list[dict[str, str]]]:
            bulk = getattr(client.bulk2, sobject)
            [job] = bulk.upsert(records=rows, external_id_field=field, wait=BULK_POLL_SECONDS)
            return bulk.get_all_ingest_records(job["job_id"])

        try:
            outcome = self._call(ctx, ingest)
        except (SalesforceMalformedRequest, SalesforceOperationError) as error:
            reason = _errors(getattr(error, "content", None) or str(error))
            return WriteResult(rejected=dict.fromkeys(by_external.values(), reason))
        result = WriteResult()
        for row in outcome["successfulRecords"]:
            result.accepted[by_external[row[field]]] = row["sf__Id"]
        for row in outcome["failedRecords"]:
            result.rejected[by_external[row[field]]] = row["sf__Error"]
        for row in outcome["unprocessedRecords"]:
            result.rejected[by_external[row[field]]] = "Not processed: the Bulk API job stopped"
        return result


def _csv_value(value: Any) -> str:
    """Bulk API 2.0's CSV: `#N/A` empties a field (an empty cell would leave it as it is)."""
    if value is None or value == "":
        return "#N/A"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
