"""An advisory in the OSV format (https://ossf.github.io/osv-schema/), for machines.

The product's own admin screen or a plugin can read `/advisories/<identifier>.json` and show
merchants what concerns them. Identifiers carry the `x_` prefix the schema reserves for a
database OSV.dev does not aggregate. Text is English, as OSV readers expect; the Japanese
title and details go in `database_specific`.
"""

import datetime as dt
from typing import Any

from django.conf import settings

from kizuna.advisories.models import Advisory
from kizuna.advisories.scoring import score_vector

SCHEMA_VERSION = "1.7.5"


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _range_events(entry: dict[str, Any]) -> list[dict[str, str]]:
    events = [{"introduced": entry.get("introduced") or "0"}]
    if entry.get("fixed"):
        events.append({"fixed": entry["fixed"]})
    return events


def _affected(advisory: Advisory) -> list[dict[str, Any]]:
    return [
        {
            "package": {"ecosystem": settings.KIZUNA_ADVISORY_ECOSYSTEM, "name": entry["package"]},
            "ranges": [{"type": "ECOSYSTEM", "events": _range_events(entry)}],
        }
        for entry in advisory.affected
    ]


def advisory_osv(advisory: Advisory, *, page_url: str) -> dict[str, Any]:
    score = score_vector(advisory.cvss_vector)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": advisory.identifier,
        "modified": _timestamp(advisory.modified_at),
        "published": _timestamp(advisory.published_at or advisory.public_at),
        "aliases": list(advisory.aliases),
        "summary": advisory.title_en,
        "details": "\n\n".join(
            part for part in (advisory.details_en, advisory.remediation_en) if part
        ),
        "severity": [{"type": f"CVSS_V{score.version}", "score": score.vector}],
        "affected": _affected(advisory),
        "references": [{"type": "ADVISORY", "url": page_url}]
        + [{"type": "WEB", "url": url} for url in advisory.references],
        "credits": [{"name": name} for name in advisory.credits],
        "database_specific": {
            "severity": advisory.severity,
            "cvss_score": float(advisory.cvss_score),
            "revision": advisory.revision,
            "title_ja": advisory.title_ja,
            "details_ja": advisory.details_ja,
            "remediation_ja": advisory.remediation_ja,
        },
    }
    if advisory.state == "withdrawn":
        document["withdrawn"] = _timestamp(advisory.modified_at)
    return document
