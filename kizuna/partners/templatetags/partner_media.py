"""Partner logos and their stand-in: initials on a colour of the partner's own."""

import hashlib
import re
import unicodedata

from django import template

register = template.Library()

# Legal forms say nothing about who the partner is: 株式会社サクラ is サ, Bob Web Works Inc. BW.
_LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|\((?:株|有)\)"
    r"|\b(?:inc|co|ltd|llc|corp|corporation|company|k\.k)\b\.?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s・,.&/()+-]+")
# How many tile colours partners.css defines (.logo-hue-0 ...).
LOGO_HUES = 8


@register.filter
def initials(name: str) -> str:
    """Two Latin initials (BW), or the first character of a Japanese name (サ)."""
    plain = _LEGAL_FORMS.sub(" ", unicodedata.normalize("NFKC", name or ""))
    words = [word for word in _SEPARATORS.split(plain) if word]
    if not words:
        return "?"
    if words[0][0].isascii():
        return "".join(word[0] for word in words[:2]).upper()
    return words[0][0]


@register.filter
def logo_hue(slug: str) -> int:
    """The same colour for a partner on every page, and different ones side by side."""
    return hashlib.sha256((slug or "").encode()).digest()[0] % LOGO_HUES
