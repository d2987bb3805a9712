"""Search behaviour. Runs on SQLite (FTS5) and PostgreSQL (tsvector) with the same assertions."""

import importlib
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from kizuna.billing import services as billing_services
from kizuna.billing.models import FeeChoice, ProgramRules
from kizuna.core import consumers
from kizuna.core.events import emit
from kizuna.directory import snapshot
from kizuna.directory.models import DirectoryEntry
from kizuna.directory.search import SearchParams, entry_badges, search
from kizuna.directory.services import index
from kizuna.partners.events import partner_ref
from kizuna.partners.models import PartnerProfile
from kizuna.partners.services.profiles import partner_update

pytestmark = pytest.mark.django_db


def names(params: SearchParams) -> list[str]:
    return [hit.partner.name for hit in search(params).hits]


def found(q: str) -> set[str]:
    return set(names(SearchParams(q=q)))


@pytest.fixture
def catalog(make_partner):
    """Three partners whose texts exercise every normalization case."""
    make_partner(
        "さくらウェブ株式会社",
        name_kana="サクラウェブ",
        summary="決済連携とサーバー構築が得意です",
        description="ネットショップの構築から運用まで。",
        badges={"core_system_integration": 2},
        summaries=["食品業界のお客様の定期購入サイトを構築しました。"],
    )
    make_partner(
        "Minato Digital",
        summary="デザイン重視のEC制作",
        description="Shopify からの移行も承ります。",
        badges={"site_design": 1},
    )
    make_partner(
        "あおばシステムズ",
        summary="基幹システムと在庫の連携",
        description="BtoB受発注の開発。",
        badges={"core_system_integration": 1, "b2b": 1},
        head_office_prefecture="27",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("決済", {"さくらウェブ株式会社"}),  # two characters
        ("靴", set()),  # one character, no match
        ("在", {"あおばシステムズ"}),  # one character, inside a word: LIKE fallback
        ("デザイン", {"Minato Digital"}),  # three and more
        ("サーバ", {"さくらウェブ株式会社"}),  # long-vowel variant
        ("ｻｰﾊﾞｰ", {"さくらウェブ株式会社"}),  # half-width kana
        ("ＥＣ", {"Minato Digital"}),  # full-width letters
        ("ｓｈｏｐｉｆｙ", {"Minato Digital"}),  # full-width, lower-cased
        ("EC デザイン", {"Minato Digital"}),  # mixed ja/en, several terms
        ("連携 在庫", {"あおばシステムズ"}),  # all terms must match
        ("連携 デザイン", set()),
        ("定期購入", {"さくらウェブ株式会社"}),  # a published summary of verified work
        ("サクラウェブ", {"さくらウェブ株式会社"}),  # kana reading
        ("ネットショップ", {"さくらウェブ株式会社"}),
    ],
)
def test_japanese_terms_match_whatever_way_they_are_typed(catalog, query, expected):
    assert found(query) == expected


def test_private_achievement_text_is_never_searchable(catalog):
    assert found("非公開") == set()


def test_filters_and_facets_work_without_a_query(catalog):
    result = search(SearchParams(prefectures=("27",)))
    assert [hit.partner.name for hit in result.hits] == ["あおばシステムズ"]
    # The prefecture facet leaves its own filter out, so the merchant sees the alternatives.
    assert result.facets["prefecture"] == {"13": 2, "27": 1}
    assert result.facets["service"] == {"core_system_integration": 1}
    assert result.facets["site_type"] == {"b2b": 1}


def test_facet_counts_follow_the_query_and_the_other_filters(catalog):
    result = search(SearchParams(q="連携", services=("core_system_integration",)))
    assert result.count == 2
    assert result.facets["service"]["core_system_integration"] == 2
    assert result.facets["site_type"] == {"b2b": 1}
    assert result.facets["prefecture"] == {"13": 1, "27": 1}
    narrowed = search(SearchParams(q="連携", site_types=("b2b",)))
    assert narrowed.count == 1
    # The service facet is counted within the site-type filter, and the reverse.
    assert narrowed.facets["service"] == {"core_system_integration": 1}
    assert narrowed.facets["site_type"] == {"b2b": 1}


def test_several_values_of_one_filter_match_any_of_them(catalog):
    result = search(SearchParams(services=("site_design", "core_system_integration")))
    assert result.count == 3


