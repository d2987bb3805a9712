"""A freee accounting API on 127.0.0.1 for tests: the endpoints Kizuna calls, freee's shapes.

It keeps one company's account items, tax categories, partners and deals; refuses what
freee refuses (an unknown account item, tax code or partner; a vat on a category without
tax; a duplicate partner name) with freee's error body; issues single-use refresh tokens;
and answers what a test queues first (a 429, a 500).
"""

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

COMPANY_ID = 1234567
ACCOUNT_ITEMS = [
    {"id": 101, "name": "売上高", "shortcut": "URIAGE", "available": True},
    {"id": 102, "name": "売掛金", "shortcut": "URIKAKE", "available": True},
    {"id": 103, "name": "売上値引高", "shortcut": "NEBIKI", "available": True},
]
TAXES = [
    {"code": 2, "name": "non_taxable", "name_ja": "対象外"},
    {"code": 23, "name": "sales_non_taxable", "name_ja": "非課売上"},
    {"code": 129, "name": "sales_with_tax_10", "name_ja": "課税売上10%"},
    {"code": 156, "name": "sales_with_tax_r8", "name_ja": "課税売上8%（軽減）"},
]
NO_VAT = {2, 23}


def _error(status: int, *messages: str) -> tuple[int, dict, Any]:
    return (
        status,
        {},
        {
            "status_code": status,
            "errors": [
                {"type": "status", "messages": ["不正なリクエストです。"]},
                {"type": "validation", "messages": list(messages)},
            ],
        },
    )


