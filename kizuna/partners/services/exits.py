"""A partner leaving the program, with the notice the program rules give.

The owner asks; the partner stays in the program, listed and billed, to the end of the month
in which the notice (settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS) runs out. Billing learns that
day at once (no period starts after it); the directory lists the partner no more once the
daily job `program_exits_complete` has passed it (event `partner.left`).
"""

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.billing.services import billing_end_set
from kizuna.core import audit
from kizuna.core.errors import Conflict
from kizuna.core.events import emit
from kizuna.partners import notices
from kizuna.partners.events import partner_ref
from kizuna.partners.models import PartnerProfile, ProgramExit


def exit_date(today: date) -> date:
    """The last day in the program for a notice given today."""
    notice_ends = today + timedelta(days=settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS)
    last_day = calendar.monthrange(notice_ends.year, notice_ends.month)[1]
    return notice_ends.replace(day=last_day)


def program_exit_request(
    *, actor: Any, partner: PartnerProfile, reason: str, today: date
) -> ProgramExit:
    with transaction.atomic():
        PartnerProfile.objects.select_for_update().filter(pk=partner.pk).first()
        if ProgramExit.objects.filter(partner=partner).exists():
            raise Conflict(
                _("This partner has already asked to leave the program."), code="exit_requested"
            )
        leaves_on = exit_date(today)
        program_exit = ProgramExit.objects.create(
            partner=partner, reason=reason, requested_by=actor, leaves_on=leaves_on
        )
        billing_end_set(actor=actor, organization=partner.organization, ends_on=leaves_on)
        audit.record(
            actor=actor,
            action="partner.exit_requested",
            obj=partner,
            after={"leaves_on": leaves_on.isoformat(), "reason": reason},
        )
        emit(
            "partner.exit_requested",
            {**partner_ref(partner), "leaves_on": leaves_on},
            actor=actor,
        )
        transaction.on_commit(lambda: notices.exit_requested(program_exit), robust=True)
    return program_exit


def program_exits_complete(*, now: datetime | None = None) -> int:
    """Partners whose last day has passed leave the program. Safe to run any number of times."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    for program_exit in ProgramExit.objects.filter(
        completed_at__isnull=True, leaves_on__lt=today
    ).select_related("partner"):
        with transaction.atomic():
            claimed = ProgramExit.objects.filter(
                pk=program_exit.pk, completed_at__isnull=True
            ).update(completed_at=now)
            if not claimed:
                continue
            partner = program_exit.partner
            PartnerProfile.objects.filter(pk=partner.pk).update(left_program_at=now)
            audit.record(actor=None, action="partner.left", obj=partner)
            emit("partner.left", {**partner_ref(partner), "left_on": program_exit.leaves_on})
            done += 1
    return done
