"""GitHub: issues, pull requests, comments, review comments, releases and commits of
repositories.

Settings: {"repositories": ["owner/repo", ...]}; credentials: {"token": ...} (optional,
but without one GitHub allows 60 requests an hour).

Each stream is read oldest-update-first with `since`, and the cursor moves with every page
in the same transaction as its activities, so a crash resumes at the page it was on.
The first page's ETag is kept: an unchanged stream costs one 304, which GitHub does not
count against the rate limit. Discussions are only in GitHub's GraphQL API, which needs the
token: see github_discussions.py.

Commits (activity type `commit`, code output) are credited to the GitHub account GitHub
links the author's email to, or else to a `git` identity of the email; the author name of
each commit is kept as a name the identity used, so a person who committed as "kenji" and
later as "Kenji Suzuki" is suggested for a merge with a "Kenji Suzuki" seen elsewhere.
The list comes newest first and takes no sort order: the cursor moves to the newest commit
date once every page is read, and a crash before that reads the pages again (stored
commits are unchanged lines). Merge commits are left out: they repeat others' work.

Comments and review comments reply to their issue or pull request (`in_reply_to`), which
time to first response reads. GitHub gives a comment its parent's URL, not its id, so the
parent is found by URL among the activities stored already: the issues stream goes first,
and a new comment moves its issue's `updated_at`, so the issue is stored by then.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx

from kizuna.community.selectors import activity_external_ids_by_url
from kizuna.connectors import github_discussions
from kizuna.connectors.base import SyncContext

API = "https://api.github.com"
REQUEST_INTERVAL_S = 0.5
SOURCE = "github"
PER_PAGE = 100

# stream -> (path, activity type or None when it depends on the item)
STREAMS = {
    "issues": "/repos/{repo}/issues",
    "comments": "/repos/{repo}/issues/comments",
    "review_comments": "/repos/{repo}/pulls/comments",
    "releases": "/repos/{repo}/releases",
}


def sync(ctx: SyncContext) -> None:
    token = ctx.source.credentials.get("token")
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for repo in ctx.source.settings.get("repositories", []):
        for stream, path in STREAMS.items():
            _sync_stream(ctx, repo, stream, API + path.format(repo=repo), headers)
        _sync_commits(ctx, repo, headers)
        if token:
            github_discussions.sync(ctx, repo, token)


def _sync_stream(
    ctx: SyncContext, repo: str, stream: str, url: str, headers: dict[str, str]
) -> None:
    cursor = ctx.cursor(f"{repo}:{stream}")
    params: dict[str, Any] | None = {"per_page": PER_PAGE}
    if stream != "releases":
        params = {**(params or {}), "sort": "updated", "direction": "asc", "state": "all"}
        if cursor.position:
            params["since"] = cursor.position
    first = True
    next_url: str | None = url
    while next_url:
        page_headers = dict(headers)
        if first and cursor.etag:
            page_headers["If-None-Match"] = cursor.etag
        response = ctx.get(next_url, params=params, headers=page_headers)
        _respect_rate_limit(ctx, response)
        if response.status_code == 304:
            return
        items = response.json()
        if first:
            cursor.etag = response.headers.get("ETag", "")
            first = False
        records = _with_parents(list(_records(repo, stream, items)))
        if items and stream != "releases":
            cursor.position = max(item["updated_at"] for item in items)
        ctx.ingest(records, cursor=cursor)
        next_url, params = _next_link(response), None


def _sync_commits(ctx: SyncContext, repo: str, headers: dict[str, str]) -> None:
    cursor = ctx.cursor(f"{repo}:commits")
    params: dict[str, Any] | None = {"per_page": PER_PAGE}
    if cursor.position:
        params = {**(params or {}), "since": cursor.position}
    newest = cursor.position
    first = True
    next_url: str | None = f"{API}/repos/{repo}/commits"
    while next_url:
        page_headers = dict(headers)
        if first and cursor.etag:
            page_headers["If-None-Match"] = cursor.etag
        response = ctx.get(next_url, params=params, headers=page_headers)
        _respect_rate_limit(ctx, response)
        if response.status_code == 304:
            return
        if response.status_code == 409:
            return  # an empty repository has no commits to list
        items = response.json()
        if first:
            cursor.etag = response.headers.get("ETag", "")
            first = False
        for item in items:
            committed = item["commit"]["committer"]["date"]
            newest = max(newest, committed) if newest else committed
        next_url, params = _next_link(response), None
        if next_url is None:
            cursor.position = newest
        ctx.ingest(list(_commit_records(repo, items)), cursor=cursor)


def _commit_records(repo: str, items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if len(item.get("parents", [])) > 1:
            continue
        author = item["commit"]["author"]
        account = item.get("author")
        email = (author.get("email") or "").strip()
        if account:
            member = {
                "platform": "github",
                "handle": account["login"],
                "bot": account.get("type") == "Bot",
            }
        elif email:
            member = {"platform": "git", "email": email}
        else:
            continue  # nobody to credit
        member["name"] = author.get("name") or ""
        message = item["commit"]["message"]
        yield {
            "source": SOURCE,
            "external_id": f"commit:{repo}:{item['sha']}",
            "type": "commit",
            "occurred_at": author["date"].replace("Z", "+00:00"),
            "member": member,
            "url": item.get("html_url", ""),
            "title": message.splitlines()[0][:500] if message else item["sha"][:12],
            "output": True,
        }


def _records(repo: str, stream: str, items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        user = item.get("user") or item.get("author")
        if not user:
            continue  # a deleted account ("ghost") has nobody to credit
        if stream == "issues":
            kind = "pull_request" if "pull_request" in item else "issue"
            title, when = item["title"], item["created_at"]
        elif stream == "comments":
            kind, title, when = "comment", _issue_title(repo, item), item["created_at"]
        elif stream == "review_comments":
            kind, title, when = "review", f"{repo} review comment", item["created_at"]
        else:
            kind = "release"
            title, when = item.get("name") or item["tag_name"], item.get("published_at")
            if not when:
                continue  # a draft release
        yield {
            "source": SOURCE,
            "external_id": f"{stream}:{item['id']}",
            "type": kind,
            "occurred_at": when.replace("Z", "+00:00"),
            "member": {
                "platform": "github",
                "handle": user["login"],
                "bot": user.get("type") == "Bot",
            },
            "url": item.get("html_url", ""),
            "title": title[:500],
        }


def _with_parents(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Set in_reply_to on comments: their parent's page is their own URL without the anchor."""
    parents = {r["url"].split("#")[0] for r in records if r["type"] in REPLY_TYPES}
    external_ids = activity_external_ids_by_url(SOURCE, parents)
    for record in records:
        if record["type"] in REPLY_TYPES:
            parent = external_ids.get(record["url"].split("#")[0])
            if parent:
                record["in_reply_to"] = parent
    return records


REPLY_TYPES = {"comment", "review"}


def _issue_title(repo: str, item: dict[str, Any]) -> str:
    number = item.get("issue_url", "").rsplit("/", 1)[-1]
    return f"{repo}#{number}"


_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def _next_link(response: httpx.Response) -> str | None:
    match = _NEXT.search(response.headers.get("Link", ""))
    return match.group(1) if match else None


def _respect_rate_limit(ctx: SyncContext, response: httpx.Response) -> None:
    """When the hourly budget is spent, wait until GitHub says it resets."""
    if response.headers.get("X-RateLimit-Remaining") == "0":
        reset = int(response.headers.get("X-RateLimit-Reset", "0"))
        wait = reset - datetime.now(UTC).timestamp()
        if wait > 0:
            ctx.pacer.sleep(wait)
