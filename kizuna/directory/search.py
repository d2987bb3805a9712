"""The directory search: full text through normalize_ja, filters, facets, fair ranking.

Text (DESIGN.md, Search): the query is normalized like the indexed text and split into
tokens, all of which must match. A token of two or more characters that the full-text
index knows is matched there (SQLite FTS5 / PostgreSQL tsvector, each as a phrase so both
databases tokenize it the same way); a one-character token, or one the index does not
know as a word (part of a longer word), falls back to LIKE on the entry text table. Facet
counts are plain SQL over the same entries, each leaving its own filter out.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import get_language

from kizuna.core.text import normalize_ja
from kizuna.directory import facets
from kizuna.directory.facets import FACETS, FacetKeys
from kizuna.directory.models import DirectoryEntry, EntryBadge, EntryFacet, EntryText
from kizuna.directory.services import ranking
from kizuna.partners.models import BadgeLevel, Rank

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


@dataclass(frozen=True)
class HitBadge:
    """A badge as a result shows it (plain values: a page of results builds many)."""

    code: str
    family: str
    name_ja: str
    name_en: str
    level: int
    evidence_count: int
    last_verified_at: datetime | None
    points: int

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja

    @property
    def level_label(self) -> str:
        return str(BadgeLevel(self.level).label)


def entry_badges(entry_ids: list[int]) -> dict[int, list[HitBadge]]:
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


@dataclass
class SearchResult:
    params: SearchParams
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))


def query_tokens(q: str) -> list[str]:
    """The query as normalized tokens, each once, in the order typed.

    A one-character term is kept as typed (after NFKC): on its own, Sudachi reads a lone
    kanji as a word of its own (在 becomes 有る), while the merchant means the character,
    which the LIKE fallback then finds inside longer words (在庫).
    """
    tokens: list[str] = []
    for term in q.split():
        character = unicodedata.normalize("NFKC", term).lower()
        if len(character) == 1:
            if normalize_ja(character):  # a lone punctuation mark searches nothing
                tokens.append(character)
        else:
            tokens.extend(normalize_ja(term).split())
    return list(dict.fromkeys(tokens))[:MAX_TOKENS]


def search(params: SearchParams, *, today: date | None = None) -> SearchResult:
    tokens = query_tokens(params.q)
    text = _text_filter(tokens)
    keys = FacetKeys.load()
    matching = _filtered(params, text, keys)
    offset = (params.page - 1) * params.page_size
    # Rank on the narrow entry rows only, counting the matches in the same pass.
    page = list(
        _ranked(matching, params, tokens, today)
        .annotate(total=Window(Count("pk")))
        .values_list("pk", "score", "total")[offset : offset + params.page_size]
    )
    count = page[0][2] if page else matching.count()
    entries = DirectoryEntry.objects.select_related("partner__organization").in_bulk(
        [pk for pk, _score, _total in page]
    )
    return SearchResult(
        params=params,
        count=count,
        hits=_hits([(entries[pk], score) for pk, score, _total in page], params, tokens),
        facets=_facet_counts(params, text, keys),
    )


def explain(entry: DirectoryEntry) -> list[str]:
    """The reasons shown on a partner's own page, for no query in particular."""
    return _reasons(entry, entry_badges([entry.pk])[entry.pk], SearchParams(), [])


# Text


class _TsMatch(Func):
    """search_vector @@ the tokens, each a phrase (PostgreSQL).

    search_vector is the stored to_tsvector('simple', search_text) the migration adds
    next to search_text (the model does not declare it: PostgreSQL fills it).
    """

    output_field = BooleanField()

    def __init__(self, tokens: list[str]) -> None:
        super().__init__(F("search_text"))
        self.tokens = tokens

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        vector = column.removesuffix('"search_text"') + '"search_vector"'
        query = " && ".join(["phraseto_tsquery('simple', %s)"] * len(self.tokens))
        return f"{vector} @@ ({query})", (*params, *self.tokens)


def _fts5_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fulltext(tokens: list[str], *, id_field: str = "entry_id") -> Q:
    """Rows whose indexed words include every token, by their entry id in `id_field`."""
    if connection.vendor == "postgresql":
        matching = EntryText.objects.filter(_TsMatch(tokens)).values("entry_id")
        return Q(**{f"{id_field}__in": matching})
    expression = " AND ".join(map(_fts5_phrase, tokens))
    fts = RawSQL("SELECT rowid FROM directory_fts WHERE directory_fts MATCH %s", [expression])
    return Q(**{f"{id_field}__in": fts})


def _indexed_as_word(token: str) -> bool:
    return EntryText.objects.filter(_fulltext([token])).exists()


def _text_filter(tokens: list[str]) -> Q:
    """A condition on entries: every token found, by the full-text index or by LIKE."""
    if not tokens:
        return Q()
    worded = [t for t in tokens if len(t) >= 2 and _indexed_as_word(t)]
    unworded = [t for t in tokens if t not in worded]
    if not unworded:
        # The full-text index alone decides: no need to read the text rows.
        return _fulltext(worded, id_field="pk")
    texts = EntryText.objects.filter(_fulltext(worded)) if worded else EntryText.objects.all()
    for token in unworded:
        texts = texts.filter(search_text__contains=token)
    return Q(pk__in=texts.values("entry_id"))


# Filters


