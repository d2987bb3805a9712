"""Pages of partner applications and of leaving the program, for every persona."""

from datetime import date

import pytest
from django.urls import reverse

from kizuna.core.models import AuditEntry
from kizuna.outreach.testing import sent_mail
from kizuna.partners.models import ApplicationStatus, PartnerApplication, ProgramExit
from kizuna.partners.services import applications
from kizuna.partners.tests.test_applications import VALID_NUMBER, submit

pytestmark = pytest.mark.django_db

FORM = {
    "company_name": "合同会社ミドリ",
    "company_kana": "ゴウドウガイシャミドリ",
    "registration_number": VALID_NUMBER,
    "head_office_prefecture": "01",
    "website": "https://midori.example.jp/",
    "contact_name": "緑川 一郎",
    "contact_email": "ichiro@midori.example.jp",
    "work_badges": [],
    "site_badges": [],
    "monthly_fee": "15000",
    "cycle": "monthly",
    "terms_accepted": "on",
}


def badge_ids(*codes):
    from kizuna.partners.models import Badge

    return [str(pk) for pk in Badge.objects.filter(code__in=codes).values_list("pk", flat=True)]


def test_a_visitor_applies_and_lands_on_the_status_page(client):
    data = {**FORM, "work_badges": badge_ids("seo"), "site_badges": badge_ids("b2b")}
    response = client.post(reverse("partners:apply"), data, follow=True)
    application = PartnerApplication.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "partners:application_status", args=[applications.status_token(application)]
    )
    assert "合同会社ミドリ" in response.content.decode()
    assert sorted(application.focus_badges.values_list("code", flat=True)) == ["b2b", "seo"]


def test_the_apply_page_shows_the_fee_range_and_a_preview(client):
    page = client.get(reverse("partners:apply")).content.decode()
    assert "10,000" in page
    assert "50,000" in page
    assert 'data-testid="preview-total"' in page


def test_the_applicant_fee_preview_prices_a_first_time_partner(client):
    response = client.get(
        reverse("billing:applicant_fee_preview"), {"monthly_fee": "20000", "cycle": "monthly"}
    )
    assert response.status_code == 200
    # 50 % first-time discount on 20,000, plus 10 % tax.
    assert "11,000" in response.content.decode()


