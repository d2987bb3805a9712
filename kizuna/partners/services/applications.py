"""Applications to join the partner program: submitted by a visitor, decided by staff.

An application moves submitted -> (info_requested -> submitted)* -> approved | rejected, or
is withdrawn by the applicant before a decision. Every step is a row the applicant sees on
the status page its signed link opens, is audited when staff take it, emits a declared
event and emails the contact person. Approval creates the organization and its owner's
access (`organization_with_owner_create`, the one place that knows how an owner gets in),
the profile and the billing account, and records the chosen fee from the next period.
"""

from datetime import date, datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kizuna.accounts.models import MembershipRole, Organization, User
from kizuna.accounts.services import organization_create
from kizuna.accounts.services.invitations import invitation_issue
from kizuna.billing import pricing
from kizuna.billing import selectors as billing_selectors
from kizuna.billing.models import BillingCycle
from kizuna.billing.registration import is_valid_registration_number
from kizuna.billing.services import billing_account_save, fee_choose
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.transitions import TransitionRefused, transition
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue
from kizuna.partners.models import (
    ApplicationStatus,
    ApplicationStep,
    ApplicationStepKind,
    Badge,
    PartnerApplication,
)
from kizuna.partners.services.profiles import partner_create, partner_focus_set
from kizuna.partners.services.validation import field_error

STATUS_SALT = "partners.application.status"
OPEN: list[str] = [ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED]
AUDITED_FIELDS = ["status", "decision_reason", "company_name", "contact_email", "monthly_fee"]


def status_token(application: PartnerApplication) -> str:
    """The applicant's key to its application: no account is needed to follow it."""
    return signing.Signer(salt=STATUS_SALT).sign(str(application.pk))