def _filtered(
    params: SearchParams, text: Q, keys: FacetKeys, *, leave_out: str = ""
) -> QuerySet[DirectoryEntry]:
    entries = DirectoryEntry.objects.filter(text, listed=True)
    for facet, values in (
        ("service", params.services),
        ("site_type", params.site_types),
        ("prefecture", params.prefectures),
    ):
        # Within one facet any of the chosen values will do; facets combine with AND.
        if values and leave_out != facet:
            entries = entries.filter(
                pk__in=EntryFacet.objects.filter(key__in=keys.encode(facet, values)).values(
                    "entry_id"
                )
            )
    if params.rank and leave_out != "rank":
        entries = entries.filter(rank_level__gte=ranking.RANK_LEVELS.get(params.rank, 0))
    if params.budget_max is not None:
        entries = entries.filter(Q(budget_min__lte=params.budget_max) | Q(budget_min__isnull=True))
    if params.language:
        entries = entries.filter(languages__contains=f" {params.language} ")
    if params.accepting is not None:
        entries = entries.filter(accepting=params.accepting)
    return entries


def _active_facets(params: SearchParams) -> set[str]:
    chosen = {
        "service": params.services,
        "site_type": params.site_types,
        "prefecture": params.prefectures,
        "rank": params.rank,
    }
    return {facet for facet, value in chosen.items() if value}


def _facet_counts(params: SearchParams, text: Q, keys: FacetKeys) -> dict[str, dict[str, int]]:
    """Counts per facet value, each facet leaving its own filter out.

    Facets without a filter of their own share one GROUP BY over the matching entries;
    each facet with a filter is counted over the entries matching everything else. The
    join starts from the matching entries, so the work follows the number of matches.
    """
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    active = _active_facets(params)
    groups = [(set(FACETS) - active, "")] + [({facet}, facet) for facet in sorted(active)]
    for wanted, leave_out in groups:
        if not wanted:
            continue
        rows = (
            _filtered(params, text, keys, leave_out=leave_out)
            .values_list("facet_values__key")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for key, n in rows:
            if key is None:
                continue
            facet, value = keys.decode(key)
            if facet in wanted:
                counts[facet][value] = n
    return {facet: dict(sorted(values.items())) for facet, values in counts.items()}


# Ranking


def _ranked(
    entries: QuerySet[DirectoryEntry],
    params: SearchParams,
    tokens: list[str],
    today: date | None,
) -> QuerySet[DirectoryEntry]:
    a, b = ranking.week_tie_factors(today)
    return entries.annotate(
        score=_score(params, tokens),
        # 64-bit arithmetic: id * a overflows PostgreSQL's 32-bit integer.
        tie=(Cast("pk", BigIntegerField()) * a + b) % ranking.TIE_MODULUS,
    ).order_by("-score", "-tie")


def _score(params: SearchParams, tokens: list[str]) -> Any:
    score: Any = F("base_points")
    if tokens:
        per_token = ranking.FULL // len(tokens)
        in_headline = [
            Case(
                When(headline_text__contains=token, then=Value(per_token)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for token in tokens
        ]
        score = score + ranking.weight("text") * sum(in_headline[1:], in_headline[0])
    codes = params.requested_badges
    if codes:
        # Evidence for the badges asked for replaces evidence overall.
        requested = Coalesce(
            Subquery(
                EntryBadge.objects.filter(entry_id=OuterRef("pk"), code__in=codes)
                .values("entry_id")
                .annotate(total=Sum("points"))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        score = score + ranking.weight("evidence") * (requested / len(codes) - F("evidence_points"))
    return score


# Reasons


def _hits(
    ranked: list[tuple[DirectoryEntry, int]], params: SearchParams, tokens: list[str]
) -> list[Hit]:
    badges = entry_badges([entry.pk for entry, _score in ranked])
    return [
        Hit(
            entry=entry,
            score=score,
            badges=badges[entry.pk],
            reasons=_reasons(entry, badges[entry.pk], params, tokens),
        )
        for entry, score in ranked
    ]


def _reasons(
    entry: DirectoryEntry, badges: list[HitBadge], params: SearchParams, tokens: list[str]
) -> list[str]:
    reasons = []
    if tokens:
        reasons.append(
            ranking.text_reason(
                terms=params.q.strip(),
                in_headline=all(token in entry.headline_text for token in tokens),
            )
        )
    requested = [b for b in badges if b.code in params.requested_badges]
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
    return reasons


# Leads


def recommended_partner_ids(lead: Any, *, exclude: list[int], limit: int) -> list[int]:
    """The best eligible partners for a lead, by the same ranking as the search.

    Eligible: listed, accepting new clients, minimum budget within the lead's, and serving
    the lead's prefecture or working remotely. The services asked for rank, not filter.
    """
    params = SearchParams(
        services=tuple(lead.services.values_list("code", flat=True)),
        site_types=(lead.site_type.code,) if lead.site_type else (),
    )
    eligible = (
        _filtered(SearchParams(budget_max=lead.budget, accepting=True), Q(), FacetKeys.load())
        .filter(
            Q(
                pk__in=EntryFacet.objects.filter(key=facets.prefecture_key(lead.prefecture)).values(
                    "entry_id"
                )
            )
            | Q(partner__lead_preferences__works_remotely=True)
        )
        .exclude(pk__in=exclude)
    )
    return list(_ranked(eligible, params, [], None).values_list("pk", flat=True)[:limit])
