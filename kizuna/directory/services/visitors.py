"""Requests from visitors without an account: held until the emailed link is followed.

Following the link creates (or finds) the merchant account of that address and only then
creates the Lead, so partners are offered it, notified of it and see it exactly as a signed-in
merchant's request. The person chooses a password later with the password reset flow.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from kizuna.accounts.models import EmailVerification, VerificationPurpose
from kizuna.accounts.services import (
    email_verification_create,
    email_verification_use,
    merchant_for_verified_email,
)
from kizuna.directory.models import DirectoryEntry, Lead, VisitorLead
from kizuna.directory.services.leads import lead_create
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue
from kizuna.partners.models import Badge, PartnerProfile

FIELDS = (
    "products",
    "budget",
    "timeline",
    "prefecture",
    "message",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def visitor_lead_submit(
    *,
    request: dict[str, Any],
    site_type: Badge | None,
    services: list[Badge],
    partner_slugs: list[str],
    language: str,
) -> VisitorLead:
    """Hold the request and email its sender the link that releases it."""
    email = str(request["contact_email"]).strip().lower()
    stored = {
        **{name: request[name] for name in FIELDS},
        "site_type": site_type.pk if site_type else None,
        "services": [badge.pk for badge in services],
        "partners": list(partner_slugs),
    }
    with transaction.atomic():
        verification, plaintext = email_verification_create(
            purpose=VerificationPurpose.LEAD, email=email
        )
        held = VisitorLead.objects.create(
            email=email, request=stored, language=language, verification=verification
        )
        email_enqueue(
            to=email,
            topic=Topic.LEADS,
            idempotency_key=f"directory.visitor_lead_verify:{held.pk}",
            template="directory/email/visitor_lead_verify",
            context={
                "site": settings.KIZUNA_ECOSYSTEM_NAME,
                "name": request["contact_name"],
                "products": request["products"],
                "url": settings.SITE_URL
                + reverse("directory:visitor_lead_verify", args=[plaintext]),
            },
            language=language,
            name=request["contact_name"],
        )
    return held


def visitor_lead_verify(*, verification: EmailVerification) -> Lead:
    """The sender proved the address: their merchant account and the lead come to be."""
    with transaction.atomic():
        email_verification_use(verification=verification)
        held = VisitorLead.objects.select_for_update().get(verification=verification)
        data = held.request
        merchant = merchant_for_verified_email(
            email=held.email, display_name=data["contact_name"], language=held.language
        )
        # A partner picked a day ago may have stopped taking requests since: the rest still
        # get it, and with none left the directory recommends as for any request.
        listed = DirectoryEntry.objects.filter(listed=True, accepting=True).values("pk")
        partners = list(
            PartnerProfile.objects.filter(organization__slug__in=data["partners"], pk__in=listed)
        )
        lead = lead_create(
            merchant=merchant,
            site_type=Badge.objects.filter(pk=data["site_type"]).first(),
            services=list(Badge.objects.filter(pk__in=data["services"])),
            partners=partners,
            **{name: data[name] for name in FIELDS},
        )
        held.lead = lead
        held.save(update_fields=["lead"])
    return lead
