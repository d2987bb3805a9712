"""The directory search: full text through normalize_ja, filters, facets, fair ranking.

Text (DESIGN.md, Search): the query is normalized like the indexed text and split into
tokens, all of which must match. A token of two or more characters that the full-text
index knows is matched there (SQLite FTS5 / PostgreSQL tsvector, each as a phrase so both
databases tokenize it the same way); a one-character token, or one the index does not
know as a word (part of a longer word), falls back to LIKE on the entry text table.
Tokens that spell a badge's name or a synonym of it (directory.vocabulary) also match the
partners holding the badge, and rank as if the badge had been asked for.
Filters, facet counts (each leaving its own filter out) and ranking then run on the
in-memory snapshot of the index (directory.snapshot), the same on both databases.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from functools import reduce
from operator import and_
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils.translation import get_language

from kizuna.directory import snapshot
from kizuna.directory.models import DirectoryEntry, EntryBadge, LeadPreferences
from kizuna.directory.services import ranking
from kizuna.directory.snapshot import HitBadge
from kizuna.directory.vocabulary import Term, tokens_of
from kizuna.partners.models import PartnerProfile, Rank

MAX_TOKENS = 10


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    services: tuple[str, ...] = ()
    site_types: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()
    budget_max: int | None = None
    language: str = ""
    accepting: bool | None = None
    rank: str = ""
    page: int = 1
    page_size: int = 20

    @property
    def requested_badges(self) -> tuple[str, ...]:
        return (*self.services, *self.site_types)


def entry_badges(entry_ids: list[int]) -> dict[int, list[HitBadge]]:
    """The badges of entries, listed or not (a partner's own page), strongest first
    within each family."""
    badges: dict[int, list[HitBadge]] = {pk: [] for pk in entry_ids}
    rows = (
        EntryBadge.objects.filter(entry_id__in=entry_ids)
        .order_by("family", "-level", "code")
        .values_list(
            "entry_id",
            "code",
            "family",
            "badge__name_ja",
            "badge__name_en",
            "level",
            "evidence_count",
            "last_verified_at",
            "points",
        )
    )
    for entry_id, code, family, name_ja, name_en, level, count, last, points in rows:
        badges[entry_id].append(
            HitBadge(code, family, name_ja, name_en, level, count, last, points)
        )
    return badges


@dataclass
class Hit:
    entry: DirectoryEntry
    score: int
    badges: list[HitBadge]
    reasons: list[str]

    @property
    def partner(self) -> Any:
        return self.entry.partner


@dataclass(frozen=True)
class BadgeReading:
    """A word of the query read as badges, for the notice 「サブスク」を「定期販売」として…"""

    spelling: str
    badge_codes: tuple[str, ...]
    badge_names: list[str]

    @property
    def is_badge_name(self) -> bool:
        return self.badge_names == [self.spelling]


@dataclass
class SearchResult:
    params: SearchParams
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    readings: list[BadgeReading] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))


def query_terms(index: snapshot.Snapshot, q: str) -> list[Term]:
    """The query as terms (a badge's name or synonym, or a single token), each once, in
    the order typed, at most MAX_TOKENS."""
    terms = index.vocabulary.terms(tokens_of(q))
    return list(dict.fromkeys(terms))[:MAX_TOKENS]


def search(params: SearchParams, *, today: date | None = None) -> SearchResult:
    index = snapshot.current()
    terms = query_terms(index, params.q)
    tokens = list(dict.fromkeys(token for term in terms for token in term.tokens))
    text, base = _base_filter(index, params, terms)
    chosen = _facet_filters(index, params)
    matching = reduce(and_, chosen.values(), base)
    offset = (params.page - 1) * params.page_size
    read_as = tuple(code for term in terms for code in term.badge_codes)
    badges = tuple(dict.fromkeys((*params.requested_badges, *read_as)))
    query = snapshot.Query(tuple(tokens), badges, today)
    page = index.top(matching, query, offset + params.page_size)[offset:]
    ids = [pk for pk, _score in page]
    entries = index.result_rows(ids, _result_rows().in_bulk)
    return SearchResult(
        params=params,
        count=matching.bit_count(),
        hits=_hits(
            [(entries[pk], score) for pk, score in page],
            {pk: index.badges_of(pk) for pk in ids},
            params,
            query,
            text_matched=set(index.entry_ids(text & index.ids_to_bits(ids))),
        ),
        facets=index.facet_counts(base, chosen),
        readings=_readings(index, terms),
    )


def _readings(index: snapshot.Snapshot, terms: list[Term]) -> list[BadgeReading]:
    english = (get_language() or "ja").startswith("en")
    return [
        BadgeReading(
            term.spelling,
            term.badge_codes,
            [index.catalog[code][2 if english else 1] for code in term.badge_codes],
        )
        for term in terms
        if term.badge_codes
    ]


# What a result shows (pages and API) and explains; the long texts are left unread.
RESULT_ENTRY_FIELDS = [
    "accepting",
    "rank_level",
    "stale",
    "median_response_hours",
    "acceptance_rate",
    "review_count",
    "review_average",
    "headline_text",
]
# The partner's own fields a hit carries: result pages and the API (api._hit_out) read
# these and no others, so loading them avoids a query per hit.
HIT_PARTNER_FIELDS = [
    "name_kana",
    "logo",
    "summary",
    "summary_en",
    "website",
    "head_office_prefecture",
    "service_prefectures",
    "languages",
    "budget_min",
    "budget_max",
    "accepting_new_clients",
    "rank",
]


def _result_rows() -> QuerySet[DirectoryEntry]:
    return DirectoryEntry.objects.select_related("partner__organization").only(
        *RESULT_ENTRY_FIELDS,
        *(
            f"partner__{field}"
            for field in (*HIT_PARTNER_FIELDS, "organization__name", "organization__slug")
        ),
    )


def explain(entry: DirectoryEntry) -> list[str]:
    """The reasons shown on a partner's own page, for no query in particular."""
    return _reasons(entry, entry_badges([entry.pk])[entry.pk], "", snapshot.Query(), False)


# Text


def _fts5_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fulltext_ids(words: list[str]) -> dict[str, list[int]]:
    """For each word, the ids of the entries whose indexed words include it (matched as a
    phrase, so both databases split it the same way)."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # search_vector: the stored to_tsvector('simple', search_text) that the migration
        # adds next to search_text.
        sql = (
            "SELECT entry_id FROM directory_entrytext "
            "WHERE search_vector @@ phraseto_tsquery('simple', %s)"
        )
    else:
        sql = "SELECT rowid FROM directory_fts WHERE directory_fts MATCH %s"
    found = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # The planner prices a tsvector match like a comparison and scans the whole
            # table once a word is in a sixth of the entries; the GIN index is faster up
            # to about every entry (bench/directory_search.py: 2.5 ms against 20 ms).
            cursor.execute("SET LOCAL enable_seqscan = off")
        for word in words:
            cursor.execute(sql, [word if postgresql else _fts5_phrase(word)])
            found[word] = [pk for (pk,) in cursor.fetchall()]
    return found


def _term_matches(index: snapshot.Snapshot, terms: list[Term]) -> tuple[int, int]:
    """The listed entries whose text holds every term's tokens, and those matching every
    term by its text or, for a term that names badges, by holding one of them."""
    tokens = list(dict.fromkeys(token for term in terms for token in term.tokens))
    matches = index.word_matches([t for t in tokens if len(t) >= 2], _fulltext_ids)
    text = matching = index.everything
    for term in terms:
        found = _text_matches(index, matches, term.tokens, matching)
        text &= found
        if term.badge_codes:
            found |= index.with_any("service", term.badge_codes)
            found |= index.with_any("site_type", term.badge_codes)
        matching &= found
    return text, matching


def _text_matches(
    index: snapshot.Snapshot,
    matches: dict[str, tuple[bool, int]],
    tokens: tuple[str, ...],
    candidates: int,
) -> int:
    """Those of the candidates whose text holds every token, by the full-text index or by
    LIKE.

    A token of two or more characters that the index knows as a word is matched there
    (each token's matches are kept with the snapshot, so a word already searched costs no
    query until the index changes). Any other token falls back to LIKE, which runs on the
    snapshot's copy of the entry texts (the base table's text, never the FTS table's).
    """
    found = candidates
    unworded = []
    for token in tokens:
        known, holding = matches.get(token, (False, 0))
        if known:
            found &= holding
        else:
            unworded.append(token)
    return index.containing(found, unworded) if unworded and found else found


# Filters


def _base_filter(
    index: snapshot.Snapshot, params: SearchParams, terms: list[Term]
) -> tuple[int, int]:
    """The entries whose text matches every term, and those matching the terms (by text or
    badge) and the filters that are not facets."""
    text, entries = _term_matches(index, terms) if terms else (0, index.everything)
    if params.budget_max is not None:
        entries &= index.within_budget(params.budget_max)
    if params.language:
        entries &= index.speaking(params.language)
    if params.accepting is not None:
        entries &= index.accepting if params.accepting else ~index.accepting
    return text, entries


def _facet_filters(index: snapshot.Snapshot, params: SearchParams) -> dict[str, int]:
    """The chosen facet filters; within one facet any chosen value will do."""
    chosen = {
        facet: index.with_any(facet, values)
        for facet, values in (
            ("service", params.services),
            ("site_type", params.site_types),
            ("prefecture", params.prefectures),
        )
        if values
    }
    if params.rank:
        chosen["rank"] = index.at_least_rank(ranking.RANK_LEVELS.get(params.rank, 0))
    return chosen


# Reasons


def _hits(
    ranked: list[tuple[DirectoryEntry, int]],
    badges: dict[int, list[HitBadge]],
    params: SearchParams,
    query: snapshot.Query,
    text_matched: set[int],
) -> list[Hit]:
    return [
        Hit(
            entry=entry,
            score=score,
            badges=badges.get(entry.pk, []),
            reasons=_reasons(
                entry,
                badges.get(entry.pk, []),
                params.q,
                query,
                entry.pk in text_matched,
            ),
        )
        for entry, score in ranked
    ]


def _reasons(
    entry: DirectoryEntry,
    badges: list[HitBadge],
    q: str,
    query: snapshot.Query,
    text_matched: bool,
) -> list[str]:
    """Why the entry is where it is. The words are explained as a text match only where the
    text holds them all; a partner found through a badge the words name is explained by
    its evidence for that badge."""
    reasons = []
    if text_matched:
        reasons.append(
            ranking.text_reason(
                terms=q.strip(),
                in_headline=all(token in entry.headline_text for token in query.tokens),
            )
        )
    requested = [b for b in badges if b.code in query.badge_codes]
    strongest = sorted(badges, key=lambda b: (-b.points, b.code))[:2]
    for badge in requested or strongest:
        reasons.append(
            ranking.badge_reason(
                badge_name=badge.name,
                evidence_count=badge.evidence_count,
                last_verified_at=badge.last_verified_at,
            )
        )
    if entry.rank_level > 0:
        reasons.append(ranking.rank_reason(rank_label=str(list(Rank)[entry.rank_level].label)))
    if entry.median_response_hours is not None and entry.acceptance_rate is not None:
        reasons.append(
            ranking.responsiveness_reason(
                median_response_hours=entry.median_response_hours,
                acceptance_rate=entry.acceptance_rate,
            )
        )
    if entry.review_count and entry.review_average is not None:
        reasons.append(
            ranking.review_reason(
                review_count=entry.review_count, review_average=entry.review_average
            )
        )
    if entry.stale:
        reasons.append(ranking.stale_reason())
    if not entry.accepting:
        reasons.append(ranking.not_accepting_reason())
    return reasons


# Leads


def recommended_partner_ids(lead: Any, *, exclude: list[int], limit: int) -> list[int]:
    """The best eligible partners for a lead, by the same ranking as the search.

    Eligible: listed, accepting new clients, minimum budget within the lead's, and serving
    the lead's prefecture or working remotely. The services asked for rank, not filter.
    """
    index = snapshot.current()
    remote = LeadPreferences.objects.filter(works_remotely=True).values_list(
        "partner_id", flat=True
    )
    eligible = (
        index.accepting
        & index.within_budget(lead.budget)
        & (index.with_any("prefecture", [lead.prefecture]) | index.ids_to_bits(remote))
        & ~index.ids_to_bits(exclude)
    )
    badges = tuple(lead.services.values_list("code", flat=True))
    if lead.site_type:
        badges += (lead.site_type.code,)
    query = snapshot.Query(badge_codes=badges, bonus=focus_bonus(badges))
    ranked = index.top(eligible, query, limit)
    return [pk for pk, _score in ranked]


def guild_suggested_partner_ids(
    lead: Any, *, initiator_id: int, exclude: list[int], limit: int
) -> list[int]:
    """Partners to invite into a guild, by the same ranking as the search (never the fee,
    never the name): those with a verified badge the lead needs and the initiator lacks,
    ranked on their evidence for exactly those badges. When the initiator already covers
    every badge asked for, those with any of them."""
    index = snapshot.current()
    needed = set(lead.services.values_list("code", flat=True))
    if lead.site_type:
        needed.add(lead.site_type.code)
    have = set(EntryBadge.objects.filter(entry_id=initiator_id).values_list("code", flat=True))
    wanted = tuple(sorted(needed - have or needed))
    if not wanted:
        return []
    covering = index.with_any("service", wanted) | index.with_any("site_type", wanted)
    eligible = index.accepting & covering & ~index.ids_to_bits([*exclude, initiator_id])
    ranked = index.top(eligible, snapshot.Query(badge_codes=wanted), limit)
    return [pk for pk, _score in ranked]


def lead_suggested_partner_ids(
    *, chosen: list[int], params: SearchParams | None, limit: int
) -> list[int]:
    """Partners a merchant may add to a lead next to those chosen: accepting new clients,
    first from the search the merchant came from (`params`, by its ranking), then those
    holding a verified badge of a chosen partner, ranked on those badges."""
    suggested: list[int] = []
    if params is not None:
        # The search itself (not its parts), so the suggestions follow it as it changes.
        found = search(replace(params, accepting=True, page=1, page_size=limit + len(chosen)))
        suggested += [hit.entry.pk for hit in found.hits if hit.entry.pk not in chosen][:limit]
    index = snapshot.current()
    candidates = index.accepting & ~index.ids_to_bits(chosen)
    codes = tuple(sorted({badge.code for pk in chosen for badge in index.badges_of(pk)}))
    if codes and len(suggested) < limit:
        similar = index.with_any("service", codes) | index.with_any("site_type", codes)
        rest = similar & candidates & ~index.ids_to_bits(suggested)
        ranked = index.top(rest, snapshot.Query(badge_codes=codes), limit - len(suggested))
        suggested += [pk for pk, _score in ranked]
    return suggested


def focus_bonus(badge_codes: tuple[str, ...]) -> dict[int, int]:
    """Points per partner whose stated focus (注力分野) covers the lead's badges: the
    recommendation weight times 1000 for a partner focused on all of them, a share for some.

    Only recommendations use this; what a partner wants to do is not evidence of what it
    did, so the search ranking never reads it.
    """
    weight = settings.KIZUNA_RECOMMENDATION_FOCUS_WEIGHT
    if not badge_codes or not weight:
        return {}
    matches = (
        PartnerProfile.focus_badges.through.objects.filter(badge__code__in=badge_codes)
        .values("partnerprofile_id")
        .annotate(found=Count("badge_id"))
    )
    return {
        row["partnerprofile_id"]: weight * ranking.FULL * row["found"] // len(badge_codes)
        for row in matches
    }
