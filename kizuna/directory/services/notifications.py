"""Emails on each step of a lead, and when a review is published or hidden.

The outbox consumer turns an event into outreach deliveries (keyed on event and recipient,
so a replayed event adds nothing); the outreach worker sends them, each claimed before the
send so no email goes out twice.
Written in the site's default language: the recipients' language is not known here.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kizuna.core.models import OutboxEvent
from kizuna.directory.models import Assignment, Review
from kizuna.outreach.models import Topic
from kizuna.outreach.services import Content, email_enqueue
from kizuna.partners.notices import owner_emails

EVENT_TYPES = {
    "lead.offered",
    "lead.accepted",
    "lead.declined",
    "lead.expired",
    "lead.completed",
    "review.published",
    "review.hidden",
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
    with translation.override(settings.LANGUAGE_CODE):
        if event.type.startswith("review."):
            review = Review.objects.select_related("partner__organization", "assignment").get(
                pk=event.payload["review_id"]
            )
            messages = _review_message(event.type, review)
        else:
            assignment = Assignment.objects.select_related(
                "lead__merchant", "partner__organization"
            ).get(pk=event.payload["assignment_id"])
            messages = _lead_message(event.type, assignment)
    for recipients, subject, body in messages:
        _queue(event, recipients, subject, body)


def _queue(event: OutboxEvent, recipients: Iterable[str], subject: str, body: str) -> None:
    for to in sorted(set(filter(None, recipients))):
        email_enqueue(
            to=to,
            topic=Topic.LEADS,
            idempotency_key=f"directory.{event.pk}:{to}",
            content=Content(subject, body),
            language=settings.LANGUAGE_CODE,
        )