def test_budget_language_accepting_and_rank_filters(make_partner):
    make_partner("予算小", budget_min=300_000, languages=["ja"])
    make_partner(
        "予算大", budget_min=5_000_000, languages=["ja", "en"], accepting_new_clients=False
    )
    assert set(names(SearchParams(budget_max=1_000_000))) == {"予算小"}
    assert set(names(SearchParams(language="en"))) == {"予算大"}
    assert set(names(SearchParams(accepting=True))) == {"予算小"}
    assert names(SearchParams(rank="silver")) == []


def test_requested_badge_evidence_ranks_first_and_is_explained(make_partner):
    make_partner("少ない実績", badges={"plugin_development": 1})
    make_partner("多い実績", badges={"plugin_development": 3})
    with translation.override("ja"):
        result = search(SearchParams(services=("plugin_development",)))
    assert [hit.partner.name for hit in result.hits] == ["多い実績", "少ない実績"]
    month = timezone.localdate().strftime("%Y年%-m月")
    assert f"プラグイン開発の検証済み実績 3件(直近: {month})" in result.hits[0].reasons


def test_stale_profiles_are_demoted_and_say_so(make_partner):
    fresh = make_partner("新しい", badges={"seo": 1})
    stale = make_partner("古い", badges={"seo": 3})
    PartnerProfile.objects.filter(pk=stale.pk).update(stale_since=timezone.now())
    with transaction.atomic():
        emit(
            "partner.updated",
            {**partner_ref(stale), "slug": stale.slug, "fields": ["stale_since"]},
        )
    consumers.dispatch_all()
    with translation.override("en"):
        hits = search(SearchParams(services=("seo",))).hits
    assert [hit.partner.pk for hit in hits] == [fresh.pk, stale.pk]
    assert any("not reviewed" in reason for reason in hits[1].reasons)


def test_order_never_depends_on_name_and_ties_rotate_weekly(make_partner):
    partners = [make_partner(f"同点パートナー{n}") for n in range(8)]
    monday = date(2026, 5, 4)
    order = names_on(monday)
    assert len(order) == 8
    # Renaming every partner (reversing the alphabet) and changing a field the ranking
    # ignores leaves the order of ids unchanged.
    ids_before = ids_on(monday)
    for n, partner in enumerate(partners):
        partner.organization.name = f"{'Z' * (8 - n)} renamed"
        partner.organization.save(update_fields=["name"])
        partner_update(
            actor=None, partner=partner, by_owner=False, website=f"https://fee{n}.example.jp/"
        )
    consumers.dispatch_all()
    assert ids_on(monday) == ids_before
    assert ids_on(monday + timedelta(days=6)) == ids_before  # same ISO week
    # Another week, another rotation. For some sets of ids two weeks' keys happen to order
    # them alike, so the test looks at the weeks that follow rather than only the next.
    later_weeks = [ids_on(monday + timedelta(weeks=n)) for n in range(1, 9)]
    assert any(order != ids_before for order in later_weeks)


def test_fees_partners_pay_never_change_the_order(make_partner):
    """Fees chosen and invoiced through billing, highest for the weakest partners,
    leave both a badge search and an open listing in the same order."""
    rules_module = importlib.import_module("kizuna.billing.migrations.0002_default_rules")
    ProgramRules.objects.get_or_create(
        effective_from=rules_module.DEFAULT_RULES["effective_from"],
        defaults=rules_module.DEFAULT_RULES,
    )
    partners = [
        make_partner(f"料金テスト{n}", badges={"seo": n % 3 + 1} if n % 2 else {}) for n in range(8)
    ]
    monday = date(2026, 5, 4)
    by_badge = SearchParams(services=("seo",), page_size=100)
    badge_order = [hit.partner.pk for hit in search(by_badge, today=monday).hits]
    listing_order = ids_on(monday)
    assert len(badge_order) == 4
    assert len(listing_order) == 8
    fees = iter(range(50_000, 0, -5_000))  # the last in the order pays the most
    for partner_id in reversed(listing_order):
        partner = next(p for p in partners if p.pk == partner_id)
        account = billing_services.billing_account_save(
            actor=None,
            organization=partner.organization,
            legal_name=partner.organization.name,
            billing_email=f"billing{partner.pk}@example.jp",
            payer_kana="テスト",
        )
        billing_services.fee_choose(
            actor=None,
            account=account,
            monthly_fee=max(next(fees), 10_000),
            cycle="monthly",
            today=date(2026, 3, 15),
        )
    assert FeeChoice.objects.count() == 8
    consumers.dispatch_all()
    index.index_rebuild()
    assert [hit.partner.pk for hit in search(by_badge, today=monday).hits] == badge_order
    assert ids_on(monday) == listing_order


