"""Payer names as banks print them, reduced to one comparable key.

A transfer from 株式会社ボブウェブワークス arrives as "ｶ)ﾎﾞﾌﾞｳｴﾌﾞﾜ-ｸｽ" or as
"フリコミ カ）ボブウエブワークス":
half-width kana, upper-case small kana, the company form abbreviated (カ) before the name
for 株式会社…, (カ after it for …株式会社), a "-" for the long vowel, and sometimes the
bank's own prefix. payer_key() makes all of these equal.
"""

import re
import unicodedata

# Company forms as written out and as the abbreviations of zengin transfer names.
_LEGAL_FORMS = {
    "カブシキガイシャ": "カ",
    "カブシキカイシャ": "カ",
    "ユウゲンガイシャ": "ユ",
    "ユウゲンカイシャ": "ユ",
    "ゴウドウガイシャ": "ド",
    "ゴウドウカイシャ": "ド",
    "イッパンシャダンホウジン": "シャ",
    "株式会社": "カ",
    "有限会社": "ユ",
    "合同会社": "ド",
    "一般社団法人": "シャ",
}
_ABBREVIATION = re.compile(r"^(?:カ|ユ|ド|シャ)\)|\((?:カ|ユ|ド|シャ)$")
_BANK_PREFIXES = ("フリコミ", "振込", "カード")
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_DROPPED = re.compile(r"[\s・.,、。\"'「」]")


def _to_katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


def payer_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = _to_katakana(text).upper()
    text = _DROPPED.sub("", text)
    for prefix in _BANK_PREFIXES:
        text = text.removeprefix(prefix)
    for written, abbreviation in _LEGAL_FORMS.items():
        if text.startswith(written):
            text = abbreviation + ")" + text[len(written) :]
        elif text.endswith(written):
            text = text[: -len(written)] + "(" + abbreviation
    text = _ABBREVIATION.sub("", text)
    # Banks print the long vowel as a hyphen; small kana are capitals in transfer names.
    text = text.replace("-", "ー").replace("ｰ", "ー").replace("−", "ー")
    return text.translate(_SMALL_TO_LARGE).replace("(", "").replace(")", "")
