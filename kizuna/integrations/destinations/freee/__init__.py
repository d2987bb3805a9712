"""freee accounting through its public REST API (api.freee.co.jp, `/api/1/...`) with httpx.

What goes where:
- billing accounts are 取引先 (partners), found by their exact name or created;
- issued invoices are 取引 (deals) of type income: one detail per invoice line, on the
  configured account item (売上高 by default) with the tax category of the line's rate
  (10%, 8% reduced, or non-taxable), tax-inclusive amount and the line's share of the tax;
- credit notes are income deals with the same lines as minus rows (freee documents a
  negative detail amount as a 控除・マイナス行), so the receivable and the sales go down;
- payments are payment rows on the invoice's deal, into the configured bank account.

Idempotent without trusting our own bookkeeping: a deal carries the document number in
`ref_number` (prefixed, `KZ-INV-000012`), and before writing, the deals of the same issue
dates are read and matched on it, so a run that died after freee accepted never creates a
second deal. A payment row has no reference of ours: the n-th payment with the same date
and amount on a deal is taken to be the n-th such payment in Kizuna.

OAuth 2.0: the access token is refreshed before it expires and once on a 401; freee's
refresh token is single-use, so the new one is stored (encrypted) at once. Rate limits: a
429 defers the destination until `Retry-After` (or freee's `X-RateLimit-Reset`), and calls
are counted against an hourly budget per freee company (`hourly_call_limit`, below freee's
documented hourly limit) in Kizuna's database token bucket, shared by every worker.
"""

import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

import httpx
from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kizuna.core import ratelimit
from kizuna.core.retry_after import retry_after
from kizuna.integrations.destinations.base import (
    Deferred,
    Destination,
    DestinationError,
    Record,
    WriteContext,
    WriteResult,
)

DOCUMENT_KINDS = ("invoices", "credit_notes")
# When a 429 names no time to wait.
DEFAULT_WAIT = timedelta(seconds=60)
# Refresh this long before the access token (6 hours at freee) runs out.
REFRESH_MARGIN = timedelta(minutes=5)
PAGE = 100  # freee's largest page


class FreeeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int = Field(ge=1)
    # Kizuna object -> freee account item (勘定科目) name.
    account_items: dict[str, str] = {"invoices": "売上高", "credit_notes": "売上高"}
    # Tax rate of a line (percent) -> freee tax category (税区分) name, or its code.
    tax_codes: dict[str, str] = {"10": "課税売上10%", "8": "課税売上8%（軽減）", "0": "非課売上"}
    ref_prefix: str = Field("KZ-", max_length=20)
    walletable_type: Literal["bank_account", "wallet", "credit_card"] = "bank_account"
    walletable_id: int | None = Field(None, ge=1)
    hourly_call_limit: int = Field(3000, ge=1)
    daily_call_limit: int | None = Field(None, ge=1)

    @field_validator("account_items")
    @classmethod
    def _documents_only(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(DOCUMENT_KINDS)
        if unknown:
            raise ValueError(f"Only {', '.join(DOCUMENT_KINDS)} have an account item.")
        if not all(name.strip() for name in value.values()):
            raise ValueError("Enter an account item name.")
        return value

    @field_validator("tax_codes")
    @classmethod
    def _rates(cls, value: dict[str, str]) -> dict[str, str]:
        if not all(rate.isdigit() and int(rate) <= 100 for rate in value):
            raise ValueError("Keys are tax rates in percent: 10, 8, 0.")
        return value


class FreeeCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    refresh_token: str = Field(min_length=1)
    access_token: str = ""
    expires_at: str = ""  # ISO 8601, written by Kizuna after each refresh


class Refused(Exception):
    """A record freee cannot take as it stands (the reason is shown to staff)."""


def _key(name: str) -> str:
    """A name as freee shows it and as staff type it compare equal (全角/半角, spaces)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _message(response: httpx.Response) -> str:
    """freee's error messages: {"errors": [{"type": ..., "messages": [...]}]}."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    messages = [
        str(message)
        for error in body.get("errors") or []
        if isinstance(error, dict)
        for message in error.get("messages") or []
    ]
    for key in ("message", "error_description", "error"):
        if not messages and body.get(key):
            messages.append(str(body[key]))
    return " ".join(messages) or f"HTTP {response.status_code}"


def _retry_at(response: httpx.Response) -> datetime:
    now = timezone.now()
    reset = _aware(response.headers.get("X-RateLimit-Reset", ""))
    return retry_after(response.headers.get("Retry-After"), now=now) or reset or now + DEFAULT_WAIT


