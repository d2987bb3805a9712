"""Say which Japanese messages are missing or fuzzy; exit 1 if any. Used by bin/i18n and tests."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def untranslated_messages(language: str = "ja") -> list[str]:
    problems = []
    for path in sorted(ROOT.glob(f"*/locale/{language}/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                problems.append(f"{path.relative_to(ROOT)}: {entry.msgid!r}")
    return problems


if __name__ == "__main__":
    missing = untranslated_messages()
    for line in missing:
        print(f"untranslated: {line}")
    sys.exit(1 if missing else 0)
