"""Event types of the community (see kizuna.core.catalog).

Payloads name members by id only: what a member is called, their handles and emails stay
behind `GET /api/v1/community/...` and its scopes. `member.erased` tells a subscriber to
erase what it copied about that member.
"""

from datetime import date, datetime
from functools import partial

from kizuna.core.catalog import EventPayload, declare


class MembersCreated(EventPayload):
    member_ids: list[int]


class MemberUpdated(EventPayload):
    member_id: int
    fields: list[str]


class AffiliationDates(EventPayload):
    start_date: date
    end_date: date | None


class AffiliationChange(EventPayload):
    """One change of who works where, with the dates before and after it.

    `before` is null when the affiliation was added, `after` when it was removed; an
    `end_date` of null means "still there". Who recomputes something per affiliation (a
    partner's contribution points) reads both to know which days changed.
    """

    affiliation_id: int
    member_id: int
    organization_id: int
    before: AffiliationDates | None
    after: AffiliationDates | None


class MemberMerge(EventPayload):
    into_id: int
    merged_id: int
    merge_id: int


class MemberErased(EventPayload):
    member_id: int


class ActivityIngested(EventPayload):
    count: int
    sources: list[str]
    occurred_from: datetime
    occurred_until: datetime
    organization_ids: list[int]


class EventCreated(EventPayload):
    event_id: int
    source: str


class EventUpdated(EventPayload):
    event_id: int
    fields: list[str]


class GroupCreated(EventPayload):
    group_id: int


class GroupUpdated(EventPayload):
    group_id: int
    fields: list[str]


class AttendanceChanged(EventPayload):
    event_id: int
    member_id: int
    role: str
    status: str


class AttendanceImported(EventPayload):
    event_id: int
    created: int
    updated: int
    rejected: int


declare_community = partial(declare, public=True, scope="community:read")

declare_community("member.created", schema=MembersCreated)
declare_community("member.updated", schema=MemberUpdated)
declare_community("affiliation.added", schema=AffiliationChange)
declare_community("affiliation.changed", schema=AffiliationChange)
declare_community("affiliation.removed", schema=AffiliationChange)
declare_community("member.merged", schema=MemberMerge)
declare_community("member.merge_undone", schema=MemberMerge)
declare_community("member.erased", schema=MemberErased)
declare_community("event.created", schema=EventCreated)
declare_community("event.updated", schema=EventUpdated)
declare_community("group.created", schema=GroupCreated)
declare_community("group.updated", schema=GroupUpdated)
declare_community("attendance.changed", schema=AttendanceChanged)
declare_community("attendance.imported", schema=AttendanceImported)
# A batch marker for the rollups; the activities themselves are read through the API.
declare("activity.ingested", schema=ActivityIngested)


class MemberClaimed(EventPayload):
    member_id: int
    user_id: int
    how: str


# Internal: which account a member is stays inside Kizuna.
declare("member.claimed", schema=MemberClaimed)


class ContestPublished(EventPayload):
    contest_id: int
    entries_open_at: datetime
    entries_close_at: datetime


class ContestEntryChange(EventPayload):
    contest_id: int
    entry_id: int
    member_id: int


class ContestResultsPublished(EventPayload):
    contest_id: int
    ranked_entry_ids: list[int]  # best first; entries sharing a rank in submission order


declare_community("contest.published", schema=ContestPublished)
declare_community("contest.entry_submitted", schema=ContestEntryChange)
declare_community("contest.entry_accepted", schema=ContestEntryChange)
declare_community("contest.results_published", schema=ContestResultsPublished)
