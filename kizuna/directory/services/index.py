"""Writes of the search index: one DirectoryEntry per partner, and its full-text row.

The entry and the full-text index change together, in this module only: on SQLite the
external-content FTS5 table needs each row inserted and deleted explicitly (a delete must
repeat the text that was indexed); on PostgreSQL the GIN expression index follows the
table by itself. Partners are indexed in chunks with a few queries per chunk, so a full
rebuild of 10,000 partners takes seconds, and refreshing one partner is a chunk of one.
"""

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from kizuna.core.text import normalize_ja
from kizuna.directory import facets
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DirectoryEntry,
    EntryBadge,
    EntryFacet,
    EntryText,
    IndexState,
    Review,
    Suspension,
)
from kizuna.directory.services import ranking
from kizuna.partners.models import Achievement, AchievementStatus, BadgeAward, PartnerProfile

CHUNK = 1_000
ENTRY_FIELDS = [
    "listed",
    "headline_text",
    "languages",
    "budget_min",
    "accepting",
    "rank_level",
    "stale",
    "owner_reviewed_at",
    "verified_count",
    "last_verified_at",
    "median_response_hours",
    "acceptance_rate",
    "answered_leads",
    "review_count",
    "review_average",
    "evidence_points",
    "base_points",
]
ANSWERED = [AssignmentStatus.ACCEPTED, AssignmentStatus.DECLINED, AssignmentStatus.COMPLETED]
ACCEPTED = [AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED]


def entry_refresh(*, partner_id: int, now: datetime | None = None) -> DirectoryEntry | None:
    """Bring one partner's entry up to date (or remove it if the partner is gone)."""
    with transaction.atomic():
        old_text = _indexed_texts([partner_id])
        partner = PartnerProfile.objects.select_related("organization").filter(pk=partner_id)
        entries = _write_chunk(list(partner), now or timezone.now(), old_text)
        if not entries:
            DirectoryEntry.objects.filter(pk=partner_id).delete()
            _fts_delete(old_text)
        index_changed()
        return entries[0] if entries else None


