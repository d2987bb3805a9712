"""Whether a stated version falls in an advisory's affected range.

Ranges follow OSV's ECOSYSTEM events: affected from `introduced` (inclusive; "0" means from
the beginning) up to `fixed` (exclusive; absent means not fixed yet). Versions compare as
PEP 440 / semantic versions through `packaging`; a version that cannot be read is treated
as possibly affected, because a security notice that misses a site is worse than one more.
"""

from typing import Any

from packaging.version import InvalidVersion, Version


def _version(text: str) -> Version | None:
    try:
        return Version(text.strip().lstrip("vV"))
    except InvalidVersion:
        return None


def in_range(version: str, affected: dict[str, Any]) -> bool:
    stated = _version(version)
    if stated is None:
        return True
    introduced = affected.get("introduced") or "0"
    if introduced != "0":
        start = _version(introduced)
        if start is not None and stated < start:
            return False
    fixed = affected.get("fixed")
    if fixed:
        end = _version(fixed)
        if end is not None and stated >= end:
            return False
    return True


def site_is_affected(
    *, product_package: str, product_version: str, plugins: list[dict], affected: list[dict]
) -> bool:
    """True when the product or one of the plugins a site runs is in an affected range."""
    running = {product_package: product_version}
    running.update({str(p.get("name", "")): str(p.get("version", "")) for p in plugins})
    return any(
        entry["package"] in running and in_range(running[entry["package"]], entry)
        for entry in affected
    )


def is_valid_version(text: str) -> bool:
    return _version(text) is not None