def _aware(value: str) -> datetime | None:
    """An ISO 8601 time; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


class FreeeApi:
    """The calls of one write: authorized, refreshed, counted and kept inside the limits."""

    def __init__(self, ctx: WriteContext) -> None:
        self.ctx = ctx
        self.company_id: int = ctx.settings["company_id"]
        self.client = httpx.Client(base_url=settings.KIZUNA_FREEE_API_URL, timeout=30)

    def __enter__(self) -> "FreeeApi":
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One call; 4xx answers other than 401/429 come back for the caller to judge."""
        for attempt in (1, 2):
            if self._expiring():
                self.refresh()
            self._spend()
            try:
                response = self.client.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {self.ctx.credentials['access_token']}"},
                )
            except httpx.HTTPError as error:
                raise DestinationError(f"freee unreachable: {error}") from None
            if response.status_code == 401 and attempt == 1:
                self.refresh()
                continue
            if response.status_code == 429:
                raise Deferred(_retry_at(response), f"freee rate limit: {_message(response)}")
            if response.status_code == 401:
                raise DestinationError(f"freee refused the credentials: {_message(response)}")
            if response.status_code == 403 or response.status_code >= 500:
                raise DestinationError(
                    f"freee answered {response.status_code}: {_message(response)}"
                )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.request("GET", path, params={"company_id": self.company_id, **params})
        if response.status_code != 200:
            raise DestinationError(f"freee {path}: {_message(response)}")
        body: dict[str, Any] = response.json()
        return body

    def _expiring(self) -> bool:
        creds = self.ctx.credentials
        if not creds.get("access_token"):
            return True
        expires_at = _aware(creds.get("expires_at") or "")
        if expires_at is None:
            return False  # unknown: a 401 will tell
        return expires_at - REFRESH_MARGIN <= timezone.now()

    def _spend(self) -> None:
        """Count the call against the daily limit and freee's hourly one, or defer."""
        self.ctx.count_call()
        hourly = self.ctx.settings.get("hourly_call_limit") or 3000
        decision = ratelimit.consume(
            f"destination:freee:{self.company_id}", ratelimit.Limit(hourly, 3600)
        )
        if not decision.allowed:
            raise Deferred(
                timezone.now() + timedelta(seconds=decision.retry_after_s),
                f"freee hourly API budget of {hourly} calls used",
            )

    def refresh(self) -> None:
        """Trade the refresh token for a new pair; freee's is single-use, so keep the new
        one before anything else can fail."""
        self._spend()
        creds = self.ctx.credentials
        try:
            response = httpx.post(
                settings.KIZUNA_FREEE_TOKEN_URL,
                data={
                    "grant_type": "refresh_token",
                    "client_id": creds["client_id"],
                    "client_secret": creds["client_secret"],
                    "refresh_token": creds["refresh_token"],
                },
                timeout=30,
            )
        except httpx.HTTPError as error:
            raise DestinationError(f"freee token endpoint unreachable: {error}") from None
        if response.status_code == 429:
            raise Deferred(_retry_at(response), f"freee rate limit: {_message(response)}")
        if response.status_code != 200:
            raise DestinationError(f"freee refused the refresh token: {_message(response)}")
        tokens = response.json()
        expires_in = int(tokens.get("expires_in") or 21600)
        fresh = {
            **creds,
            "access_token": tokens["access_token"],
            "refresh_token": tokens.get("refresh_token") or creds["refresh_token"],
            "expires_at": (timezone.now() + timedelta(seconds=expires_in)).isoformat(),
        }
        self.ctx.credentials.update(fresh)
        self.ctx.save_credentials(fresh)

    def account_items(self) -> dict[str, int]:
        items = self.get("/api/1/account_items").get("account_items", [])
        return {_key(item["name"]): item["id"] for item in items}

    def tax_codes(self) -> dict[str, int]:
        """Each tax category under its Japanese name, its English name and its code."""
        response = self.request("GET", "/api/1/taxes/codes")
        if response.status_code != 200:
            raise DestinationError(f"freee /api/1/taxes/codes: {_message(response)}")
        codes = {}
        for tax in response.json().get("taxes", []):
            for name in (tax.get("name_ja"), tax.get("name"), str(tax["code"])):
                if name:
                    codes[_key(name)] = tax["code"]
        return codes


