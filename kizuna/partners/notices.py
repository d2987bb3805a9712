"""E-mail notices to partner owners, staff and evangelists, queued after the change commits.

Written in the site's default language: the recipients' language is not known here.
"""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kizuna.accounts import selectors as accounts_selectors
from kizuna.accounts.models import StaffRole
from kizuna.accounts.selectors import staff_holding
from kizuna.outreach.models import Topic
from kizuna.outreach.services import Content, email_enqueue
from kizuna.partners.models import BadgeAward, EvangelistRequest, PartnerProfile, ProgramExit


def owner_emails(partner: PartnerProfile) -> list[str]:
    return accounts_selectors.owner_emails(partner.organization)


def _portal_url() -> str:
    return settings.SITE_URL + reverse("partners:portal")


def _send(subject: str, body: str, recipients: Iterable[str]) -> None:
    """Queue one email per recipient; the same notice to the same person twice a day is one."""
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:24]
    day = timezone.localdate().isoformat()
    for to in sorted(set(filter(None, recipients))):
        email_enqueue(
            to=to,
            topic=Topic.NOTICES,
            idempotency_key=f"partners.notice:{day}:{digest}:{to}",
            content=Content(subject, body),
            language=settings.LANGUAGE_CODE,
        )


def _site_language() -> translation.override:
    return translation.override(settings.LANGUAGE_CODE)


def profiles_stale(profiles: list[PartnerProfile]) -> None:
    with _site_language():
        for profile in profiles:
            _send(
                _("[%(site)s] Please review your partner profile")
                % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
                _(
                    "The profile of %(name)s has not been reviewed for a year. Please check that "
                    "it is still correct and confirm it in the partner portal:\n%(url)s"
                )
                % {"name": profile.name, "url": _portal_url()},
                owner_emails(profile),
            )
        staff = staff_holding(StaffRole.PARTNER_MANAGER)
        _send(
            _("[%(site)s] Partner profiles flagged stale")
            % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
            _("These partner profiles have not been reviewed by their owners for a year:\n")
            + "\n".join(f"- {profile.name}" for profile in profiles),
            staff.values_list("email", flat=True),
        )


def badges_lapsed(awards: list[BadgeAward]) -> None:
    with _site_language():
        for award in awards:
            _send(
                _("[%(site)s] Your badge %(badge)s has lapsed")
                % {"site": settings.KIZUNA_ECOSYSTEM_NAME, "badge": award.badge.name},
                _(
                    "No verified achievement of %(name)s for %(badge)s is recent enough any more, "
                    "so the badge has lapsed. Submit a recent achievement to earn it "
                    "again:\n%(url)s"
                )
                % {"name": award.partner.name, "badge": award.badge.name, "url": _portal_url()},
                owner_emails(award.partner),
            )


def ranks_reviewed(noticed: list[PartnerProfile], demoted: list[PartnerProfile]) -> None:
    with _site_language():
        for partner in noticed:
            _send(
                _("[%(site)s] Your contribution rank is under review")
                % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
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
                owner_emails(partner),
            )
        for partner in demoted:
            _send(
                _("[%(site)s] Your contribution rank has changed")
                % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
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
                owner_emails(partner),
            )


def evangelist_request_routed(request: EvangelistRequest) -> None:
    if request.evangelist is None:
        return
    with _site_language():
        _send(
            _("[%(site)s] A user group asks you to speak")
            % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
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
            [request.evangelist.email],
        )


def exit_requested(program_exit: ProgramExit) -> None:
    partner = program_exit.partner
    leaves_on = f"{program_exit.leaves_on:%Y-%m-%d}"
    with _site_language():
        _send(
            _("[%(site)s] Your request to leave the partner program")
            % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
            _(
                "We received the request of %(name)s to leave the partner program. It stays in "
                "the program, listed in the directory and billed, until %(date)s; after that "
                "day it is no longer listed and no new billing period starts."
            )
            % {"name": partner.name, "date": leaves_on},
            owner_emails(partner),
        )
        _send(
            _("[%(site)s] A partner is leaving the program")
            % {"site": settings.KIZUNA_ECOSYSTEM_NAME},
            _("%(name)s asked to leave the partner program; its last day is %(date)s.\n%(reason)s")
            % {"name": partner.name, "date": leaves_on, "reason": program_exit.reason},
            staff_holding(StaffRole.PARTNER_MANAGER).values_list("email", flat=True),
        )
