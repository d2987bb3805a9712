"""Evangelists: nominated by anyone (or appointed by staff) for a term, and requested by user
groups for their events through the staff, who route each request to one evangelist."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import User
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.core.text import normalize_ja
from kizuna.core.transitions import transition
from kizuna.partners import notices
from kizuna.partners.models import (
    Evangelist,
    EvangelistNomination,
    EvangelistRequest,
    EvangelistRequestStatus,
    NominationStatus,
)
from kizuna.partners.services.validation import field_error, require_reason


def _clean_links(links: Iterable[str]) -> list[str]:
    return [link.strip() for link in links if link.strip()]


def nomination_submit(
    *,
    actor: Any,
    statement: str,
    links: Iterable[str] = (),
    nominee_name: str = "",
    nominee_email: str = "",
    self_nomination: bool = False,
) -> EvangelistNomination:
    if self_nomination:
        nominee_name, nominee_email = str(actor), actor.email
    if not nominee_name or not nominee_email:
        raise ValidationError(_("Say whom you nominate: name and email."), code="no_nominee")
    nominee = actor if self_nomination else User.objects.filter(email=nominee_email.lower()).first()
    with transaction.atomic():
        nomination = EvangelistNomination.objects.create(
            nominated_by=actor,
            nominee=nominee,
            nominee_name=nominee_name,
            nominee_email=nominee_email.lower(),
            statement=statement,
            links=_clean_links(links),
        )
        emit("evangelist.nominated", {"nomination_id": nomination.pk}, actor=actor)
    return nomination


def _check_term(term_start: date, term_end: date) -> None:
    if term_end < term_start:
        raise field_error("term_end", _("The term must end after it starts."), "term_order")


def nomination_accept(
    *,
    actor: Any,
    nomination: EvangelistNomination,
    term_start: date,
    term_end: date,
    reason: str = "",
) -> Evangelist:
    _check_term(term_start, term_end)
    with transaction.atomic():
        _decide_nomination(actor, nomination, NominationStatus.ACCEPTED, reason)
        evangelist = Evangelist(
            user=nomination.nominee,
            name=nomination.nominee_name,
            email=nomination.nominee_email,
            bio=nomination.statement,
            links=nomination.links,
            term_start=term_start,
            term_end=term_end,
            nomination=nomination,
            appointed_by=actor,
        )
        _save_evangelist(actor, evangelist)
    return evangelist


def nomination_decline(
    *, actor: Any, nomination: EvangelistNomination, reason: str
) -> EvangelistNomination:
    reason = require_reason(reason)
    with transaction.atomic():
        _decide_nomination(actor, nomination, NominationStatus.DECLINED, reason)
    return nomination


def _decide_nomination(
    actor: Any, nomination: EvangelistNomination, status: str, reason: str
) -> None:
    decision = {"decision_reason": reason, "decided_by": actor, "decided_at": timezone.now()}
    transition(
        EvangelistNomination,
        nomination.pk,
        from_states=NominationStatus.PENDING,
        to_state=status,
        refused=ValidationError(_("This nomination has already been decided."), code="decided"),
        **decision,
    )
    nomination.status = status
    for name, value in decision.items():
        setattr(nomination, name, value)
    audit.record(
        actor=actor,
        action=f"evangelist_nomination.{status}",
        obj=nomination,
        after={"status": status, "reason": reason},
    )


def evangelist_appoint(
    *,
    actor: Any,
    name: str,
    email: str,
    term_start: date,
    term_end: date,
    bio: str = "",
    links: Iterable[str] = (),
) -> Evangelist:
    """Staff appoint someone directly, without a nomination."""
    _check_term(term_start, term_end)
    with transaction.atomic():
        evangelist = Evangelist(
            user=User.objects.filter(email=email.lower()).first(),
            name=name,
            email=email.lower(),
            bio=bio,
            links=_clean_links(links),
            term_start=term_start,
            term_end=term_end,
            appointed_by=actor,
        )
        _save_evangelist(actor, evangelist)
    return evangelist


def _evangelist_search_text(evangelist: Evangelist) -> str:
    return normalize_ja(f"{evangelist.name} {evangelist.bio}")


def _save_evangelist(actor: Any, evangelist: Evangelist) -> None:
    evangelist.search_text = _evangelist_search_text(evangelist)
    evangelist.save()
    audit.record(
        actor=actor,
        action="evangelist.appointed",
        obj=evangelist,
        after=audit.snapshot(evangelist, ["name", "email", "term_start", "term_end"]),
    )
    emit(
        "evangelist.accepted",
        {
            "evangelist_id": evangelist.pk,
            "user_id": evangelist.user_id,
            "term_start": evangelist.term_start,
            "term_end": evangelist.term_end,
        },
        actor=actor,
    )


def evangelist_update(
    *, actor: Any, evangelist: Evangelist, bio: str, links: Iterable[str]
) -> Evangelist:
    """Staff keep an evangelist's profile up to date during the term."""
    with transaction.atomic():
        before = audit.snapshot(evangelist, ["bio", "links"])
        evangelist.bio, evangelist.links = bio, _clean_links(links)
        evangelist.search_text = _evangelist_search_text(evangelist)
        evangelist.save(update_fields=["bio", "links", "search_text"])
        old, new = audit.changed_fields(before, audit.snapshot(evangelist, ["bio", "links"]))
        if new:
            audit.record(
                actor=actor, action="evangelist.updated", obj=evangelist, before=old, after=new
            )
    return evangelist


def evangelist_request_submit(
    *,
    actor: Any,
    group_name: str,
    event_title: str,
    event_date: date,
    location: str,
    message: str = "",
) -> EvangelistRequest:
    with transaction.atomic():
        request = EvangelistRequest.objects.create(
            requested_by=actor,
            group_name=group_name,
            event_title=event_title,
            event_date=event_date,
            location=location,
            message=message,
        )
        emit("evangelist_request.submitted", {"request_id": request.pk}, actor=actor)
    return request


def evangelist_request_route(
    *, actor: Any, request: EvangelistRequest, evangelist: Evangelist
) -> EvangelistRequest:
    if request.status == EvangelistRequestStatus.ACCEPTED:
        raise ValidationError(_("An evangelist already accepted this request."), code="decided")
    with transaction.atomic():
        request.evangelist, request.status = evangelist, EvangelistRequestStatus.ROUTED
        request.response_note = ""
        request.save()
        audit.record(
            actor=actor,
            action="evangelist_request.routed",
            obj=request,
            after={"evangelist_id": evangelist.pk},
        )
        transaction.on_commit(lambda: notices.evangelist_request_routed(request), robust=True)
    return request


def evangelist_request_respond(
    *, actor: Any, request: EvangelistRequest, accept: bool, note: str = ""
) -> EvangelistRequest:
    if request.status != EvangelistRequestStatus.ROUTED:
        raise ValidationError(_("This request is not waiting for your answer."), code="not_routed")
    with transaction.atomic():
        request.status = (
            EvangelistRequestStatus.ACCEPTED if accept else EvangelistRequestStatus.DECLINED
        )
        request.response_note = note.strip()
        request.save()
        audit.record(
            actor=actor,
            action=f"evangelist_request.{request.status}",
            obj=request,
            after={"note": request.response_note},
        )
    return request
