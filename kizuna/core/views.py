from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from kizuna.core import consumers, worker


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability, worker liveness and consumer failures, for load balancers.

    503 when the database is unreachable; 200 with status "degraded" when the worker is
    stale or absent or a domain-event consumer is failing (pages still work, background
    work waits). Everyone gets the status; the details only staff and monitors holding
    KIZUNA_HEALTHZ_TOKEN, since queue sizes and consumer names describe the deployment.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state = worker.worker_state()
        failing = consumers.failing_consumer_names()
    except DatabaseError:
        return JsonResponse({"status": "down"}, status=503)
    status = "ok" if state.state == "ok" and not failing else "degraded"
    if not _may_see_health_details(request):
        return JsonResponse({"status": status})
    return JsonResponse(
        {
            "status": status,
            "database": connection.vendor,
            "worker": {
                "state": state.state,
                "last_seen_s": state.last_seen_s,
                "queued_tasks": state.queued,
                "oldest_queued_s": state.oldest_queued_s,
            },
            "consumers": {"failing": failing},
        }
    )


def _may_see_health_details(request: HttpRequest) -> bool:
    token = settings.KIZUNA_HEALTHZ_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return constant_time_compare(header.removeprefix("Bearer ").strip(), token)
    user: Any = request.user
    if not user.is_authenticated or not user.is_staff:
        return False
    return not settings.KIZUNA_STAFF_REQUIRE_TOTP or user.is_verified()
