"""Doorkeeper: a group's events through its API (optional Bearer token).

Settings: {"group": "kizuna-osaka", "group_slug": "osaka"}; credentials: {"token": ...}.
Doorkeeper allows 300 requests per 5 minutes: one per second stays well inside.
"""

from datetime import datetime

from kizuna.community import services as community
from kizuna.community.models import EventFormat, Group
from kizuna.connectors.base import SyncContext
from kizuna.connectors.connpass import prefecture_of

API = "https://api.doorkeeper.jp/groups/{group}/events"
REQUEST_INTERVAL_S = 1.0
SOURCE = "doorkeeper"


def sync(ctx: SyncContext) -> None:
    name = ctx.source.settings["group"]
    group = Group.objects.filter(slug=ctx.source.settings.get("group_slug", "")).first()
    cursor = ctx.cursor(f"events:{name}")
    token = ctx.source.credentials.get("token")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    newest = cursor.position
    page = 1
    while True:
        params: dict[str, str | int] = {"page": page, "sort": "published_at"}
        if cursor.position:
            params["since"] = cursor.position[:10]
        items = ctx.get(API.format(group=name), params=params, headers=headers).json()
        if not items:
            break
        for item in items:
            event = item["event"]
            upsert_event(event, group)
            newest = max(newest, event["updated_at"])
        page += 1
    cursor.position = newest
    cursor.save()


def upsert_event(event: dict, group: Group | None) -> None:
    address = event.get("address") or ""
    community.event_upsert(
        actor=None,
        source=SOURCE,
        external_id=str(event["id"]),
        title=event["title"][:300],
        group=group,
        format=EventFormat.IN_PERSON if address else EventFormat.ONLINE,
        venue=(event.get("venue_name") or "")[:300],
        prefecture=prefecture_of(address),
        url=event.get("public_url") or "",
        starts_at=datetime.fromisoformat(event["starts_at"].replace("Z", "+00:00")),
        ends_at=datetime.fromisoformat(event["ends_at"].replace("Z", "+00:00"))
        if event.get("ends_at")
        else None,
        capacity=event.get("ticket_limit"),
    )
