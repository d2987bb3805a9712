"""The directory's labels follow the reader's language: facet names (badges, prefectures,
ranks, accepting new clients), result cards and the reasons under them, on the search page
and in the JSON search. The partners here have Latin names, so any kana or kanji on an
English page or in an English answer is a label in the wrong language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kizuna.core import consumers
from kizuna.directory.services import leads, reviews
from kizuna.directory.tests.test_leads import project
from kizuna.site.tests.test_languages import BRAND_MARK, JAPANESE, LANGUAGE_MENU

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(make_partner, bob, carol, eve):
    """One partner of each kind a label is shown for: ranked, reviewed and quick to answer in
    Hokkaido; one not accepting new clients and stale in Osaka."""
    alpha = make_partner(
        "Alpha Web",
        owner=bob,
        summary="Payment integrations",
        badges={"plugin_development": 3, "site_design": 1},
        head_office_prefecture="01",
        rank="gold",
    )
    beta = make_partner(
        "Beta Design",
        owner=eve,
        summary="Shop design",
        badges={"site_design": 2, "marketing": 1},
        head_office_prefecture="27",
        accepting_new_clients=False,
        stale_since=timezone.now(),
    )
    ascii_lead = {
        **project(),
        "products": "Leather goods",
        "message": "A new shop.",
        "contact_name": "Carol",
    }
    slot = leads.lead_create(merchant=carol, partners=[alpha], **ascii_lead).assignments.get()
    slot = leads.lead_accept(actor=bob, assignment=slot)
    leads.lead_complete(actor=carol, assignment=slot)
    reviews.review_publish(actor=carol, assignment=slot, rating=5, text="Great work")
    consumers.dispatch_all()
    return {"alpha": alpha.slug, "beta": beta.slug}


def _visible_text(page: str) -> str:
    text = re.sub(r"<[^>]*>", " ", BRAND_MARK.sub("", page))
    return text.replace(LANGUAGE_MENU, "")


def _search_page(client, language: str, **query: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("directory:search"), query)
    assert response.status_code == 200
    return response.content.decode()


def _japanese_lines(text: str) -> list[str]:
    return sorted({line.strip() for line in text.splitlines() if JAPANESE.search(line)})


@pytest.mark.parametrize(
    "path",
    [
        "/directory/",
        "/directory/?q=payment",
        "/directory/?q=CRM",  # a word the synonyms read as a badge
        "/directory/?service=plugin_development&prefecture=01&rank=silver",
        "/directory/p/{alpha}/",
        "/directory/p/{beta}/",
    ],
)
def test_an_english_directory_page_shows_no_japanese_label(client, directory, path):
    path = path.format(**directory)
    # Read in Japanese first: nothing the process keeps may hold the first reader's words.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert JAPANESE.search(_visible_text(client.get(path).content.decode()))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if "q=CRM" in path:
        assert "Marketing" in client.get(path).content.decode()
    for headers in [{}, {"HTTP_HX_REQUEST": "true"}]:
        page = client.get(path, **headers).content.decode()
        assert "Alpha Web" in page or "Beta Design" in page
        assert _japanese_lines(_visible_text(page)) == []


def test_the_english_search_page_names_every_kind_of_label_in_english(client, directory):
    page = _visible_text(_search_page(client, "en"))
    for label in [
        "Plugin development",  # a badge facet and a card's badge
        "Hokkaido",
        "Osaka",  # prefectures
        "Gold",  # a rank
        "Not taking new requests at the moment",
        "Accepting new clients",
    ]:
        assert label in page, label


def test_the_japanese_search_page_names_every_kind_of_label_in_japanese(client, directory):
    page = _visible_text(_search_page(client, "ja"))
    for label in [
        "プラグイン開発",
        "北海道",
        "大阪府",
        "ゴールド",
        "新規受付中",
        "現在、新規のご依頼を受け付けていません",
    ]:
        assert label in page, label
    for english in ["Plugin development", "Hokkaido", "Osaka", "Accepting new clients"]:
        assert english not in page, english


def _api_search(client, language: str, **query: str) -> dict:
    response = client.get("/api/v1/directory/search", query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()


def _reasons(answer: dict) -> list[str]:
    """The answer's sentences (facets and readings are codes; badges carry both names)."""
    return [reason for hit in answer["results"] for reason in hit["reasons"]]


@pytest.mark.parametrize("query", [{}, {"q": "payment"}, {"q": "CRM"}, {"accepting": "false"}])
def test_the_json_search_explains_in_the_requests_language(client, directory, query):
    english = _reasons(_api_search(client, "en", **query))
    assert english
    assert [reason for reason in english if JAPANESE.search(reason)] == []
    japanese = _reasons(_api_search(client, "ja", **query))
    assert japanese
    assert all(JAPANESE.search(reason) for reason in japanese), japanese
