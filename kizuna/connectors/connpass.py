"""connpass: a group's events through API v2 (X-API-Key; at most one request per second).

Settings: {"subdomain": "kizuna-tokyo", "group_slug": "tokyo"}; credentials: {"api_key": ...}.
Events are upserted by connpass event id; the participant CSV (connpass_csv.py) brings
attendance.
"""

from datetime import datetime

from kizuna.community import services as community
from kizuna.community.models import EventFormat, Group
from kizuna.connectors.base import SyncContext
from kizuna.core.prefectures import PREFECTURES

API = "https://connpass.com/api/v2/events/"
PAGE_SIZE = 100
REQUEST_INTERVAL_S = 1.0
SOURCE = "connpass"


def sync(ctx: SyncContext) -> None:
    subdomain = ctx.source.settings["subdomain"]
    group = Group.objects.filter(slug=ctx.source.settings.get("group_slug", "")).first()
    cursor = ctx.cursor(f"events:{subdomain}")
    newest = cursor.position
    start = 1
    headers = {"X-API-Key": ctx.source.credentials.get("api_key", "")}
    while True:
        # order=1: most recently updated first, so we can stop at what we already have.
        page = ctx.get(
            API,
            params={"subdomain": subdomain, "order": 1, "start": start, "count": PAGE_SIZE},
            headers=headers,
        ).json()
        events = page.get("events", [])
        for event in events:
            if cursor.position and event["updated_at"] <= cursor.position:
                cursor.position = newest
                cursor.save()
                return
            upsert_event(event, group)
            newest = max(newest, event["updated_at"])
        start += len(events)
        if not events or start > page.get("results_available", 0):
            break
    # Advanced only once every page is in: a crash part-way fetches them all again.
    cursor.position = newest
    cursor.save()


def upsert_event(event: dict, group: Group | None) -> None:
    place = event.get("place") or ""
    address = event.get("address") or ""
    online = "オンライン" in place or "online" in place.lower()
    community.event_upsert(
        actor=None,
        source=SOURCE,
        external_id=str(event["id"]),
        title=event["title"][:300],
        group=group,
        format=EventFormat.ONLINE if online and not address else EventFormat.IN_PERSON,
        venue=place[:300],
        prefecture=prefecture_of(address),
        url=event.get("url") or "",
        hashtag=event.get("hash_tag") or "",
        starts_at=datetime.fromisoformat(event["started_at"]),
        ends_at=datetime.fromisoformat(event["ended_at"]) if event.get("ended_at") else None,
        capacity=event.get("limit"),
    )


def prefecture_of(address: str) -> str:
    for code, name, _english in PREFECTURES:
        if address.startswith(name) or address.startswith(name.rstrip("都府県")):
            return code
    return ""
