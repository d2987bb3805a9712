"""Words that name a badge: a keyword search reads them as the badge as well as text.

A merchant types サブスク, or 定期販売 itself, where the directory has a filter 定期販売:
the word must find the partners holding that badge even when their profiles say it in
other words. The vocabulary is every listed badge's names (ja, en, and the name without
its bracketed part: マルチテナント for マルチテナント(モール)) and the staff's synonyms
(SearchSynonym). Everything is split into tokens exactly as a query is (`tokens_of`), and
a run of query tokens that spells a vocabulary entry becomes one term that matches the
badge's partners OR the text (search._text_matches).

The vocabulary is part of the search snapshot, so a change of the synonyms renews the
index token (services.synonyms) and every process reads the new list at its next search.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kizuna.core.text import normalize_ja

_BRACKETED = re.compile(r"\s*[(（][^()（）]*[)）]\s*")


def tokens_of(text: str) -> list[str]:
    """Text as the normalized tokens a search matches, in order, repeats kept.

    A one-character word is kept as typed (after NFKC): on its own, Sudachi reads a lone
    kanji as a word of its own (在 becomes 有る), while the merchant means the character,
    which the LIKE fallback then finds inside longer words (在庫).
    """
    tokens: list[str] = []
    for word in text.split():
        character = unicodedata.normalize("NFKC", word).lower()
        if len(character) == 1:
            if normalize_ja(character):  # a lone punctuation mark searches nothing
                tokens.append(character)
        else:
            tokens.extend(normalize_ja(word).split())
    return tokens


@dataclass(frozen=True)
class Term:
    """What one part of a query must match: its tokens in the text, or (when it names a
    badge) any of `badge_codes`. `spelling` is the vocabulary's word it was read as."""

    tokens: tuple[str, ...]
    badge_codes: tuple[str, ...] = ()
    spelling: str = ""


@dataclass(frozen=True)
class Reading:
    spelling: str
    badge_codes: tuple[str, ...]


class Vocabulary:
    def __init__(self, readings: dict[tuple[str, ...], Reading]) -> None:
        self._readings = readings
        self._longest = max(map(len, readings), default=0)

    @classmethod
    def build(
        cls, badges: Iterable[tuple[str, str, str]], synonyms: Iterable[tuple[str, str]]
    ) -> "Vocabulary":
        """From (code, name_ja, name_en) of the listed badges and (word, code) synonyms.
        A word that spells several badges reads as all of them."""
        spellings: list[tuple[str, str]] = []
        for code, name_ja, name_en in badges:
            for name in (name_ja, name_en):
                spellings += [(name, code), (_BRACKETED.sub(" ", name).strip(), code)]
        known = {code for _word, code in spellings}
        spellings += [(word, code) for word, code in synonyms if code in known]
        readings: dict[tuple[str, ...], Reading] = {}
        for word, code in spellings:
            key = tuple(tokens_of(word))
            if not key:
                continue
            found = readings.get(key, Reading(word, ()))
            if code not in found.badge_codes:
                readings[key] = Reading(found.spelling, (*found.badge_codes, code))
        return cls(readings)

    def terms(self, tokens: list[str]) -> list[Term]:
        """The query's tokens grouped into terms: from the left, the longest run of tokens
        that spells a badge or a synonym is one term; any other token is a term of its own."""
        terms: list[Term] = []
        start = 0
        while start < len(tokens):
            for end in range(min(len(tokens), start + self._longest), start, -1):
                reading = self._readings.get(tuple(tokens[start:end]))
                if reading is not None:
                    terms.append(
                        Term(tuple(tokens[start:end]), reading.badge_codes, reading.spelling)
                    )
                    start = end
                    break
            else:
                terms.append(Term((tokens[start],)))
                start += 1
        return terms
