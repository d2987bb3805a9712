"""Benchmark: webhook delivery through the real path against raw httpx, then under faults.

    python bench/webhooks.py                      # SQLite, 20,000 events to 4 endpoints
    python bench/webhooks.py --database-url postgresql://postgres@127.0.0.1:5432/kizuna_bench

1. Throughput: 20,000 events are emitted to the outbox; a worker process (the same
   consumer and `deliver_due` the real worker runs: fan-out rows, claim committed before
   sending, Standard Webhooks signature per attempt, every attempt persisted) delivers them
   to 4 endpoints on a receiver on 127.0.0.1. Then raw httpx posts the same bodies to the
   same receiver with the same number of threads, no database and no signing.
2. Faults: 20,000 new events to 4 new endpoints; the receiver answers 500 to 30% of
   requests and holds 5% past the timeout (it processes those, late: the sender sees a
   timeout); the worker is killed with SIGKILL three times and restarted. When the retry
   schedule has run out for a delivery, the bench replays it as an operator would (the
   number is printed on stderr). Then every (event, endpoint) pair is checked against what
   the receiver accepted.

Prints one JSON line: db, events, deliveries_per_s, raw_per_s, ratio, lost, duplicates,
duplicates_with_new_id (the last three counted per event and endpoint, from the fault run).
With --database-url the bench drops and recreates that PostgreSQL database.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENDPOINTS = 4
LOOPBACK = "127.0.0.1/32"


# The receiver: a small asyncio HTTP/1.1 server (keep-alive), in its own process.


def run_receiver(port: int) -> None:
    import orjson

    state: dict[str, Any] = {"faults": False, "hang_s": 1.0, "receipts": []}
    rng = random.Random(16)

    async def respond(writer: asyncio.StreamWriter, status: int, body: bytes = b"ok") -> None:
        reason = {200: "OK", 500: "Internal Server Error"}.get(status, "OK")
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-length: {len(body)}\r\n"
            "content-type: text/plain\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                _method, target, _ = line.decode().split(" ", 2)
                headers = {}
                while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, value = header.decode().split(":", 1)
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                path, _, query = target.partition("?")
                if path == "/_reset":
                    params = parse_qs(query)
                    state["faults"] = params.get("faults", ["0"])[0] == "1"
                    state["hang_s"] = float(params.get("hang_s", ["1"])[0])
                    state["receipts"] = []
                    await respond(writer, 200, b"{}")
                    continue
                if path == "/_receipts":
                    await respond(writer, 200, orjson.dumps(state["receipts"]))
                    continue
                roll = rng.random() if state["faults"] else 1.0
                if roll < 0.30:
                    await respond(writer, 500, b"induced failure")
                    continue
                if roll < 0.35:
                    # Processed, but answered after the sender's timeout.
                    await asyncio.sleep(state["hang_s"])
                event_id = orjson.loads(body)["id"]
                state["receipts"].append((path, event_id, headers.get("webhook-id", "")))
                await respond(writer, 200)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        print("ready", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# The delivery worker: what `run_worker` runs, in a loop, in its own (killable) process.


def run_worker(limit: int, concurrency: int) -> None:
    configure_django()
    import logging

    import httpx

    from kizuna.core.ssrf import GuardedTransport, guarded_client
    from kizuna.integrations.services import deliver_continuously

    logging.getLogger("httpx").setLevel(logging.WARNING)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # The client the worker's job uses (kizuna.integrations.tasks), with raw httpx's limits.
    with guarded_client(transport=GuardedTransport(limits=limits)) as client:
        print("ready", flush=True)
        deliver_continuously(
            limit=limit, concurrency=concurrency, client=client, stop=lambda sent, idle: False
        )


def run_fan_out() -> None:
    """The worker's dispatch job (events to delivery rows), as a second worker runs it."""
    configure_django()
    from kizuna.core import consumers

    print("ready", flush=True)
    while True:
        read = consumers.dispatch("integrations.webhooks", batch_size=100)
        # The job runs every 15 s in a real worker; back to back, its write transactions
        # would starve the sender's on SQLite (one writer at a time, busy-wait polling).
        time.sleep(0.05 if read else 0.2)


# The conductor.


def configure_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "kizuna.settings"
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ["KIZUNA_SSRF_ALLOWED_NETWORKS"] = LOOPBACK
    import django
    from django.conf import settings

    django.setup()
    # Read from the environment once the SSRF work lands; set here meanwhile.
    settings.KIZUNA_SSRF_ALLOWED_NETWORKS = [LOOPBACK]


def recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = args.port
        self.base = f"http://127.0.0.1:{self.port}"
        self.worker: subprocess.Popen | None = None
        self.fan_out: subprocess.Popen

    def spawn(self, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, __file__, *extra],
            stdout=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            text=True,
        )
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"{extra[0]} did not start")
        return process

    def start_worker(self, timeout_s: float, retry_scale: float) -> None:
        self.worker = self.spawn(
            "--worker",
            "--limit",
            str(self.args.limit),
            "--concurrency",
            str(self.args.concurrency),
            env={
                "KIZUNA_WEBHOOK_TIMEOUT_S": str(timeout_s),
                "KIZUNA_WEBHOOK_RETRY_SCALE": str(retry_scale),
            },
        )

    def start_fan_out(self) -> None:
        self.fan_out = self.spawn("--fan-out")

    def stop_fan_out(self) -> None:
        self.fan_out.terminate()
        self.fan_out.wait()

    def stop_worker(self, sig: int = signal.SIGTERM) -> None:
        assert self.worker is not None
        self.worker.send_signal(sig)
        self.worker.wait()
        self.worker = None

    def receiver_call(self, path: str) -> Any:
        import httpx

        return httpx.get(self.base + path, timeout=60).json()

    def endpoints(self, prefix: str) -> list[Any]:
        from kizuna.accounts.models import User
        from kizuna.integrations import services
        from kizuna.integrations.models import WebhookEndpoint

        WebhookEndpoint.objects.update(enabled=False)
        admin = User.objects.filter(email="bench-admin@example.com").first()
        if admin is None:
            admin = User.objects.create_user("bench-admin@example.com", None, staff_role="admin")
        return [
            services.webhook_endpoint_create(
                actor=admin,
                organization=None,
                url=f"{self.base}/{prefix}/{n}",
                event_types=["partner.updated"],
            )
            for n in range(ENDPOINTS)
        ]

    def emit_events(self, count: int) -> list[int]:
        from django.db import transaction

        from kizuna.core.events import emit

        ids = []
        for start in range(0, count, 1000):
            with transaction.atomic():
                for n in range(start, min(start + 1000, count)):
                    payload = {
                        "partner_id": n + 1,
                        "organization_id": n + 1,
                        "slug": f"partner-{n + 1}",
                        "fields": ["name", "description"],
                    }
                    ids.append(emit("partner.updated", payload).pk)
        return ids

    def wait_until_settled(self, endpoint_ids: list[int], on_progress: Any = None) -> None:
        from django.db import close_old_connections

        from kizuna.integrations.models import DeliveryStatus, WebhookDelivery

        expected = self.args.events * ENDPOINTS
        while True:
            close_old_connections()
            rows = WebhookDelivery.objects.filter(endpoint_id__in=endpoint_ids)
            total = rows.count()
            pending = rows.filter(status=DeliveryStatus.PENDING).count()
            if total == expected and pending == 0:
                return
            if on_progress:
                on_progress((total - pending) / expected)
            time.sleep(0.2)

    def throughput(self) -> tuple[float, float]:
        from kizuna.integrations.models import WebhookDelivery

        self.receiver_call("/_reset?faults=0")
        endpoints = self.endpoints("fast")
        self.emit_events(self.args.events)
        log(f"throughput: {self.args.events} events emitted")
        # The fan-out (events to delivery rows) is measured apart: it is the event
        # dispatcher's work, upstream of the delivery path this compares with raw httpx.
        started = time.perf_counter()
        self.start_fan_out()
        expected = self.args.events * ENDPOINTS
        while WebhookDelivery.objects.filter(endpoint__in=endpoints).count() < expected:
            time.sleep(0.2)
        self.stop_fan_out()
        log(f"throughput: fan-out {expected / (time.perf_counter() - started):.0f} rows/s")
        self.start_worker(timeout_s=15, retry_scale=1)
        started = time.perf_counter()
        self.wait_until_settled([e.pk for e in endpoints])
        real_s = time.perf_counter() - started
        self.stop_worker()
        deliveries = WebhookDelivery.objects.filter(endpoint__in=endpoints)
        work = [(d.endpoint.url, d.body) for d in deliveries.select_related("endpoint")]
        log(f"throughput: {len(work)} deliveries in {real_s:.1f} s; now raw httpx")
        raw_s = self.raw_post(work)
        return len(work) / real_s, len(work) / raw_s

    def raw_post(self, work: list[tuple[str, str]]) -> float:
        import httpx

        concurrency = self.args.concurrency
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        with httpx.Client(limits=limits) as client:

            def post(item: tuple[str, str]) -> int:
                response = client.post(
                    item[0],
                    content=item[1].encode(),
                    headers={"content-type": "application/json"},
                    timeout=15,
                )
                return response.status_code

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                codes = list(pool.map(post, work))
            elapsed = time.perf_counter() - started
        assert all(code == 200 for code in codes)
        return elapsed

    def faults(self) -> dict[str, int]:
        from kizuna.integrations import services
        from kizuna.integrations.models import DeliveryStatus, WebhookDelivery

        timeout_s = self.args.fault_timeout
        self.receiver_call(f"/_reset?faults=1&hang_s={timeout_s * 3}")
        endpoints = self.endpoints("faulty")
        endpoint_ids = [e.pk for e in endpoints]
        event_ids = self.emit_events(self.args.events)
        log(f"faults: {len(event_ids)} events emitted")
        self.start_worker(timeout_s=timeout_s, retry_scale=self.args.retry_scale)
        self.start_fan_out()
        kill_at = [0.2, 0.45, 0.7]

        def maybe_kill(progress: float) -> None:
            if kill_at and progress >= kill_at[0]:
                kill_at.pop(0)
                log(f"faults: SIGKILL at {progress:.0%}")
                self.stop_worker(signal.SIGKILL)
                self.start_worker(timeout_s=timeout_s, retry_scale=self.args.retry_scale)

        started = time.perf_counter()
        self.wait_until_settled(endpoint_ids, on_progress=maybe_kill)
        gave_up = list(
            WebhookDelivery.objects.filter(
                endpoint_id__in=endpoint_ids, status=DeliveryStatus.FAILED
            )
        )
        log(
            f"faults: settled in {time.perf_counter() - started:.0f} s; {len(gave_up)} "
            "deliveries exhausted the schedule; replaying them"
        )
        admin = endpoints[0].created_by
        for delivery in gave_up:
            services.webhook_delivery_replay(actor=admin, delivery=delivery)
        self.wait_until_settled(endpoint_ids)
        self.stop_worker()
        self.stop_fan_out()
        assert not kill_at, "the run ended before the third kill"
        return self.count(self.receiver_call("/_receipts"), event_ids)

    def count(self, receipts: list[Any], event_ids: list[int]) -> dict[str, int]:
        ids_by_pair: dict[tuple[str, int], list[str]] = defaultdict(list)
        for path, event_id, webhook_id in receipts:
            ids_by_pair[(path, event_id)].append(webhook_id)
        expected = [(f"/faulty/{n}", e) for e in event_ids for n in range(ENDPOINTS)]
        return {
            "lost": sum(1 for pair in expected if pair not in ids_by_pair),
            "duplicates": sum(1 for pair in expected if len(ids_by_pair.get(pair, [])) > 1),
            "duplicates_with_new_id": sum(
                1 for pair in expected if len(set(ids_by_pair.get(pair, []))) > 1
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (dropped and recreated)")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16, help="sending threads")
    parser.add_argument("--limit", type=int, default=200, help="deliveries claimed at a time")
    parser.add_argument("--fault-timeout", type=float, default=0.5, help="seconds")
    parser.add_argument(
        "--retry-scale",
        type=float,
        default=0.0005,
        help="factor on the retry schedule (0.0005: the ~28 h schedule in ~50 s)",
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fan-out", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        run_receiver(args.port)
        return
    if args.worker:
        run_worker(args.limit, args.concurrency)
        return
    if args.fan_out:
        run_fan_out()
        return

    workdir = Path(tempfile.mkdtemp(prefix="kizuna-webhooks-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if url.startswith("postgres"):
        recreate_postgres_database(url)
    os.environ["DATABASE_URL"] = url
    if not args.port:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    bench = Bench(args)
    receiver = bench.spawn("--receiver", "--port", str(args.port))
    try:
        configure_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        deliveries_per_s, raw_per_s = bench.throughput()
        figures = bench.faults()
    finally:
        if bench.worker is not None:
            bench.stop_worker(signal.SIGKILL)
        receiver.terminate()
        receiver.wait()
    print(
        json.dumps(
            {
                "db": "postgresql" if url.startswith("postgres") else "sqlite",
                "events": args.events,
                "deliveries_per_s": round(deliveries_per_s),
                "raw_per_s": round(raw_per_s),
                "ratio": round(deliveries_per_s / raw_per_s, 3),
                **figures,
            }
        )
    )


if __name__ == "__main__":
    main()
