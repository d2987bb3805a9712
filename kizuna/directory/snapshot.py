"""The listed part of the directory index, held in memory by each process, as bitmaps.

Why in memory: a search over 10,000 partners filters, counts four facets (each leaving its
own filter out) and ranks, and the whole must take a few milliseconds. In SQL every facet
count is a GROUP BY over the matching entries' facet rows (10-30 ms each on a broad query,
measured with bench/directory_search.py); here a facet value is a bitmap of the entries
that have it, and a count is an AND and a popcount. The full-text match stays in the
database (search._text_matches); filtering, facets and ranking run on this snapshot.

Freshness: services.index changes IndexState's token in the same transaction as every write
to the index, and `current()` reloads when the token it sees differs from the one its
snapshot was loaded under, so a search never ranks on an index older than the last
committed write. A reload reads a few narrow tables (0.14-0.17 s for 10,000 partners),
and the search vocabulary (badge names and staff synonyms, directory.vocabulary), whose
changes renew the token too.
"""

import bisect
import heapq
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import reduce
from operator import and_, or_
from typing import Any, TypeVar

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from kizuna.directory.facets import FACETS, FacetKeys, rank_key
from kizuna.directory.models import SearchSynonym
from kizuna.directory.services import ranking
from kizuna.directory.vocabulary import Vocabulary
from kizuna.partners.models import Badge, BadgeLevel

T = TypeVar("T")

# Below this many matches every match is scored; above it, text-free ranking walks the
# entries in their precomputed order and stops once a page is filled.
DIRECT_SCORING_LIMIT = 1_500
# Words whose matches a snapshot keeps (about 1.3 KB each at 10,000 partners).
WORDS_KEPT = 5_000
# Result rows (entry, partner, organization) a snapshot keeps.
ROWS_KEPT = 2_000
_BITS_OF_BYTE = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


@dataclass(frozen=True, slots=True)
class Listed:
    """What ranking and filtering read of one listed entry."""

    id: int
    base_points: int
    evidence_points: int
    budget_min: int | None
    headline_text: str


@dataclass(frozen=True, slots=True)
class HitBadge:
    """A badge as a result shows it (plain values: a snapshot holds tens of thousands)."""

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


@dataclass(frozen=True)
class Query:
    """What to rank by: the normalized tokens and the badges a merchant asked for.

    `bonus` adds points per entry id; only lead recommendations pass it (the partners'
    stated focus), so a search ranks exactly as if it did not exist.
    """

    tokens: tuple[str, ...] = ()
    badge_codes: tuple[str, ...] = ()
    today: date | None = None
    bonus: dict[int, int] = field(default_factory=dict)


