"""Messages of the advisories app, every one an outreach delivery (DESIGN rule 9).

Security notices are service messages: advertising opt-outs do not stop them. Each has an
idempotency key, so a notice, a reminder or an escalation is queued once however often the
code that decides it runs.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from kizuna.accounts.models import StaffRole
from kizuna.accounts.selectors import staff_holding
from kizuna.advisories.models import Advisory, AdvisoryTarget, VulnerabilityReport
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue


def _people_of(target: AdvisoryTarget) -> list[str]:
    """Everyone of the partner, owners and members: a security notice is for whoever acts."""
    return sorted(
        {
            m.user.email
            for m in target.organization.memberships.select_related("user")
            if m.user.is_active
        }
    )


def _context(advisory: Advisory, **extra: Any) -> dict[str, Any]:
    return {
        "advisory": advisory,
        "site_url": settings.SITE_URL,
        "advisory_url": settings.SITE_URL
        + reverse("advisories:detail", args=[advisory.identifier]),
        **extra,
    }


def _to_partner(target: AdvisoryTarget, *, kind: str, key: str, **extra: Any) -> int:
    from kizuna.advisories.services import acknowledgment_token

    advisory = target.advisory
    ack_url = settings.SITE_URL + reverse(
        "advisories:ack_link", args=[acknowledgment_token(target)]
    )
    context = _context(advisory, organization=target.organization, ack_url=ack_url, **extra)
    people = _people_of(target)
    for email in people:
        email_enqueue(
            to=email,
            topic=Topic.NOTICES,
            idempotency_key=f"{key}:{email}",
            template=f"advisories/email/{kind}",
            context=context,
        )
    return len(people)


def targets_notify(advisory: Advisory, *, now: dt.datetime, again: bool = False) -> int:
    """The notice to every target not told yet, or (`again`, after a revision of substance)
    the revised notice to every target; returns how many partners were told."""
    told = 0
    pending = advisory.targets.select_related("organization", "advisory")
    if not again:
        pending = pending.filter(notified_revision=0)
    for target in pending:
        kind = "revised" if target.notified_revision else "notice"
        # First: the one-click link is signed for the revision the partner is told of.
        target.notified_at, target.notified_revision = now, advisory.revision
        target.save(update_fields=["notified_at", "notified_revision"])
        _to_partner(
            target, kind=kind, key=f"advisory:{advisory.pk}:r{advisory.revision}:{target.pk}"
        )
        told += 1
    return told


def target_remind(target: AdvisoryTarget, *, stage: str, deadline: dt.datetime) -> int:
    """A reminder before the deadline; `stage` names it so each is sent once."""
    return _to_partner(
        target,
        kind="reminder",
        key=f"advisory:{target.advisory_id}:r{target.advisory.revision}:{target.pk}:{stage}",
        deadline=deadline,
    )


def target_escalate(target: AdvisoryTarget, *, deadline: dt.datetime, open_sites: int) -> int:
    """Past the deadline: the partner managers (and the security team) hear of it, once."""
    advisory = target.advisory
    managers = staff_holding(StaffRole.PARTNER_MANAGER, StaffRole.SECURITY).order_by("email")
    context = _context(
        advisory,
        organization=target.organization,
        deadline=deadline,
        open_sites=open_sites,
        acknowledged=target.acknowledged_at is not None,
        staff_url=settings.SITE_URL
        + reverse("advisories:staff_detail", args=[advisory.identifier]),
    )
    for manager in managers:
        email_enqueue(
            to=manager.email,
            topic=Topic.NOTICES,
            idempotency_key=(
                f"advisory:{advisory.pk}:r{advisory.revision}:{target.pk}:escalated:{manager.pk}"
            ),
            template="advisories/email/escalation",
            context=context,
        )
    return len(managers)


def report_acknowledge(report: VulnerabilityReport) -> None:
    email_enqueue(
        to=report.email,
        topic=Topic.NOTICES,
        idempotency_key=f"advisory.report:{report.pk}",
        template="advisories/email/report_received",
        context={"report": report, "site_url": settings.SITE_URL},
        name=report.name,
    )
