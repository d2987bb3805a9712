"""Every email Kizuna writes to a person is in that person's language: the one chosen on
their account, whatever the language of the worker, the sender or the page the request came
from. Each kind is sent through its real path (service or consumer, then the outreach
worker) to a person who chose Japanese and to one who chose English; the data is in Latin
letters, so an English email with kana or kanji shows words of the wrong language."""

import importlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from kizuna.accounts.models import AccountKind, StaffRole, StaffRoleGrant
from kizuna.accounts.services import organization_create
from kizuna.advisories import services as advisories
from kizuna.advisories.models import Targeting
from kizuna.billing import services as billing
from kizuna.billing.models import BillingCycle, ProgramRules
from kizuna.billing.tests.conftest import NTA_NUMBER, choose
from kizuna.community.models import Member
from kizuna.core import consumers
from kizuna.directory.services import leads, reviews
from kizuna.directory.tests.conftest import _catalog_and_index, make_partner  # noqa: F401
from kizuna.insights import services as insights
from kizuna.insights.digest import send_last_months_digest
from kizuna.insights.models import SurveyInvitation
from kizuna.integrations.models import DisabledReason, WebhookEndpoint
from kizuna.integrations.notifications import endpoint_disabled
from kizuna.outreach.testing import send_queued
from kizuna.partners import notices
from kizuna.partners.services.profiles import partner_create
from kizuna.site.tests.test_languages import JAPANESE

pytestmark = pytest.mark.django_db

OTHER = {"ja": "en", "en": "ja"}
APRIL = date(2026, 4, 1)


def _ascii_project(contact_email: str) -> dict[str, Any]:
    return {
        "products": "Leather goods shop",
        "budget": 1_000_000,
        "timeline": "quarter",
        "prefecture": "13",
        "message": "We want to open an online shop.",
        "contact_name": "Carol Nakajima",
        "contact_email": contact_email,
        "contact_phone": "03-0000-0000",
    }


def _owned_partner(person, make_partner, **fields):  # noqa: F811
    organization_create(actor=None, name="Sato Web", slug="sato-web", owner=person)
    return make_partner("Sato Web", owner=person, **fields)


def stale_profile(person, make_partner, **_: Any) -> None:  # noqa: F811
    notices.profiles_stale([_owned_partner(person, make_partner)])


def rank_under_review(person, make_partner, **_: Any) -> None:  # noqa: F811
    partner = _owned_partner(person, make_partner)
    partner.rank = "silver"
    notices.ranks_reviewed([partner], [])


def lead_offered(person, make_partner, carol, **_: Any) -> None:  # noqa: F811
    partner = _owned_partner(person, make_partner, badges={"plugin_development": 1})
    leads.lead_create(merchant=carol, partners=[partner], **_ascii_project("shop@example.com"))
    consumers.dispatch_all()


def lead_accepted_to_the_merchant(person, make_partner, bob, **_: Any) -> None:  # noqa: F811
    partner = make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 1})
    person.kind = AccountKind.MERCHANT
    person.save(update_fields=["kind"])
    lead = leads.lead_create(merchant=person, partners=[partner], **_ascii_project(person.email))
    leads.lead_accept(actor=bob, assignment=lead.assignments.get())
    consumers.dispatch_all()


def review_published(person, make_partner, carol, **_: Any) -> None:  # noqa: F811
    partner = _owned_partner(person, make_partner, badges={"plugin_development": 1})
    lead = leads.lead_create(
        merchant=carol, partners=[partner], **_ascii_project("shop@example.com")
    )
    slot = leads.lead_accept(actor=person, assignment=lead.assignments.get())
    leads.lead_complete(actor=carol, assignment=slot)
    consumers.dispatch_all()
    send_queued()
    mail.outbox.clear()  # the lead's own emails
    reviews.review_publish(actor=carol, assignment=slot, rating=5, text="Great work")
    consumers.dispatch_all()


def webhook_endpoint_disabled(person, **_: Any) -> None:
    organization = organization_create(actor=None, name="Sato Web", slug="sato-web", owner=person)
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url="https://hooks.example.com/kizuna",
        secret="s" * 32,
        notify_user=person,
        disabled_reason=DisabledReason.FAILING,
    )
    endpoint_disabled(endpoint_id=endpoint.pk, disabled_at=timezone.now())


