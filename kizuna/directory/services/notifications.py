"""Emails on each step of a lead, and when a review is published or hidden.

The outbox consumer turns an event into outreach deliveries (keyed on event and recipient,
so a replayed event adds nothing); the outreach worker sends them, each claimed before the
send so no email goes out twice.
Each is written in its recipient's language (their account's, else the site's).
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.core.models import OutboxEvent
from kizuna.directory.models import Assignment, JointProposal, Review
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_written_enqueue
from kizuna.partners.notices import owner_emails

EVENT_TYPES = {
    "lead.offered",
    "lead.accepted",
    "lead.declined",
    "lead.expired",
    "lead.completed",
    "review.published",
    "review.hidden",
    "guild.invited",
    "guild.joined",
    "guild.proposed",
    "guild.proposal_accepted",
    "guild.proposal_declined",
}


def _url(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _partner_recipients(assignment: Assignment) -> list[str]:
    partner = assignment.partner
    return [*owner_emails(partner), *([partner.contact_email] if partner.contact_email else [])]


def _merchant_recipients(assignment: Assignment) -> list[str]:
    lead = assignment.lead
    return [lead.contact_email, lead.merchant.email]


def _lead_message(event_type: str, assignment: Assignment) -> list[tuple[list[str], str, str]]:
    """(recipients, subject, body) for each email a lead event sends."""
    lead, partner = assignment.lead, assignment.partner
    inbox = _url("directory:inbox_item", assignment.pk)
    request = _url("directory:request", lead.pk)
    names = {"partner": partner.name, "products": lead.products}
    if event_type == "lead.offered":
        hours = settings.KIZUNA_LEAD_EXPIRY_HOURS
        return [
            (
                _partner_recipients(assignment),
                _("New request from a merchant: %(products)s") % names,
                _(
                    "A merchant asks for your help with: %(products)s.\n"
                    "Accept or decline within %(hours)s hours: %(url)s"
                )
                % {**names, "hours": hours, "url": inbox},
            )
        ]
    if event_type == "lead.accepted":
        return [
            (
                _merchant_recipients(assignment),
                _("%(partner)s accepted your request") % names,
                _("%(partner)s will contact you about: %(products)s.\n%(url)s")
                % {**names, "url": request},
            ),
            (
                _partner_recipients(assignment),
                _("You accepted a request: %(products)s") % names,
                _("The merchant's contact details are now shown: %(url)s") % {"url": inbox},
            ),
        ]
    if assignment.guild_invitation and event_type != "lead.completed":
        return _invitation_message(event_type, assignment)
    if event_type in ("lead.declined", "lead.expired"):
        subject = (
            _("%(partner)s declined your request")
            if event_type == "lead.declined"
            else _("%(partner)s did not answer your request in time")
        )
        return [
            (
                _merchant_recipients(assignment),
                subject % names,
                _("See who else answered your request: %(url)s") % {"url": request},
            )
        ]
    return [
        (
            _partner_recipients(assignment),
            _("The merchant marked the project done: %(products)s") % names,
            _("The merchant may now review your work: %(url)s") % {"url": inbox},
        )
    ]


def _invitation_message(event_type: str, slot: Assignment) -> list[tuple[list[str], str, str]]:
    """An invitation into a guild is news for the invited partner, and its answer for the
    partner that invited it; never for the merchant, who sees the proposal once sent."""
    proposal = slot.guild_membership.proposal
    page = _url("directory:guild", proposal.pk)
    names = {"partner": slot.partner.name, "products": slot.lead.products}
    if event_type == "guild.invited":
        inviter = proposal.initiator.partner.name
        return [
            (
                _partner_recipients(slot),
                _("%(inviter)s invites you to a joint proposal: %(products)s")
                % {**names, "inviter": inviter},
                _("Join or decline within %(hours)s hours: %(url)s")
                % {"hours": settings.KIZUNA_LEAD_EXPIRY_HOURS, "url": page},
            )
        ]
    subjects = {
        "guild.joined": _("%(partner)s joined your guild: %(products)s"),
        "lead.declined": _("%(partner)s declined to join your guild: %(products)s"),
        "lead.expired": _("%(partner)s did not answer your guild invitation: %(products)s"),
    }
    return [
        (
            _partner_recipients(proposal.initiator),
            subjects[event_type] % names,
            _("See your joint proposal: %(url)s") % {"url": page},
        )
    ]


def _proposal_message(event_type: str, proposal: JointProposal) -> list[tuple[list[str], str, str]]:
    initiator = proposal.initiator
    names = {"partner": initiator.partner.name, "products": proposal.lead.products}
    page = _url("directory:guild", proposal.pk)
    if event_type == "guild.proposed":
        return [
            (
                _merchant_recipients(initiator),
                _("A joint proposal from %(partner)s and partners: %(products)s") % names,
                _("See every member, their role and evidence, and accept or decline: %(url)s")
                % {"url": page},
            )
        ]
    members = [
        member.assignment
        for member in proposal.members.select_related("assignment__partner__organization")
        if member.assignment.status in ("accepted", "completed")
    ]
    accepted = event_type == "guild.proposal_accepted"
    subject = (
        _("The merchant accepted your joint proposal: %(products)s")
        if accepted
        else _("The merchant declined your joint proposal: %(products)s")
    ) % names
    body = (
        _("The merchant's contact details are now shown: %(url)s")
        if accepted
        else _("See the proposal: %(url)s")
    ) % {"url": page}
    return [([email for slot in members for email in _partner_recipients(slot)], subject, body)]


def _review_message(event_type: str, review: Review) -> list[tuple[list[str], str, str]]:
    page = _url("directory:partner", review.partner.slug)
    if event_type == "review.published":
        subject = _("A merchant reviewed your work (%(rating)s/5)") % {"rating": review.rating}
        body = _("Read the review and reply once, publicly: %(url)s") % {"url": page}
    else:
        subject = _("A review of your work was hidden")
        body = _("Staff hid a review of your work. Reason: %(reason)s") % {
            "reason": review.hidden_reason
        }
    return [(_partner_recipients(review.assignment), subject, body)]


def queue_for_event(event: OutboxEvent) -> None:
    """One email per message and recipient, each written in the recipient's language; the
    messages are written once per language (writing them reads the lead or the review)."""
    written: dict[str, list[tuple[list[str], str, str]]] = {}

    def messages_in(language: str) -> list[tuple[list[str], str, str]]:
        if language not in written:
            with translation.override(language):
                written[language] = _messages(event)
        return written[language]

    def message(number: int) -> tuple[str, str]:
        # Called in the recipient's language (email_written_enqueue chose it).
        _recipients, subject, body = messages_in(translation.get_language())[number]
        return subject, body

    for number, (recipients, _subject, _body) in enumerate(messages_in(settings.LANGUAGE_CODE)):
        for to in sorted(set(filter(None, recipients))):
            email_written_enqueue(
                to=to,
                write=partial(message, number),
                topic=Topic.LEADS,
                idempotency_key=f"directory.{event.pk}:{to}",
            )


def _messages(event: OutboxEvent) -> list[tuple[list[str], str, str]]:
    if event.type.startswith("review."):
        review = Review.objects.select_related("partner__organization", "assignment").get(
            pk=event.payload["review_id"]
        )
        return _review_message(event.type, review)
    if event.type.startswith("guild.propos"):
        proposal = JointProposal.objects.select_related(
            "lead__merchant", "initiator__partner__organization", "initiator__lead__merchant"
        ).get(pk=event.payload["proposal_id"])
        return _proposal_message(event.type, proposal)
    assignment = Assignment.objects.select_related("lead__merchant", "partner__organization").get(
        pk=event.payload["assignment_id"]
    )
    return _lead_message(event.type, assignment)
