"""Blogs: RSS/Atom feeds of members, and aggregator feeds (a hashtag, a tag page).

Settings: {"feeds": [
    {"url": "https://zenn.dev/dave/feed", "platform": "zenn", "handle": "dave"},
    {"url": "https://qiita.com/tags/kizuna/feed", "platform": "qiita", "aggregator": true}]}
A member's feed credits every entry to that member; an aggregator feed credits each entry
to its author. Feeds are fetched with ETag / Last-Modified, so an unchanged feed is a 304.
"""

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from kizuna.connectors.base import SyncContext

REQUEST_INTERVAL_S = 1.0
SOURCE = "rss"


def sync(ctx: SyncContext) -> None:
    for feed in ctx.source.settings.get("feeds", []):
        cursor = ctx.cursor(f"feed:{feed['url']}")
        headers = {}
        if cursor.etag:
            headers["If-None-Match"] = cursor.etag
        if cursor.position:
            headers["If-Modified-Since"] = cursor.position
        response = ctx.get(feed["url"], headers=headers)
        if response.status_code == 304:
            continue
        cursor.etag = response.headers.get("ETag", "")
        cursor.position = response.headers.get("Last-Modified", "")
        parsed = feedparser.parse(response.content)
        ctx.ingest(list(entry_records(feed, parsed.entries)), cursor=cursor)


def entry_records(feed: dict[str, Any], entries: list[Any]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        handle = entry.get("author", "") if feed.get("aggregator") else feed.get("handle", "")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        link = entry.get("link", "")
        if not handle or not when or not (entry.get("id") or link):
            continue
        yield {
            "source": SOURCE,
            "external_id": (entry.get("id") or link)[:200],
            "type": "blog_post",
            "occurred_at": datetime.fromtimestamp(calendar.timegm(when), UTC).isoformat(),
            "member": {
                "platform": feed.get("platform", "blog"),
                "handle": handle,
                "name": entry.get("author", ""),
            },
            "url": link,
            "title": entry.get("title", "")[:500],
        }
