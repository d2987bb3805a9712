"""Audiences resolved into people, and who of them a campaign may reach: in bulk.

`audience_decide` is the one function that takes an audience to a decision for every
person in it (consent, suppression list, advertising frequency cap). It runs a fixed number
of queries whatever the audience's size: the people (one query), their addresses on each
channel (one query a channel), the latest consents for the topic, the suppression list and
the week's advertising counts (one query each), then joins them in memory. Per-row queries
would cost a round trip each; at 100,000 recipients that is minutes, this is seconds
(bench/outreach.py measures it).

Suppression is stored as a hash of the address (so the erasure blocklist does not keep
what it erased), which SQLite cannot compute; the addresses are hashed here instead.

The worker decides again for each delivery when it sends it (`policy.decide`): a person who
unsubscribes between approval and sending is not written to.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kizuna.core.collector import collector_paused
from kizuna.outreach import policy
from kizuna.outreach.campaign_models import Audience, AudienceKind
from kizuna.outreach.models import Purpose, State

# Outcomes of the decision; "" means the person will be sent the message.
SEND = ""
NO_ADDRESS = "no_address"
SAMPLE_SIZE = 10


# Plain slotted dataclasses: 100,000 of them are built per decision, and frozen ones
# cost twice as much to create.
@dataclass(slots=True)
class Person:
    recipient_key: str
    user_id: int | None
    member_id: int | None
    name: str
    organization: str
    language: str


@dataclass(slots=True)
class Decided:
    person: Person
    channel: str  # "" when the person has no address on any of the campaign's channels
    address: str
    outcome: str  # SEND, policy.NO_CONSENT, policy.SUPPRESSED, policy.CAPPED or NO_ADDRESS


@dataclass
class AudienceDecision:
    rows: list[Decided] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(row.outcome for row in self.rows))

    @property
    def reachable(self) -> list[Decided]:
        """The people who get a delivery (sent now or skipped with its reason at send time)."""
        return [row for row in self.rows if row.outcome != NO_ADDRESS]


def _strings(filters: dict[str, Any], key: str) -> list[str]:
    return [str(value) for value in filters.get(key) or [] if str(value)]


def partner_users(filters: dict[str, Any]) -> QuerySet[Any]:
    """Active people of the partner organizations the filters select."""
    from kizuna.accounts.models import User
    from kizuna.billing.models import Invoice, InvoiceStatus
    from kizuna.partners.models import PartnerProfile

    profiles = PartnerProfile.objects.all()
    if ranks := _strings(filters, "ranks"):
        profiles = profiles.filter(rank__in=ranks)
    if prefectures := _strings(filters, "prefectures"):
        profiles = profiles.filter(head_office_prefecture__in=prefectures)
    if badges := _strings(filters, "badges"):
        profiles = profiles.filter(
            badge_awards__badge__code__in=badges, badge_awards__lapsed_at__isnull=True
        )
    billing = filters.get("billing") or ""
    overdue = Invoice.objects.filter(
        account__organization=OuterRef("organization"),
        status=InvoiceStatus.OPEN,
        overdue_since__isnull=False,
    )
    if billing == "suspended":
        profiles = profiles.filter(organization__billing_account__suspended=True)
    elif billing == "overdue":
        profiles = profiles.filter(Exists(overdue))
    elif billing == "good_standing":
        profiles = profiles.exclude(organization__billing_account__suspended=True).exclude(
            Exists(overdue)
        )
    return User.objects.filter(
        is_active=True,
        memberships__organization__partner_profile__in=profiles.values("pk"),
    ).distinct()


def community_members(filters: dict[str, Any]) -> QuerySet[Any]:
    """Members (not bots, not merged away, not erased) the filters select."""
    from kizuna.community.models import Activity, Attendance, AttendanceStatus, Member

    members = Member.objects.filter(merged_into__isnull=True, erased_at__isnull=True, is_bot=False)
    levels = [int(level) for level in filters.get("levels") or [] if str(level).isdigit()]
    if levels:
        members = members.filter(engagement__level__in=levels)
    # Joins that can repeat a member (several tags, several groups led) need DISTINCT; the
    # others do not, and DISTINCT over every member costs a sort.
    repeated = False
    if tags := _strings(filters, "tags"):
        members = members.filter(tags__name__in=tags)
        repeated = True
    if groups := _strings(filters, "groups"):
        members = members.filter(
            Exists(
                Attendance.objects.filter(
                    member=OuterRef("pk"),
                    event__group__slug__in=groups,
                    status=AttendanceStatus.ATTENDED,
                )
            )
            | Q(led_groups__slug__in=groups)
        )
        repeated = True
    min_events = int(filters.get("min_events") or 0)
    if min_events > 0:
        attended = (
            Attendance.objects.filter(member=OuterRef("pk"), status=AttendanceStatus.ATTENDED)
            .values("member")
            .annotate(n=Count("pk"))
            .values("n")
        )
        members = members.annotate(attended=Subquery(attended)).filter(attended__gte=min_events)
    days = int(filters.get("active_within_days") or 0)
    if days > 0:
        since = timezone.now() - timedelta(days=days)
        members = members.filter(
            Exists(Activity.objects.filter(member=OuterRef("pk"), occurred_at__gte=since))
        )
    return members.distinct() if repeated else members


def audience_people(audience: Audience) -> list[Person]:
    """Everyone the audience selects today, once each (one query)."""
    if audience.kind == AudienceKind.PARTNERS:
        return _partner_people(audience.filters)
    return _member_people(audience.filters)


def _partner_people(filters: dict[str, Any]) -> list[Person]:
    from kizuna.partners.models import PartnerProfile

    # A partner that works only in English gets English (its people have no language of
    # their own in Kizuna).
    english_only = {
        pk
        for pk, languages in PartnerProfile.objects.values_list("organization_id", "languages")
        if languages and "ja" not in languages
    }
    rows = (
        partner_users(filters)
        .annotate(organization_id=Min("memberships__organization"))
        .annotate(organization_name=Min("memberships__organization__name"))
        .values_list("pk", "display_name", "email", "organization_id", "organization_name")
        .order_by("pk")
    )
    return [
        Person(
            recipient_key=f"user:{pk}",
            user_id=pk,
            member_id=None,
            name=display_name or email.split("@")[0],
            organization=organization_name or "",
            language="en" if organization_id in english_only else "ja",
        )
        for pk, display_name, email, organization_id, organization_name in rows
    ]


def _member_people(filters: dict[str, Any]) -> list[Person]:
    rows = policy.rows(
        community_members(filters).order_by("pk"),
        "pk",
        "user_id",
        "display_name",
        "name_ja",
        "prefecture",
    )
    return [
        Person(
            recipient_key=f"user:{user_id}" if user_id else f"member:{pk}",
            user_id=user_id,
            member_id=pk,
            name=name_ja or display_name,
            organization="",
            # No Japanese name and no prefecture: most likely not reading Japanese.
            language="ja" if name_ja or prefecture else "en",
        )
        for pk, user_id, display_name, name_ja, prefecture in rows
    ]


def channel_addresses(audience: Audience, channel: str) -> dict[str, str]:
    """recipient key -> the person's address on `channel`, for everyone in the audience."""
    from kizuna.community.models import Identity

    if audience.kind == AudienceKind.PARTNERS:
        users = partner_users(audience.filters)
        if channel == "email":
            return {f"user:{pk}": email for pk, email in users.values_list("pk", "email")}
        identities = Identity.objects.filter(platform=channel, member__user__in=users.values("pk"))
        return {
            f"user:{user_id}": handle
            for user_id, handle in identities.values_list("member__user_id", "handle")
        }
    members = community_members(audience.filters)
    if channel == "email":
        verified_email = Identity.objects.filter(
            member=OuterRef("pk"), verified=True, email__gt=""
        ).values("email")[:1]
        rows = policy.rows(
            members.annotate(identity_email=Subquery(verified_email)),
            "pk",
            "user_id",
            "user__email",
            "identity_email",
        )
        return {
            (f"user:{user_id}" if user_id else f"member:{pk}"): user_email or identity_email
            for pk, user_id, user_email, identity_email in rows
            if user_email or identity_email
        }
    identities = Identity.objects.filter(platform=channel, member__in=members.values("pk"))
    return {
        (f"user:{user_id}" if user_id else f"member:{member_id}"): handle
        for member_id, user_id, handle in identities.values_list(
            "member_id", "member__user_id", "handle"
        )
    }


