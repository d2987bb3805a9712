"""The Kizuna objects destinations write: which events touch them, and their fields.

Each kind reads its rows in one query per batch. Destinations see only these fields (through
the staff-adjustable mapping), never models, so a plugin cannot depend on internals.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kizuna.accounts.models import Membership, MembershipRole
from kizuna.billing.models import BillingAccount, Invoice, InvoiceKind, Payment
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


def _billing_accounts(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = BillingAccount.objects.filter(pk__in=ids)
    return {
        a.pk: {
            "legal_name": a.legal_name,
            "billing_email": a.billing_email,
            "payer_kana": a.payer_kana,
        }
        for a in rows
    }


def _line_taxes(invoice: Invoice) -> list[int]:
    """Each line's share of its rate's consumption tax.

    The tax is computed and rounded once per rate (the qualified-invoice rule), so a line
    has no tax of its own; systems that want one per line get shares that add up exactly:
    proportional, rounded down, the remainder on the rate's largest line.
    """
    lines = list(invoice.lines.all())
    shares = [0] * len(lines)
    for tax in invoice.taxes.all():
        positions = [i for i, line in enumerate(lines) if line.tax_rate_percent == tax.rate_percent]
        if not positions or not tax.taxable_amount:
            continue
        for i in positions:
            shares[i] = tax.tax * lines[i].amount // tax.taxable_amount
        largest = max(positions, key=lambda i: lines[i].amount)
        shares[largest] += tax.tax - sum(shares[i] for i in positions)
    return shares


def _documents(kind: str) -> Callable[[list[int]], dict[int, dict[str, Any]]]:
    def load(ids: list[int]) -> dict[int, dict[str, Any]]:
        rows = (
            Invoice.objects.filter(pk__in=ids, kind=kind)
            .select_related("corrects")
            .prefetch_related("lines", "taxes")
        )
        return {
            d.pk: {
                "number": d.display_number,
                "issue_date": d.issue_date.isoformat(),
                "due_date": d.due_date.isoformat(),
                "recipient_name": d.recipient_name,
                "period": f"{d.period_start:%Y-%m}/{d.period_end:%Y-%m}",
                "subtotal": d.subtotal,
                "tax": d.tax,
                "total": d.total,
                "lines": [
                    {
                        "description": line.description,
                        "amount": line.amount,
                        "tax_rate_percent": line.tax_rate_percent,
                        "tax": share,
                    }
                    for line, share in zip(d.lines.all(), _line_taxes(d), strict=True)
                ],
                "corrects_number": d.corrects.display_number if d.corrects else "",
                "account_id": d.account_id,
            }
            for d in rows
        }

    return load


def _payments(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Payment.objects.filter(pk__in=ids).select_related("invoice")
    result = {}
    for p in rows:
        # The n-th payment of this invoice with this date and amount: what tells two equal
        # payments apart in a system that keeps no id of ours on a payment.
        same = Payment.objects.filter(
            invoice_id=p.invoice_id, paid_on=p.paid_on, amount=p.amount, pk__lte=p.pk
        )
        result[p.pk] = {
            "paid_on": p.paid_on.isoformat(),
            "amount": p.amount,
            "invoice_number": p.invoice.display_number,
            "ordinal": same.count(),
            "invoice_id": p.invoice_id,
        }
    return result


DOCUMENT_FIELDS = [
    "number",
    "issue_date",
    "due_date",
    "recipient_name",
    "period",
    "subtotal",
    "tax",
    "total",
    "lines",
]

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
        ObjectKind(
            name="billing_accounts",
            fields=["legal_name", "billing_email", "payer_kana"],
            events={},  # written when an invoice needs them, and on a resync
            load=_billing_accounts,
            ids_after=_ids_after(BillingAccount.objects.all()),
            related={},
        ),
        ObjectKind(
            name="invoices",
            fields=DOCUMENT_FIELDS,
            events={"invoice.issued": _one("invoice_id")},
            load=_documents(InvoiceKind.INVOICE),
            ids_after=_ids_after(Invoice.objects.filter(kind=InvoiceKind.INVOICE)),
            related={"billing_accounts": lambda row: row["account_id"]},
        ),
        ObjectKind(
            name="credit_notes",
            fields=[*DOCUMENT_FIELDS, "corrects_number"],
            # The payload's invoice_id is the credit note's own id.
            events={"invoice.credited": _one("invoice_id")},
            load=_documents(InvoiceKind.CREDIT_NOTE),
            ids_after=_ids_after(Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE)),
            related={"billing_accounts": lambda row: row["account_id"]},
        ),
        ObjectKind(
            name="payments",
            fields=["paid_on", "amount", "invoice_number", "ordinal"],
            events={"payment.matched": _one("payment_id")},
            load=_payments,
            ids_after=_ids_after(Payment.objects.all()),
            related={"invoices": lambda row: row["invoice_id"]},
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
