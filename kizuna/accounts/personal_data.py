"""What Kizuna holds about a person, gathered from every app, and its erasure (個人情報保護法).

Each app that stores personal data registers a section in its own `personal_data.py`
(imported at start-up), so the download and the erasure cover all of them:

    personal_data.section("community", export=lambda user: {...}, erase=erase_fn)

`erase(actor, user)` runs inside the erasure's transaction, before the account itself is
anonymized.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any, Any], None] | None


_sections: dict[str, Section] = {}


def section(
    name: str,
    *,
    export: Callable[[Any], Any],
    erase: Callable[[Any, Any], None] | None = None,
) -> None:
    _sections[name] = Section(name, export, erase)


def sections() -> list[Section]:
    return [_sections[name] for name in sorted(_sections)]
