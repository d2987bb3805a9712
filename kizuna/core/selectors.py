from django.db.models import QuerySet

from kizuna.core.models import AuditEntry


def recent_audit_entries(*, limit: int = 10) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")[:limit]