def names_on(day: date) -> list[str]:
    return [hit.partner.name for hit in search(SearchParams(page_size=100), today=day).hits]


def ids_on(day: date) -> list[int]:
    return [hit.partner.pk for hit in search(SearchParams(page_size=100), today=day).hits]


def test_suspended_partner_is_hidden_until_unsuspended(catalog):
    partner = PartnerProfile.objects.get(organization__name="Minato Digital")
    with transaction.atomic():
        emit("partner.suspended", {"organization_id": partner.organization_id})
    consumers.dispatch_all()
    assert found("デザイン") == set()
    index.index_rebuild()  # a rebuild keeps billing's decision
    assert found("デザイン") == set()
    with transaction.atomic():
        emit("partner.unsuspended", {"organization_id": partner.organization_id})
    consumers.dispatch_all()
    assert found("デザイン") == {"Minato Digital"}


def test_profile_edits_reach_the_index_through_the_outbox(catalog):
    partner = PartnerProfile.objects.get(organization__name="Minato Digital")
    partner_update(actor=None, partner=partner, by_owner=True, summary="越境ECの専門家")
    assert found("越境") == set()  # not until the consumer ran
    consumers.dispatch_all()
    assert found("越境") == {"Minato Digital"}
    assert found("デザイン") == set()


def test_rebuild_command_indexes_every_partner(catalog, capsys):
    DirectoryEntry.objects.all().delete()
    call_command("rebuild_directory_index", verbosity=0)
    assert DirectoryEntry.objects.count() == 3
    assert found("決済") == {"さくらウェブ株式会社"}


def test_search_pages_through_results(make_partner):
    for n in range(5):
        make_partner(f"パートナー{n}")
    first = search(SearchParams(page_size=2))
    last = search(SearchParams(page=3, page_size=2))
    assert first.count == 5
    assert first.pages == 3
    assert len(last.hits) == 1


@pytest.mark.parametrize(
    "params",
    [
        SearchParams(page_size=5),
        SearchParams(q="構築", page_size=4),
        SearchParams(q="構築 決済", page=2, page_size=3),
        SearchParams(q="構築", prefectures=("13",), page_size=6),
    ],
)
def test_large_result_sets_rank_as_if_every_match_were_scored(make_partner, params, monkeypatch):
    """Above DIRECT_SCORING_LIMIT matches, ranking reads entries in their stored order by
    groups of equal text bonus; it must give exactly what scoring every match gives."""
    for n in range(12):
        make_partner(
            f"順位検証{n}",
            summary="決済と構築" if n % 3 == 0 else ("構築のみ" if n % 3 == 1 else "運用"),
            description="ECサイトの構築と決済の連携",
            badges={"seo": n % 4} if n % 4 else {},
            head_office_prefecture="13" if n % 2 else "27",
        )
    scored_every_match = [(hit.partner.pk, hit.score) for hit in search(params).hits]
    monkeypatch.setattr(snapshot, "DIRECT_SCORING_LIMIT", 0)
    walked = [(hit.partner.pk, hit.score) for hit in search(params).hits]
    assert walked == scored_every_match
    assert len(walked) == params.page_size


def test_a_search_sees_an_index_change_at_once(make_partner):
    """Each process keeps a snapshot of the index; a write to the index replaces it."""
    partner = make_partner("スナップショット確認", summary="決済の専門")
    assert found("決済") == {"スナップショット確認"}
    partner_update(actor=None, partner=partner, by_owner=False, summary="物流の専門")
    index.entry_refresh(partner_id=partner.pk)
    assert found("決済") == set()
    assert found("物流") == {"スナップショット確認"}


def test_result_badges_equal_the_partner_page_badges(make_partner):
    """Results show badges from the snapshot; the partner's page reads them from the
    database. Both must say the same, dates included."""
    partner = make_partner("バッジ比較", badges={"seo": 2, "b2b": 1, "plugin_development": 3})
    hit = search(SearchParams(q="バッジ比較")).hits[0]
    assert hit.badges == entry_badges([partner.pk])[partner.pk]
    assert [badge.code for badge in hit.badges] == ["b2b", "plugin_development", "seo"]
    assert all(timezone.is_aware(badge.last_verified_at) for badge in hit.badges)  # type: ignore[arg-type]