def audience_decide(
    *, audience: Audience, channels: list[str], topic: str, now: datetime | None = None
) -> AudienceDecision:
    """Everyone in `audience` and what an advertising message on `topic` would do for them.

    Each person is sent the message once, on the first of `channels` where they have an
    address, have agreed to the topic and are not suppressed. Someone who can be sent it
    nowhere keeps the reason of their first channel with an address (no consent, suppressed);
    the weekly cap counts across channels, so it is the person's, not a channel's. The rules
    are the worker's own (`policy.decide_many`); quiet hours only delay a send, so they do
    not count here.
    """
    now = now or timezone.now()
    # The collector paused (core.collector): measured on a loaded machine, deciding 100,000
    # people took 7.5-7.8 s with it and 3.8-4.5 s without.
    with collector_paused():
        return _decide(audience, channels, topic, now)


def _decide(audience: Audience, channels: list[str], topic: str, now: datetime) -> AudienceDecision:
    people = audience_people(audience)
    addresses = {channel: channel_addresses(audience, channel) for channel in channels}
    candidates = [
        policy.Candidate(person.recipient_key, channel, address)
        for person in people
        for channel in channels
        if (address := addresses[channel].get(person.recipient_key))
    ]
    decided = policy.decide_many(candidates, purpose=Purpose.ADVERTISING, topic=topic, now=now)
    outcomes = {
        (candidate.recipient_key, candidate.channel): (
            SEND if decision is None or decision.state == State.DEFERRED else decision.reason
        )
        for candidate, decision in zip(candidates, decided, strict=True)
    }
    decision = AudienceDecision()
    append = decision.rows.append
    for person in people:
        first: Decided | None = None
        chosen: Decided | None = None
        key = person.recipient_key
        for channel in channels:
            address = addresses[channel].get(key)
            if not address:
                continue
            candidate = Decided(person, channel, address, outcomes[(key, channel)])
            first = first or candidate
            if candidate.outcome == SEND:
                chosen = candidate
                break
        append(chosen or first or Decided(person, "", "", NO_ADDRESS))
    return decision
