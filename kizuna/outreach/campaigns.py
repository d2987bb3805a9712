"""Campaigns: written by one staff member, approved by another, sent as deliveries.

draft ──approve (someone else)──▶ approved ──its time comes──▶ sending ──all done──▶ sent
  ▲                                   │                          │  ▲
  └──────── any edit ─────────────────┘                    pause │  │ resume
                                                                 ▼  │
cancel from any state but sent/cancelled                       paused

Approval freezes the audience into `CampaignRecipient` rows (who, in which language, on
which channel); an edit afterwards withdraws the approval and drops them. Starting turns
each recipient into one queued `Delivery`; consent, suppression, the frequency cap, quiet
hours and every rate limit are checked again by the worker when each one is sent.
"""

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.errors import ServiceError
from kizuna.core.events import emit
from kizuna.core.transitions import transition
from kizuna.outreach.audiences import NO_ADDRESS, audience_decide
from kizuna.outreach.campaign_models import (
    Audience,
    Campaign,
    CampaignRecipient,
    CampaignState,
)
from kizuna.outreach.channels import registry
from kizuna.outreach.models import OPTIONAL_TOPICS, Delivery, Purpose, State
from kizuna.outreach.permissions import OutreachAction, can_outreach
from kizuna.outreach.services import Content, Recipient, delivery_enqueue

# Reasons written on a campaign's deliveries when staff stop it.
PAUSED = "campaign_paused"
CANCELLED = "campaign_cancelled"
# Paused deliveries wait this far ahead, out of the worker's reach, until resumed.
PAUSE_HORIZON = timedelta(days=3650)

VARIABLES = ("name", "organization", "event_title", "event_date", "event_url")
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
EDITABLE_FIELDS = (
    "title",
    "audience",
    "topic",
    "channels",
    "subject_ja",
    "body_ja",
    "subject_en",
    "body_en",
    "variants",
    "event",
    "scheduled_at",
)
PENDING_STATES = [State.QUEUED, State.DEFERRED, State.SENDING]


def _require(actor: Any, action: OutreachAction) -> None:
    if not can_outreach(actor, action):
        raise ServiceError(_("Only staff with the outreach role do this."), code="forbidden")


