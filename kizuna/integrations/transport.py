"""One HTTP attempt of a webhook: SSRF check, Standard Webhooks signature, POST, outcome.

Nothing here touches the database, so attempts can run in threads while the caller keeps
the database work in its own thread.
"""

import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from kizuna.core.retry_after import retry_after
from kizuna.core.ssrf import PIN_EXTENSION, Resolver, UnsafeUrl, check_public_url, checked_address

EXCERPT_BYTES = 1024


def check_url(url: str) -> None:
    """Raise UnsafeUrl unless url may receive webhooks (the SSRF guard's rule, with its one
    exception, KIZUNA_SSRF_ALLOWED_NETWORKS, which tests and benchmarks set to 127.0.0.1/32).

    `attempt` checks again on every send and pins the connection to the address it checked
    (a guarded client, kizuna.core.ssrf.guarded_client, connects there and nowhere else), so
    a name re-resolved to a private address after this check is never connected to.
    """
    check_public_url(url)


def signature_header(secrets: list[str], *, webhook_id: str, at: datetime, body: str) -> str:
    """`v1,<sig>` for each secret, space-separated: receivers accept any one that matches."""
    return " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body) for secret in secrets
    )


@dataclass(frozen=True)
class Outcome:
    attempted_at: datetime
    succeeded: bool
    status_code: int | None = None
    response_ms: int | None = None
    excerpt: str = ""
    error: str = ""
    retry_after_s: float | None = None


def attempt(
    client: httpx.Client,
    *,
    url: str,
    webhook_id: str,
    body: str,
    secrets: list[str],
    timeout_s: float,
    resolve: Resolver | None = None,
) -> Outcome:
    """Send one signed attempt, signed at its own time; never raise.

    `resolve` (a kizuna.core.ssrf.BatchResolver) lets a batch look each host up once; the
    addresses are checked on every send all the same.
    """
    at = timezone.now()
    try:
        address = checked_address(url, resolve=resolve)
    except UnsafeUrl as error:
        return Outcome(at, False, error=f"blocked: {error}"[:200])
    headers = {
        "content-type": "application/json",
        "user-agent": "Kizuna-Webhooks/1",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature_header(secrets, webhook_id=webhook_id, at=at, body=body),
    }
    started = time.monotonic()
    try:
        with client.stream(
            "POST",
            url,
            content=body.encode(),
            headers=headers,
            timeout=timeout_s,
            follow_redirects=False,
            extensions={PIN_EXTENSION: address},
        ) as response:
            excerpt = _read_excerpt(response)
    except UnsafeUrl as error:
        return Outcome(at, False, error=f"blocked: {error}"[:200])
    except httpx.TimeoutException:
        return Outcome(at, False, response_ms=_ms(started), error="timeout")
    except httpx.HTTPError as error:
        return Outcome(at, False, response_ms=_ms(started), error=type(error).__name__)
    code = response.status_code
    return Outcome(
        at,
        200 <= code < 300,
        status_code=code,
        response_ms=_ms(started),
        excerpt=excerpt,
        retry_after_s=_retry_after(response, now=at) if code in (429, 503) else None,
    )


def _read_excerpt(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _retry_after(response: httpx.Response, *, now: datetime) -> float | None:
    when = retry_after(response.headers.get("retry-after"), now=now)
    return None if when is None else max(0.0, (when - now).total_seconds())
