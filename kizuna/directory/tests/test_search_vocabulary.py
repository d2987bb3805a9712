"""Words that name a badge, and partners not taking new requests. Same assertions on SQLite
(FTS5) and PostgreSQL (tsvector)."""

from typing import Any

import pytest
from django.utils import translation

from kizuna.core.models import AuditEntry
from kizuna.directory import snapshot
from kizuna.directory.models import SearchSynonym
from kizuna.directory.search import SearchParams, search
from kizuna.directory.services import synonyms
from kizuna.directory.vocabulary import tokens_of
from kizuna.partners.models import Badge

pytestmark = pytest.mark.django_db

NOT_TAKING = "現在、新規のご依頼を受け付けていません"


def names(q: str = "", **params: Any) -> list[str]:
    return [hit.partner.name for hit in search(SearchParams(q=q, **params)).hits]


@pytest.fixture
def subscriptions(make_partner):
    """One partner holds the 定期販売 badge without the word サブスク anywhere in its text,
    one writes サブスク without the badge, one has neither."""
    return {
        "badge": make_partner(
            "定期便ラボ", summary="食品の通販サイト構築", badges={"subscription": 2}
        ),
        "text": make_partner("つくばEC", summary="サブスク型ECの立ち上げ支援"),
        "neither": make_partner("港デザイン", summary="バナー制作", badges={"creative": 1}),
    }


def test_a_synonym_finds_the_partners_holding_its_badge_and_those_writing_it(subscriptions):
    with translation.override("ja"):
        result = search(SearchParams(q="サブスク"))
    assert {hit.partner.name for hit in result.hits} == {"定期便ラボ", "つくばEC"}
    [reading] = result.readings
    assert (reading.spelling, reading.badge_names) == ("サブスク", ["定期販売"])


def test_a_partner_found_through_the_badge_is_explained_by_its_evidence_not_by_text(
    subscriptions,
):
    with translation.override("ja"):
        hits = {hit.partner.name: hit.reasons for hit in search(SearchParams(q="サブスク")).hits}
    assert any("定期販売の検証済み実績 2件" in reason for reason in hits["定期便ラボ"])
    assert not any("サブスク" in reason for reason in hits["定期便ラボ"])
    assert any("サブスク" in reason for reason in hits["つくばEC"])


def test_a_word_naming_a_badge_is_still_and_ed_with_the_other_words(subscriptions):
    assert names("サブスク 食品") == ["定期便ラボ"]
    assert names("サブスク バナー") == []


@pytest.mark.parametrize("spelling", ["ｻﾌﾞｽｸ", "サブスクリプション", "定期購入", "定期 販売"])
def test_synonyms_are_normalized_like_every_query(subscriptions, spelling):
    assert set(names(spelling)) >= {"定期便ラボ"}


def test_every_badge_name_and_synonym_finds_every_partner_the_filter_finds(make_partner):
    """Whatever a filter is called (ja, en, its name without brackets, a synonym), typing
    it never finds fewer partners than ticking the filter."""
    badges = list(Badge.objects.filter(retired_at__isnull=True))
    make_partner("偶数の会", badges={b.code: 1 for b in badges[::2]})
    make_partner("奇数の会", badges={b.code: 1 for b in badges[1::2]})
    make_partner("バッジなしの会", summary="何でも承ります")
    spelled = {
        badge.code: {badge.name_ja, badge.name_en, badge.name_ja.split("(")[0]} for badge in badges
    }
    for term, code in SearchSynonym.objects.values_list("term", "badge__code"):
        spelled[code].add(term)
    for badge in badges:
        chosen = {"services" if badge.family == "work" else "site_types": (badge.code,)}
        filtered = set(names("", **chosen))
        assert filtered, badge.code
        for spelling in spelled[badge.code]:
            found = set(names(spelling, page_size=100))
            assert found >= filtered, (spelling, badge.code)
            assert "バッジなしの会" not in found, spelling


def test_a_badge_name_typed_in_english_reads_as_the_badge(subscriptions):
    with translation.override("en"):
        result = search(SearchParams(q="Subscriptions"))
    assert [hit.partner.name for hit in result.hits] == ["定期便ラボ"]
    assert result.readings[0].badge_names == ["Subscriptions"]
    assert result.readings[0].is_badge_name


def test_a_retired_badge_is_not_read(subscriptions, alice):
    from kizuna.partners.services.program import badge_retire

    badge_retire(actor=alice, badge=Badge.objects.get(code="subscription"))
    assert names("サブスク") == ["つくばEC"]


