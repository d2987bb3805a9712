"""`GET /api/v1/events`: the change feed of public domain events (see kizuna.core.feed).

A token needs `events:read`, plus each event type's own scope to see that type, plus
`personal_data:read` to see the fields its type declares personal. Staff tokens read every
event; a partner's token reads the events about its own organizations.
"""

from datetime import datetime
from typing import Annotated, Any, Literal, Optional, Union

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from kizuna.accounts.auth import require_scope
from kizuna.core import catalog
from kizuna.core.api_errors import ApiError
from kizuna.core.feed import MAX_LIMIT, CursorExpired, feed_page

MAX_CURSOR = 2**63 - 1  # the largest id either database stores

router = Router(tags=["events"])

PERSONAL_NOTE = "Personal data: present only for a token with the scope `personal_data:read`."


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", ".").split("."))


def _feed_data_model(declared: catalog.EventType) -> Any:
    """The type's payload schema as the feed shows it: personal fields may be left out."""
    if not declared.personal_fields:
        return declared.schema
    optional: Any = {
        name: (Optional[field.annotation], Field(None, description=PERSONAL_NOTE))  # noqa: UP045
        for name, field in declared.schema.model_fields.items()
        if name in declared.personal_fields
    }
    return create_model(f"{declared.schema.__name__}FeedData", __base__=declared.schema, **optional)


def _event_model(declared: catalog.EventType) -> Any:
    description = f"`{declared.name}` (scope `{declared.scope}`)"
    return create_model(
        f"{_camel(declared.name)}Event",
        __doc__=description,
        id=(int, ...),
        type=(Literal[declared.name], ...),  # type: ignore[arg-type]
        version=(int, ...),
        occurred_at=(datetime, ...),
        data=(_feed_data_model(declared), ...),
    )


def _feed_event_union() -> Any:
    variants = tuple(_event_model(declared) for declared in catalog.public_types())
    return Annotated[Union[variants], Field(discriminator="type")]  # noqa: UP007


FeedEvent = _feed_event_union()


class FeedOut(Schema):
    events: list[FeedEvent]  # type: ignore[valid-type]
    next_cursor: int = Field(description="Pass it as `after` next time, even for an empty page")


class CursorExpiredOut(Schema):
    code: Literal["cursor_expired"]
    detail: str
    next_cursor: int = Field(description="Continue from here after resyncing")


class ErrorOut(Schema):
    code: str
    detail: str


@router.get(
    "",
    response={200: FeedOut, 400: ErrorOut, 403: ErrorOut, 410: CursorExpiredOut},
    exclude_unset=True,
    summary="Read the change feed",
)
def read_feed(
    request: HttpRequest,
    after: Annotated[
        int, Query(ge=0, le=MAX_CURSOR, description="The last `next_cursor` you got; 0 at first")
    ] = 0,
    types: Annotated[
        list[str] | None,
        Query(description="Event types to read (repeat, or separate with commas); all by default"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> Any:
    user = require_scope(request, "events:read")
    scopes = set(request.auth.scopes)  # type: ignore[attr-defined]
    readable = [t for t in catalog.public_types() if t.scope is None or t.scope in scopes]
    if types:
        wanted = {name.strip() for item in types for name in item.split(",") if name.strip()}
        public = {t.name: t for t in catalog.public_types()}
        unknown = sorted(wanted - set(public))
        if unknown:
            raise ApiError(
                400, "unknown_event_type", f"Not public event types: {', '.join(unknown)}."
            )
        lacking = sorted({public[name].scope or "" for name in wanted} - scopes - {""})
        if lacking:
            raise ApiError(
                403, "missing_scope", f"This token lacks the scope '{lacking[0]}' for these types."
            )
        readable = [t for t in readable if t.name in wanted]
    organization_ids = (
        None
        if user.staff_role
        else list(user.memberships.values_list("organization_id", flat=True))
    )
    try:
        page = feed_page(
            after=after,
            types=readable,
            limit=limit,
            organization_ids=organization_ids,
            personal_data="personal_data:read" in scopes,
        )
    except CursorExpired as expired:
        return 410, {
            "code": "cursor_expired",
            "detail": (
                "Events after your cursor were pruned (retention): you may have missed some. "
                "Resync the data you copied (from the other API endpoints), then read on "
                f"with after={expired.next_cursor}; or start over with after=0."
            ),
            "next_cursor": expired.next_cursor,
        }
    return {"events": page.events, "next_cursor": page.next_cursor}
