"""GitHub Discussions of the configured repositories, through GitHub's GraphQL API.

Discussions exist only in the GraphQL API, which always needs a token: without one the
GitHub connector imports the REST streams only.

What each item becomes (docs/connectors.md):
- a discussion in an answerable category (Q&A): `question`; in any other category:
  `discussion`;
- a top-level comment on a Q&A discussion: `answer`, accepted or not (helping counts
  whether or not the asker marks it);
- any other comment, and every reply to a comment: `comment`.

GraphQL offers no `since` filter for discussions, so each sync reads them newest-update
first and stops at the first one not updated since the stream's cursor (the newest
`updatedAt` of the previous complete sync). New comments are found because a comment
updates its discussion's `updatedAt` (assumed, as for issues; see docs/connectors.md). The
cursor moves only when the stream has been read to that point, so a crash part-way reads
the same pages again next time; (source, external_id) makes that harmless.

Rate limit: every query asks for its own cost and the points left; when the next query
would not fit, the sync waits until GitHub's reset time.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from kizuna.connectors.base import SyncContext

GRAPHQL = "https://api.github.com/graphql"
SOURCE = "github"
DISCUSSIONS_PER_PAGE = 20
COMMENTS_PER_PAGE = 50
# Replies to one comment beyond this many are not imported (GitHub threads rarely reach it).
REPLIES_PER_COMMENT = 50

_AUTHOR = "author { login __typename }"
_COMMENT = f"""id url createdAt {_AUTHOR}
      replies(first: {REPLIES_PER_COMMENT}) {{ nodes {{ id url createdAt {_AUTHOR} }} }}"""
_COMMENTS = f"""comments(first: {COMMENTS_PER_PAGE}, after: $commentsAfter) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_COMMENT} }}
    }}"""
_RATE_LIMIT = "rateLimit { cost remaining resetAt }"

DISCUSSIONS_QUERY = f"""
query($owner: String!, $name: String!, $after: String, $commentsAfter: String) {{
  {_RATE_LIMIT}
  repository(owner: $owner, name: $name) {{
    discussions(first: {DISCUSSIONS_PER_PAGE}, after: $after,
                orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id title url createdAt updatedAt {_AUTHOR}
        category {{ isAnswerable }}
        {_COMMENTS}
      }}
    }}
  }}
}}"""

MORE_COMMENTS_QUERY = f"""
query($id: ID!, $commentsAfter: String) {{
  {_RATE_LIMIT}
  node(id: $id) {{ ... on Discussion {{ {_COMMENTS} }} }}
}}"""


class GraphQLError(ValueError):
    """GitHub answered a query with errors (no access to a repository, a bad query...)."""


def sync(ctx: SyncContext, repo: str, token: str) -> None:
    cursor = ctx.cursor(f"{repo}:discussions")
    owner, name = repo.split("/", 1)
    newest = cursor.position
    after: str | None = None
    while True:
        data = _query(ctx, token, DISCUSSIONS_QUERY, {"owner": owner, "name": name, "after": after})
        repository = data.get("repository")
        if repository is None:
            raise GraphQLError(f"{repo}: no such repository, or the token cannot read it")
        page = repository["discussions"]
        fresh = [d for d in page["nodes"] if d["updatedAt"] >= cursor.position]
        records = [r for d in fresh for r in _records(ctx, token, repo, d)]
        newest = max([newest, *(d["updatedAt"] for d in fresh)])
        done = len(fresh) < len(page["nodes"]) or not page["pageInfo"]["hasNextPage"]
        if done:
            cursor.position = newest
            ctx.ingest(records, cursor=cursor)
            return
        ctx.ingest(records)
        after = page["pageInfo"]["endCursor"]


def _records(
    ctx: SyncContext, token: str, repo: str, discussion: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    title = f"{repo}: {discussion['title']}"[:500]
    is_question = bool((discussion.get("category") or {}).get("isAnswerable"))
    kind = "question" if is_question else "discussion"
    yield from _record("discussion", discussion, kind, title)
    # Comments reply to the discussion and replies to their comment (`in_reply_to`): time
    # to first response measures a question to its first answer.
    for comment in _comments(ctx, token, discussion):
        answer = "answer" if is_question else "comment"
        yield from _record(
            "discussion_comment",
            comment,
            answer,
            title,
            replying_to=f"discussion:{discussion['id']}",
        )
        for reply in comment["replies"]["nodes"]:
            yield from _record(
                "discussion_comment",
                reply,
                "comment",
                title,
                replying_to=f"discussion_comment:{comment['id']}",
            )


def _comments(ctx: SyncContext, token: str, discussion: dict[str, Any]) -> Iterator[dict[str, Any]]:
    comments = discussion["comments"]
    while True:
        yield from comments["nodes"]
        if not comments["pageInfo"]["hasNextPage"]:
            return
        data = _query(
            ctx,
            token,
            MORE_COMMENTS_QUERY,
            {"id": discussion["id"], "commentsAfter": comments["pageInfo"]["endCursor"]},
        )
        comments = data["node"]["comments"]


def _record(
    stream: str, item: dict[str, Any], kind: str, title: str, *, replying_to: str = ""
) -> Iterator[dict[str, Any]]:
    author = item.get("author")
    if not author:
        return  # a deleted account ("ghost") has nobody to credit
    yield {
        "source": SOURCE,
        "external_id": f"{stream}:{item['id']}",
        "type": kind,
        "occurred_at": item["createdAt"].replace("Z", "+00:00"),
        "member": {
            "platform": "github",
            "handle": author["login"],
            "bot": author.get("__typename") == "Bot",
        },
        "url": item.get("url", ""),
        "title": title,
        "in_reply_to": replying_to,
    }


def _query(ctx: SyncContext, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = ctx.post(
        GRAPHQL,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    if not isinstance(body, dict):
        raise GraphQLError("GitHub's GraphQL API answered something other than an object")
    if body.get("errors"):
        messages = "; ".join(str(e.get("message", e)) for e in body["errors"])
        raise GraphQLError(messages)
    data = body.get("data")
    if not isinstance(data, dict):
        raise GraphQLError("GitHub's GraphQL API answered without data")
    _respect_rate_limit(ctx, data.get("rateLimit") or {})
    return data


def _respect_rate_limit(ctx: SyncContext, rate_limit: dict[str, Any]) -> None:
    """When the points left would not pay for another query like this one, wait for the reset."""
    remaining, cost = rate_limit.get("remaining"), rate_limit.get("cost") or 1
    if remaining is None or remaining >= cost:
        return
    reset = datetime.fromisoformat(rate_limit["resetAt"].replace("Z", "+00:00"))
    wait = (reset - datetime.now(UTC)).total_seconds()
    if wait > 0:
        ctx.pacer.sleep(wait)
