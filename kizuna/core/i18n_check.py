"""Check the catalogs; exit 1 on a problem. Used by bin/i18n and tests.

- every Japanese message is translated, none fuzzy;
- one message (same context, same msgid) has the same translation in every app: Django
  merges the apps' catalogs into one, so where two apps disagree the first app in
  INSTALLED_APPS wins on every page, and the other app shows a word it did not choose.
  Where the meanings differ, the message needs a context (pgettext).
"""

import sys
from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def _catalogs(language: str) -> list[tuple[str, polib.POFile]]:
    return [
        (str(path.relative_to(ROOT)), polib.pofile(str(path)))
        for path in sorted(ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po"))
    ]


def untranslated_messages(language: str = "ja") -> list[str]:
    problems = []
    for path, catalog in _catalogs(language):
        for entry in catalog:
            if entry.obsolete:
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                problems.append(f"{path}: {entry.msgid!r}")
    return problems


def _translation(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        return " | ".join(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
    return entry.msgstr


def conflicting_messages(language: str = "ja") -> list[str]:
    """Messages that two apps translate differently, each with every translation and its apps."""
    seen: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, catalog in _catalogs(language):
        app = path.split("/")[0]
        for entry in catalog:
            if entry.obsolete or not entry.translated():
                continue
            key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
            seen[key][_translation(entry)].append(app)
    problems = []
    for (context, msgid, _plural), translations in sorted(seen.items()):
        if len(translations) > 1:
            where = "; ".join(
                f"{text!r} in {', '.join(apps)}" for text, apps in sorted(translations.items())
            )
            label = f"{context}|{msgid}" if context else msgid
            problems.append(f"{label!r}: {where}")
    return problems


if __name__ == "__main__":
    missing = untranslated_messages()
    for line in missing:
        print(f"untranslated: {line}")
    conflicts = conflicting_messages()
    for line in conflicts:
        print(f"translated differently: {line}")
    sys.exit(1 if missing or conflicts else 0)