@dataclass
class FakeFreee:
    url: str = ""
    partners: dict[int, dict[str, Any]] = field(default_factory=dict)
    deals: dict[int, dict[str, Any]] = field(default_factory=dict)
    valid_tokens: set[str] = field(default_factory=lambda: {"access-test"})
    refresh_tokens: set[str] = field(default_factory=lambda: {"refresh-test"})
    issued_refresh_tokens: list[str] = field(default_factory=list)
    queued: deque = field(default_factory=deque)  # (status, headers, body) answered first
    requests: list[tuple[str, str]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(5001))

    def queue(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        self.queued.append((status, headers or {}, body or {}))

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.requests if m != "GET" and p.startswith("/api/")]

    def deal_by_ref(self, ref_number: str) -> dict[str, Any]:
        [deal] = [d for d in self.deals.values() if d["ref_number"] == ref_number]
        return deal

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, dict, Any]:
        self.requests.append((method, path))
        if path == "/public_api/token":
            return self._token(parse_qs(body.decode()))
        if self.queued:
            return self.queued.popleft()
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return 401, {}, {"status_code": 401, "message": "アクセストークンが無効です"}
        data = json.loads(body or b"{}")
        if path == "/api/1/taxes/codes":
            return 200, {}, {"taxes": TAXES}
        company = int(query.get("company_id") or data.get("company_id") or 0)
        if company != COMPANY_ID:
            return 403, {}, {"status_code": 403, "message": "指定した事業所の権限がありません"}
        if path == "/api/1/account_items":
            return 200, {}, {"account_items": ACCOUNT_ITEMS}
        if path == "/api/1/partners":
            return self._partners(method, query, data)
        if path == "/api/1/deals":
            return self._deals_list(query) if method == "GET" else self._deal_write(None, data)
        parts = path.split("/")
        if len(parts) >= 5 and parts[3] == "deals" and parts[4].isdigit():
            deal = self.deals.get(int(parts[4]))
            if deal is None:
                return 404, {}, {"status_code": 404, "message": "取引が見つかりません"}
            if len(parts) == 6 and parts[5] == "payments" and method == "POST":
                return self._payment(deal, data)
            if method == "PUT":
                return self._deal_write(deal, data)
            return 200, {}, {"deal": deal}
        return 404, {}, {"message": f"no fake for {method} {path}"}

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict, Any]:
        refresh = (form.get("refresh_token") or [""])[0]
        if form.get("grant_type") != ["refresh_token"] or refresh not in self.refresh_tokens:
            return (
                401,
                {},
                {"error": "invalid_grant", "error_description": "refresh_token is invalid"},
            )
        self.refresh_tokens.discard(refresh)  # single-use, as freee's
        access, new_refresh = f"access-{next(self.ids)}", f"refresh-{next(self.ids)}"
        self.valid_tokens.add(access)
        self.refresh_tokens.add(new_refresh)
        self.issued_refresh_tokens.append(new_refresh)
        return (
            200,
            {},
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": 21600,
                "refresh_token": new_refresh,
                "scope": "read write",
                "created_at": 1764892800,
                "company_id": COMPANY_ID,
            },
        )

    def _partners(
        self, method: str, query: dict[str, str], data: dict[str, Any]
    ) -> tuple[int, dict, Any]:
        if method == "GET":
            keyword = query.get("keyword", "")
            found = [p for p in self.partners.values() if keyword in p["name"]]
            return 200, {}, {"partners": found}
        if any(p["name"] == data.get("name") for p in self.partners.values()):
            return _error(400, "取引先名が重複しています")
        partner = {"id": next(self.ids), "company_id": COMPANY_ID, "name": data["name"]}
        self.partners[partner["id"]] = partner
        return 201, {}, {"partner": partner}

    def _deals_list(self, query: dict[str, str]) -> tuple[int, dict, Any]:
        deals = [
            d
            for d in self.deals.values()
            if d["type"] == query.get("type", d["type"])
            and query.get("start_issue_date", "") <= d["issue_date"]
            and d["issue_date"] <= query.get("end_issue_date", "9999")
        ]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 20))
        return (
            200,
            {},
            {"deals": deals[offset : offset + limit], "meta": {"total_count": len(deals)}},
        )

    def _deal_write(
        self, deal: dict[str, Any] | None, data: dict[str, Any]
    ) -> tuple[int, dict, Any]:
        accounts = {item["id"] for item in ACCOUNT_ITEMS}
        codes = {tax["code"] for tax in TAXES}
        if data.get("partner_id") not in self.partners:
            return _error(400, "取引先が存在しません")
        for detail in data["details"]:
            if detail.get("account_item_id") not in accounts:
                return _error(400, "勘定科目が存在しません")
            if detail.get("tax_code") not in codes:
                return _error(400, "税区分が存在しません")
            if detail.get("tax_code") in NO_VAT and "vat" in detail:
                return _error(400, "この税区分では消費税額を指定できません")
        details = [{"id": next(self.ids), "vat": 0, **detail} for detail in data["details"]]
        fields = {k: v for k, v in data.items() if k not in ("details", "company_id")}
        if deal is None:
            deal = {"id": next(self.ids), "company_id": COMPANY_ID, "payments": [], **fields}
            self.deals[deal["id"]] = deal
            status = 201
        else:
            deal.update(fields)
            status = 200
        deal["details"] = details
        deal["amount"] = sum(d["amount"] for d in details)
        self._settle(deal)
        return status, {}, {"deal": deal}

    def _payment(self, deal: dict[str, Any], data: dict[str, Any]) -> tuple[int, dict, Any]:
        if not data.get("from_walletable_id"):
            return _error(400, "口座を指定してください")
        if data["amount"] > deal["due_amount"]:
            return _error(400, "支払金額が支払残額を超えています")
        deal["payments"].append(
            {
                "id": next(self.ids),
                "date": data["date"],
                "amount": data["amount"],
                "from_walletable_type": data["from_walletable_type"],
                "from_walletable_id": data["from_walletable_id"],
            }
        )
        self._settle(deal)
        return 201, {}, {"deal": deal}

    def _settle(self, deal: dict[str, Any]) -> None:
        deal["due_amount"] = deal["amount"] - sum(p["amount"] for p in deal["payments"])
        deal["status"] = "settled" if deal["due_amount"] == 0 else "unsettled"


def serve() -> tuple[FakeFreee, ThreadingHTTPServer]:
    fake = FakeFreee()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status, headers, payload = fake.handle(
                self.command, parts.path, query, self.headers, body
            )
            raw = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
