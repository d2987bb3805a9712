"""HubSpot through its official SDK (`hubspot-api-client`).

Partners are companies, partner owners contacts associated with their company, leads (one
deal per partner a lead was offered to) deals in the configured pipeline with the stage
from the lead's state, reviews notes on the partner's company. Every object is upserted in
batches on a unique property (`kizuna_id` by default) that the portal's admin creates on
each object type, so a replay updates the same record. Only the mapped properties are sent:
HubSpot leaves every other property as it is.

Credentials: a private app's access token, or OAuth (client id, secret and refresh token);
an OAuth access token that expired (401) is refreshed once and stored again, encrypted.
"""

import json
from datetime import datetime, time, timedelta
from typing import Any, ClassVar

import urllib3
from django.conf import settings
from django.utils import timezone
from hubspot import HubSpot as HubSpotClient
from hubspot.crm.associations.v4 import ApiException as AssociationsError
from hubspot.crm.companies import ApiException as CompaniesError
from hubspot.crm.contacts import ApiException as ContactsError
from hubspot.crm.deals import ApiException as DealsError
from hubspot.crm.objects.notes import ApiException as NotesError
from hubspot.oauth import ApiException as OAuthError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kizuna.core.retry_after import retry_after
from kizuna.integrations.destinations.base import (
    Deferred,
    Destination,
    DestinationError,
    Record,
    WriteContext,
    WriteResult,
)

API_ERRORS = (AssociationsError, CompaniesError, ContactsError, DealsError, NotesError, OAuthError)
OBJECT_TYPES = {
    "partners": "companies",
    "partner_owners": "contacts",
    "leads": "deals",
    "reviews": "notes",
}
# HubSpot's 10-second window, when a 429 does not say how long to wait.
DEFAULT_WAIT = timedelta(seconds=10)


class HubSpotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_property: str = Field("kizuna_id", pattern=r"^[a-z][a-z0-9_]{0,99}$")
    pipeline: str = Field("default", min_length=1, max_length=100)
    # lead state -> deal stage id in that pipeline
    stages: dict[str, str] = {
        "offered": "appointmentscheduled",
        "accepted": "qualifiedtobuy",
        "completed": "closedwon",
        "declined": "closedlost",
        "expired": "closedlost",
    }
    daily_call_limit: int | None = Field(None, ge=1)


class HubSpotCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    refresh_token: str = ""

    @model_validator(mode="after")
    def _one_way_in(self) -> "HubSpotCredentials":
        oauth = self.client_id and self.client_secret and self.refresh_token
        if not (self.access_token or oauth):
            raise ValueError(
                "Enter a private app's access_token, or client_id, client_secret and "
                "refresh_token for OAuth."
            )
        return self


def _retry_at(error: Any) -> Any:
    """When HubSpot lets us call again: Retry-After (seconds or a date), else its window."""
    now = timezone.now()
    when = retry_after((error.headers or {}).get("Retry-After"), now=now)
    if when is not None:
        return when
    try:
        policy = json.loads(error.body or "{}").get("policyName")
    except ValueError:
        policy = None
    if policy == "DAILY":
        tomorrow = timezone.localdate(now) + timedelta(days=1)
        return timezone.make_aware(datetime.combine(tomorrow, time.min))
    return now + DEFAULT_WAIT


def _message(error: Any) -> str:
    try:
        return str(json.loads(error.body or "{}").get("message") or error.reason)
    except ValueError:
        return str(error.reason)