def _text_bonus(found: int, tokens: int) -> int:
    """Text relevance: each of the query's tokens found in the name or summary counts."""
    return ranking.weight("text") * (ranking.FULL // tokens) * found if tokens else 0


def bits_of(positions: Iterable[int], size: int) -> int:
    """A bitmap (an int) with the given positions set."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def positions_of(bits: int) -> list[int]:
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    positions: list[int] = []
    for index, byte in enumerate(data):
        if byte:
            positions.extend(index * 8 + bit for bit in _BITS_OF_BYTE[byte])
    return positions


class Snapshot:
    def __init__(
        self,
        token: str,
        entries: list[Listed],
        accepting: list[bool],
        languages: list[str],
        texts: list[str],
        facet_rows: Iterable[tuple[int, int]],
        badge_rows: Iterable[tuple[Any, ...]],
        catalog: dict[str, tuple[str, str, str]],
        keys: FacetKeys,
        vocabulary: Vocabulary,
    ) -> None:
        self.token = token
        self.keys = keys
        self.vocabulary = vocabulary
        self.entries = entries
        self.texts = texts
        self.size = len(entries)
        self.position = {entry.id: n for n, entry in enumerate(entries)}
        self.everything = (1 << self.size) - 1
        self.accepting = bits_of((n for n, yes in enumerate(accepting) if yes), self.size)
        self.languages = self._group_bits(
            (language, n) for n, spoken in enumerate(languages) for language in spoken.split()
        )
        self.facets = self._group_bits(
            (key, self.position[entry_id])
            for entry_id, key in facet_rows
            if entry_id in self.position
        )
        self.facet_values = {key: keys.decode(key) for key in self.facets}
        self.catalog = catalog  # badge code -> (family, name_ja, name_en)
        self.badge_points: dict[str, dict[int, int]] = {}
        self._badges: dict[int, list[tuple[Any, ...]]] = {}
        for entry_id, *badge in badge_rows:
            code, points = badge[0], badge[-1]
            self.badge_points.setdefault(code, {})[entry_id] = points
            self._badges.setdefault(entry_id, []).append(tuple(badge))
        self._budget_steps, self._budget_bits, self._no_budget = self._budget_index()
        self._orders: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._headlines: dict[str, int] = {}
        self._words: dict[str, tuple[bool, int]] = {}
        self._rows: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _group_bits(self, pairs: Iterable[tuple[object, int]]) -> dict:
        groups: dict[object, list[int]] = {}
        for name, position in pairs:
            groups.setdefault(name, []).append(position)
        return {name: bits_of(positions, self.size) for name, positions in groups.items()}

    def _budget_index(self) -> tuple[list[int], list[int], int]:
        """For each distinct minimum budget, the entries whose minimum is at most that."""
        by_budget: dict[int, list[int]] = {}
        no_budget = []
        for n, entry in enumerate(self.entries):
            if entry.budget_min is None:
                no_budget.append(n)
            else:
                by_budget.setdefault(entry.budget_min, []).append(n)
        steps = sorted(by_budget)
        cumulative, at_most = 0, []
        for step in steps:
            cumulative |= bits_of(by_budget[step], self.size)
            at_most.append(cumulative)
        return steps, at_most, bits_of(no_budget, self.size)

    def badges_of(self, entry_id: int) -> list[HitBadge]:
        """The entry's badges as a result shows them, strongest first within each family."""
        badges = []
        for code, level, count, last_verified, points in self._badges.get(entry_id, []):
            family, name_ja, name_en = self.catalog[code]
            badges.append(
                HitBadge(
                    code, family, name_ja, name_en, level, count, _moment(last_verified), points
                )
            )
        return badges

    # Filters

    def entry_ids(self, bits: int) -> list[int]:
        return [self.entries[n].id for n in positions_of(bits)]

    def ids_to_bits(self, ids: Iterable[int]) -> int:
        position = self.position
        return bits_of((position[pk] for pk in ids if pk in position), self.size)

    def within_budget(self, budget: int) -> int:
        """Entries whose minimum budget is at most `budget`, or who state none."""
        step = bisect.bisect_right(self._budget_steps, budget)
        return self._no_budget | (self._budget_bits[step - 1] if step else 0)

    def word_matches(
        self, words: list[str], fetch: Callable[[list[str]], dict[str, list[int]]]
    ) -> dict[str, tuple[bool, int]]:
        """For each word, whether the full-text index knows it (in any entry, listed or
        not) and the listed entries holding it; `fetch` asks the index, in one go, for the
        words not asked since the snapshot was loaded."""

        def matches(missing: list[str]) -> dict[str, tuple[bool, int]]:
            found = fetch(missing)
            return {word: (bool(ids), self.ids_to_bits(ids)) for word, ids in found.items()}

        return self._kept(self._words, words, matches, WORDS_KEPT)

    def result_rows(
        self, ids: list[int], fetch: Callable[[list[int]], dict[int, T]]
    ) -> dict[int, T]:
        """What a result shows of each entry (rows `fetch` reads), kept with the snapshot:
        it changes only with the index, and popular partners come up in search after search."""
        return self._kept(self._rows, ids, fetch, ROWS_KEPT)

    def _kept(
        self,
        store: dict[Any, Any],
        keys: list[Any],
        fetch: Callable[[list[Any]], dict[Any, Any]],
        limit: int,
    ) -> dict[Any, Any]:
        """Values from `store`, with those missing fetched in one go and kept (up to `limit`)."""
        with self._lock:
            found = {key: store[key] for key in keys if key in store}
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = fetch(missing)
            with self._lock:
                if len(store) + len(fetched) > limit:
                    store.clear()
                store.update(fetched)
            found.update(fetched)
        return found

    def containing(self, candidates: int, tokens: list[str]) -> int:
        """Those of the candidates whose text holds every token anywhere (LIKE '%token%')."""
        texts = self.texts
        return bits_of(
            (n for n in positions_of(candidates) if all(t in texts[n] for t in tokens)),
            self.size,
        )

    def speaking(self, language: str) -> int:
        return self.languages.get(language, 0)

    def with_any(self, facet: str, values: Iterable[str]) -> int:
        """Entries with any of the facet's values (a filter within one facet is an OR)."""
        keys = self.keys.encode(facet, tuple(values))
        return reduce(or_, (self.facets.get(key, 0) for key in keys), 0)

    def at_least_rank(self, level: int) -> int:
        levels = range(level, len(ranking.RANK_CODES))
        return reduce(or_, (self.facets.get(rank_key(n), 0) for n in levels), 0)

    def facet_counts(self, base: int, chosen: dict[str, int]) -> dict[str, dict[str, int]]:
        """Per facet value, how many entries in `base` match every chosen filter but the
        facet's own."""
        scopes = {
            facet: reduce(and_, (bits for name, bits in chosen.items() if name != facet), base)
            for facet in FACETS
        }
        counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for key, bits in self.facets.items():
            facet, value = self.facet_values[key]
            found = (scopes[facet] & bits).bit_count()
            if found:
                counts[facet][value] = found
        return {facet: dict(sorted(values.items())) for facet, values in counts.items()}

    # Ranking

    def top(self, matching: int, query: Query, limit: int) -> list[tuple[int, int]]:
        """The best `limit` matching entries as (entry id, score), best first; partners
        accepting new clients before those who are not, each group in the order of its score.

        Score (services.ranking): the stored query-independent points, plus text relevance
        (each token found in the name or summary), plus the evidence for the badges asked
        for in place of evidence overall. Ties go to the week's rotation key, never the name.
        """
        first = self._top_scored(matching & self.accepting, query, limit)
        return first + self._top_scored(matching & ~self.accepting, query, limit - len(first))

    def _top_scored(self, matching: int, query: Query, limit: int) -> list[tuple[int, int]]:
        if limit <= 0 or not matching:
            return []
        tie = self._tie_key(query.today)
        if query.badge_codes or query.bonus or matching.bit_count() <= DIRECT_SCORING_LIMIT:
            scored = ((self._score(n, query), n) for n in positions_of(matching))
            best = heapq.nlargest(limit, scored, key=lambda item: (item[0], tie(item[1])))
            return [(self.entries[n].id, score) for score, n in best]
        return self._top_by_text_groups(matching, query, limit)

    def _score(self, position: int, query: Query) -> int:
        entry = self.entries[position]
        score = entry.base_points + self._text_points(entry.headline_text, query.tokens)
        score += query.bonus.get(entry.id, 0)
        codes = query.badge_codes
        if codes:
            requested = sum(self.badge_points.get(code, {}).get(entry.id, 0) for code in codes)
            score += ranking.weight("evidence") * (requested // len(codes) - entry.evidence_points)
        return score

    @staticmethod
    def _text_points(headline: str, tokens: tuple[str, ...]) -> int:
        return _text_bonus(sum(token in headline for token in tokens), len(tokens))

    def _top_by_text_groups(self, matching: int, query: Query, limit: int) -> list[tuple[int, int]]:
        """Without badges asked for, the score is the stored points plus a bonus per token
        found in the headline: within each group of equal bonus the stored order holds, so
        each group is read in that order only until a page is filled."""
        ordered = self._order(query.today)
        tie = self._tie_key(query.today)
        candidates = []
        for found, group in self._headline_groups(matching, query.tokens).items():
            bonus = _text_bonus(found, len(query.tokens))
            for n in self._first_in_order(group, ordered, limit):
                candidates.append((self.entries[n].base_points + bonus, n))
        best = heapq.nlargest(limit, candidates, key=lambda item: (item[0], tie(item[1])))
        return [(self.entries[n].id, score) for score, n in best]

    def _headline_groups(self, matching: int, tokens: tuple[str, ...]) -> dict[int, int]:
        """The matching entries by how many tokens their headline holds."""
        groups = {0: matching}
        for token in tokens:
            has = self._headline_bits(token)
            groups = {
                found: (groups.get(found, 0) & ~has) | (groups.get(found - 1, 0) & has)
                for found in range(len(groups) + 1)
            }
        return {found: bits for found, bits in groups.items() if bits}

    def _headline_bits(self, token: str) -> int:
        with self._lock:
            if token not in self._headlines:
                if len(self._headlines) > 1_000:
                    self._headlines.clear()
                self._headlines[token] = bits_of(
                    (n for n, entry in enumerate(self.entries) if token in entry.headline_text),
                    self.size,
                )
            return self._headlines[token]

    def _first_in_order(
        self, group: int, ordered: tuple[list[int], list[int]], limit: int
    ) -> list[int]:
        order, place = ordered
        if group.bit_count() <= DIRECT_SCORING_LIMIT:
            return sorted(positions_of(group), key=place.__getitem__)[:limit]
        members = group.to_bytes((self.size + 7) // 8, "little")
        taken = []
        for n in order:
            if members[n >> 3] >> (n & 7) & 1:
                taken.append(n)
                if len(taken) == limit:
                    break
        return taken

    def _tie_key(self, today: date | None) -> Callable[[int], int]:
        a, b = ranking.week_tie_factors(today)
        entries = self.entries
        return lambda n: (entries[n].id * a + b) % ranking.TIE_MODULUS

    def _order(self, today: date | None) -> tuple[list[int], list[int]]:
        """Every position by stored points then the week's tie key, best first; and each
        position's place in that order."""
        factors = ranking.week_tie_factors(today)
        with self._lock:
            if factors not in self._orders:
                tie = self._tie_key(today)
                order = sorted(
                    range(self.size),
                    key=lambda n: (self.entries[n].base_points, tie(n)),
                    reverse=True,
                )
                place = [0] * self.size
                for rank, n in enumerate(order):
                    place[n] = rank
                self._orders = {factors: (order, place)}  # one week at a time
            return self._orders[factors]


def load(token: str) -> Snapshot:
    # Plain cursors: these are tens of thousands of rows of integers, and the ORM's
    # per-row work would be most of a reload.
    entries, accepting, languages, texts = [], [], [], []
    for pk, base, evidence, budget, headline, takes_clients, spoken, text in _rows(
        "SELECT e.id, e.base_points, e.evidence_points, e.budget_min, e.headline_text, "
        "e.accepting, e.languages, COALESCE(t.search_text, '') FROM directory_directoryentry e "
        "LEFT JOIN directory_entrytext t ON t.entry_id = e.id WHERE e.listed ORDER BY e.id"
    ):
        entries.append(Listed(pk, base, evidence, budget, headline))
        accepting.append(bool(takes_clients))
        languages.append(spoken)
        texts.append(text)
    return Snapshot(
        token,
        entries,
        accepting,
        languages,
        texts,
        _rows("SELECT entry_id, key FROM directory_entryfacet"),
        _rows(
            # In the order a result lists them: strongest first within each family.
            "SELECT entry_id, code, level, evidence_count, last_verified_at, points "
            "FROM directory_entrybadge ORDER BY family, level DESC, code"
        ),
        {
            code: (family, name_ja, name_en)
            for code, family, name_ja, name_en in Badge.objects.values_list(
                "code", "family", "name_ja", "name_en"
            )
        },
        FacetKeys.load(),
        Vocabulary.build(
            Badge.objects.filter(retired_at__isnull=True).values_list("code", "name_ja", "name_en"),
            SearchSynonym.objects.values_list("term", "badge__code"),
        ),
    )


def _moment(value: datetime | None) -> datetime | None:
    """A timestamp read through a plain cursor: SQLite gives it without its zone (UTC)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


_cached: Snapshot | None = None
_loading = threading.Lock()


def current() -> Snapshot:
    """This process's snapshot, reloaded if the index changed since it was taken."""
    global _cached
    with connection.cursor() as cursor:  # once per search: without the ORM's overhead
        cursor.execute("SELECT token FROM directory_indexstate WHERE id = 1")
        row = cursor.fetchone()
    token = row[0] if row else ""
    snapshot = _cached
    if snapshot is not None and snapshot.token == token:
        return snapshot
    with _loading:
        if _cached is None or _cached.token != token:
            _cached = load(token)
        return _cached
