from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from kizuna.core import worker


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachability and worker liveness, for load balancers and monitoring.

    503 when the database is unreachable; 200 with status "degraded" when the worker is
    stale or absent (pages still work, background jobs wait).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        state = worker.worker_state()
    except DatabaseError:
        return JsonResponse({"status": "down", "database": "unreachable"}, status=503)
    return JsonResponse(
        {
            "status": "ok" if state.state == "ok" else "degraded",
            "database": connection.vendor,
            "worker": {
                "state": state.state,
                "last_seen_s": state.last_seen_s,
                "queued_tasks": state.queued,
                "oldest_queued_s": state.oldest_queued_s,
            },
        }
    )
