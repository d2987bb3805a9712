"""What each persona's home page shows: what needs doing first, one query per list.

The lists read other apps' models and selectors (the site is the one layer allowed to);
each is short, ordered by urgency, and links to the page where the person acts.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kizuna.advisories.selectors import open_advisories_of
from kizuna.billing import selectors as billing_selectors
from kizuna.billing.models import DepositStatus, Invoice, InvoiceKind, InvoiceStatus
from kizuna.billing.permissions import is_billing_staff
from kizuna.community.models import Attendance, Event, MemberLevel
from kizuna.community.permissions import CommunityAction, can_community, own_member
from kizuna.community.selectors import member_timeline
from kizuna.connectors.models import Source
from kizuna.directory import permissions as directory_permissions
from kizuna.directory.models import Assignment, AssignmentStatus
from kizuna.insights.levels import level_progress
from kizuna.insights.models import SurveyInvitation
from kizuna.partners import selectors as partner_selectors
from kizuna.partners.models import (
    Achievement,
    AchievementStatus,
    EvangelistNomination,
    EvangelistRequestStatus,
    NominationStatus,
)
from kizuna.partners.permissions import PartnerAction, allowed

SHORT_LIST = 5
# A lead offered to partners that expires within this many hours is "about to expire".
LEAD_EXPIRY_WARNING = timedelta(hours=48)


def partner_home(user: Any) -> dict[str, Any]:
    partner = partner_selectors.partner_of_user(user)
    organization = (
        partner.organization if partner else partner_selectors.partner_organization_of_user(user)
    )
    context: dict[str, Any] = {"partner": partner, "organization": organization}
    if partner is None or organization is None:
        return context
    now = timezone.now()
    context.update(
        leads=list(
            Assignment.objects.filter(
                partner=partner, status=AssignmentStatus.OFFERED, expires_at__gt=now
            )
            .select_related("lead")
            .order_by("expires_at", "pk")[:SHORT_LIST]
        ),
        needs_info=list(
            partner.achievements.filter(status=AchievementStatus.NEEDS_INFO).order_by(
                "updated_at", "pk"
            )[:SHORT_LIST]
        ),
        invoices=list(
            Invoice.objects.filter(
                account__organization=organization,
                kind=InvoiceKind.INVOICE,
                status=InvoiceStatus.OPEN,
            ).order_by("due_date", "number")[:SHORT_LIST]
        ),
        advisories=open_advisories_of(organization)[:SHORT_LIST],
        rank=partner_selectors.rank_progress(partner),
        today=timezone.localdate(),
    )
    return context


def member_home(user: Any) -> dict[str, Any]:
    member = own_member(user)
    if member is None:
        return {"member": None}
    now = timezone.now()
    # "Their groups": the groups they organize or whose events they have attended.
    group_ids = Attendance.objects.filter(member=member, event__group__isnull=False).values(
        "event__group_id"
    )
    engagement = MemberLevel.objects.filter(member=member).first()
    return {
        "member": member,
        "events": list(
            Event.objects.filter(starts_at__gte=now)
            .filter(
                Q(group__in=group_ids) | Q(group__leaders=member) | Q(attendances__member=member)
            )
            .select_related("group")
            .distinct()
            .order_by("starts_at", "pk")[:SHORT_LIST]
        ),
        "activities": list(member_timeline(member, limit=SHORT_LIST)),
        "level": (
            level_progress(member.pk, engagement.level, timezone.localdate())
            if engagement
            else None
        ),
        "level_name": engagement.get_level_display() if engagement else None,
        "evangelist_requests": list(
            partner_selectors.evangelist_requests_for(user)
            .filter(status=EvangelistRequestStatus.ROUTED)
            .order_by("event_date", "pk")[:SHORT_LIST]
        ),
        "surveys": list(
            SurveyInvitation.objects.filter(
                member=member, sent_at__isnull=False, answered_at__isnull=True
            )
            .select_related("survey")
            .order_by("-survey__period_day", "-pk")[:SHORT_LIST]
        ),
    }


@dataclass(frozen=True)
class Queue:
    """One line of the staff home: how many things wait, and the filtered list to act on."""

    key: str  # a stable id for tests and anchors
    label: Any
    count: int
    url: str
    hint: Any = ""


def staff_queues(user: Any) -> list[Queue]:
    """The queues this staff member may act on; each counted in one query."""
    queues: list[Queue] = []
    if allowed(user, PartnerAction.REVIEW_ACHIEVEMENTS):
        queues += _achievement_queues()
    if allowed(user, PartnerAction.MANAGE_EVANGELISTS):
        queues.append(
            Queue(
                "nominations",
                _("Evangelist nominations to decide"),
                EvangelistNomination.objects.filter(status=NominationStatus.PENDING).count(),
                reverse("partners:staff_evangelists"),
            )
        )
    if directory_permissions.is_staff(user):
        now = timezone.now()
        queues.append(
            Queue(
                "leads_expiring",
                _("Leads about to expire unanswered"),
                Assignment.objects.filter(
                    status=AssignmentStatus.OFFERED,
                    expires_at__gt=now,
                    expires_at__lte=now + LEAD_EXPIRY_WARNING,
                ).count(),
                _filtered("directory:staff_leads", status=AssignmentStatus.OFFERED),
                _("Offered to a partner who has not answered, expiring within 48 hours."),
            )
        )
    if is_billing_staff(user):
        queues.append(
            Queue(
                "deposits",
                _("Deposits not matched to an invoice"),
                billing_selectors.deposits_needing_attention()
                .filter(status__in=[DepositStatus.UNMATCHED, DepositStatus.PARTIAL])
                .count(),
                reverse("billing:reconciliation"),
            )
        )
    if can_community(user, CommunityAction.MANAGE_SOURCES):
        queues.append(
            Queue(
                "connectors",
                _("Connectors failing"),
                Source.objects.filter(enabled=True).exclude(last_error="").count(),
                reverse("connectors:source_list"),
            )
        )
    return queues


def _achievement_queues() -> list[Queue]:
    by_status = dict(
        Achievement.objects.filter(
            status__in=[AchievementStatus.SUBMITTED, AchievementStatus.NEEDS_INFO]
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Queue(
            "achievements",
            _("Achievements to review"),
            by_status.get(AchievementStatus.SUBMITTED, 0),
            _filtered("partners:review_queue", status=AchievementStatus.SUBMITTED),
        ),
        Queue(
            "achievements_waiting",
            _("Achievements waiting on partners"),
            by_status.get(AchievementStatus.NEEDS_INFO, 0),
            _filtered("partners:review_queue", status=AchievementStatus.NEEDS_INFO),
            _("More information was requested; nothing to do until the partner answers."),
        ),
    ]


def _filtered(url_name: str, **query: str) -> str:
    return f"{reverse(url_name)}?{urlencode(query)}"
