from django.db.models import QuerySet

from kizuna.core.models import AuditEntry, OutboxEvent


def recent_audit_entries(*, limit: int = 10) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")[:limit]


def recent_events(*, limit: int = 10) -> QuerySet[OutboxEvent]:
    return OutboxEvent.objects.order_by("-id")[:limit]
