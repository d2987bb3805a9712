"""Community API: members, identities, activities (bulk, idempotent), groups, events,
attendance and affiliations."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kizuna.accounts.auth import require_scope
from kizuna.accounts.models import Organization
from kizuna.community import contest_selectors, selectors, services
from kizuna.community.models import (
    Activity,
    Affiliation,
    AttendanceRole,
    AttendanceStatus,
    Contest,
    ContestState,
    Event,
    EventFormat,
    EventKind,
    Group,
    Identity,
    Member,
)
from kizuna.community.permissions import (
    CommunityAction,
    can_community,
    can_create_event,
    can_edit_event,
    can_edit_group,
    partner_visible_activities,
)
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import (
    ApiDate,
    ApiDateTime,
    Choice,
    Count,
    HttpUrlText,
    Id,
    RequiredText,
    Text,
    max_length_of,
)
from kizuna.core.prefectures import PREFECTURE_CODES
from kizuna.core.reasons import reason_text

router = Router(tags=["community"])
BULK_LIMIT = 5_000


def _staff(request: HttpRequest, scope: str) -> Any:
    user = require_scope(request, scope)
    if not can_community(user, CommunityAction.LIST_MEMBERS):
        raise ApiError(403, "forbidden", "Only community staff can use this endpoint.")
    return user


class IdentityOut(Schema):
    platform: str
    handle: str
    email: str
    display_name: str
    verified: bool


class MemberOut(Schema):
    id: int
    display_name: str
    name_ja: str
    name_kana: str
    name_romaji: str
    prefecture: str
    is_bot: bool
    is_staff: bool
    identities: list[IdentityOut]

    @staticmethod
    def resolve_identities(member: Member) -> list[Any]:
        return list(member.identities.all())


Prefecture = Annotated[str, Choice(["", *PREFECTURE_CODES])]


class MembersIn(Schema):
    q: Text = Field("", max_length=200)
    tag: Text = Field("", max_length=100)
    prefecture: Prefecture = ""
    group: Text = Field("", max_length=100)
    level: int | None = Field(None, ge=0, le=100)


@router.get("/members", response=list[MemberOut], summary="Search members")
@paginate
def list_members(request: HttpRequest, filters: Query[MembersIn]) -> Any:
    _staff(request, "community:read")
    members = selectors.member_search(
        query=filters.q, tag=filters.tag, prefecture=filters.prefecture, group_slug=filters.group
    ).prefetch_related("identities")
    return selectors.members_at_level(members, filters.level)


@router.get("/members/{member_id}", response=MemberOut, summary="One member")
def get_member(request: HttpRequest, member_id: Id) -> Any:
    _staff(request, "community:read")
    return get_object_or_404(Member.objects.current(), pk=member_id, erased_at__isnull=True)


class IdentityIn(Schema):
    platform: RequiredText = Field(max_length=max_length_of(Identity, "platform"))
    handle: Text = Field("", max_length=max_length_of(Identity, "handle"))
    email: Text = Field("", max_length=max_length_of(Identity, "email"))
    display_name: Text = Field("", max_length=max_length_of(Identity, "display_name"))
    verified: bool = False


@router.post(
    "/members/{member_id}/identities",
    response={201: IdentityOut},
    summary="Add an identity to a member",
)
def add_identity(request: HttpRequest, member_id: Id, payload: IdentityIn) -> Any:
    user = _staff(request, "community:write")
    member = get_object_or_404(Member.objects.current(), pk=member_id, erased_at__isnull=True)
    return 201, services.identity_add(actor=user, member=member, **payload.dict())


class MemberRef(Schema):
    platform: Text = Field(max_length=max_length_of(Identity, "platform"))
    handle: Text = Field("", max_length=max_length_of(Identity, "handle"))
    email: Text = Field("", max_length=max_length_of(Identity, "email"))
    name: Text = Field("", max_length=max_length_of(Identity, "display_name"))


class ActivityIn(Schema):
    """Lengths are checked per line by the ingest (a bad line never fails its batch); the
    schema only keeps out what no line could hold: NUL characters, text past any column."""

    source: Text = Field(max_length=max_length_of(Activity, "source"))
    external_id: Text = Field(max_length=max_length_of(Activity, "external_id"))
    type: Text = Field(max_length=50)
    occurred_at: Text = Field(max_length=40)
    member: MemberRef
    event_external_id: Text = Field("", max_length=max_length_of(Event, "external_id"))
    url: HttpUrlText = Field("", max_length=max_length_of(Activity, "url"))
    title: Text = Field("", max_length=max_length_of(Activity, "title"))
    body: Text = Field("", max_length=100_000)
    output: bool | None = None
    in_reply_to: Text = Field("", max_length=max_length_of(Activity, "external_id"))


class LineOut(Schema):
    index: int
    status: str
    reason: str = Field(
        description="Why the line was rejected: a code (e.g. `unknown_type`), a colon, then "
        "the explanation in the request's language (Accept-Language)"
    )


class BulkOut(Schema):
    created: int
    unchanged: int
    rejected: int
    lines: list[LineOut]


@router.post(
    "/activities/bulk",
    response=BulkOut,
    summary="Create activities; sending the same ones again changes nothing",
)
def bulk_activities(request: HttpRequest, payload: list[ActivityIn]) -> Any:
    user = _staff(request, "community:write")
    if len(payload) > BULK_LIMIT:
        raise ApiError(413, "too_many", f"Send at most {BULK_LIMIT} activities per request.")
    lines: list[LineOut] = []
    records = [(index, item.dict(exclude_none=True)) for index, item in enumerate(payload)]
    summary = services.activities_ingest(
        records=records,
        actor=user,
        on_outcome=lambda o: lines.append(
            LineOut(index=o.line, status=o.status, reason=reason_text(o.reason))
        ),
    )
    return BulkOut(
        created=summary.created, unchanged=summary.unchanged, rejected=summary.rejected, lines=lines
    )


class ActivityOut(Schema):
    source: str
    external_id: str
    type: str = Field(alias="type_id")
    occurred_at: datetime
    url: str
    title: str
    member_id: int
    is_output: bool


@router.get("/activities", response=list[ActivityOut], summary="Activities, newest first")
@paginate
def list_activities(
    request: HttpRequest, member: Id | None = None, since: ApiDateTime | None = None
) -> Any:
    _staff(request, "community:read")
    activities = Activity.objects.order_by("-occurred_at")
    if member is not None:
        activities = activities.filter(member_id=member)
    if since is not None:
        activities = activities.filter(occurred_at__gte=since)
    return activities


class PublicActivityOut(Schema):
    type: str = Field(alias="type_id")
    occurred_at: datetime
    url: str
    title: str
    member_name: str = Field(alias="member.display_name")


@router.get(
    "/partner/activities",
    response=list[PublicActivityOut],
    summary="Public activity of the people affiliated with your organizations",
)
@paginate
def partner_activities(request: HttpRequest) -> Any:
    user = require_scope(request, "community:read")
    if not can_community(user, CommunityAction.VIEW_PARTNER_ACTIVITY):
        raise ApiError(403, "forbidden", "Only partner organizations have affiliated people.")
    return partner_visible_activities(user)


class EventOut(Schema):
    id: int
    source: str
    external_id: str
    title: str
    group_id: int | None
    url: str
    kind: str
    format: str
    staff_run: bool
    venue: str
    prefecture: str
    online_url: str
    hashtag: str
    starts_at: datetime
    ends_at: datetime | None
    capacity: int | None


class EventIn(Schema):
    source: RequiredText = Field("kizuna", max_length=max_length_of(Event, "source"))
    external_id: RequiredText = Field(max_length=max_length_of(Event, "external_id"))
    title: RequiredText = Field(max_length=max_length_of(Event, "title"))
    kind: Annotated[str, Choice(EventKind.values)] = EventKind.MEETUP.value
    format: Annotated[str, Choice(EventFormat.values)] = EventFormat.IN_PERSON.value
    staff_run: bool = False
    venue: Text = Field("", max_length=max_length_of(Event, "venue"))
    prefecture: Prefecture = ""
    online_url: HttpUrlText = Field("", max_length=max_length_of(Event, "online_url"))
    hashtag: Text = Field("", max_length=max_length_of(Event, "hashtag"))
    starts_at: ApiDateTime
    ends_at: ApiDateTime | None = None
    capacity: Count | None = None


@router.get("/events", response=list[EventOut], summary="Events, newest first")
@paginate
def list_events(request: HttpRequest) -> Any:
    require_scope(request, "community:read")
    return Event.objects.all()


@router.put("/events", response=EventOut, summary="Create or update an event by external id")
def put_event(request: HttpRequest, payload: EventIn) -> Any:
    user = _staff(request, "community:write")
    data = payload.dict()
    event, _created = services.event_upsert(
        actor=user, source=data.pop("source"), external_id=data.pop("external_id"), **data
    )
    return event


class AttendanceOut(Schema):
    member_id: int
    member_name: str = Field(alias="member.display_name")
    role: str
    status: str
    first_time: bool


class AttendanceIn(Schema):
    member_id: Id
    role: Annotated[str, Choice(AttendanceRole.values)] = AttendanceRole.ATTENDEE.value
    status: Annotated[str, Choice(AttendanceStatus.values)] = AttendanceStatus.REGISTERED.value


@router.get(
    "/events/{event_id}/attendance",
    response=list[AttendanceOut],
    summary="Who came, with first-timers marked",
)
def event_attendance(request: HttpRequest, event_id: Id) -> Any:
    _staff(request, "community:read")
    return list(selectors.event_attendance(get_object_or_404(Event, pk=event_id)))


@router.put(
    "/events/{event_id}/attendance",
    response=AttendanceOut,
    summary="Set a member's role and status at the event",
)
def set_attendance(request: HttpRequest, event_id: Id, payload: AttendanceIn) -> Any:
    user = _staff(request, "community:write")
    event = get_object_or_404(Event, pk=event_id)
    member = get_object_or_404(Member.objects.current(), pk=payload.member_id)
    services.attendance_set(
        actor=user, event=event, member=member, role=payload.role, status=payload.status
    )
    return selectors.event_attendance(event).get(member=member)


class EventCreateIn(Schema):
    title: RequiredText = Field(max_length=max_length_of(Event, "title"))
    group_id: Id | None = None
    kind: Annotated[str, Choice(EventKind.values)] = EventKind.MEETUP.value
    format: Annotated[str, Choice(EventFormat.values)] = EventFormat.IN_PERSON.value
    staff_run: bool = False
    venue: Text = Field("", max_length=max_length_of(Event, "venue"))
    prefecture: Prefecture = ""
    online_url: HttpUrlText = Field("", max_length=max_length_of(Event, "online_url"))
    url: HttpUrlText = Field("", max_length=max_length_of(Event, "url"))
    hashtag: Text = Field("", max_length=max_length_of(Event, "hashtag"))
    starts_at: ApiDateTime
    ends_at: ApiDateTime | None = None
    capacity: Count | None = None


class EventPatchIn(Schema):
    """Only the fields sent change; `null` empties the ones that may be empty."""

    title: RequiredText | None = Field(None, max_length=max_length_of(Event, "title"))
    group_id: Id | None = None
    kind: Annotated[str, Choice(EventKind.values)] | None = None
    format: Annotated[str, Choice(EventFormat.values)] | None = None
    staff_run: bool | None = None
    venue: Text | None = Field(None, max_length=max_length_of(Event, "venue"))
    prefecture: Prefecture | None = None
    online_url: HttpUrlText | None = Field(None, max_length=max_length_of(Event, "online_url"))
    url: HttpUrlText | None = Field(None, max_length=max_length_of(Event, "url"))
    hashtag: Text | None = Field(None, max_length=max_length_of(Event, "hashtag"))
    starts_at: ApiDateTime | None = None
    ends_at: ApiDateTime | None = None
    capacity: Count | None = None


# Fields that cannot be empty: sending null for them is refused, not stored.
_EVENT_REQUIRED = {"title", "kind", "format", "staff_run", "starts_at"}
_EVENT_BLANKABLE = {"venue", "prefecture", "online_url", "url", "hashtag"}


def _event_changes(payload: EventPatchIn) -> dict[str, Any]:
    changes = payload.dict(exclude_unset=True)
    for name in _EVENT_REQUIRED & {k for k, v in changes.items() if v is None}:
        raise ApiError(422, "required", f"'{name}' cannot be null.")
    for name in _EVENT_BLANKABLE:
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "group_id" in changes:
        group_id = changes.pop("group_id")
        changes["group"] = _group_or_422(group_id) if group_id is not None else None
    return changes


def _group_or_422(group_id: int) -> Group:
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise ApiError(422, "unknown_group", f"There is no group {group_id}.")
    return group


@router.post("/events", response={201: EventOut}, summary="Create an event")
def create_event(request: HttpRequest, payload: EventCreateIn) -> Any:
    user = require_scope(request, "community:write")
    data = payload.dict()
    group_id = data.pop("group_id")
    group = _group_or_422(group_id) if group_id is not None else None
    if not can_create_event(user, group):
        raise ApiError(403, "forbidden", "Only staff and the group's organizers create events.")
    return 201, services.event_create(actor=user, group=group, **data)


@router.patch("/events/{event_id}", response=EventOut, summary="Change an event")
def patch_event(request: HttpRequest, event_id: Id, payload: EventPatchIn) -> Any:
    user = require_scope(request, "community:write")
    event = get_object_or_404(Event, pk=event_id)
    if not can_edit_event(user, event):
        raise ApiError(403, "forbidden", "Only staff and the group's organizers change events.")
    changes = _event_changes(payload)
    if "group" in changes and not can_create_event(user, changes["group"]):
        raise ApiError(403, "forbidden", "You can move events only to groups you organize.")
    return services.event_update(actor=user, event=event, **changes)


# Groups

MAX_LINKS = 20
MAX_ORGANIZERS = 50


class GroupOut(Schema):
    id: int
    name: str
    slug: str
    prefecture: str
    description: str
    links: list[str]
    organizer_ids: list[int]

    @staticmethod
    def resolve_organizer_ids(group: Group) -> list[int]:
        return sorted(member.pk for member in group.leaders.all())


GroupLinks = Annotated[list[HttpUrlText], Field(max_length=MAX_LINKS)]
OrganizerIds = Annotated[list[Id], Field(max_length=MAX_ORGANIZERS)]


class GroupIn(Schema):
    name: RequiredText = Field(max_length=max_length_of(Group, "name"))
    prefecture: Prefecture = ""
    description: Text = Field("", max_length=10_000)
    links: GroupLinks = []
    organizer_ids: OrganizerIds = []


class GroupPatchIn(Schema):
    name: RequiredText | None = Field(None, max_length=max_length_of(Group, "name"))
    prefecture: Prefecture | None = None
    description: Text | None = Field(None, max_length=10_000)
    links: GroupLinks | None = None
    organizer_ids: OrganizerIds | None = None


def _organizers(ids: list[int]) -> list[Member]:
    members = list(Member.objects.current().filter(pk__in=ids, erased_at__isnull=True))
    missing = sorted(set(ids) - {m.pk for m in members})
    if missing:
        raise ApiError(422, "unknown_member", f"No current member has the ids {missing}.")
    return members


@router.get("/groups", response=list[GroupOut], summary="User groups")
@paginate
def list_groups(request: HttpRequest) -> Any:
    require_scope(request, "community:read")
    return Group.objects.prefetch_related("leaders").order_by("name", "id")


@router.post("/groups", response={201: GroupOut}, summary="Create a user group")
def create_group(request: HttpRequest, payload: GroupIn) -> Any:
    user = _staff(request, "community:write")
    data = payload.dict()
    organizers = _organizers(data.pop("organizer_ids"))
    return 201, services.group_create(actor=user, leaders=organizers, **data)


@router.get("/groups/{group_id}", response=GroupOut, summary="One user group")
def get_group(request: HttpRequest, group_id: Id) -> Any:
    require_scope(request, "community:read")
    return get_object_or_404(Group, pk=group_id)


@router.patch("/groups/{group_id}", response=GroupOut, summary="Change a user group")
def patch_group(request: HttpRequest, group_id: Id, payload: GroupPatchIn) -> Any:
    user = require_scope(request, "community:write")
    group = get_object_or_404(Group, pk=group_id)
    if not can_edit_group(user, group):
        raise ApiError(403, "forbidden", "Only staff and the group's organizers change a group.")
    changes = payload.dict(exclude_unset=True)
    if changes.get("name", "") is None:
        raise ApiError(422, "required", "'name' cannot be null.")
    for name, empty in (("prefecture", ""), ("description", ""), ("links", [])):
        if name in changes and changes[name] is None:
            changes[name] = empty
    leaders = None
    if "organizer_ids" in changes:
        leaders = _organizers(changes.pop("organizer_ids") or [])
    return services.group_update(actor=user, group=group, leaders=leaders, **changes)


# Affiliations


class AffiliationOut(Schema):
    id: int
    member_id: int
    organization_id: int
    title: str
    start_date: date
    end_date: date | None


class AffiliationsIn(Schema):
    member: Id | None = None
    organization: Id | None = None
    current: bool | None = None


class AffiliationIn(Schema):
    member_id: Id
    organization_id: Id
    title: Text = Field("", max_length=max_length_of(Affiliation, "title"))
    start_date: ApiDate
    end_date: ApiDate | None = None


class AffiliationPatchIn(Schema):
    """Ending an affiliation is a PATCH of `end_date`; `null` reopens it."""

    title: Text | None = Field(None, max_length=max_length_of(Affiliation, "title"))
    start_date: ApiDate | None = None
    end_date: ApiDate | None = None


@router.get("/affiliations", response=list[AffiliationOut], summary="Who works where")
@paginate
def list_affiliations(request: HttpRequest, filters: Query[AffiliationsIn]) -> Any:
    _staff(request, "community:read")
    affiliations = Affiliation.objects.order_by("-start_date", "id")
    if filters.member is not None:
        affiliations = affiliations.filter(member_id=filters.member)
    if filters.organization is not None:
        affiliations = affiliations.filter(organization_id=filters.organization)
    if filters.current is not None:
        affiliations = affiliations.filter(end_date__isnull=filters.current)
    return affiliations


@router.post("/affiliations", response={201: AffiliationOut}, summary="Add an affiliation")
def create_affiliation(request: HttpRequest, payload: AffiliationIn) -> Any:
    user = _staff(request, "community:write")
    member = Member.objects.current().filter(pk=payload.member_id, erased_at__isnull=True).first()
    if member is None:
        raise ApiError(422, "unknown_member", f"No current member has the id {payload.member_id}.")
    organization = Organization.objects.filter(pk=payload.organization_id).first()
    if organization is None:
        raise ApiError(
            422, "unknown_organization", f"There is no organization {payload.organization_id}."
        )
    return 201, services.affiliation_add(
        actor=user,
        member=member,
        organization=organization,
        title=payload.title,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )


@router.get("/affiliations/{affiliation_id}", response=AffiliationOut, summary="One affiliation")
def get_affiliation(request: HttpRequest, affiliation_id: Id) -> Any:
    _staff(request, "community:read")
    return get_object_or_404(Affiliation, pk=affiliation_id)


@router.patch(
    "/affiliations/{affiliation_id}",
    response=AffiliationOut,
    summary="Change an affiliation's dates or title; set end_date to end it",
)
def patch_affiliation(request: HttpRequest, affiliation_id: Id, payload: AffiliationPatchIn) -> Any:
    user = _staff(request, "community:write")
    affiliation = get_object_or_404(Affiliation, pk=affiliation_id)
    changes = payload.dict(exclude_unset=True)
    if "start_date" in changes and changes["start_date"] is None:
        raise ApiError(422, "required", "'start_date' cannot be null.")
    if changes.get("title", "") is None:
        changes["title"] = ""
    return services.affiliation_update(actor=user, affiliation=affiliation, **changes)


# Contests: what the public pages show (announced contests, accepted entries, results).


class CriterionOut(Schema):
    id: int
    name_ja: str
    name_en: str
    weight: int


class ContestOut(Schema):
    id: int
    state: str
    title_ja: str
    title_en: str
    theme_ja: str
    theme_en: str
    rules_ja: str
    rules_en: str
    prizes_ja: str
    prizes_en: str
    eligibility: str
    entries_open_at: datetime
    entries_close_at: datetime
    results_published_at: datetime | None
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(contest: Contest) -> list[Any]:
        return list(contest.criteria.all())


class ContestResultOut(Schema):
    entry_id: int
    rank: int | None = Field(description="Shared by entries with the same score; null: unscored")
    score: str | None = Field(description="Weighted mean out of 10, two decimals")
    title: str
    url: str
    kind: str
    member_id: int
    judges_excluded: int = Field(description="Judges who did not score it (conflict of interest)")


def _public_contest(contest_id: int) -> Contest:
    return get_object_or_404(contest_selectors.public_contests(), pk=contest_id)


@router.get("/contests", response=list[ContestOut], summary="Announced contests, newest first")
@paginate
def list_contests(request: HttpRequest) -> Any:
    require_scope(request, "community:read")
    return contest_selectors.public_contests().prefetch_related("criteria")


@router.get("/contests/{contest_id}", response=ContestOut, summary="One announced contest")
def get_contest(request: HttpRequest, contest_id: Id) -> Any:
    require_scope(request, "community:read")
    return _public_contest(contest_id)


@router.get(
    "/contests/{contest_id}/results",
    response=list[ContestResultOut],
    summary="A contest's published results, best first",
)
def get_contest_results(request: HttpRequest, contest_id: Id) -> Any:
    require_scope(request, "community:read")
    contest = _public_contest(contest_id)
    if contest.state != ContestState.FINISHED:
        raise ApiError(404, "results_not_published", "This contest's results are not published.")
    excluded = contest_selectors.conflicts_by_entry(contest)
    return [
        {
            "entry_id": entry.pk,
            "rank": entry.rank,
            "score": None if entry.total is None else str(entry.total),
            "title": entry.title,
            "url": entry.url,
            "kind": entry.kind,
            "member_id": entry.member_id,
            "judges_excluded": len(excluded.get(entry.pk, [])),
        }
        for entry in contest_selectors.results(contest)
    ]
