"""The directory search: full text through normalize_ja, filters, facets, fair ranking.

Text (DESIGN.md, Search): the query is normalized like the indexed text and split into
tokens, all of which must match. A token of two or more characters that the full-text
index knows is matched there (SQLite FTS5 / PostgreSQL tsvector, each as a phrase so both
databases tokenize it the same way); a one-character token, or one the index does not
know as a word (part of a longer word), falls back to LIKE on the entry table. Facet
counts are plain SQL over the same entries, each leaving its own filter out.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
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
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from kizuna.core.text import normalize_ja
from kizuna.directory.models import DirectoryEntry, EntryBadge, EntryPrefecture
from kizuna.directory.services import ranking
from kizuna.partners.models import BadgeFamily, Rank

FACETS = ("service", "site_type", "prefecture", "rank")
MAX_PAGE_SIZE = 100
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


@dataclass
class Hit:
    entry: DirectoryEntry
    score: int
    badges: list[EntryBadge]
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
    """The query as normalized tokens, each once, in the order typed."""
    return list(dict.fromkeys(normalize_ja(q).split()))[:MAX_TOKENS]


def search(params: SearchParams, *, today: date | None = None) -> SearchResult:
    tokens = query_tokens(params.q)
    text = _text_filter(tokens)
    matching = _filtered(params, text)
    count = matching.count()
    offset = (params.page - 1) * params.page_size
    ranked = list(
        _ranked(matching, params, tokens, today).select_related("partner__organization")[
            offset : offset + params.page_size
        ]
    )
    return SearchResult(
        params=params,
        count=count,
        hits=_hits(ranked, params, tokens),
        facets={facet: _facet_counts(facet, params, text) for facet in FACETS},
    )


def explain(entry: DirectoryEntry) -> list[str]:
    """The reasons shown on a partner's own page, for no query in particular."""
    badges = list(entry.badges.select_related("badge"))
    return _reasons(entry, badges, SearchParams(), [])


# Text


class _TsMatch(Func):
    """to_tsvector('simple', search_text) @@ the tokens, each a phrase (PostgreSQL)."""

    output_field = BooleanField()

    def __init__(self, tokens: list[str]) -> None:
        super().__init__(F("search_text"))
        self.tokens = tokens

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        query = " && ".join(["phraseto_tsquery('simple', %s)"] * len(self.tokens))
        return f"to_tsvector('simple', {column}) @@ ({query})", [*params, *self.tokens]


def _fts5_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fulltext(tokens: list[str]) -> Q:
    if connection.vendor == "postgresql":
        return Q(_TsMatch(tokens))
    expression = " AND ".join(map(_fts5_phrase, tokens))
    return Q(
        pk__in=RawSQL("SELECT rowid FROM directory_fts WHERE directory_fts MATCH %s", [expression])
    )


def _indexed_as_word(token: str) -> bool:
    return DirectoryEntry.objects.filter(_fulltext([token])).exists()


def _text_filter(tokens: list[str]) -> Q:
    worded = [t for t in tokens if len(t) >= 2 and _indexed_as_word(t)]
    condition = _fulltext(worded) if worded else Q()
    for token in tokens:
        if token not in worded:
            condition &= Q(search_text__contains=token)
    return condition


# Filters


def _filtered(params: SearchParams, text: Q, *, leave_out: str = "") -> QuerySet[DirectoryEntry]:
    entries = DirectoryEntry.objects.filter(text, listed=True)
    if params.services and leave_out != "service":
        entries = entries.filter(pk__in=_having_badges(params.services, BadgeFamily.WORK))
    if params.site_types and leave_out != "site_type":
        entries = entries.filter(pk__in=_having_badges(params.site_types, BadgeFamily.SITE_TYPE))
    if params.prefectures and leave_out != "prefecture":
        entries = entries.filter(
            pk__in=EntryPrefecture.objects.filter(code__in=params.prefectures).values("entry_id")
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


def _having_badges(codes: tuple[str, ...], family: str) -> QuerySet[EntryBadge]:
    # Within one facet any of the chosen badges will do; facets combine with AND.
    return EntryBadge.objects.filter(code__in=codes, family=family).values("entry_id")


def _facet_counts(facet: str, params: SearchParams, text: Q) -> dict[str, int]:
    entries = _filtered(params, text, leave_out=facet).values("pk")
    if facet == "rank":
        rows = (
            DirectoryEntry.objects.filter(pk__in=entries)
            .values_list("rank_level")
            .annotate(n=Count("pk"))
        )
        levels = dict(rows)
        return {rank.value: levels.get(i, 0) for i, rank in enumerate(Rank) if levels.get(i)}
    if facet == "prefecture":
        counted: QuerySet[Any] = EntryPrefecture.objects.filter(entry_id__in=entries)
    else:
        family = BadgeFamily.WORK if facet == "service" else BadgeFamily.SITE_TYPE
        counted = EntryBadge.objects.filter(entry_id__in=entries, family=family)
    return dict(counted.values_list("code").annotate(n=Count("entry_id")).order_by("code"))


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
        tie=(F("pk") * a + b) % ranking.TIE_MODULUS,
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


def _hits(entries: list[DirectoryEntry], params: SearchParams, tokens: list[str]) -> list[Hit]:
    badges: dict[int, list[EntryBadge]] = {entry.pk: [] for entry in entries}
    for badge in EntryBadge.objects.filter(entry_id__in=list(badges)).select_related("badge"):
        badges[badge.entry_id].append(badge)
    return [
        Hit(
            entry=entry,
            score=entry.score,  # type: ignore[attr-defined]
            badges=badges[entry.pk],
            reasons=_reasons(entry, badges[entry.pk], params, tokens),
        )
        for entry in entries
    ]


def _reasons(
    entry: DirectoryEntry, badges: list[EntryBadge], params: SearchParams, tokens: list[str]
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
                badge_name=badge.badge.name,
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
        _filtered(SearchParams(budget_max=lead.budget, accepting=True), Q())
        .filter(
            Q(pk__in=EntryPrefecture.objects.filter(code=lead.prefecture).values("entry_id"))
            | Q(partner__lead_preferences__works_remotely=True)
        )
        .exclude(pk__in=exclude)
    )
    return list(_ranked(eligible, params, [], None).values_list("pk", flat=True)[:limit])