def test_staff_synonyms_take_effect_at_the_next_search_and_are_audited(
    subscriptions, alice, make_partner
):
    assert names("ネットスーパー") == []
    before = snapshot.current().token
    synonym = synonyms.search_synonym_save(
        actor=alice, badge=Badge.objects.get(code="subscription"), term="ネットスーパー"
    )
    assert snapshot.current().token != before
    assert names("ネットスーパー") == ["定期便ラボ"]
    assert AuditEntry.objects.filter(action="search_synonym.added", actor=alice).exists()

    synonyms.search_synonym_delete(actor=alice, synonym=synonym)
    assert names("ネットスーパー") == []
    assert AuditEntry.objects.filter(action="search_synonym.deleted").exists()


def test_staff_edit_synonyms_in_the_admin(client, alice, subscriptions):
    client.force_login(alice)
    subscription = Badge.objects.get(code="subscription")
    response = client.post(
        "/admin/directory/searchsynonym/add/",
        {"term": " ネットスーパー ", "badge": subscription.pk},
    )
    assert response.status_code == 302
    synonym = SearchSynonym.objects.get(term="ネットスーパー")
    assert names("ネットスーパー") == ["定期便ラボ"]

    response = client.post(
        f"/admin/directory/searchsynonym/{synonym.pk}/change/",
        {"term": "ネットスーパー", "badge": Badge.objects.get(code="creative").pk},
    )
    assert response.status_code == 302
    assert names("ネットスーパー") == ["港デザイン"]
    change = AuditEntry.objects.get(action="search_synonym.changed")
    assert change.before == {"badge": subscription.pk, "term": "ネットスーパー"}

    response = client.post(f"/admin/directory/searchsynonym/{synonym.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert names("ネットスーパー") == []


@pytest.mark.parametrize("term", ["サーバ", "ＡＷＳ", "・・"])
def test_the_admin_refuses_a_synonym_spelled_like_an_existing_one_or_unsearchable(
    client, alice, term
):
    client.force_login(alice)
    count = SearchSynonym.objects.count()
    response = client.post(
        "/admin/directory/searchsynonym/add/",
        {"term": term, "badge": Badge.objects.get(code="infrastructure").pk},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["term"]
    assert SearchSynonym.objects.count() == count


def test_tokens_of_keeps_repeats_and_one_character_words():
    assert tokens_of("B2B 在 サーバ") == ["b", "2", "b", "在", "サーバー"]


# Partners not taking new requests


@pytest.fixture
def busy_and_free(make_partner):
    return {
        # The strongest evidence by far, but not taking new requests.
        "busy": make_partner(
            "多忙な制作所",
            summary="プラグイン開発",
            badges={"plugin_development": 5, "site_design": 3},
            accepting_new_clients=False,
        ),
        "free": make_partner("空きあり工房", summary="プラグイン開発"),
        "also_free": make_partner(
            "受付中スタジオ", summary="プラグイン開発", badges={"plugin_development": 1}
        ),
    }


def test_partners_not_taking_requests_sort_after_those_who_are(busy_and_free):
    assert names("プラグイン開発")[-1] == "多忙な制作所"
    assert names()[-1] == "多忙な制作所"
    assert names(services=("plugin_development",)) == ["受付中スタジオ", "多忙な制作所"]
    # Paging follows the same order.
    assert names(page=3, page_size=1) == ["多忙な制作所"]


def test_among_partners_taking_requests_the_order_is_the_score(busy_and_free):
    hits = search(SearchParams(q="プラグイン開発")).hits
    taking = [hit.score for hit in hits if hit.partner.accepting_new_clients]
    assert taking == sorted(taking, reverse=True)
    assert hits[-1].score > hits[0].score  # it lost its place only by not taking requests


def test_not_taking_requests_is_said_on_the_result_card_and_the_partner_page(client, busy_and_free):
    page = client.get("/directory/", {"q": "プラグイン開発"}, HTTP_ACCEPT_LANGUAGE="ja")
    text = page.content.decode()
    assert text.count(NOT_TAKING) == 1
    assert "受け付けているパートナーの後に表示しています" in text
    partner = client.get("/directory/p/partner-1/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert NOT_TAKING in partner
    assert "見積もりを依頼" not in partner
    free = client.get("/directory/p/partner-2/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert NOT_TAKING not in free


def test_the_search_page_says_how_a_word_was_read(client, subscriptions):
    text = client.get("/directory/", {"q": "サブスク"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "「サブスク」を「定期販売」として検索しました" in text
    text = client.get("/directory/", {"q": "定期販売"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "「定期販売」をバッジとしても検索しました" in text
    text = client.get("/directory/", {"q": "食品"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "として検索しました" not in text


def test_the_api_says_how_a_word_was_read(client, subscriptions):
    body = client.get("/api/v1/directory/search", {"q": "サブスク 食品"}).json()
    assert [hit["name"] for hit in body["results"]] == ["定期便ラボ"]
    assert body["readings"] == [{"word": "サブスク", "badges": ["subscription"]}]