def application_from_token(token: str) -> PartnerApplication | None:
    try:
        pk = int(signing.Signer(salt=STATUS_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return PartnerApplication.objects.filter(pk=pk).first()


def status_url(application: PartnerApplication) -> str:
    return settings.SITE_URL + reverse(
        "partners:application_status", args=[status_token(application)]
    )


def _check_fee(monthly_fee: int, cycle: str, today: date) -> None:
    if cycle not in BillingCycle.values:
        raise field_error("cycle", _("Choose monthly or annual billing."), "invalid_cycle")
    start = billing_selectors.next_choice_start(None, today)
    problem = pricing.fee_error(
        billing_selectors.rules_for(start), monthly_fee, small_business=False
    )
    if problem:
        raise field_error("monthly_fee", problem, "fee_out_of_range")


def _step(
    application: PartnerApplication, kind: str, *, actor: Any = None, text: str = ""
) -> ApplicationStep:
    return ApplicationStep.objects.create(
        application=application, kind=kind, actor=actor, text=text
    )


def _emit(name: str, application: PartnerApplication, actor: Any = None) -> None:
    payload = {"application_id": application.pk, "status": application.status}
    # Each type is named as a literal, so the catalog test can find every emit.
    if name == "submitted":
        emit("partner_application.submitted", payload, actor=actor)
    elif name == "info_requested":
        emit("partner_application.info_requested", payload, actor=actor)
    elif name == "answered":
        emit("partner_application.answered", payload, actor=actor)
    elif name == "approved":
        assert application.partner is not None
        emit(
            "partner_application.approved",
            {
                **payload,
                "partner_id": application.partner.pk,
                "organization_id": application.partner.organization_id,
            },
            actor=actor,
        )
    elif name == "rejected":
        emit("partner_application.rejected", payload, actor=actor)
    elif name == "withdrawn":
        emit("partner_application.withdrawn", payload, actor=actor)


def _notify(application: PartnerApplication, step: ApplicationStep, **extra: Any) -> None:
    email_enqueue(
        to=application.contact_email,
        topic=Topic.NOTICES,
        idempotency_key=f"partners.application:{application.pk}:step:{step.pk}",
        template="partners/email/application",
        context={
            "application": application,
            "step": step.kind,
            "text": step.text,
            "status_url": status_url(application),
            "site": settings.KIZUNA_ECOSYSTEM_NAME,
            **extra,
        },
        language=application.language,
        name=application.contact_name,
    )


def _reload_locked(application: PartnerApplication) -> PartnerApplication:
    return PartnerApplication.objects.select_for_update().get(pk=application.pk)


def _decide(
    *,
    actor: Any,
    application: PartnerApplication,
    from_states: list[str],
    to_state: str,
    action: str,
    **changes: Any,
) -> PartnerApplication:
    before = audit.snapshot(application, AUDITED_FIELDS)
    transition(
        PartnerApplication,
        application.pk,
        from_states=from_states,
        to_state=to_state,
        updated_at=timezone.now(),
        **changes,
    )
    application.refresh_from_db()
    audit.record(
        actor=actor,
        action=action,
        obj=application,
        before=before,
        after=audit.snapshot(application, AUDITED_FIELDS),
    )
    return application


# The applicant


def application_submit(
    *,
    company_name: str,
    company_kana: str,
    registration_number: str,
    head_office_prefecture: str,
    website: str,
    contact_name: str,
    contact_email: str,
    focus_badges: list[Badge],
    monthly_fee: int,
    cycle: str,
    terms_accepted: bool,
    language: str,
    message: str = "",
    today: date,
) -> PartnerApplication:
    registration_number = registration_number.strip().upper()
    if not is_valid_registration_number(registration_number):
        raise field_error(
            "registration_number",
            _("Enter a registration number as T and 13 digits with a valid check digit."),
            "invalid_registration_number",
        )
    if not terms_accepted:
        raise field_error(
            "terms_accepted", _("Agree to the program terms to apply."), "terms_not_accepted"
        )
    _check_fee(monthly_fee, cycle, today)
    with transaction.atomic():
        application = PartnerApplication.objects.create(
            company_name=company_name,
            company_kana=company_kana,
            registration_number=registration_number,
            head_office_prefecture=head_office_prefecture,
            website=website,
            contact_name=contact_name,
            contact_email=contact_email.strip().lower(),
            monthly_fee=monthly_fee,
            cycle=cycle,
            terms_accepted_at=timezone.now(),
            language=language,
            message=message,
        )
        application.focus_badges.set(focus_badges)
        step = _step(application, ApplicationStepKind.SUBMITTED, text=message)
        _emit("submitted", application)
        _notify(application, step)
    return application


def application_answer(*, application: PartnerApplication, answer: str) -> PartnerApplication:
    """The applicant answers staff's question; the application goes back to review."""
    with transaction.atomic():
        transition(
            PartnerApplication,
            application.pk,
            from_states=ApplicationStatus.INFO_REQUESTED,
            to_state=ApplicationStatus.SUBMITTED,
            updated_at=timezone.now(),
        )
        application.refresh_from_db()
        step = _step(application, ApplicationStepKind.ANSWERED, text=answer)
        _emit("answered", application)
        _notify(application, step)
    return application


def application_withdraw(*, application: PartnerApplication) -> PartnerApplication:
    with transaction.atomic():
        transition(
            PartnerApplication,
            application.pk,
            from_states=OPEN,
            to_state=ApplicationStatus.WITHDRAWN,
            updated_at=timezone.now(),
        )
        application.refresh_from_db()
        step = _step(application, ApplicationStepKind.WITHDRAWN)
        _emit("withdrawn", application)
        _notify(application, step)
    return application


# Staff


def application_request_info(
    *, actor: Any, application: PartnerApplication, question: str
) -> PartnerApplication:
    with transaction.atomic():
        _decide(
            actor=actor,
            application=application,
            from_states=[ApplicationStatus.SUBMITTED],
            to_state=ApplicationStatus.INFO_REQUESTED,
            action="partner_application.info_requested",
        )
        step = _step(application, ApplicationStepKind.INFO_REQUESTED, actor=actor, text=question)
        _emit("info_requested", application, actor)
        _notify(application, step)
    return application


def application_reject(
    *, actor: Any, application: PartnerApplication, reason: str
) -> PartnerApplication:
    if not reason.strip():
        raise field_error("reason", _("Tell the applicant why."), "reason_required")
    with transaction.atomic():
        _decide(
            actor=actor,
            application=application,
            from_states=OPEN,
            to_state=ApplicationStatus.REJECTED,
            action="partner_application.rejected",
            decision_reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        step = _step(application, ApplicationStepKind.REJECTED, actor=actor, text=reason)
        _emit("rejected", application, actor)
        _notify(application, step)
    return application


def _free_slug(application: PartnerApplication) -> str:
    base = slugify(application.company_name) or slugify(
        application.website.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.")
    )
    base = (base or "partner")[:80]
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class OwnerAccess(NamedTuple):
    """How the first owner gets in: a link, and when it expires if it is an invitation."""

    link: str
    invitation_expires_at: datetime | None


def organization_with_owner_create(
    *, actor: Any, application: PartnerApplication
) -> tuple[Organization, OwnerAccess]:
    """The new partner organization with its first owner, and the link by which the owner
    gets in: the one seam for how an owner is invited.

    A person who already has an account is made owner and signs in as usual. Anyone else
    is invited as owner (`invitation_issue`): the link sets their password and makes them
    owner, and it travels in the approval email, so the applicant gets one email, not two.
    """
    email = application.contact_email
    owner = User.objects.filter(email__iexact=email).first()
    organization = organization_create(
        actor=actor, name=application.company_name, slug=_free_slug(application), owner=owner
    )
    if owner is not None:
        return organization, OwnerAccess(settings.SITE_URL + reverse("partners:portal"), None)
    invitation, link = invitation_issue(
        organization=organization,
        email=email,
        role=MembershipRole.OWNER,
        invited_by=actor,
        language=application.language,
    )
    return organization, OwnerAccess(link, invitation.expires_at)


def application_approve(
    *, actor: Any, application: PartnerApplication, today: date
) -> PartnerApplication:
    """Admit the company: organization, owner, profile, focus, billing account and fee."""
    with transaction.atomic():
        application = _reload_locked(application)
        if application.status not in OPEN:
            # Someone decided first: refuse before creating anything.
            raise TransitionRefused(
                _("Someone else changed this in the meantime; reload the page and look again."),
                code="state_changed",
            )
        organization, access = organization_with_owner_create(actor=actor, application=application)
        partner = partner_create(
            actor=actor,
            organization=organization,
            name_kana=application.company_kana,
            website=application.website,
            head_office_prefecture=application.head_office_prefecture,
            contact_name=application.contact_name,
            contact_email=application.contact_email,
        )
        partner_focus_set(actor=actor, partner=partner, badges=list(application.focus_badges.all()))
        account = billing_account_save(
            actor=actor,
            organization=organization,
            legal_name=application.company_name,
            billing_email=application.contact_email,
            payer_kana=application.company_kana,
        )
        choice = fee_choose(
            actor=actor,
            account=account,
            monthly_fee=application.monthly_fee,
            cycle=application.cycle,
            today=today,
        )
        _decide(
            actor=actor,
            application=application,
            from_states=OPEN,
            to_state=ApplicationStatus.APPROVED,
            action="partner_application.approved",
            decided_by=actor,
            decided_at=timezone.now(),
            partner=partner,
        )
        step = _step(application, ApplicationStepKind.APPROVED, actor=actor)
        _emit("approved", application, actor)
        _notify(
            application,
            step,
            owner_link=access.link,
            owner_invitation_expires_at=access.invitation_expires_at,
            billing_starts=choice.effective_from,
            partner_slug=organization.slug,
        )
    return application
