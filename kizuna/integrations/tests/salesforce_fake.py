"""A Salesforce org on 127.0.0.1 for tests: the endpoints Kizuna calls, with Salesforce's answers.

simple-salesforce builds every URL as `https://<instance>`, so the fake speaks TLS with a
certificate made here for 127.0.0.1, which the tests trust through `REQUESTS_CA_BUNDLE`:
the SDK runs unchanged and nothing leaves the machine.

It answers the JWT bearer token request (checking the assertion's signature against the
connected app's certificate), keeps Accounts and Opportunities keyed by the external-id
field, refuses unknown fields (400 INVALID_FIELD) and records without their required fields
or with a stage outside the picklist (per record), runs Bulk API 2.0 ingest jobs at once when
the upload completes, reports its usage in `Sforce-Limit-Info`, and answers what a test queues
first (a 503 with Retry-After, REQUEST_LIMIT_EXCEEDED, an expired session).
"""

import csv
import datetime
import io
import ipaddress
import itertools
import json
import re
import ssl
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

CONSUMER_KEY = "3MVG9-kizuna-test"
USERNAME = "kizuna-integration@acme.example"
FIELDS = {
    "Account": {"Name", "Website", "BillingState", "Phone", "Kizuna_Rank__c", "Kizuna_Id__c"},
    "Opportunity": {"Name", "Amount", "StageName", "CloseDate", "AccountId", "Kizuna_Id__c"},
}
REQUIRED = {"Account": ["Name"], "Opportunity": ["Name", "StageName", "CloseDate"]}
STAGES = {"Prospecting", "Qualification", "Closed Won", "Closed Lost"}
PREFIXES = {"Account": "001", "Opportunity": "006"}