def test_a_wrong_registration_number_is_a_field_error_and_keeps_the_input(client):
    response = client.post(
        reverse("partners:apply"), {**FORM, "registration_number": "T1234567890123"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "合同会社ミドリ" in page
    assert "check digit" in page or "チェック" in page
    assert not PartnerApplication.objects.exists()


def test_the_honeypot_pretends_success_and_stores_nothing(client):
    response = client.post(reverse("partners:apply"), {**FORM, "leave_empty": "spam"})
    assert response.status_code == 200
    assert not PartnerApplication.objects.exists()
    assert not sent_mail()


def test_applications_from_one_address_are_rate_limited(client, settings):
    settings.KIZUNA_APPLICATIONS_PER_HOUR_PER_IP = 1
    client.post(reverse("partners:apply"), FORM)
    response = client.post(
        reverse("partners:apply"), {**FORM, "contact_email": "other@midori.example.jp"}
    )
    assert response.status_code == 429
    assert PartnerApplication.objects.count() == 1


def test_the_applicant_answers_a_question_through_the_signed_link(client, alice):
    application = submit()
    applications.application_request_info(actor=alice, application=application, question="実績は?")
    url = reverse("partners:application_status", args=[applications.status_token(application)])
    assert "実績は?" in client.get(url).content.decode()
    client.post(url, {"action": "answer", "answer": "30件です"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_applicant_withdraws_through_the_signed_link(client):
    application = submit()
    url = reverse("partners:application_status", args=[applications.status_token(application)])
    client.post(url, {"action": "withdraw"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_a_forged_status_link_is_not_found(client):
    submit()
    assert client.get(reverse("partners:application_status", args=["1:forged"])).status_code == 404


STAFF_PAGES = ["partners:staff_applications", "partners:staff_application"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403)],
)
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_only_partner_program_staff_open_the_application_review(
    client, personas, persona, expected, page
):
    application = submit()
    client.force_login(personas[persona])
    args = [application.pk] if page == "partners:staff_application" else []
    assert client.get(reverse(page, args=args)).status_code == expected


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_a_visitor_is_sent_to_sign_in_for_the_application_review(client, page):
    application = submit()
    args = [application.pk] if page == "partners:staff_application" else []
    response = client.get(reverse(page, args=args))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_partner_manager_reviews_applications(client, make_user):
    manager = make_user("pm@example.com", staff_role="partner_manager")
    application = submit()
    client.force_login(manager)
    response = client.get(reverse("partners:staff_applications"))
    assert application.company_name in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dave", "eve", None])
def test_anyone_may_open_the_apply_page(client, personas, persona):
    if persona:
        client.force_login(personas[persona])
    assert client.get(reverse("partners:apply")).status_code == 200


def test_the_review_list_filters_by_state(client, alice):
    waiting = submit(company_name="Waiting Co")
    gone = submit(company_name="Gone Co")
    applications.application_withdraw(application=gone)
    client.force_login(alice)
    page = client.get(reverse("partners:staff_applications")).content.decode()
    assert waiting.company_name in page
    assert gone.company_name not in page
    page = client.get(reverse("partners:staff_applications"), {"state": "withdrawn"}).content
    assert b"Gone Co" in page
    assert b"Waiting Co" not in page


def test_staff_approve_from_the_detail_page(client, alice):
    application = submit()
    client.force_login(alice)
    url = reverse("partners:staff_application", args=[application.pk])
    client.post(url, {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert AuditEntry.objects.get(action="partner_application.approved").actor == alice


def test_staff_reject_without_a_reason_is_a_form_error(client, alice):
    application = submit()
    client.force_login(alice)
    url = reverse("partners:staff_application", args=[application.pk])
    response = client.post(url, {"decision": "reject", "text": ""})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_staff_ask_for_information_without_a_question_is_a_form_error(client, alice):
    application = submit()
    client.force_login(alice)
    url = reverse("partners:staff_application", args=[application.pk])
    client.post(url, {"decision": "request_info", "text": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


# Leaving the program


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 404), ("bob", 200), ("carol", 404), ("dave", 404), ("eve", 404)],
)
def test_only_the_partners_owner_opens_its_leave_page(
    client, personas, bob_partner, persona, expected
):
    client.force_login(personas[persona])
    assert client.get(reverse("partners:program_leave")).status_code == expected


def test_a_member_who_is_not_owner_cannot_leave_for_the_partner(client, make_user, bob_partner):
    from kizuna.accounts.services import membership_add

    member = make_user("member@bob.example.com")
    membership_add(actor=None, organization=bob_partner.organization, user=member)
    client.force_login(member)
    assert client.get(reverse("partners:program_leave")).status_code == 403


def test_the_owner_asks_to_leave_and_sees_the_last_day(client, bob, bob_partner, settings):
    settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS = 30
    client.force_login(bob)
    response = client.post(
        reverse("partners:program_leave"), {"reason": "事業縮小", "confirm": "on"}, follow=True
    )
    program_exit = ProgramExit.objects.get(partner=bob_partner)
    assert program_exit.leaves_on.strftime("%Y-%m-%d") in response.content.decode()


def test_leaving_needs_the_confirmation(client, bob, bob_partner):
    client.force_login(bob)
    client.post(reverse("partners:program_leave"), {"reason": "x"})
    assert not ProgramExit.objects.exists()


def test_focus_is_edited_by_the_owner_and_shown_as_focus_not_badges(client, bob, bob_partner):
    from kizuna.partners.models import Badge

    client.force_login(bob)
    seo = Badge.objects.get(code="seo")
    response = client.post(
        reverse("partners:profile_edit"),
        {
            "summary": bob_partner.summary,
            "head_office_prefecture": "13",
            "accepting_new_clients": "on",
            "focus_badges": [str(seo.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(bob_partner.focus_badges.all()) == [seo]
    page = client.get(reverse("partners:public_profile", args=[bob_partner.slug])).content.decode()
    before, focus = page.split('<section class="card" id="focus">')
    assert seo.name in focus.split("</section>")[0]
    assert seo.name not in before  # not among the badges
    assert AuditEntry.objects.filter(action="partner.focus_changed").exists()


def test_exit_dates_follow_the_notice_rule(settings):
    from kizuna.partners.services.exits import exit_date

    settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS = 30
    assert exit_date(date(2026, 12, 4)) == date(2027, 1, 31)
    assert exit_date(date(2026, 12, 1)) == date(2026, 12, 31)
    settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS = 0
    assert exit_date(date(2026, 12, 4)) == date(2026, 12, 31)
