"""The Kizuna objects destinations write: which events touch them, and their fields.

Each kind reads its rows in one query per batch. Destinations see only these fields (through
the staff-adjustable mapping), never models, so a plugin cannot depend on internals.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kizuna.accounts.models import Membership, MembershipRole
from kizuna.directory.models import Assignment, Review
from kizuna.partners.models import PartnerProfile


@dataclass(frozen=True)
class ObjectKind:
    name: str
    fields: list[str]
    # event type -> function(payload) -> ids of this kind the event touches
    events: dict[str, Callable[[dict[str, Any]], list[int]]]
    load: Callable[[list[int]], dict[int, dict[str, Any]]]
    ids_after: Callable[[int, int], list[int]]  # (after_id, limit) for a full resync
    # related kind -> function(row) -> that kind's object id
    related: dict[str, Callable[[dict[str, Any]], int | None]]


def _one(field: str) -> Callable[[dict[str, Any]], list[int]]:
    return lambda payload: [payload[field]] if payload.get(field) else []


def _ids_after(queryset: Any) -> Callable[[int, int], list[int]]:
    return lambda after, limit: list(
        queryset.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:limit]
    )


def _partners(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = PartnerProfile.objects.filter(pk__in=ids).select_related("organization")
    return {
        p.pk: {
            "name": p.organization.name,
            "slug": p.organization.slug,
            "website": p.website,
            "prefecture": p.head_office_prefecture,
            "rank": p.rank,
            "rank_points": p.rank_points,
            "team_size": p.team_size,
            "accepting_new_clients": p.accepting_new_clients,
            "contact_email": p.contact_email,
            "contact_phone": p.contact_phone,
            "organization_id": p.organization_id,
        }
        for p in rows
    }


def _owners_of_organizations(payload: dict[str, Any]) -> list[int]:
    return list(
        Membership.objects.filter(
            organization_id=payload["organization_id"], role=MembershipRole.OWNER
        ).values_list("pk", flat=True)
    )


def _owners(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Membership.objects.filter(pk__in=ids, role=MembershipRole.OWNER).select_related(
        "user", "organization"
    )
    partner_ids = dict(
        PartnerProfile.objects.filter(
            organization_id__in={m.organization_id for m in rows}
        ).values_list("organization_id", "pk")
    )
    result = {}
    for m in rows:
        first, _, last = (m.user.display_name or "").partition(" ")
        result[m.pk] = {
            "email": m.user.email,
            "name": m.user.display_name,
            "first_name": first,
            "last_name": last,
            "partner_name": m.organization.name,
            "partner_id": partner_ids.get(m.organization_id),
        }
    return result


def _leads(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Assignment.objects.filter(pk__in=ids).select_related("lead", "partner__organization")
    return {
        a.pk: {
            "title": f"#{a.lead_id} {a.lead.products} ({a.partner.organization.name})",
            "lead_id": a.lead_id,
            "status": a.status,
            "budget": a.lead.budget,
            "prefecture": a.lead.prefecture,
            "timeline": a.lead.timeline,
            "offered_at": a.offered_at.date().isoformat(),
            "partner_id": a.partner_id,
        }
        for a in rows
    }


def _reviews(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Review.objects.filter(pk__in=ids)
    return {
        r.pk: {
            "rating": r.rating,
            "text": r.text,
            "published_at": r.created_at.isoformat(),
            "hidden": r.is_hidden,
            "partner_id": r.partner_id,
            "lead_assignment_id": r.assignment_id,
        }
        for r in rows
    }


KINDS: dict[str, ObjectKind] = {
    kind.name: kind
    for kind in [
        ObjectKind(
            name="partners",
            fields=[
                "name",
                "slug",
                "website",
                "prefecture",
                "rank",
                "rank_points",
                "team_size",
                "accepting_new_clients",
                "contact_email",
                "contact_phone",
            ],
            events={
                "partner.created": _one("partner_id"),
                "partner.updated": _one("partner_id"),
                "rank.changed": _one("partner_id"),
            },
            load=_partners,
            ids_after=_ids_after(PartnerProfile.objects.all()),
            related={},
        ),
        ObjectKind(
            name="partner_owners",
            fields=["email", "name", "first_name", "last_name", "partner_name"],
            events={"partner.created": _owners_of_organizations},
            load=_owners,
            ids_after=_ids_after(
                Membership.objects.filter(
                    role=MembershipRole.OWNER, organization__partner_profile__isnull=False
                )
            ),
            related={"partners": lambda row: row["partner_id"]},
        ),
        ObjectKind(
            name="leads",
            fields=["title", "lead_id", "status", "budget", "prefecture", "timeline", "offered_at"],
            events={
                f"lead.{verb}": _one("assignment_id")
                for verb in ("offered", "accepted", "declined", "expired", "completed")
            },
            load=_leads,
            ids_after=_ids_after(Assignment.objects.all()),
            related={"partners": lambda row: row["partner_id"]},
        ),
        ObjectKind(
            name="reviews",
            fields=["rating", "text", "published_at", "hidden"],
            events={"review.published": _one("review_id"), "review.hidden": _one("review_id")},
            load=_reviews,
            ids_after=_ids_after(Review.objects.all()),
            related={"partners": lambda row: row["partner_id"]},
        ),
    ]
}


def ids_touched(kinds: Iterable[str], events: Iterable[dict[str, Any]]) -> dict[str, set[int]]:
    """Per kind, the ids a page of feed events touches (each id once, however many events)."""
    touched: dict[str, set[int]] = {kind: set() for kind in kinds}
    for event in events:
        for kind in touched:
            extract = KINDS[kind].events.get(event["type"])
            if extract:
                touched[kind].update(extract(event["data"]))
    return touched


def event_types(kinds: Iterable[str]) -> set[str]:
    """The feed's types that touch these kinds (none for BI's tables, which export nightly)."""
    return {name for kind in kinds if kind in KINDS for name in KINDS[kind].events}
