"""Japanese text normalization, shared by everything that is searched or matched.

normalize_ja() turns the spellings a person might type for the same word into one form:
full-width letters and half-width kana (NFKC), okurigana and long-vowel variants
(SudachiPy's normalized form: サーバ -> サーバー, 引越し -> 引っ越し), case, and
punctuation. The result is space-separated tokens, ready for FTS5 or to_tsvector.
"""

import threading
import unicodedata
from functools import lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

_local = threading.local()

# Sudachi part-of-speech classes that carry no searchable meaning.
_DROPPED_POS = {"補助記号", "空白"}


def _tokenizer() -> Any:
    # A Sudachi tokenizer is not thread-safe: one per thread, built on first use.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().create(SplitMode.A)
    return tokenizer


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _is_punctuation(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in token)


@lru_cache(maxsize=50_000)
def normalize_ja(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return ""
    tokens = []
    for morpheme in _tokenizer().tokenize(text):
        if morpheme.part_of_speech()[0] in _DROPPED_POS:
            continue
        token = morpheme.normalized_form().lower()
        if token and not _is_punctuation(token):
            tokens.append(token)
    return " ".join(tokens)
