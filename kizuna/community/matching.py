"""How members are matched: search text, name keys for merge suggestions, erasure hashes."""

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from kizuna.core.text import normalize_ja

_SEPARATORS = re.compile(r"[\s・･\.\-_]+")
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")


def name_key(name: str) -> str:
    """'佐藤　翔太', '佐藤 翔太' and 'ｻﾄｳ' vs 'サトウ' compare equal after this."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name or "")).lower()


def reading_key(name: str, kana: str = "") -> str:
    """The name's reading in hiragana, when known: from the kana field or a kana-only name.

    This is what lets 'さとう しょうた' and '佐藤 翔太 (サトウ ショウタ)' match.
    """
    for candidate in (kana, name):
        key = name_key(candidate)
        if key and _KANA_ONLY.fullmatch(key):
            return key.translate(_KATAKANA)
    return ""


def member_search_text(names: Iterable[str], handles: Iterable[str]) -> str:
    # Handles and emails are ASCII: lower-casing is enough, and skipping Sudachi keeps
    # bulk imports of many new members fast.
    parts = [normalize_ja(name) for name in names if name]
    parts += [handle.lower() for handle in handles if handle]
    return " ".join(dict.fromkeys(" ".join(parts).split()))


def identifier_hash(kind: str, value: str) -> str:
    """Hash of one identifier ('github:octocat', 'email:a@example.com') for the blocklist."""
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()
