"""The whole site under load, set up the way production runs it, driven by locust.

    .venv/bin/python bench/load.py                       # 100 users for 3 minutes
    .venv/bin/python bench/load.py --users 20 --duration 30s --reuse   # a quick look

Starts Kizuna as production does: gunicorn with 4 workers and 2 task workers
(`manage.py run_worker`) on PostgreSQL (--database-url; by default a database of its own
on 127.0.0.1:5432 that it drops, creates, migrates and fills with `seed_demo --scale
medium`), DEBUG off with the production settings, except that it listens on plain HTTP on
127.0.0.1. The load generator plays the TLS proxy: it sends X-Forwarded-Proto and appends
each simulated client's address to X-Forwarded-For, and Kizuna trusts 127.0.0.1 as its
proxy (KIZUNA_TRUSTED_PROXIES), so every per-address limit sees each client as it would in
production. Then locust (headless, in this process) runs --users concurrent users, each
waiting 1-3 s between requests, for --duration: anonymous visitors searching the directory
and reading partner pages, signed-in merchants who also send leads, API clients with a
token, and signed-in staff (with their authenticator code) on their pages.

Prints one JSON line: {"users", "requests", "rps", "p50_ms", "p95_ms", "errors_5xx",
"errors_429", "leads_sent", "leads_stored"}; p50 is over every request, p95 over HTML pages;
leads_stored is counted in the database afterwards. A per-endpoint breakdown and the load
average before the run go to stderr. Targets (issue 20): 0 server errors, every lead sent
stored exactly once, p95 <= 300 ms on the project's 2-core machine. See bench/README.md.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kizuna_bench_load"
WEB_WORKERS = 4
TASK_WORKERS = 2
STAFF_USERS = 30  # staff accounts made for the run; staff are 15 % of the users
MAX_LEADS_PER_MERCHANT = 8  # below the lead form's 10 per hour per address
TERMS = ["決済", "デザイン", "サーバー", "定期購入", "アパレル", "化粧品", "越境", "食品", "予約"]
PREFECTURES = ["13", "27", "14", "23", "40", "01"]
STAFF_PAGES = [
    "/",
    "/partners/staff/reviews/",
    "/partners/staff/partners/",
    "/directory/staff/leads/",
    "/billing/staff/",
    "/community/members/",
    "/insights/",
]


class Fixtures:
    """What load_setup.py made: filled in before the users start."""

    password = ""
    merchants: list[str] = []
    staff: list[dict[str, str]] = []
    slugs: list[str] = []
    token = ""
    organization_id = 0
    run = ""  # this run's mark in the leads' contact emails
    lead_numbers = 0
    leads_sent = 0
    lead_refusals = 0
    sign_in_failures = 0


def client_addresses() -> Any:
    """Distinct client addresses from the benchmarking range 198.18.0.0/15 (RFC 2544)."""
    rng = random.Random(7)
    seen: set[str] = set()
    while True:
        address = f"198.{rng.choice((18, 19))}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if address not in seen:
            seen.add(address)
            yield address


ADDRESSES = client_addresses()


class SiteUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.address = next(ADDRESSES)
        self.client.headers.update(
            {
                "X-Forwarded-For": self.address,
                "X-Forwarded-Proto": "https",
                "Origin": self.host.replace("http://", "https://"),  # type: ignore[union-attr]
                "Accept-Language": "ja",
            }
        )

    def request(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        # Kizuna marks its cookies Secure as in production (it believes the proxy's
        # X-Forwarded-Proto); the bench speaks plain HTTP to 127.0.0.1 where a browser
        # would have had HTTPS, so the flag is dropped for the client to send them back.
        for cookie in self.client.cookies:
            cookie.secure = False
        return self.client.request(method, path, name=name, **kwargs)

    def page(self, path: str, name: str, **kwargs: Any) -> Any:
        return self.request("GET", path, f"page {name}", **kwargs)

    def post(self, path: str, data: dict[str, Any], name: str) -> Any:
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        return self.request("POST", path, f"post {name}", data=data, allow_redirects=False)

    def sign_in(self, email: str) -> bool:
        self.page("/accounts/login/", "sign-in")
        response = self.post(
            "/accounts/login/", {"username": email, "password": Fixtures.password}, "sign-in"
        )
        if response.status_code != 302:
            Fixtures.sign_in_failures += 1
            return False
        return True

    def search(self) -> None:
        query: dict[str, Any] = {"q": random.choice(TERMS)}
        if random.random() < 0.4:
            query["prefecture"] = random.choice(PREFECTURES)
        if random.random() < 0.2:
            query["page"] = 2
        self.page("/directory/", "directory search", params=query)

    def partner(self) -> None:
        self.page(f"/directory/p/{random.choice(Fixtures.slugs)}/", "partner")


class Visitor(SiteUser):
    weight = 45

    @task(5)
    def directory_search(self) -> None:
        self.search()

    @task(4)
    def partner_page(self) -> None:
        self.partner()


class Merchant(SiteUser):
    weight = 25

    def on_start(self) -> None:
        super().on_start()
        self.leads = 0
        self.sign_in(Fixtures.merchants.pop())

    @task(4)
    def directory_search(self) -> None:
        self.search()

    @task(4)
    def partner_page(self) -> None:
        self.partner()

    @task(1)
    def requests_list(self) -> None:
        self.page("/directory/requests/", "merchant requests")

    @task(1)
    def send_lead(self) -> None:
        if self.leads >= MAX_LEADS_PER_MERCHANT:
            return self.partner()
        self.leads += 1
        slug = random.choice(Fixtures.slugs)
        self.page(f"/directory/request/?partner={slug}", "lead form")
        number = Fixtures.lead_numbers = Fixtures.lead_numbers + 1
        response = self.post(
            "/directory/request/",
            {
                "partners": [slug],
                "products": "手作りの革小物とギフトセット",
                "budget": str(random.choice([500_000, 1_000_000, 3_000_000])),
                "timeline": "quarter",
                "prefecture": random.choice(PREFECTURES),
                "message": "ネットショップを立ち上げたいので、お見積りをお願いします。",
                "contact_name": "負荷 試験",
                "contact_email": f"{Fixtures.run}{number}@bench.example.jp",
                "website": "",
            },
            "lead",
        )
        # Counted once the post is answered: the run's end lets every user finish its task.
        Fixtures.leads_sent += 1
        if not (
            response.status_code == 302
            and "/directory/requests/" in response.headers.get("Location", "")
        ):
            Fixtures.lead_refusals += 1
        return None


class ApiClient(SiteUser):
    weight = 15

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["Authorization"] = f"Bearer {Fixtures.token}"

    @task(2)
    def me(self) -> None:
        self.client.get("/api/v1/accounts/me", name="api accounts/me")

    @task(3)
    def profile(self) -> None:
        slug = random.choice(Fixtures.slugs)
        self.client.get(f"/api/v1/partners/profiles/{slug}", name="api partners/profiles")

    @task(3)
    def search_api(self) -> None:
        query = {"q": random.choice(TERMS)}
        self.client.get("/api/v1/directory/search", params=query, name="api directory/search")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/api/v1/directory/inbox", name="api directory/inbox")

    @task(1)
    def invoices(self) -> None:
        self.client.get(
            "/api/v1/billing/invoices",
            params={"organization_id": Fixtures.organization_id},
            name="api billing/invoices",
        )


class Staff(SiteUser):
    weight = 15

    def on_start(self) -> None:
        super().on_start()
        account = Fixtures.staff.pop()
        if self.sign_in(account["email"]):
            self.page("/accounts/login/verify/", "two-step")
            # Imported here: django_otp pulls in Django's lazy settings, which gevent's
            # patching (on importing locust) must not meet first.
            from django_otp.oath import totp

            code = f"{totp(bytes.fromhex(account['key'])):06d}"
            self.post("/accounts/login/verify/", {"token": code}, "two-step")

    @task
    def staff_page(self) -> None:
        path = random.choice(STAFF_PAGES)
        self.page(path, f"staff {path}")


# Running the site


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"a duration like 180, 180s or 3m, not {text!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=parse_duration, default=180.0, help="180, 180s, 3m")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--port", type=int, default=8199)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the already seeded database (no reseeding)."
    )
    return parser.parse_args()


def site_environment(database_url: str, port: int, workdir: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KIZUNA_", "SECURE_")) and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"https://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; the proxy header says HTTPS
        KIZUNA_TRUSTED_PROXIES="127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return environment


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def recreate_database(url: str) -> None:
    # psycopg in a child process: this one runs gevent's patched sockets.
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    code = (
        "import psycopg, sys\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        "    c.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\"')\n"
        "    c.execute(f'CREATE DATABASE \"{sys.argv[2]}\"')\n"
    )
    subprocess.run([sys.executable, "-c", code, admin_url, name], check=True)


def setup_script(environment: dict[str, str], *args: str) -> Any:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_setup.py"), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"load_setup.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_site(environment: dict[str, str], port: int, workdir: Path) -> list[subprocess.Popen]:
    log = (workdir / "site.log").open("w")
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "kizuna.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WEB_WORKERS),
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--timeout",
        "60",
    ]
    processes = [subprocess.Popen(gunicorn, cwd=ROOT, env=environment, stdout=log, stderr=log)]
    for _ in range(TASK_WORKERS):
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_worker"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=log,
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return processes
        except OSError:
            pass
        time.sleep(0.5)
    stop(processes)
    raise SystemExit(f"the site did not answer /healthz; see {workdir / 'site.log'}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# Driving it


class Recorder:
    def __init__(self) -> None:
        self.times: list[float] = []
        self.html_times: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.by_name: dict[str, list[float]] = defaultdict(list)

    def __call__(self, *, name: str, response_time: float, response: Any, **_: Any) -> None:
        status = getattr(response, "status_code", 0) or 0  # 0: no answer at all
        self.statuses[status] += 1
        self.times.append(response_time)
        self.by_name[name].append(response_time)
        if name.startswith("page "):
            self.html_times.append(response_time)


def percentile(values: list[float], fraction: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def drive(host: str, users: int, spawn_rate: float, duration: float) -> tuple[Recorder, float]:
    # stop_timeout: at the end every user finishes the task it is in (a lead post in flight
    # is answered and counted) instead of being killed mid-request.
    environment = Environment(
        user_classes=[Visitor, Merchant, ApiClient, Staff], host=host, stop_timeout=120
    )
    recorder = Recorder()
    environment.events.request.add_listener(recorder)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    gevent.spawn_later(duration, runner.quit)
    runner.greenlet.join()
    return recorder, time.monotonic() - started


def main() -> None:
    options = parse_args()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average before: {' '.join(load_before)}", file=sys.stderr)
    workdir = Path(tempfile.mkdtemp(prefix="kizuna-bench-load-"))
    environment = site_environment(options.database_url, options.port, workdir)
    if not options.reuse:
        print("creating, migrating and seeding the database...", file=sys.stderr)
        recreate_database(options.database_url)
        manage(environment, "migrate", "--noinput", "-v0")
        manage(environment, "seed_demo", "--scale", options.scale, "-v0")
    manage(environment, "collectstatic", "--noinput", "-v0")
    data = setup_script(environment, "fixtures", str(STAFF_USERS))
    Fixtures.password, Fixtures.token = data["password"], data["token"]
    Fixtures.organization_id = data["organization_id"]
    Fixtures.merchants, Fixtures.staff, Fixtures.slugs = (
        data["merchants"],
        data["staff"],
        data["slugs"],
    )
    Fixtures.run = f"bench-lead-{secrets.token_hex(4)}-"
    processes = start_site(environment, options.port, workdir)
    try:
        print(f"driving {options.users} users for {options.duration:.0f} s...", file=sys.stderr)
        recorder, elapsed = drive(
            f"http://127.0.0.1:{options.port}", options.users, options.spawn_rate, options.duration
        )
    finally:
        stop(processes)
    leads = setup_script(environment, "count-leads", Fixtures.run)
    errors_5xx = sum(n for status, n in recorder.statuses.items() if status >= 500 or status == 0)
    slowest_first = sorted(recorder.by_name.items(), key=lambda item: -percentile(item[1], 0.95))
    for name, times in slowest_first:
        print(
            f"{name:40} n={len(times):6} p50={percentile(times, 0.5):7.0f} ms "
            f"p95={percentile(times, 0.95):7.0f} ms",
            file=sys.stderr,
        )
    print(
        f"statuses: {dict(sorted(recorder.statuses.items()))}; lead refusals: "
        f"{Fixtures.lead_refusals}; distinct lead emails stored: {leads['distinct']}; "
        f"failed sign-ins: {Fixtures.sign_in_failures}; site log: {workdir / 'site.log'}",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "users": options.users,
                "requests": len(recorder.times),
                "rps": round(len(recorder.times) / elapsed, 1),
                "p50_ms": round(percentile(recorder.times, 0.5)),
                "p95_ms": round(percentile(recorder.html_times, 0.95)),
                "errors_5xx": errors_5xx,
                "errors_429": recorder.statuses[429],
                "leads_sent": Fixtures.leads_sent,
                "leads_stored": leads["stored"],
            }
        )
    )


if __name__ == "__main__":
    main()