def _deal_details(
    kind: str,
    record: Record,
    account_item_id: int,
    tax_codes: dict[str, int],
    rates: dict[str, str],
) -> list[dict[str, Any]]:
    sign = -1 if kind == "credit_notes" else 1
    corrects = record.properties.get("corrects_ref", "")
    details = []
    for line in record.properties["details"]:
        rate = str(line["tax_rate_percent"])
        if rate not in rates:
            raise Refused(f"No freee tax category is set for {rate}% (settings: tax_codes).")
        code = tax_codes.get(_key(rates[rate]))
        if code is None:
            raise Refused(f"freee has no tax category '{rates[rate]}' (settings: tax_codes).")
        detail: dict[str, Any] = {
            "account_item_id": account_item_id,
            "tax_code": code,
            "amount": sign * (line["amount"] + line["tax"]),
            "description": f"返還 {corrects} {line['description']}".replace("  ", " ")
            if sign < 0
            else line["description"],
        }
        if line["tax_rate_percent"]:  # freee refuses a vat on a category without tax
            detail["vat"] = sign * line["tax"]
        details.append(detail)
    return details


def _same_deal(found: dict[str, Any], body: dict[str, Any]) -> bool:
    def rows(details: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(
            (d.get("account_item_id"), d.get("tax_code"), d.get("amount"), d.get("vat") or 0)
            for d in details
        )

    return (
        found.get("issue_date") == body["issue_date"]
        and found.get("due_date") == body.get("due_date")
        and found.get("partner_id") == body["partner_id"]
        and rows(found.get("details") or []) == rows(body["details"])
    )


class Freee(Destination):
    kind = "freee"
    label = "freee"
    settings_schema = FreeeSettings
    credentials_schema = FreeeCredentials
    default_mapping: ClassVar[dict[str, dict[str, str]]] = {
        "billing_accounts": {"legal_name": "name"},
        "invoices": {
            "number": "ref_number",
            "issue_date": "issue_date",
            "due_date": "due_date",
            "lines": "details",
        },
        "credit_notes": {
            "number": "ref_number",
            "issue_date": "issue_date",
            "due_date": "due_date",
            "lines": "details",
            "corrects_number": "corrects_ref",
        },
        "payments": {"paid_on": "date", "amount": "amount", "ordinal": "ordinal"},
    }

    def related_kinds(self, kind: str) -> list[str]:
        return {
            "invoices": ["billing_accounts"],
            "credit_notes": ["billing_accounts"],
            "payments": ["invoices"],
        }.get(kind, [])

    def check(self, ctx: WriteContext) -> str:
        with FreeeApi(ctx) as api:
            accounts = api.account_items()
            taxes = api.tax_codes()
        missing = [
            name for name in ctx.settings["account_items"].values() if _key(name) not in accounts
        ] + [name for name in ctx.settings["tax_codes"].values() if _key(name) not in taxes]
        found = f"freee OK: company {ctx.settings['company_id']}, {len(accounts)} account items."
        if missing:
            return f"{found} Not found in freee: {', '.join(missing)}."
        return found

    def write(self, ctx: WriteContext, kind: str, records: list[Record]) -> WriteResult:
        with FreeeApi(ctx) as api:
            if kind == "billing_accounts":
                return self._partners(api, records)
            if kind == "payments":
                return self._payments(api, records)
            return self._deals(api, kind, records)

    def _partners(self, api: FreeeApi, records: list[Record]) -> WriteResult:
        """Found by exact name (freee keeps names unique), else created; never changed."""
        result = WriteResult()
        for record in records:
            name = str(record.properties.get("name") or "").strip()
            if not name:
                result.rejected[record.object_id] = "No partner name (mapping: name)."
                continue
            found = api.get("/api/1/partners", keyword=name, limit=PAGE).get("partners", [])
            match = next((p for p in found if _key(p["name"]) == _key(name)), None)
            if match:
                result.accepted[record.object_id] = str(match["id"])
                continue
            body = {
                **{k: v for k, v in record.properties.items() if v not in (None, "")},
                "company_id": api.company_id,
                "name": name,
            }
            response = api.request("POST", "/api/1/partners", json=body)
            if response.status_code in (200, 201):
                result.accepted[record.object_id] = str(response.json()["partner"]["id"])
            else:
                result.rejected[record.object_id] = _message(response)
        return result

    def _existing_deals(self, api: FreeeApi, prefix: str, dates: set[str]) -> dict[str, Any]:
        """Our deals on these issue dates, by ref_number: what a replay must not repeat."""
        deals: dict[str, Any] = {}
        for day in sorted(dates):
            offset = 0
            while True:
                page = api.get(
                    "/api/1/deals",
                    type="income",
                    start_issue_date=day,
                    end_issue_date=day,
                    limit=PAGE,
                    offset=offset,
                )
                for deal in page.get("deals", []):
                    if str(deal.get("ref_number") or "").startswith(prefix):
                        deals[deal["ref_number"]] = deal
                offset += PAGE
                if offset >= int(page.get("meta", {}).get("total_count", 0)):
                    break
        return deals

    def _deals(self, api: FreeeApi, kind: str, records: list[Record]) -> WriteResult:
        result = WriteResult()
        settings_ = api.ctx.settings
        account_name = settings_["account_items"].get(kind, "売上高")
        account_item_id = api.account_items().get(_key(account_name))
        if account_item_id is None:
            reason = f"freee has no account item '{account_name}' (settings: account_items)."
            return WriteResult(rejected=dict.fromkeys((r.object_id for r in records), reason))
        tax_codes = api.tax_codes()
        needed = {"ref_number", "issue_date", "details"}
        ready = [r for r in records if needed <= set(r.properties)]
        for record in records:
            if record not in ready:
                missing = ", ".join(sorted(needed - set(record.properties)))
                result.rejected[record.object_id] = f"The mapping does not send {missing}."
        prefix = settings_["ref_prefix"]
        existing = self._existing_deals(api, prefix, {r.properties["issue_date"] for r in ready})
        for record in ready:
            try:
                details = _deal_details(
                    kind, record, account_item_id, tax_codes, settings_["tax_codes"]
                )
            except Refused as refused:
                result.rejected[record.object_id] = str(refused)
                continue
            body = {
                "company_id": api.company_id,
                "issue_date": record.properties["issue_date"],
                "type": "income",
                "partner_id": int(record.related["billing_accounts"]),
                "ref_number": f"{prefix}{record.properties['ref_number']}",
                "details": details,
            }
            if record.properties.get("due_date"):
                body["due_date"] = record.properties["due_date"]
            found = existing.get(body["ref_number"])
            if found and _same_deal(found, body):
                result.accepted[record.object_id] = str(found["id"])
                continue
            # PUT replaces the detail rows and leaves payment rows as they are.
            response = (
                api.request("PUT", f"/api/1/deals/{found['id']}", json=body)
                if found
                else api.request("POST", "/api/1/deals", json=body)
            )
            if response.status_code in (200, 201):
                result.accepted[record.object_id] = str(response.json()["deal"]["id"])
            else:
                result.rejected[record.object_id] = _message(response)
        return result

    def _payments(self, api: FreeeApi, records: list[Record]) -> WriteResult:
        settings_ = api.ctx.settings
        if not settings_.get("walletable_id"):
            reason = "Set walletable_id (the freee account payments arrive in) in the settings."
            return WriteResult(rejected=dict.fromkeys((r.object_id for r in records), reason))
        result = WriteResult()
        by_deal: dict[str, list[Record]] = {}
        for record in records:
            by_deal.setdefault(record.related["invoices"], []).append(record)
        for deal_id, deal_records in by_deal.items():
            response = api.request(
                "GET", f"/api/1/deals/{deal_id}", params={"company_id": api.company_id}
            )
            if response.status_code == 404:
                for record in deal_records:
                    result.rejected[record.object_id] = (
                        f"freee deal {deal_id} no longer exists; resync invoices."
                    )
                continue
            if response.status_code != 200:
                raise DestinationError(f"freee deal {deal_id}: {_message(response)}")
            rows = response.json()["deal"].get("payments") or []
            for record in sorted(deal_records, key=lambda r: r.properties.get("ordinal", 1)):
                rows = self._payment(api, deal_id, record, rows, result)
        return result

    def _payment(
        self,
        api: FreeeApi,
        deal_id: str,
        record: Record,
        rows: list[dict[str, Any]],
        result: WriteResult,
    ) -> list[dict[str, Any]]:
        """Match the payment among the deal's rows, or add it; returns the rows now."""
        paid_on, amount = record.properties.get("date"), record.properties.get("amount")
        ordinal = int(record.properties.get("ordinal") or 1)

        def same(payment_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return sorted(
                (p for p in payment_rows if p.get("date") == paid_on and p.get("amount") == amount),
                key=lambda p: p["id"],
            )

        present = same(rows)
        if len(present) >= ordinal:
            result.accepted[record.object_id] = str(present[ordinal - 1]["id"])
            return rows
        if len(present) < ordinal - 1:
            # Added now, it would be taken for the earlier one on the next replay.
            result.rejected[record.object_id] = (
                "Waits for the earlier payment of the same date and amount."
            )
            return rows
        response = api.request(
            "POST",
            f"/api/1/deals/{deal_id}/payments",
            json={
                "company_id": api.company_id,
                "date": paid_on,
                "amount": amount,
                "from_walletable_type": api.ctx.settings["walletable_type"],
                "from_walletable_id": api.ctx.settings["walletable_id"],
            },
        )
        if response.status_code not in (200, 201):
            result.rejected[record.object_id] = _message(response)
            return rows
        rows = response.json()["deal"].get("payments") or []
        matching = same(rows)
        result.accepted[record.object_id] = (
            str(matching[-1]["id"]) if matching else f"{deal_id}/{ordinal}"
        )
        return rows
