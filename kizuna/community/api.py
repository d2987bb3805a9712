"""Community API: members, identities, activities (bulk, idempotent), events and attendance."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kizuna.accounts.auth import require_scope
from kizuna.community import selectors, services
from kizuna.community.models import (
    Activity,
    AttendanceRole,
    AttendanceStatus,
    Event,
    EventFormat,
    EventKind,
    Identity,
    Member,
)
from kizuna.community.permissions import (
    CommunityAction,
    can_community,
    partner_visible_activities,
)
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import (
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
    reason: str


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
        on_outcome=lambda o: lines.append(LineOut(index=o.line, status=o.status, reason=o.reason)),
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