@cache
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def private_key_pem() -> str:
    """The connected app's private key, as staff paste it into the credentials."""
    return (
        _key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@cache
def _certificate() -> tuple[str, str]:
    """(certificate file, key file) for 127.0.0.1, its own CA."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_key().public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(_key(), hashes.SHA256())
    )
    folder = tempfile.mkdtemp(prefix="fake-salesforce-")
    cert_file, key_file = f"{folder}/cert.pem", f"{folder}/key.pem"
    with open(cert_file, "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "w") as out:
        out.write(private_key_pem())
    return cert_file, key_file


def ca_bundle() -> str:
    return _certificate()[0]


def _error(status: int, code: str, message: str) -> tuple[int, dict, Any]:
    return status, {}, [{"errorCode": code, "message": message}]


@dataclass
class FakeSalesforce:
    url: str = ""
    records: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {name: {} for name in FIELDS}
    )
    valid_tokens: set[str] = field(default_factory=set)
    logins: int = 0
    queued: deque = field(default_factory=deque)  # (status, headers, body) answered first
    requests: list[tuple[str, str]] = field(default_factory=list)
    api_used: int = 100
    api_allowed: int = 15_000
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def queue(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        self.queued.append((status, headers or {}, body if body is not None else []))

    def by_external_id(self, sobject: str) -> dict[str, dict[str, Any]]:
        return self.records[sobject]

    def api_calls(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[1] != "/services/oauth2/token"]

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, dict, Any]:
        self.requests.append((method, path))
        if path == "/services/oauth2/token":
            return self._token(body)
        self.api_used += 1
        if self.queued:
            return self.queued.popleft()
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        route = re.fullmatch(r"/services/data/v[\d.]+/(.*?)/?", path)
        if route is None:
            return _error(404, "NOT_FOUND", f"no fake for {method} {path}")
        rest = route[1]
        if rest == "limits":
            remaining = self.api_allowed - self.api_used
            return 200, {}, {"DailyApiRequests": {"Max": self.api_allowed, "Remaining": remaining}}
        if match := re.fullmatch(r"sobjects/(\w+)/describe", rest):
            names = FIELDS[match[1]]
            return (
                200,
                {},
                {"fields": [{"name": n, "externalId": n.endswith("__c")} for n in names]},
            )
        if match := re.fullmatch(r"composite/sobjects/(\w+)/(\w+)", rest):
            return self._collection_upsert(match[1], match[2], json.loads(body))
        if rest == "jobs/ingest" and method == "POST":
            return self._job_create(json.loads(body))
        if match := re.fullmatch(r"jobs/ingest/(\w+)/batches", rest):
            self.jobs[match[1]]["csv"] = body.decode()
            return 201, {}, None
        if match := re.fullmatch(r"jobs/ingest/(\w+)", rest):
            job = self.jobs[match[1]]
            if method == "PATCH":
                state = json.loads(body)["state"]
                if state == "UploadComplete":
                    self._job_run(job)
                else:
                    job["state"] = state
            return 200, {}, self._job_info(job)
        if match := re.fullmatch(
            r"jobs/ingest/(\w+)/(successfulResults|failedResults|unprocessedRecords)", rest
        ):
            return 200, {"content-type": "text/csv"}, self.jobs[match[1]][match[2]]
        return _error(404, "NOT_FOUND", f"no fake for {method} {path}")

    def _token(self, body: bytes) -> tuple[int, dict, Any]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                _key().public_key(),
                algorithms=["RS256"],
                audience=["https://login.salesforce.com", "https://test.salesforce.com"],
            )
        except jwt.PyJWTError as error:
            return 400, {}, {"error": "invalid_grant", "error_description": str(error)}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" or (
            claims["iss"] != CONSUMER_KEY
        ):
            return (
                400,
                {},
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
            )
        if claims["sub"] != USERNAME:
            return (
                400,
                {},
                {
                    "error": "invalid_grant",
                    "error_description": "user hasn't approved this consumer",
                },
            )
        self.logins += 1
        token = f"00Dfake!{self.logins}"
        self.valid_tokens.add(token)
        return 200, {}, {"access_token": token, "instance_url": self.url, "token_type": "Bearer"}

    def _problems(self, sobject: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        missing = [f for f in REQUIRED[sobject] if values.get(f) in (None, "")]
        if missing:
            return [
                {
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": f"Required fields are missing: [{', '.join(missing)}]",
                    "fields": missing,
                }
            ]
        stage = values.get("StageName")
        if sobject == "Opportunity" and stage not in STAGES:
            return [
                {
                    "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    "message": f"Stage: bad value for restricted picklist field: {stage}",
                    "fields": ["StageName"],
                }
            ]
        return []

    def _upsert_one(self, sobject: str, key_field: str, values: dict[str, Any]) -> tuple[str, bool]:
        store = self.records[sobject]
        key = str(values[key_field])
        created = key not in store
        if created:
            store[key] = {"Id": f"{PREFIXES[sobject]}FAKE{next(self.ids):09d}"}
        store[key].update(values)
        return store[key]["Id"], created

    def _collection_upsert(self, sobject: str, key_field: str, data: dict) -> tuple[int, dict, Any]:
        for record in data["records"]:
            unknown = set(record) - FIELDS[sobject] - {"attributes"}
            if unknown:
                column = sorted(unknown)[0]
                return _error(
                    400, "INVALID_FIELD", f"No such column '{column}' on sobject of type {sobject}"
                )
        answers = []
        for record in data["records"]:
            values = {k: v for k, v in record.items() if k != "attributes"}
            problems = self._problems(sobject, values)
            if problems:
                answers.append({"success": False, "errors": problems})
                continue
            record_id, created = self._upsert_one(sobject, key_field, values)
            answers.append({"id": record_id, "success": True, "errors": [], "created": created})
        return 200, {}, answers

    def _job_create(self, data: dict) -> tuple[int, dict, Any]:
        job_id = f"750FAKE{next(self.ids):09d}"
        self.jobs[job_id] = {
            "id": job_id,
            "object": data["object"],
            "externalIdFieldName": data["externalIdFieldName"],
            "state": "Open",
            "processed": 0,
            "failed": 0,
        }
        return 200, {}, self._job_info(self.jobs[job_id])

    def _job_run(self, job: dict[str, Any]) -> None:
        sobject, key_field = job["object"], job["externalIdFieldName"]
        rows = list(csv.DictReader(io.StringIO(job["csv"])))
        header = list(rows[0]) if rows else []
        unknown = sorted(set(header) - FIELDS[sobject])
        if unknown:
            job.update(
                state="Failed", errorMessage=f"InvalidBatch : Field name not found : {unknown[0]}"
            )
            return
        good, bad = [], []
        for row in rows:
            values = {k: (None if v == "#N/A" else v) for k, v in row.items() if v != ""}
            problems = self._problems(sobject, values)
            if problems:
                bad.append(
                    ["", f"{problems[0]['statusCode']}:{problems[0]['message']}", *row.values()]
                )
                continue
            record_id, created = self._upsert_one(sobject, key_field, values)
            good.append([record_id, "true" if created else "false", *row.values()])
        job.update(
            state="JobComplete",
            processed=len(rows),
            failed=len(bad),
            successfulResults=_csv(["sf__Id", "sf__Created", *header], good),
            failedResults=_csv(["sf__Id", "sf__Error", *header], bad),
            unprocessedRecords=_csv(header, []),
        )

    def _job_info(self, job: dict[str, Any]) -> dict[str, Any]:
        info = {
            "id": job["id"],
            "object": job["object"],
            "operation": "upsert",
            "state": job["state"],
            "numberRecordsProcessed": job["processed"],
            "numberRecordsFailed": job["failed"],
        }
        if "errorMessage" in job:
            info["errorMessage"] = job["errorMessage"]
        return info


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def serve() -> tuple[FakeSalesforce, ThreadingHTTPServer]:
    fake = FakeSalesforce()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
            status, headers, payload = fake.handle(
                self.command, self.path.split("?")[0], self.headers, body
            )
            raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            headers = {"content-type": "application/json", **headers}
            if self.path.startswith("/services/data/"):
                headers["Sforce-Limit-Info"] = f"api-usage={fake.api_used}/{fake.api_allowed}"
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_certificate())
    server.socket = context.wrap_socket(server.socket, server_side=True)
    fake.url = f"https://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