def _billed_organization(person) -> Any:
    defaults = importlib.import_module("kizuna.billing.migrations.0002_default_rules")
    rules, _created = ProgramRules.objects.get_or_create(
        effective_from=date(2000, 1, 1), defaults=defaults.DEFAULT_RULES
    )
    rules.issuer_name = "Kizuna Inc."
    rules.registration_number = NTA_NUMBER
    rules.bank_account = "Mizuho Bank Head Office 1234567"
    rules.save()
    organization = organization_create(actor=None, name="Sato Web", slug="sato-web", owner=person)
    account = billing.billing_account_save(
        actor=person,
        organization=organization,
        legal_name="Sato Web Inc.",
        billing_email=person.email,
        payer_kana="",
        employee_count=12,
    )
    choose(account, cycle=BillingCycle.MONTHLY)
    return billing.invoice_issue_for_period(
        actor=None, account=account, period_start=APRIL, issue_date=APRIL
    )


def invoice_issued(person, **_: Any) -> None:
    _billed_organization(person)
    consumers.dispatch_all()


def invoice_overdue(person, **_: Any) -> None:
    invoice = _billed_organization(person)
    billing.reminders_send_due(today=invoice.due_date + timedelta(days=7))


def advisory_notice(person, alice, **_: Any) -> None:
    organization = organization_create(actor=None, name="Sato Web", slug="sato-web", owner=person)
    partner_create(actor=person, organization=organization)
    advisories.client_site_save(
        actor=person,
        organization=organization,
        fields={"label": "Shop A", "product_version": "4.2.1", "plugins": []},
    )
    advisory = advisories.advisory_create(
        actor=alice,
        fields={
            "title_ja": "受注管理画面のクロスサイトスクリプティング",
            "title_en": "Cross-site scripting in the order admin",
            "details_ja": "管理画面の検索欄で入力がエスケープされません。",
            "details_en": "The search box of the order admin does not escape its input.",
            "remediation_ja": "4.2.3 に更新してください。",
            "remediation_en": "Update to 4.2.3.",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "affected": [{"package": "ec-cube/ec-cube", "introduced": "4.0.0", "fixed": "4.2.3"}],
            "targeting": Targeting.SITES,
            "public_at": timezone.now() + timedelta(days=7),
            "aliases": [],
            "references": [],
            "credits": [],
        },
    )
    advisories.advisory_share(actor=alice, advisory=advisory)


def password_reset(person, client, **_: Any) -> None:
    # Asked for from a page in the other language: the account's choice wins.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = OTHER[person.language]
    response = client.post(reverse("accounts:password_reset"), {"email": person.email})
    assert response.status_code == 302


def survey_invitation(person, **_: Any) -> None:
    member = Member.objects.create(display_name="Ken Sato", user=person)
    survey = insights.survey_create(
        actor=None,
        kind="nps",
        title="Kizuna NPS",
        question="How likely are you to recommend Kizuna?",
        period_day=timezone.localdate(),
    )
    SurveyInvitation.objects.create(
        survey=survey, member=member, email=person.email, token="t" * 32
    )
    insights.survey_send_invitations(survey=survey, base_url=settings.SITE_URL)


def monthly_digest(person, **_: Any) -> None:
    StaffRoleGrant.objects.create(user=person, role=StaffRole.COMMUNITY_MANAGER)
    send_last_months_digest(today=timezone.localdate())


KINDS: list[Callable[..., None]] = [
    stale_profile,
    rank_under_review,
    lead_offered,
    lead_accepted_to_the_merchant,
    review_published,
    webhook_endpoint_disabled,
    invoice_issued,
    invoice_overdue,
    advisory_notice,
    password_reset,
    survey_invitation,
    monthly_digest,
]


# The subject is what staff wrote: the survey's title.
SUBJECT_IS_DATA = {survey_invitation}


def _parts(message: Any) -> dict[str, str]:
    parts = {"subject": message.subject, "text": message.body}
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            parts["html"] = str(content)
    return parts


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_each_email_is_in_its_recipients_language(
    kind,
    language,
    make_user,
    make_partner,  # noqa: F811
    alice,
    bob,
    carol,
    client,
    settings,
):
    settings.KIZUNA_ECOSYSTEM_NAME = "Kizuna"
    person = make_user("ken@example.com", display_name="Ken Sato", language=language)
    # The worker's (and the site's) language is the other one.
    settings.LANGUAGE_CODE = OTHER[language]
    with translation.override(OTHER[language]):
        kind(person, make_partner=make_partner, alice=alice, bob=bob, carol=carol, client=client)
        send_queued()
    emails = [message for message in mail.outbox if message.to == [person.email]]
    assert emails, "no email reached the person"
    for message in emails:
        parts = _parts(message)
        assert "html" in parts
        if language == "en":
            japanese = {
                name: [line for line in text.splitlines() if JAPANESE.search(line)]
                for name, text in parts.items()
            }
            assert japanese == {"subject": [], "text": [], "html": []}
        else:
            if kind not in SUBJECT_IS_DATA:
                assert JAPANESE.search(parts["subject"]), parts["subject"]
            assert JAPANESE.search(parts["text"]), parts["text"]
