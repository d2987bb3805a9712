"""The lead form as a merchant meets it: the budget warning, suggested partners up to the
limit, required fields and the error summary, and a back link to the search it came from."""

import re
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from kizuna.directory.models import Lead
from kizuna.directory.tests.test_pages import lead_post

pytestmark = pytest.mark.django_db

SEARCH = "/directory/?service=plugin_development&accepting=on&budget_max=5000000"


@pytest.fixture
def plugin_makers(make_partner, bob):
    """Bob (minimum ¥3,000,000) and two other plugin makers taking clients; one that does
    not take new clients; a designer found only by the word 決済."""
    return {
        "bob": make_partner(
            "Bob Web Works", owner=bob, badges={"plugin_development": 3}, budget_min=3_000_000
        ),
        "kaede": make_partner(
            "Kaede Plugins", badges={"plugin_development": 2}, budget_min=500_000
        ),
        "sora": make_partner("Sora Systems", badges={"plugin_development": 1}),
        "busy": make_partner(
            "Busy Plugins", badges={"plugin_development": 4}, accepting_new_clients=False
        ),
        "minato": make_partner(
            "Minato Design", summary="決済画面のデザイン", badges={"site_design": 1}
        ),
    }


def form_url(*partners, back=None):
    query = "&".join(f"partner={partner.slug}" for partner in partners)
    return f"{reverse('directory:lead_new')}?{query}" + (f"&back={quote(back)}" if back else "")


def suggested_slugs(response):
    return [option.slug for option in response.context["form"].partner_options if option.suggested]


def test_the_form_suggests_similar_partners_that_take_new_clients(client, plugin_makers):
    response = client.get(form_url(plugin_makers["bob"]))
    suggested = suggested_slugs(response)
    assert set(suggested) == {plugin_makers["kaede"].slug, plugin_makers["sora"].slug}
    page = response.content.decode()
    assert "似たパートナーを追加" in page
    assert "依頼先は最大3社まで選べます。" in page
    assert (
        f'value="{plugin_makers["bob"].slug}" id="id_partners_{plugin_makers["bob"].slug}"' in page
    )
    assert "Busy Plugins" not in page


def test_suggestions_come_first_from_the_search_the_merchant_came_from(client, plugin_makers):
    back = "/directory/?q=決済"
    response = client.get(form_url(plugin_makers["bob"], back=back))
    assert suggested_slugs(response)[0] == plugin_makers["minato"].slug


def test_a_budget_below_the_chosen_partners_minimum_warns_but_the_request_is_sent(
    client, carol, plugin_makers
):
    client.force_login(carol)
    response = client.post(
        form_url(plugin_makers["bob"]),
        lead_post(
            budget="800000", partners=[plugin_makers["bob"].slug, plugin_makers["kaede"].slug]
        ),
    )
    lead = Lead.objects.get()
    assert response.url == reverse("directory:request", args=[lead.pk])
    assert lead.assignments.count() == 2
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Bob Web Works" in warnings[0]
    assert "Kaede Plugins" not in warnings[0]  # ¥800,000 is above Kaede's minimum


def test_a_budget_at_or_above_every_minimum_sends_no_warning(client, carol, plugin_makers):
    client.force_login(carol)
    response = client.post(
        form_url(plugin_makers["bob"]),
        lead_post(budget="3000000", partners=[plugin_makers["bob"].slug]),
    )
    assert Lead.objects.exists()
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_the_budget_warning_shows_on_the_page_without_javascript(client, carol, plugin_makers):
    client.force_login(carol)
    response = client.post(
        form_url(plugin_makers["bob"]),
        lead_post(budget="800000", contact_email="nope", partners=[plugin_makers["bob"].slug]),
    )
    assert [option.slug for option in response.context["form"].partners_above_budget()] == [
        plugin_makers["bob"].slug
    ]
    page = response.content.decode()
    assert '<div class="notice" data-budget-warning>' in page  # not hidden
    assert "Bob Web Works:¥3,000,000〜" in page


def test_more_partners_than_the_limit_are_refused_with_a_clear_message(
    client, carol, plugin_makers, make_partner
):
    extra = make_partner("Extra Plugins", badges={"plugin_development": 1})
    client.force_login(carol)
    chosen = [plugin_makers[name].slug for name in ("bob", "kaede", "sora")] + [extra.slug]
    response = client.post(form_url(plugin_makers["bob"]), lead_post(partners=chosen))
    assert response.status_code == 200
    assert not Lead.objects.exists()
    message = "依頼できるパートナーは最大3社です(現在4社を選択中)。1社の選択を外してください。"
    assert [str(error) for error in response.context["form"].errors["partners"]] == [message]
    page = response.content.decode()
    assert f'<a href="#id_partners" data-error-link>依頼先:{message}</a>' in page
    for slug in chosen:  # the choice is kept, to untick one
        assert (
            f'value="{slug}" id="id_partners_{slug}" aria-describedby="partners-limit" checked'
            in page
        )


