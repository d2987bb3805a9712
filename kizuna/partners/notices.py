"""E-mail notices to partner owners, staff and evangelists, queued after the change commits.

Each is written in its recipient's language (their account's, else the site's).
"""

import hashlib
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts import selectors as accounts_selectors
from kizuna.accounts.models import StaffRole
from kizuna.accounts.selectors import staff_holding
from kizuna.outreach.models import Topic
from kizuna.outreach.services import Content, email_written_enqueue
from kizuna.partners.models import BadgeAward, EvangelistRequest, PartnerProfile, ProgramExit


def owner_emails(partner: PartnerProfile) -> list[str]:
    return accounts_selectors.owner_emails(partner.organization)


def _portal_url() -> str:
    return settings.SITE_URL + reverse("partners:portal")


def _send(recipients: Iterable[str], write: Callable[[], tuple[str, str]]) -> None:
    """Queue one email per recipient, written by `write` (subject, body) in their language."""
    day = timezone.localdate().isoformat()
    for to in sorted(set(filter(None, recipients))):
        email_written_enqueue(
            to=to, write=write, topic=Topic.NOTICES, idempotency_key=partial(_notice_key, day, to)
        )


def _notice_key(day: str, to: str, content: Content) -> str:
    """The same notice to the same person on the same day is one email."""
    words = f"{content.subject}\n{content.text}".encode()
    return f"partners.notice:{day}:{hashlib.sha256(words).hexdigest()[:24]}:{to}"


def _site(subject: str) -> str:
    return subject % {"site": settings.KIZUNA_ECOSYSTEM_NAME}


def profiles_stale(profiles: list[PartnerProfile]) -> None:
    for profile in profiles:
        _send(owner_emails(profile), partial(_profile_stale, profile))
    staff = staff_holding(StaffRole.PARTNER_MANAGER)
    _send(staff.values_list("email", flat=True), partial(_profiles_flagged, profiles))


def _profile_stale(profile: PartnerProfile) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] Please review your partner profile")),
        _(
            "The profile of %(name)s has not been reviewed for a year. Please check that "
            "it is still correct and confirm it in the partner portal:\n%(url)s"
        )
        % {"name": profile.name, "url": _portal_url()},
    )


def _profiles_flagged(profiles: list[PartnerProfile]) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] Partner profiles flagged stale")),
        _("These partner profiles have not been reviewed by their owners for a year:\n")
        + "\n".join(f"- {profile.name}" for profile in profiles),
    )


def badges_lapsed(awards: list[BadgeAward]) -> None:
    for award in awards:
        _send(owner_emails(award.partner), partial(_badge_lapsed, award))


def _badge_lapsed(award: BadgeAward) -> tuple[str, str]:
    return (
        _("[%(site)s] Your badge %(badge)s has lapsed")
        % {"site": settings.KIZUNA_ECOSYSTEM_NAME, "badge": award.badge.name},
        _(
            "No verified achievement of %(name)s for %(badge)s is recent enough any more, "
            "so the badge has lapsed. Submit a recent achievement to earn it "
            "again:\n%(url)s"
        )
        % {"name": award.partner.name, "badge": award.badge.name, "url": _portal_url()},
    )


def ranks_reviewed(noticed: list[PartnerProfile], demoted: list[PartnerProfile]) -> None:
    for partner in noticed:
        _send(owner_emails(partner), partial(_rank_under_review, partner))
    for partner in demoted:
        _send(owner_emails(partner), partial(_rank_changed, partner))


def _rank_under_review(partner: PartnerProfile) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] Your contribution rank is under review")),
        _(
            "%(name)s has %(points)s points in the last 12 months, below its rank "
            "%(rank)s. If the points are still below in %(days)s days, the rank will be "
            "lowered at the next review.\n%(url)s"
        )
        % {
            "name": partner.name,
            "points": partner.rank_points,
            "rank": partner.get_rank_display(),
            "days": settings.KIZUNA_RANK_GRACE_DAYS,
            "url": _portal_url(),
        },
    )


def _rank_changed(partner: PartnerProfile) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] Your contribution rank has changed")),
        _(
            "After the grace period, the rank of %(name)s is now %(rank)s (%(points)s "
            "points in the last 12 months).\n%(url)s"
        )
        % {
            "name": partner.name,
            "rank": partner.get_rank_display(),
            "points": partner.rank_points,
            "url": _portal_url(),
        },
    )


def evangelist_request_routed(request: EvangelistRequest) -> None:
    if request.evangelist is None:
        return
    _send([request.evangelist.email], partial(_evangelist_request, request))


def _evangelist_request(request: EvangelistRequest) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] A user group asks you to speak")),
        _(
            "%(group)s asks you to come to %(event)s on %(date)s (%(place)s). Please accept or "
            "decline:\n%(url)s"
        )
        % {
            "group": request.group_name,
            "event": request.event_title,
            "date": request.event_date.isoformat(),
            "place": request.location,
            "url": settings.SITE_URL + reverse("partners:evangelist_inbox"),
        },
    )


def exit_requested(program_exit: ProgramExit) -> None:
    _send(owner_emails(program_exit.partner), partial(_exit_received, program_exit))
    _send(
        staff_holding(StaffRole.PARTNER_MANAGER).values_list("email", flat=True),
        partial(_partner_leaving, program_exit),
    )


def _exit_received(program_exit: ProgramExit) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] Your request to leave the partner program")),
        _(
            "We received the request of %(name)s to leave the partner program. It stays in "
            "the program, listed in the directory and billed, until %(date)s; after that "
            "day it is no longer listed and no new billing period starts."
        )
        % {"name": program_exit.partner.name, "date": f"{program_exit.leaves_on:%Y-%m-%d}"},
    )


def _partner_leaving(program_exit: ProgramExit) -> tuple[str, str]:
    return (
        _site(_("[%(site)s] A partner is leaving the program")),
        _("%(name)s asked to leave the partner program; its last day is %(date)s.\n%(reason)s")
        % {
            "name": program_exit.partner.name,
            "date": f"{program_exit.leaves_on:%Y-%m-%d}",
            "reason": program_exit.reason,
        },
    )