class HubSpot(Destination):
    kind = "hubspot"
    label = "HubSpot"
    settings_schema = HubSpotSettings
    credentials_schema = HubSpotCredentials
    default_mapping: ClassVar[dict[str, dict[str, str]]] = {
        "partners": {
            "name": "name",
            "website": "website",
            "prefecture": "state",
            "contact_phone": "phone",
            "rank": "kizuna_rank",
        },
        "partner_owners": {
            "email": "email",
            "first_name": "firstname",
            "last_name": "lastname",
            "partner_name": "company",
        },
        "leads": {"title": "dealname", "budget": "amount", "status": "dealstage"},
        "reviews": {"text": "hs_note_body", "published_at": "hs_timestamp"},
    }

    def related_kinds(self, kind: str) -> list[str]:
        return [] if kind == "partners" else ["partners"]

    def _client(self, ctx: WriteContext) -> Any:
        token = ctx.credentials.get("access_token", "")
        return HubSpotClient(access_token=token, host=settings.KIZUNA_HUBSPOT_HOST)

    def _call(self, ctx: WriteContext, call: Any) -> Any:
        """One API call: counted, refreshed once on an expired OAuth token, 429 deferred."""
        for attempt in (1, 2):
            ctx.count_call()
            try:
                return call(self._client(ctx))
            except API_ERRORS as error:
                if error.status == 429:
                    raise Deferred(
                        _retry_at(error), f"HubSpot rate limit: {_message(error)}"
                    ) from None
                if error.status == 401 and attempt == 1 and ctx.credentials.get("refresh_token"):
                    self._refresh(ctx)
                    continue
                if error.status == 401:
                    raise DestinationError(
                        f"HubSpot refused the credentials: {_message(error)}"
                    ) from None
                raise
            except urllib3.exceptions.HTTPError as error:
                raise DestinationError(f"HubSpot unreachable: {error}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _refresh(self, ctx: WriteContext) -> None:
        ctx.count_call()
        creds = ctx.credentials
        client = HubSpotClient(host=settings.KIZUNA_HUBSPOT_HOST)
        try:
            tokens = client.oauth.tokens_api.create(
                grant_type="refresh_token",
                client_id=creds["client_id"],
                client_secret=creds["client_secret"],
                refresh_token=creds["refresh_token"],
            )
        except OAuthError as error:
            raise DestinationError(
                f"HubSpot refused the refresh token: {_message(error)}"
            ) from None
        creds = {**creds, "access_token": tokens.access_token}
        if tokens.refresh_token:
            creds["refresh_token"] = tokens.refresh_token
        ctx.credentials.update(creds)
        ctx.save_credentials(creds)

    def check(self, ctx: WriteContext) -> str:
        try:
            page = self._call(ctx, lambda c: c.crm.companies.basic_api.get_page(limit=1))
        except API_ERRORS as error:
            raise DestinationError(f"HubSpot answered {error.status}: {_message(error)}") from None
        return f"HubSpot OK: companies readable ({len(page.results)} on the first page)."

    def _api(self, client: Any, kind: str) -> Any:
        crm = client.crm
        return {
            "partners": crm.companies,
            "partner_owners": crm.contacts,
            "leads": crm.deals,
            "reviews": crm.objects.notes,
        }[kind].batch_api

    def _properties(self, ctx: WriteContext, record: Record) -> dict[str, Any]:
        properties = {k: ("" if v is None else v) for k, v in record.properties.items()}
        if record.kind == "leads":
            properties["pipeline"] = ctx.settings["pipeline"]
            if "dealstage" in properties:
                properties["dealstage"] = ctx.settings["stages"].get(properties["dealstage"], "")
        properties[ctx.settings["id_property"]] = record.external_id
        return properties

    def _upsert(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        id_property = ctx.settings["id_property"]
        body = {
            "inputs": [
                {
                    "id": r.external_id,
                    "idProperty": id_property,
                    "properties": self._properties(ctx, r),
                }
                for r in records
            ]
        }
        try:
            response = self._call(
                ctx,
                lambda c: self._api(c, kind).upsert(
                    batch_input_simple_public_object_batch_input_upsert=body
                ),
            )
        except API_ERRORS as error:
            if error.status not in (400, 409, 422):
                raise DestinationError(
                    f"HubSpot answered {error.status}: {_message(error)}"
                ) from None
            if len(records) == 1:
                return WriteResult(rejected={records[0].object_id: _message(error)})
            # One bad record fails the batch: send them one by one to find it.
            result = WriteResult()
            for record in records:
                single = self._upsert(ctx, kind, [record])
                result.accepted.update(single.accepted)
                result.rejected.update(single.rejected)
            return result
        by_external = {
            str((item.properties or {}).get(id_property)): str(item.id) for item in response.results
        }
        result = WriteResult()
        for record in records:
            if record.external_id in by_external:
                result.accepted[record.object_id] = by_external[record.external_id]
            else:
                result.rejected[record.object_id] = "HubSpot did not return the record"
        return result

    def write(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        result = self._upsert(ctx, kind, records)
        if kind != "partners":
            self._associate(ctx, kind, records, result)
        return result

    def _associate(
        self, ctx: WriteContext, kind: str, records: list[Record], result: WriteResult
    ) -> None:
        """Tie each accepted record to its partner's company (a set: repeating is harmless)."""
        pairs = [
            {"from": {"id": result.accepted[r.object_id]}, "to": {"id": r.related["partners"]}}
            for r in records
            if r.object_id in result.accepted and r.related.get("partners")
        ]
        if not pairs:
            return
        try:
            self._call(
                ctx,
                lambda c: c.crm.associations.v4.batch_api.create_default(
                    from_object_type=OBJECT_TYPES[kind],
                    to_object_type="companies",
                    batch_input_public_default_association_multi_post={"inputs": pairs},
                ),
            )
        except API_ERRORS as error:
            raise DestinationError(
                f"HubSpot associations: {error.status} {_message(error)}"
            ) from None