def _step(campaign: Campaign, *, actor: Any) -> dict[str, Any]:
    return {
        "campaign_id": campaign.pk,
        "state": campaign.state,
        "revision": campaign.revision,
        "actor_id": getattr(actor, "pk", None),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`{{ name }}` and the other variables replaced by the recipient's values."""
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _validate(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("subject_ja", "body_ja", "subject_en", "body_en"):
        unknown = sorted(set(VARIABLE.findall(fields.get(name) or "")) - set(VARIABLES))
        if unknown:
            errors.setdefault(name, []).append(
                _("Unknown variables: %(names)s. Available: %(available)s.")
                % {"names": ", ".join(unknown), "available": ", ".join(VARIABLES)}
            )
    channels = fields.get("channels") or []
    if not channels:
        errors.setdefault("channels", []).append(_("Choose at least one channel."))
    unknown_channels = sorted(set(channels) - set(registry.names()))
    if unknown_channels:
        errors.setdefault("channels", []).append(
            _("Unknown channels: %(names)s.") % {"names": ", ".join(unknown_channels)}
        )
    if len(set(channels)) != len(channels):
        errors.setdefault("channels", []).append(_("Name each channel once."))
    variants = fields.get("variants") or {}
    if not isinstance(variants, dict) or any(
        channel not in channels
        or not isinstance(texts, dict)
        or set(texts) - {"ja", "en"}
        or not all(isinstance(text, str) for text in texts.values())
        for channel, texts in variants.items()
    ):
        errors.setdefault("variants", []).append(
            _('Variants are {"channel": {"ja": "...", "en": "..."}} for channels of this campaign.')
        )
    if fields.get("topic") not in OPTIONAL_TOPICS:
        errors.setdefault("topic", []).append(
            _("A campaign is about news, events, surveys or the partner program.")
        )
    if fields.get("event") is not None and fields.get("topic") != "events":
        errors.setdefault("event", []).append(_("Only an event campaign invites to an event."))
    if errors:
        raise ValidationError(errors)


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: fields[name] for name in EDITABLE_FIELDS if name in fields}
    cleaned["variants"] = {
        channel: {lang: text for lang, text in texts.items() if text.strip()}
        for channel, texts in (cleaned.get("variants") or {}).items()
        if isinstance(texts, dict) and any(str(text).strip() for text in texts.values())
    }
    return cleaned


def audience_save(
    *, actor: Any, fields: dict[str, Any], audience: Audience | None = None
) -> Audience:
    """Create or change a saved audience; a campaign approved for it keeps its recipients."""
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    with transaction.atomic():
        if audience is None:
            audience = Audience.objects.create(created_by=actor, **fields)
            audit.record(
                actor=actor, action="outreach.audience_created", obj=audience, after=fields
            )
        else:
            before = {"name": audience.name, "kind": audience.kind, "filters": audience.filters}
            for name, value in fields.items():
                setattr(audience, name, value)
            audience.save()
            audit.record(
                actor=actor,
                action="outreach.audience_changed",
                obj=audience,
                before=before,
                after=fields,
            )
    return audience


def campaign_create(*, actor: Any, fields: dict[str, Any]) -> Campaign:
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    fields = _clean_fields(fields)
    _validate(fields)
    with transaction.atomic():
        campaign = Campaign.objects.create(author=actor, edited_by=actor, **fields)
        audit.record(actor=actor, action="outreach.campaign_created", obj=campaign)
        emit("campaign.created", _step(campaign, actor=actor), actor=actor)
    return campaign


def campaign_update(*, actor: Any, campaign: Campaign, fields: dict[str, Any]) -> Campaign:
    """Change a draft or an approved campaign; an approved one goes back to draft."""
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    fields = _clean_fields(fields)
    merged = {name: getattr(campaign, name) for name in EDITABLE_FIELDS} | fields
    _validate(merged)
    with transaction.atomic():
        was = campaign.state
        transition(
            Campaign,
            campaign.pk,
            from_states=[CampaignState.DRAFT, CampaignState.APPROVED],
            to_state=CampaignState.DRAFT,
            field="state",
            refused=ServiceError(
                _("A campaign that has started cannot be changed; cancel it and write another."),
                code="campaign_started",
            ),
        )
        before = {name: str(getattr(campaign, name)) for name in fields}
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.state = CampaignState.DRAFT
        campaign.revision += 1
        campaign.edited_by = actor
        campaign.approved_by = None
        campaign.approved_at = None
        campaign.save()
        audit.record(
            actor=actor,
            action="outreach.campaign_edited",
            obj=campaign,
            before=before,
            after={name: str(getattr(campaign, name)) for name in fields},
        )
        emit("campaign.edited", _step(campaign, actor=actor), actor=actor)
        if was == CampaignState.APPROVED:
            campaign.recipients.all().delete()
            audit.record(
                actor=actor,
                action="outreach.campaign_approval_withdrawn",
                obj=campaign,
                before={"state": was},
                after={"state": CampaignState.DRAFT},
            )
            emit("campaign.approval_withdrawn", _step(campaign, actor=actor), actor=actor)
    return campaign


def campaign_approve(
    *, actor: Any, campaign: Campaign, revision: int | None = None, now: datetime | None = None
) -> Campaign:
    """A second staff member approves: the audience is frozen into recipients.

    `revision` is the one the approver read; a campaign edited since is refused.
    """
    _require(actor, OutreachAction.APPROVE_CAMPAIGN)
    if actor.pk in (campaign.author_id, campaign.edited_by_id):
        raise ServiceError(
            _("Someone other than its author and its last editor must approve a campaign."),
            code="four_eyes",
        )
    now = now or timezone.now()
    decision = audience_decide(
        audience=campaign.audience, channels=campaign.channels, topic=campaign.topic, now=now
    )
    with transaction.atomic():
        transition(
            Campaign.objects.filter(revision=revision or campaign.revision),
            campaign.pk,
            from_states=CampaignState.DRAFT,
            to_state=CampaignState.APPROVED,
            field="state",
            refused=ServiceError(
                _("The campaign changed or was approved meanwhile; reload it and look again."),
                code="state_changed",
            ),
            approved_by=actor,
            approved_at=now,
        )
        CampaignRecipient.objects.filter(campaign=campaign).delete()
        CampaignRecipient.objects.bulk_create(
            (
                CampaignRecipient(
                    campaign=campaign,
                    recipient_key=row.person.recipient_key,
                    user_id=row.person.user_id,
                    member_id=row.person.member_id,
                    name=row.person.name[:200],
                    organization=row.person.organization[:200],
                    language=row.person.language,
                    channel=row.channel,
                    address=row.address[:254],
                )
                for row in decision.rows
                if row.outcome != NO_ADDRESS
            ),
            batch_size=2000,
        )
        campaign.refresh_from_db()
        audit.record(
            actor=actor,
            action="outreach.campaign_approved",
            obj=campaign,
            before={"state": CampaignState.DRAFT},
            after={"state": campaign.state, "revision": campaign.revision, **decision.counts},
        )
        emit("campaign.approved", _step(campaign, actor=actor), actor=actor)
    return campaign


def _values(campaign: Campaign, recipient: CampaignRecipient, language: str) -> dict[str, str]:
    event = campaign.event
    values = {"name": recipient.name, "organization": recipient.organization}
    if event is not None:
        with translation.override(language):
            starts = timezone.localtime(event.starts_at)
            values |= {
                "event_title": event.title,
                "event_date": starts.strftime("%Y-%m-%d %H:%M"),
                "event_url": event.url or event.online_url,
            }
    return values


def campaign_content(
    campaign: Campaign, *, channel: str, language: str, values: dict[str, str]
) -> Content:
    """What one recipient reads: their language, the channel's variant, their values."""
    language = language if language in ("ja", "en") else "ja"
    subject = getattr(campaign, f"subject_{language}")
    body = (campaign.variants.get(channel) or {}).get(language) or getattr(
        campaign, f"body_{language}"
    )
    return Content(fill(subject, values), fill(body, values))


def _idempotency_key(campaign: Campaign, recipient_key: str) -> str:
    return f"campaign:{campaign.pk}:{recipient_key}"


def campaign_start(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Queue one delivery per frozen recipient; the worker sends them at its pace."""
    now = now or timezone.now()
    with transaction.atomic():
        transition(
            Campaign,
            campaign.pk,
            from_states=CampaignState.APPROVED,
            to_state=CampaignState.SENDING,
            field="state",
            started_at=now,
        )
        campaign.refresh_from_db()
        recipients = list(campaign.recipients.filter(delivery__isnull=True))
        rows = []
        for recipient in recipients:
            channel = registry.get(recipient.channel)
            content = campaign_content(
                campaign,
                channel=recipient.channel,
                language=recipient.language,
                values=_values(campaign, recipient, recipient.language),
            )
            with translation.override(recipient.language):
                content = channel.finish(
                    content,
                    recipient_key=recipient.recipient_key,
                    purpose=Purpose.ADVERTISING,
                    topic=campaign.topic,
                    name=recipient.name,
                )
            rows.append(
                Delivery(
                    channel=recipient.channel,
                    user_id=recipient.user_id,
                    member_id=recipient.member_id,
                    address=recipient.address,
                    recipient_key=recipient.recipient_key,
                    purpose=Purpose.ADVERTISING,
                    topic=campaign.topic,
                    template=f"campaign:{campaign.pk}",
                    language=recipient.language,
                    subject=content.subject[:300],
                    text=content.text,
                    html=content.html,
                    idempotency_key=_idempotency_key(campaign, recipient.recipient_key),
                    due_at=now,
                    created_at=now,
                )
            )
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        by_key = dict(
            Delivery.objects.filter(template=f"campaign:{campaign.pk}").values_list(
                "idempotency_key", "pk"
            )
        )
        for recipient in recipients:
            recipient.delivery_id = by_key[_idempotency_key(campaign, recipient.recipient_key)]
        CampaignRecipient.objects.bulk_update(recipients, ["delivery"], batch_size=2000)
        audit.record(
            actor=None,
            action="outreach.campaign_started",
            obj=campaign,
            after={"recipients": len(recipients)},
        )
        emit(
            "campaign.started",
            {**_step(campaign, actor=None), "recipients": len(recipients)},
        )
    return len(recipients)


def _deliveries(campaign: Campaign) -> Any:
    return Delivery.objects.filter(campaign_recipient__campaign=campaign)


def campaign_pause(*, actor: Any, campaign: Campaign) -> Campaign:
    """Stop sending: what is still waiting stays queued far ahead, out of the worker's way."""
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    now = timezone.now()
    with transaction.atomic():
        transition(
            Campaign,
            campaign.pk,
            from_states=CampaignState.SENDING,
            to_state=CampaignState.PAUSED,
            field="state",
        )
        held = (
            _deliveries(campaign)
            .filter(state__in=[State.QUEUED, State.DEFERRED])
            .update(state=State.DEFERRED, reason=PAUSED, due_at=now + PAUSE_HORIZON)
        )
        campaign.refresh_from_db()
        audit.record(
            actor=actor,
            action="outreach.campaign_paused",
            obj=campaign,
            before={"state": CampaignState.SENDING},
            after={"state": campaign.state, "held": held},
        )
        emit("campaign.paused", _step(campaign, actor=actor), actor=actor)
    return campaign


def campaign_resume(*, actor: Any, campaign: Campaign) -> Campaign:
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    with transaction.atomic():
        transition(
            Campaign,
            campaign.pk,
            from_states=CampaignState.PAUSED,
            to_state=CampaignState.SENDING,
            field="state",
        )
        released = (
            _deliveries(campaign)
            .filter(state=State.DEFERRED, reason=PAUSED)
            .update(state=State.QUEUED, reason="", due_at=timezone.now())
        )
        campaign.refresh_from_db()
        audit.record(
            actor=actor,
            action="outreach.campaign_resumed",
            obj=campaign,
            before={"state": CampaignState.PAUSED},
            after={"state": campaign.state, "released": released},
        )
        emit("campaign.resumed", _step(campaign, actor=actor), actor=actor)
    return campaign


def campaign_cancel(*, actor: Any, campaign: Campaign) -> Campaign:
    """Nothing more goes out; what was sent stays sent, the rest is skipped."""
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    with transaction.atomic():
        was = campaign.state
        transition(
            Campaign,
            campaign.pk,
            from_states=[
                CampaignState.DRAFT,
                CampaignState.APPROVED,
                CampaignState.SENDING,
                CampaignState.PAUSED,
            ],
            to_state=CampaignState.CANCELLED,
            field="state",
            finished_at=timezone.now(),
        )
        dropped = (
            _deliveries(campaign)
            .filter(state__in=[State.QUEUED, State.DEFERRED])
            .update(state=State.SKIPPED, reason=CANCELLED, lease_until=None)
        )
        campaign.refresh_from_db()
        audit.record(
            actor=actor,
            action="outreach.campaign_cancelled",
            obj=campaign,
            before={"state": was},
            after={"state": campaign.state, "skipped": dropped},
        )
        emit("campaign.cancelled", _step(campaign, actor=actor), actor=actor)
    return campaign


def campaign_test_send(*, actor: Any, campaign: Campaign) -> list[Delivery]:
    """The campaign in both languages to its author's (or the asking staff's) own email."""
    _require(actor, OutreachAction.WRITE_CAMPAIGN)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    deliveries = []
    with transaction.atomic():
        for language in ("ja", "en"):
            values = {
                "name": actor.get_short_name(),
                "organization": settings.KIZUNA_ECOSYSTEM_NAME,
            } | _values(campaign, CampaignRecipient(name=actor.get_short_name()), language)
            content = campaign_content(campaign, channel="email", language=language, values=values)
            with translation.override(language):
                prefix = _("[Test]")
            deliveries.append(
                delivery_enqueue(
                    channel="email",
                    recipient=Recipient(address=actor.email, user=actor),
                    # A test goes to the staff member who asked for it: not advertising.
                    purpose=Purpose.SERVICE,
                    topic="notices",
                    idempotency_key=f"campaign:{campaign.pk}:test:{actor.pk}:{language}:{stamp}",
                    template=f"campaign:{campaign.pk}",
                    content=Content(f"{prefix} {content.subject}", content.text),
                    language=language,
                )
            )
        audit.record(
            actor=actor,
            action="outreach.campaign_test_sent",
            obj=campaign,
            after={"to": actor.email, "revision": campaign.revision},
        )
    return deliveries


def campaign_finish_if_done(*, campaign: Campaign, now: datetime | None = None) -> bool:
    """A sending campaign none of whose deliveries waits any more is sent."""
    if (
        campaign.state != CampaignState.SENDING
        or _deliveries(campaign).filter(state__in=PENDING_STATES).exists()
    ):
        return False
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, state=CampaignState.SENDING).update(
            state=CampaignState.SENT, finished_at=now or timezone.now()
        )
        if changed:
            campaign.refresh_from_db()
            audit.record(actor=None, action="outreach.campaign_finished", obj=campaign)
            emit("campaign.finished", _step(campaign, actor=None))
    return bool(changed)


def campaigns_advance(*, now: datetime | None = None) -> int:
    """The worker's periodic step: start approved campaigns whose time has come, close
    finished ones. Returns how many campaigns changed."""
    now = now or timezone.now()
    changed = 0
    due = Campaign.objects.filter(state=CampaignState.APPROVED).exclude(scheduled_at__gt=now)
    for campaign in due:
        campaign_start(campaign=campaign, now=now)
        changed += 1
    for campaign in Campaign.objects.filter(state=CampaignState.SENDING):
        changed += campaign_finish_if_done(campaign=campaign, now=now)
    return changed


def campaign_progress(campaign: Campaign) -> dict[str, Any]:
    """Counts by delivery state and reason, for the progress bar and the results table."""
    rows = (
        CampaignRecipient.objects.filter(campaign=campaign)
        .values_list("delivery__state", "delivery__reason")
        .annotate(n=Count("pk"))
    )
    by_state: dict[str, int] = {}
    by_reason: dict[tuple[str, str], int] = {}
    total = 0
    for state, reason, n in rows:
        key = state or State.QUEUED
        by_state[key] = by_state.get(key, 0) + n
        by_reason[(key, reason or "")] = by_reason.get((key, reason or ""), 0) + n
        total += n
    pending = sum(by_state.get(state, 0) for state in PENDING_STATES)
    done = total - pending
    return {
        "total": total,
        "done": done,
        "pending": pending,
        "percent": round(100 * done / total) if total else 0,
        "by_state": by_state,
        "by_reason": sorted(by_reason.items()),
    }


def event_ics(event: Any) -> bytes:
    """The event as an iCalendar (RFC 5545) file, attached to an invitation."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Kizuna//Outreach//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    item = IcsEvent()
    item.add("uid", f"community-event-{event.pk}@{domain}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at or event.starts_at + timedelta(hours=2))
    item.add("summary", event.title)
    location = event.venue or event.online_url
    if location:
        item.add("location", location)
    if event.url:
        item.add("url", event.url)
    calendar.add_component(item)
    return bytes(calendar.to_ical())


def delivery_attachments(delivery: Delivery) -> list[tuple[str, bytes, str]]:
    """Files an email of a campaign carries: the event's .ics for an invitation."""
    if not delivery.template.startswith("campaign:"):
        return []
    campaign = (
        Campaign.objects.select_related("event")
        .filter(pk=delivery.template.partition(":")[2] or 0)
        .first()
    )
    if campaign is None or campaign.event is None:
        return []
    return [("invitation.ics", event_ics(campaign.event), "text/calendar; charset=utf-8")]