def test_the_error_summary_links_each_error_to_its_field_and_values_are_kept(
    client, carol, plugin_makers
):
    client.force_login(carol)
    response = client.post(
        form_url(plugin_makers["bob"]),
        lead_post(budget="たくさん", contact_email="nope", message=""),
    )
    page = response.content.decode()
    assert 'id="error-summary" role="alert" tabindex="-1"' in page
    assert "3件の項目を修正してください" in page
    for field in ("budget", "contact_email", "message"):
        assert f'<a href="#id_{field}" data-error-link>' in page
    assert 'value="手作りの革小物"' in page  # what was typed stays
    assert 'value="nope"' in page
    assert 'aria-invalid="true"' in page


def test_required_fields_are_marked_for_the_eye_and_for_screen_readers(client, plugin_makers):
    response = client.get(form_url(plugin_makers["bob"]))
    form = response.context["form"]
    page = response.content.decode()
    for name in ("products", "budget", "timeline", "prefecture", "message", "contact_name"):
        html = str(form[name])
        assert 'aria-required="true"' in html
        assert re.search(r"\srequired[\s>]", html)
    assert 'aria-required="true"' not in str(form["contact_phone"])
    assert page.count('<span class="required-mark" aria-hidden="true">必須</span>') == 7
    assert "error-summary" not in page


def test_the_back_link_keeps_the_search_and_its_filters(client, plugin_makers):
    response = client.get(form_url(plugin_makers["bob"], back=SEARCH))
    assert response.context["back"].url == SEARCH
    assert (
        f'<a href="{SEARCH.replace("&", "&amp;")}">← 検索結果に戻る</a>'
        in response.content.decode()
    )


def test_the_back_link_survives_a_form_with_errors(client, carol, plugin_makers):
    client.force_login(carol)
    response = client.post(form_url(plugin_makers["bob"], back=SEARCH), lead_post(budget=""))
    assert response.context["back"].url == SEARCH


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/directory/",
        "//evil.example/directory/",
        "/\\evil.example/directory/",
        "\\\\evil.example/directory/",
        "javascript:alert(1)",
        "/accounts/login/?next=/directory/",
        "/directory/request/",
        "directory/",
        "/directory/" + "x" * 3000,
        "//[",
        "http://[::1/directory/",
    ],
)
def test_the_back_link_never_leaves_the_directory(client, plugin_makers, back):
    response = client.get(form_url(plugin_makers["bob"], back=back))
    assert response.status_code == 200
    assert response.context["back"].url == "/directory/"
    assert '<a href="/directory/">← ディレクトリに戻る</a>' in response.content.decode()


def test_search_results_link_to_the_partner_and_the_form_with_the_search_to_come_back_to(
    client, plugin_makers
):
    page = client.get(SEARCH).content.decode()
    back = quote(SEARCH)
    assert f'?partner={plugin_makers["bob"].slug}&amp;back={back}"' in page
    assert f'/directory/p/{plugin_makers["bob"].slug}/?back={back}"' in page


def test_the_partner_page_goes_back_to_the_search_and_passes_it_on(client, plugin_makers):
    slug = plugin_makers["bob"].slug
    path = f"/directory/p/{slug}/?back={quote(SEARCH)}"
    response = client.get(path)
    assert response.context["back"].url == SEARCH
    page = response.content.decode()
    assert "← 検索結果に戻る" in page
    assert (
        f"?partner={slug}&amp;back={quote(response.wsgi_request.get_full_path(), safe='/')}" in page
    )
    # From the form, the way back is the partner page, and suggestions still follow the search.
    form = client.get(form_url(plugin_makers["bob"], back=response.wsgi_request.get_full_path()))
    assert form.context["back"].kind == "partner"
    assert suggested_slugs(form)[0] == plugin_makers["kaede"].slug


def test_the_filter_button_counts_the_filters_that_are_on(client, plugin_makers):
    page = client.get(SEARCH + "&prefecture=13&prefecture=27").content.decode()
    assert 'aria-controls="directory-filters"' in page
    assert "絞り込み<span data-filter-count> (5)</span>" in page
    assert (
        "絞り込み<span data-filter-count></span>"
        in client.get("/directory/?q=決済").content.decode()
    )
