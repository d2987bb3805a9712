"""Facet values as the integers EntryFacet stores: small keys group fast in SQL.

A work or site-type badge is its badge id; a prefecture is PREFECTURE + its JIS number;
a contribution rank is RANK + its level.
"""

from dataclasses import dataclass

from kizuna.directory.services.ranking import RANK_CODES, RANK_LEVELS
from kizuna.partners.models import Badge, BadgeFamily

PREFECTURE = 1_000_000
RANK = 2_000_000
FACETS = ("service", "site_type", "prefecture", "rank")
_FAMILY_FACET: dict[str, str] = {
    BadgeFamily.WORK.value: "service",
    BadgeFamily.SITE_TYPE.value: "site_type",
}


def prefecture_key(code: str) -> int:
    return PREFECTURE + int(code)


def rank_key(level: int) -> int:
    return RANK + level


@dataclass(frozen=True)
class FacetKeys:
    """The badge catalog's codes and ids, read once per search."""

    badges: dict[str, tuple[int, str]]  # code -> (id, facet)
    by_id: dict[int, tuple[str, str]]  # id -> (code, facet)

    @classmethod
    def load(cls) -> "FacetKeys":
        rows = Badge.objects.values_list("code", "pk", "family")
        badges = {code: (pk, _FAMILY_FACET[family]) for code, pk, family in rows}
        return cls(badges, {pk: (code, facet) for code, (pk, facet) in badges.items()})

    def encode(self, facet: str, values: tuple[str, ...] | list[str]) -> list[int]:
        if facet == "prefecture":
            return [prefecture_key(v) for v in values if v.isdigit()]
        if facet == "rank":
            return [rank_key(RANK_LEVELS[v]) for v in values if v in RANK_LEVELS]
        return [self.badges[v][0] for v in values if self.badges.get(v, (0, ""))[1] == facet]

    def decode(self, key: int) -> tuple[str, str]:
        if key >= RANK:
            return "rank", RANK_CODES[key - RANK]
        if key >= PREFECTURE:
            return "prefecture", f"{key - PREFECTURE:02d}"
        code, facet = self.by_id[key]
        return facet, code
