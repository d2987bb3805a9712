"""Every write to community data goes through here (DESIGN.md, rules of the house).

One module per concern; `from kizuna.community import services; services.member_merge(...)`
keeps working through the names below:

- members: the one way people are created (`people_create`, used by the activity import,
  the attendance import and `member_create` alike), profiles
- affiliations: who works where (every change emits `affiliation.*` with the dates before
  and after), and suggestions staff confirm
- identities: a member's accounts on platforms, and the erasure blocklist they are checked against
- merges: merging two records of one person, undoing it, suggestions of who may be one person
- erasure: erasing a person (個人情報保護法)
- events: groups, events, attendance and its import from organizers' exports
- activities: the bulk activity import (the work is in ../ingest.py)
- levels: engagement levels (the levels themselves; insights says what each member earned)
"""

from kizuna.community.services.activities import activities_ingest
from kizuna.community.services.affiliations import (
    affiliation_add,
    affiliation_end,
    affiliation_propose,
    affiliation_remove,
    affiliation_suggestion_confirm,
    affiliation_suggestion_dismiss,
    affiliation_suggestions_refresh,
    affiliation_update,
)
from kizuna.community.services.erasure import member_erase
from kizuna.community.services.events import (
    attendance_set,
    attendances_import,
    event_create,
    event_update,
    event_upsert,
    group_create,
    group_update,
)
from kizuna.community.services.identities import identity_add
from kizuna.community.services.levels import member_levels_apply
from kizuna.community.services.members import (
    NewPerson,
    member_create,
    member_update,
    people_create,
)
from kizuna.community.services.merges import (
    member_mark_not_same,
    member_merge,
    member_merge_undo,
    merge_suggestions_refresh,
)
from kizuna.community.services.search import member_refresh_search

__all__ = [
    "NewPerson",
    "activities_ingest",
    "affiliation_add",
    "affiliation_end",
    "affiliation_propose",
    "affiliation_remove",
    "affiliation_suggestion_confirm",
    "affiliation_suggestion_dismiss",
    "affiliation_suggestions_refresh",
    "affiliation_update",
    "attendance_set",
    "attendances_import",
    "event_create",
    "event_update",
    "event_upsert",
    "group_create",
    "group_update",
    "identity_add",
    "member_create",
    "member_erase",
    "member_levels_apply",
    "member_mark_not_same",
    "member_merge",
    "member_merge_undo",
    "member_refresh_search",
    "member_update",
    "merge_suggestions_refresh",
    "people_create",
]
