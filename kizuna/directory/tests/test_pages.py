import pytest
from django.urls import reverse

from kizuna.core import consumers
from kizuna.directory.models import Assignment, Lead
from kizuna.directory.services import leads, reviews
from kizuna.directory.tests.test_leads import project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_partner(make_partner, bob):
    return make_partner(
        "Bob Web Works",
        owner=bob,
        summary="決済連携のプロ集団",
        badges={"plugin_development": 3},
        summaries=["食品メーカー様の定期購入サイトを構築しました。"],
    )


def lead_post(**overrides):
    return {
        "products": "手作りの革小物",
        "budget": "1000000",
        "timeline": "quarter",
        "prefecture": "13",
        "message": "ネットショップを立ち上げたいです。",
        "contact_name": "中島",
        "contact_email": "carol.shop@example.jp",
        **overrides,
    }


def test_search_page_shows_results_with_reasons_and_facet_counts(client, bob_partner):
    page = client.get(reverse("directory:search"), {"q": "決済"}).content.decode()
    assert "Bob Web Works" in page
    assert "プラグイン開発の検証済み実績 3件" in page
    assert "社名・紹介文が「決済」に一致" in page
    assert 'value="plugin_development" checked' not in page


def test_live_filtering_returns_only_the_results(client, bob_partner):
    response = client.get(
        reverse("directory:search"), {"service": "plugin_development"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Bob Web Works" in body


def test_search_page_in_english(client, bob_partner):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("directory:search"), {"q": "決済"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "3 verified Plugin development projects" in page.content.decode()


def test_partner_page_shows_badges_evidence_reasons_and_summaries(client, bob_partner):
    page = client.get(reverse("directory:partner", args=["bob-web-works"])).content.decode()
    assert "検証済み実績 3件" in page
    assert "食品メーカー様の定期購入サイト" in page
    assert "非公開の詳細" not in page  # private achievement text never shows


def test_lead_form_shows_clear_field_errors_and_saves_nothing(client, carol, bob_partner):
    client.force_login(carol)
    response = client.post(
        reverse("directory:lead_new"), lead_post(budget="たくさん", contact_email="nope")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"budget", "contact_email"}
    assert not Lead.objects.exists()


def test_lead_form_sends_to_the_chosen_partner(client, carol, bob_partner):
    client.force_login(carol)
    response = client.post(reverse("directory:lead_new"), lead_post(partners=["bob-web-works"]))
    lead = Lead.objects.get()
    assert response.url == reverse("directory:request", args=[lead.pk])
    assert list(lead.assignments.values_list("partner_id", flat=True)) == [bob_partner.pk]


def test_honeypot_pretends_success_and_stores_nothing(client, carol, bob_partner):
    client.force_login(carol)
    response = client.post(reverse("directory:lead_new"), lead_post(website="http://spam"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_search_page_is_rate_limited_per_client_with_retry_after(client, bob_partner, settings):
    settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE = 2
    for _ in range(2):
        assert client.get(reverse("directory:search"), {"q": "決済"}).status_code == 200
    response = client.get(reverse("directory:search"), {"q": "決済"})
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert "Bob Web Works" not in response.content.decode()
    other = client.get(reverse("directory:search"), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 200


def test_lead_form_is_rate_limited_per_email(client, carol, bob_partner, settings):
    settings.KIZUNA_LEADS_PER_HOUR_PER_EMAIL = 1
    client.force_login(carol)
    client.post(reverse("directory:lead_new"), lead_post())
    response = client.post(reverse("directory:lead_new"), lead_post())
    assert response.status_code == 200
    assert "もう一度お試しください" in response.content.decode()
    assert Lead.objects.count() == 1


def test_lead_form_is_rate_limited_per_ip(client, carol, bob_partner, settings):
    settings.KIZUNA_LEADS_PER_HOUR_PER_IP = 1
    client.force_login(carol)
    client.post(reverse("directory:lead_new"), lead_post())
    client.post(reverse("directory:lead_new"), lead_post(contact_email="other@example.jp"))
    assert Lead.objects.count() == 1


def test_inbox_hides_the_contact_until_accepted(client, bob, carol, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    client.force_login(bob)
    url = reverse("directory:inbox_item", args=[slot.pk])
    assert "carol.shop@example.jp" not in client.get(url).content.decode()
    client.post(url, {"action": "accept"})
    assert "carol.shop@example.jp" in client.get(url).content.decode()


def test_merchant_completes_and_reviews_from_the_request_page(client, bob, carol, bob_partner):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    leads.lead_accept(actor=bob, assignment=slot)
    client.force_login(carol)
    client.post(reverse("directory:slot_complete", args=[slot.pk]))
    client.post(reverse("directory:slot_review", args=[slot.pk]), {"rating": "5", "text": "丁寧"})
    consumers.dispatch_all()
    page = client.get(reverse("directory:partner", args=["bob-web-works"])).content.decode()
    assert "丁寧" in page
    assert "★★★★★" in page


def test_partner_sees_why_a_review_was_hidden_but_the_public_does_not(
    client, alice, bob, carol, bob_partner
):
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    leads.lead_accept(actor=bob, assignment=slot)
    leads.lead_complete(actor=carol, assignment=slot)
    review = reviews.review_publish(actor=carol, assignment=slot, rating=1, text="ひどい悪口")
    client.force_login(alice)
    client.post(reverse("directory:staff_review_hide", args=[review.pk]), {"reason": "規約違反"})
    client.logout()
    url = reverse("directory:partner", args=["bob-web-works"])
    assert "ひどい悪口" not in client.get(url).content.decode()
    client.force_login(bob)
    page = client.get(url).content.decode()
    assert "規約違反" in page


@pytest.mark.parametrize(
    ("persona", "url_name", "expected"),
    [
        ("carol", "inbox", 403),
        ("dave", "staff_leads", 403),
        ("bob", "staff_leads", 403),
        ("alice", "staff_leads", 200),
        ("alice", "staff_reviews", 200),
        ("carol", "requests", 200),
        ("bob", "inbox", 200),
    ],
)
def test_who_may_open_which_page(client, personas, bob_partner, persona, url_name, expected):
    client.force_login(personas[persona])
    assert client.get(reverse(f"directory:{url_name}")).status_code == expected


def test_a_merchant_cannot_open_another_merchants_request(client, carol, dave, bob_partner):
    lead = leads.lead_create(merchant=carol, partners=[bob_partner], **project())
    client.force_login(dave)
    assert client.get(reverse("directory:request", args=[lead.pk])).status_code == 404
    slot = Assignment.objects.get(lead=lead)
    assert client.post(reverse("directory:slot_complete", args=[slot.pk])).status_code == 403


def test_another_partner_cannot_open_the_inbox_item(client, eve, carol, bob_partner, make_partner):
    make_partner("Eve Commerce Lab", owner=eve)
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    client.force_login(eve)
    assert client.get(reverse("directory:inbox_item", args=[slot.pk])).status_code == 404


def test_every_badge_in_results_and_on_the_partner_page_links_to_its_evidence(client, bob_partner):
    evidence = reverse("partners:badge_evidence", args=["bob-web-works", "plugin_development"])
    results = client.get(reverse("directory:search"), {"q": "決済"}).content.decode()
    partner_page = client.get(reverse("directory:partner", args=["bob-web-works"])).content
    assert f'href="{evidence}"' in results
    assert f'href="{evidence}"' in partner_page.decode()
