import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kizuna.accounts.models import Invitation, Membership, User
from kizuna.billing.models import BillingAccount, FeeChoice
from kizuna.core.models import AuditEntry, OutboxEvent
from kizuna.core.transitions import TransitionRefused
from kizuna.outreach.testing import sent_mail
from kizuna.partners.models import ApplicationStatus, Badge, PartnerApplication
from kizuna.partners.services import applications

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)
VALID_NUMBER = "T9234567890123"
NEW_PASSWORD = "kizuna-Owner-2026!"


def submit(**changes):
    fields = {
        "company_name": "株式会社サクラ商会",
        "company_kana": "カブシキガイシャサクラショウカイ",
        "registration_number": VALID_NUMBER,
        "head_office_prefecture": "27",
        "website": "https://sakura.example.jp/",
        "contact_name": "佐倉 花子",
        "contact_email": "hanako@sakura.example.jp",
        "focus_badges": list(Badge.objects.filter(code__in=["seo", "subscription"])),
        "monthly_fee": 20_000,
        "cycle": "monthly",
        "terms_accepted": True,
        "language": "ja",
        "today": TODAY,
        **changes,
    }
    return applications.application_submit(**fields)


def test_an_application_is_stored_submitted_with_its_focus_and_the_applicant_is_emailed():
    application = submit()
    assert application.status == ApplicationStatus.SUBMITTED
    assert sorted(application.focus_badges.values_list("code", flat=True)) == [
        "seo",
        "subscription",
    ]
    (mail,) = sent_mail()
    assert mail.to == ["hanako@sakura.example.jp"]
    assert applications.status_token(application) in mail.body
    assert OutboxEvent.objects.filter(type="partner_application.submitted").count() == 1


def test_a_registration_number_with_a_wrong_check_digit_is_refused_on_its_field():
    with pytest.raises(ValidationError) as error:
        submit(registration_number="T1234567890123")
    assert "registration_number" in error.value.message_dict
    assert not PartnerApplication.objects.exists()


def test_a_fee_outside_the_current_rules_is_refused_on_its_field():
    with pytest.raises(ValidationError) as error:
        submit(monthly_fee=10_500)
    assert "monthly_fee" in error.value.message_dict


def test_an_application_without_agreeing_to_the_terms_is_refused():
    with pytest.raises(ValidationError) as error:
        submit(terms_accepted=False)
    assert "terms_accepted" in error.value.message_dict


def test_a_tampered_status_token_finds_nothing():
    application = submit()
    token = applications.status_token(application)
    assert applications.application_from_token(token) == application
    assert applications.application_from_token(token[:-2] + "xx") is None


def test_staff_question_then_answer_returns_the_application_to_review(alice):
    application = submit()
    applications.application_request_info(
        actor=alice, application=application, question="導入実績を教えてください"
    )
    assert application.status == ApplicationStatus.INFO_REQUESTED
    applications.application_answer(application=application, answer="50件あります")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert [step.kind for step in application.steps.all()] == [
        "submitted",
        "info_requested",
        "answered",
    ]
    bodies = [mail.body for mail in sent_mail()]
    assert any("導入実績を教えてください" in body for body in bodies)
    assert AuditEntry.objects.filter(action="partner_application.info_requested").exists()


def test_rejection_needs_a_reason_and_tells_the_applicant(alice):
    application = submit()
    with pytest.raises(ValidationError):
        applications.application_reject(actor=alice, application=application, reason=" ")
    applications.application_reject(actor=alice, application=application, reason="対象外の業種です")
    assert application.status == ApplicationStatus.REJECTED
    assert application.decided_by == alice
    assert "対象外の業種です" in sent_mail()[-1].body
    entry = AuditEntry.objects.get(action="partner_application.rejected")
    assert entry.after == {**(entry.after or {}), "status": "rejected"}


def test_approval_creates_organization_profile_focus_and_billing(alice):
    application = submit(cycle="annual")
    applications.application_approve(actor=alice, application=application, today=TODAY)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    partner = application.partner
    assert partner.name_kana == "カブシキガイシャサクラショウカイ"
    assert partner.head_office_prefecture == "27"
    assert sorted(partner.focus_badges.values_list("code", flat=True)) == ["seo", "subscription"]
    account = BillingAccount.objects.get(organization=partner.organization)
    choice = FeeChoice.objects.get(account=account)
    assert (choice.monthly_fee, choice.cycle, choice.effective_from) == (
        20_000,
        "annual",
        date(2027, 1, 1),
    )
    event = OutboxEvent.objects.get(type="partner_application.approved")
    assert event.payload["partner_id"] == partner.pk
    assert AuditEntry.objects.filter(action="partner_application.approved").exists()


def _invitation_token(body):
    found = re.search(r"https?://\S+/accounts/invitations/(\S+)/", body)
    assert found, body
    return found.group(1)


def test_a_new_applicants_single_welcome_email_invites_them_as_owner(alice, client):
    application = submit()
    sent_before = len(sent_mail())
    applications.application_approve(actor=alice, application=application, today=TODAY)
    partner = PartnerApplication.objects.get(pk=application.pk).partner
    assert partner is not None
    organization = partner.organization
    # No account exists before the applicant accepts: nobody can sign in with a guessed reset.
    assert not User.objects.filter(email="hanako@sakura.example.jp").exists()
    assert not organization.memberships.exists()
    (welcome,) = sent_mail()[sent_before:]
    assert welcome.to == ["hanako@sakura.example.jp"]
    token = _invitation_token(welcome.body)
    invitation = Invitation.objects.get(organization=organization)
    assert (invitation.role, invitation.email) == ("owner", "hanako@sakura.example.jp")
    assert timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M") in welcome.body

    response = client.post(
        reverse("accounts:invitation", args=[token]),
        {"display_name": "佐倉 花子", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    owner = User.objects.get(email="hanako@sakura.example.jp")
    assert owner.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=owner, organization=organization).role == "owner"


def test_approval_of_an_existing_users_email_makes_that_user_owner(alice, carol):
    application = submit(contact_email="carol@example.com")
    applications.application_approve(actor=alice, application=application, today=TODAY)
    application.refresh_from_db()
    assert carol.memberships.get().organization == application.partner.organization
    assert carol.has_usable_password()


def test_two_company_names_that_slugify_alike_get_distinct_slugs(alice):
    first, second = submit(company_name="Sakura"), submit(company_name="SAKURA")
    applications.application_approve(actor=alice, application=first, today=TODAY)
    second.contact_email = "other@sakura.example.jp"
    second.save()
    applications.application_approve(actor=alice, application=second, today=TODAY)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.partner.slug == "sakura"
    assert second.partner.slug == "sakura-2"


def test_a_decided_application_cannot_be_approved_and_nothing_is_created(alice):
    application = submit()
    applications.application_withdraw(application=application)
    with pytest.raises(TransitionRefused):
        applications.application_approve(actor=alice, application=application, today=TODAY)
    assert not User.objects.filter(email="hanako@sakura.example.jp").exists()
    assert application.steps.last().kind == "withdrawn"


def test_a_withdrawn_application_cannot_be_answered():
    application = submit()
    applications.application_withdraw(application=application)
    with pytest.raises(TransitionRefused):
        applications.application_answer(application=application, answer="...")