def index_rebuild(
    *,
    now: datetime | None = None,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> int:
    """Rebuild every entry from the partner program; return how many partners are indexed."""
    now = now or timezone.now()
    ids = list(PartnerProfile.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    with transaction.atomic():
        DirectoryEntry.objects.exclude(pk__in=PartnerProfile.objects.values("pk")).delete()
        for chunk in progress(chunks, len(chunks)) if progress else chunks:
            partners = PartnerProfile.objects.select_related("organization").filter(pk__in=chunk)
            _write_chunk(list(partners), now, old_text=None)
        _fts_rebuild()
        _refresh_planner_statistics()
        index_changed()
    return len(ids)


def suspension_set(*, organization_id: int, suspended: bool) -> None:
    """Billing suspended (or restored) a partner: hide it from, or show it in, the directory."""
    with transaction.atomic():
        if suspended:
            Suspension.objects.get_or_create(organization_id=organization_id)
        else:
            Suspension.objects.filter(organization_id=organization_id).delete()
        DirectoryEntry.objects.filter(
            partner__organization_id=organization_id, partner__left_program_at__isnull=True
        ).update(listed=not suspended)
        index_changed()


def index_changed() -> None:
    """A new token: every process reloads its search snapshot (directory.snapshot) at its
    next search. Called inside the transaction of the write, so the token and the data
    commit together."""
    IndexState.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


# Building entries


def _write_chunk(
    partners: Sequence[PartnerProfile], now: datetime, old_text: dict[int, str] | None
) -> list[DirectoryEntry]:
    if not partners:
        return []
    ids = [p.pk for p in partners]
    awards = _active_awards(ids)
    summaries = _published_summaries(ids)
    leads = _lead_stats(ids)
    reviews = _review_stats(ids)
    suspended = set(
        Suspension.objects.filter(
            organization_id__in=[p.organization_id for p in partners]
        ).values_list("organization_id", flat=True)
    )
    texts: dict[int, str] = {}
    entries = []
    for partner in partners:
        entry, texts[partner.pk] = _entry(
            partner,
            awards[partner.pk],
            summaries[partner.pk],
            leads.get(partner.pk, {}),
            reviews.get(partner.pk, {}),
            # A partner that left the program is not listed, whatever billing says.
            listed=partner.organization_id not in suspended and partner.left_program_at is None,
            now=now,
        )
        entries.append(entry)
    DirectoryEntry.objects.bulk_create(
        entries, update_conflicts=True, unique_fields=["id"], update_fields=ENTRY_FIELDS
    )
    EntryText.objects.bulk_create(
        [EntryText(entry_id=pk, search_text=text) for pk, text in texts.items()],
        update_conflicts=True,
        unique_fields=["entry"],
        update_fields=["search_text"],
    )
    EntryBadge.objects.filter(entry_id__in=ids).delete()
    EntryFacet.objects.filter(entry_id__in=ids).delete()
    EntryBadge.objects.bulk_create(
        [_entry_badge(award, now) for partner in partners for award in awards[partner.pk]]
    )
    EntryFacet.objects.bulk_create(
        [
            facet
            for entry in entries
            for facet in _facets(entry, awards[entry.pk], _served_prefectures(entry.partner))
        ]
    )
    if old_text is not None:
        _fts_delete(old_text)
        _fts_insert(texts)
    return entries


def _entry(
    partner: PartnerProfile,
    awards: list[BadgeAward],
    summaries: list[str],
    leads: dict[str, Any],
    reviews: dict[str, Any],
    *,
    listed: bool,
    now: datetime,
) -> tuple[DirectoryEntry, str]:
    """The entry and the text to index for it."""
    headline = normalize_ja(
        " ".join([partner.organization.name, partner.name_kana, partner.summary])
    )
    search_text = " ".join(
        part
        for part in [
            headline,
            partner.search_text or normalize_ja(partner.description),
            *map(normalize_ja, summaries),
        ]
        if part
    )
    verified_count = sum(award.evidence_count for award in awards)
    last_verified = max((a.last_verified_at for a in awards if a.last_verified_at), default=None)
    stale = partner.stale_since is not None
    rank_level = ranking.RANK_LEVELS.get(partner.rank, 0)
    evidence = ranking.evidence_points(
        verified_count=verified_count, last_verified_at=last_verified, now=now
    )
    entry = DirectoryEntry(
        id=partner.pk,
        partner=partner,
        listed=listed,
        headline_text=headline,
        languages=" " + " ".join(partner.languages or []) + " ",
        budget_min=partner.budget_min,
        accepting=partner.accepting_new_clients,
        rank_level=rank_level,
        stale=stale,
        owner_reviewed_at=partner.owner_reviewed_at,
        verified_count=verified_count,
        last_verified_at=last_verified,
        median_response_hours=leads.get("median_hours"),
        acceptance_rate=leads.get("acceptance_rate"),
        answered_leads=leads.get("answered", 0),
        review_count=reviews.get("count", 0),
        review_average=reviews.get("average"),
        evidence_points=evidence,
        base_points=ranking.weight("evidence") * evidence
        + ranking.base_points(
            rank_level=rank_level,
            median_response_hours=leads.get("median_hours"),
            acceptance_rate=leads.get("acceptance_rate"),
            review_count=reviews.get("count", 0),
            review_average=reviews.get("average"),
            owner_reviewed_at=partner.owner_reviewed_at,
            stale=stale,
            now=now,
        ),
    )
    return entry, search_text


def _entry_badge(award: BadgeAward, now: datetime) -> EntryBadge:
    return EntryBadge(
        entry_id=award.partner_id,
        badge_id=award.badge_id,
        code=award.badge.code,
        family=award.badge.family,
        level=award.level,
        evidence_count=award.evidence_count,
        last_verified_at=award.last_verified_at,
        points=ranking.badge_points(
            level=award.level,
            evidence_count=award.evidence_count,
            last_verified_at=award.last_verified_at,
            now=now,
        ),
    )


def _facets(
    entry: DirectoryEntry, awards: list[BadgeAward], prefectures: set[str]
) -> list[EntryFacet]:
    keys = {
        *[award.badge_id for award in awards],
        *[facets.prefecture_key(code) for code in prefectures],
        facets.rank_key(entry.rank_level),
    }
    return [EntryFacet(entry_id=entry.pk, key=key) for key in sorted(keys)]


def _served_prefectures(partner: PartnerProfile) -> set[str]:
    codes = set(partner.service_prefectures or [])
    if partner.head_office_prefecture:
        codes.add(partner.head_office_prefecture)
    return codes


def _active_awards(ids: list[int]) -> defaultdict[int, list[BadgeAward]]:
    awards: defaultdict[int, list[BadgeAward]] = defaultdict(list)
    rows = BadgeAward.objects.filter(
        partner_id__in=ids, lapsed_at__isnull=True, badge__retired_at__isnull=True
    ).select_related("badge")
    for award in rows:
        awards[award.partner_id].append(award)
    return awards


def _published_summaries(ids: list[int]) -> defaultdict[int, list[str]]:
    """Only what the public may read of an achievement: its published summary, once verified."""
    summaries: defaultdict[int, list[str]] = defaultdict(list)
    rows = (
        Achievement.objects.filter(
            partner_id__in=ids, status=AchievementStatus.VERIFIED, summary_published=True
        )
        .exclude(public_summary="")
        .values_list("partner_id", "public_summary")
    )
    for partner_id, summary in rows:
        summaries[partner_id].append(summary)
    return summaries


def _lead_stats(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Median first-response time and acceptance rate, from each partner's lead slots."""
    hours: defaultdict[int, list[float]] = defaultdict(list)
    accepted: defaultdict[int, int] = defaultdict(int)
    decided: defaultdict[int, int] = defaultdict(int)
    expiry_hours = float(settings.KIZUNA_LEAD_EXPIRY_HOURS)
    rows = Assignment.objects.filter(
        partner_id__in=ids, status__in=[*ANSWERED, AssignmentStatus.EXPIRED]
    ).values_list("partner_id", "status", "offered_at", "responded_at")
    for partner_id, status, offered_at, responded_at in rows:
        decided[partner_id] += 1
        accepted[partner_id] += status in ACCEPTED
        if responded_at is not None:
            hours[partner_id].append((responded_at - offered_at).total_seconds() / 3600)
    return {
        partner_id: {
            # An expired lead counts as the slowest answer possible.
            "median_hours": statistics.median(
                hours[partner_id] + [expiry_hours] * (count - len(hours[partner_id]))
            ),
            "acceptance_rate": accepted[partner_id] / count,
            "answered": len(hours[partner_id]),
        }
        for partner_id, count in decided.items()
    }


def _review_stats(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = (
        Review.objects.filter(partner_id__in=ids, hidden_at__isnull=True)
        .values("partner_id")
        .annotate(count=Count("id"), average=Avg("rating"))
    )
    return {row["partner_id"]: {"count": row["count"], "average": row["average"]} for row in rows}


# The full-text index (SQLite FTS5; nothing to do on PostgreSQL)


def _uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def _indexed_texts(ids: list[int]) -> dict[int, str]:
    return dict(EntryText.objects.filter(pk__in=ids).values_list("pk", "search_text"))


def _fts_delete(old_text: dict[int, str]) -> None:
    if _uses_fts5() and old_text:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO directory_fts(directory_fts, rowid, search_text) "
                "VALUES('delete', %s, %s)",
                list(old_text.items()),
            )


def _fts_insert(new_text: dict[int, str]) -> None:
    if _uses_fts5() and new_text:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO directory_fts(rowid, search_text) VALUES(%s, %s)",
                list(new_text.items()),
            )


def _refresh_planner_statistics() -> None:
    """After rewriting every row, let PostgreSQL's planner see the new sizes at once
    rather than whenever autovacuum gets to it (until then it picks slow plans)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("directoryentry", "entrytext", "entrybadge", "entryfacet"):
                cursor.execute(f"ANALYZE directory_{table}")


def _fts_rebuild() -> None:
    if _uses_fts5():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO directory_fts(directory_fts) VALUES('rebuild')")
