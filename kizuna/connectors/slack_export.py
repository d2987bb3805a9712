"""Slack: a workspace export ZIP (users.json, channels.json, <channel>/<date>.json).

Messages become chat messages, joins become chat joins; in help channels (names with
"help", "question" or 質問) a thread's first message is a question and replies are answers.
Bot messages are skipped; users Slack marks as bots are flagged as bots.
"""

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from json import JSONDecodeError
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from django.utils.translation import gettext_noop

from kizuna.community.lines import Record
from kizuna.core.imports import LineRejected, checked_zip, reason
from kizuna.core.reasons import json_problem

SOURCE = "slack"
HELP_CHANNEL_WORDS = ("help", "question", "質問")
# What a message of the wrong shape raises on its way to a record.
_SHAPE_ERRORS = (KeyError, ValueError, TypeError, AttributeError, OverflowError)


def read_export(stream: BinaryIO | str) -> Iterator[Record]:
    """Each message as a record; what is not a Slack export (not a ZIP, too large when
    expanded, JSON of the wrong shape) is rejected, by file or by message, never raised."""
    try:
        archive = checked_zip(stream)
    except LineRejected as rejection:
        yield 1, rejection
        return
    with archive:
        names = set(archive.namelist())
        number = 0
        try:
            users = _by_id(_load(archive, "users.json")) if "users.json" in names else {}
            channels = _load(archive, "channels.json") if "channels.json" in names else []
            if not isinstance(channels, list):
                raise _rejected(gettext_noop("channels.json is not a list"))
        except LineRejected as rejection:
            yield 1, _rejected(gettext_noop("bad_export: %(problem)s"), problem=rejection.reason)
            return
        for channel in channels:
            name = channel.get("name") if isinstance(channel, dict) else None
            if not isinstance(name, str) or not isinstance(channel.get("id"), str):
                number += 1
                yield number, _rejected(gettext_noop("bad_channel: a channel without a name or id"))
                continue
            help_channel = any(word in name for word in HELP_CHANNEL_WORDS)
            days = sorted(
                n for n in names if PurePosixPath(n).parent.name == name and n.endswith(".json")
            )
            for day in days:
                try:
                    messages = _load(archive, day)
                    if not isinstance(messages, list):
                        raise _rejected(
                            gettext_noop("%(name)s is not a list of messages"), name=day
                        )
                except LineRejected as rejection:
                    number += 1
                    yield (
                        number,
                        _rejected(gettext_noop("bad_day: %(problem)s"), problem=rejection.reason),
                    )
                    continue
                for message in messages:
                    number += 1
                    if not isinstance(message, dict):
                        yield (
                            number,
                            _rejected(
                                gettext_noop(
                                    "bad_message: %(day)s: a message that is not an object"
                                ),
                                day=day,
                            ),
                        )
                        continue
                    try:
                        record = message_record(channel, message, users, help_channel)
                    except _SHAPE_ERRORS as error:
                        yield (
                            number,
                            _rejected(
                                gettext_noop(
                                    "bad_message: %(day)s: a message of the wrong shape (%(error)s)"
                                ),
                                day=day,
                                error=str(error),
                            ),
                        )
                        continue
                    if record is not None:
                        yield number, record


def _rejected(message: str, **params: Any) -> LineRejected:
    return LineRejected(reason(message, **params))


def _by_id(users: Any) -> dict[str, Any]:
    if not isinstance(users, list):
        raise _rejected(gettext_noop("users.json is not a list"))
    return {u["id"]: u for u in users if isinstance(u, dict) and isinstance(u.get("id"), str)}


def _load(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(archive.read(name))
    except (ValueError, zipfile.BadZipFile, OSError, EOFError) as error:
        problem = json_problem(error) if isinstance(error, JSONDecodeError) else str(error)
        raise _rejected(
            gettext_noop("%(name)s cannot be read: %(problem)s"), name=name, problem=problem
        ) from None


def message_record(
    channel: dict[str, Any], message: dict[str, Any], users: dict[str, Any], help_channel: bool
) -> dict[str, Any] | None:
    subtype = message.get("subtype", "")
    user_id = message.get("user")
    if subtype == "bot_message" or not user_id:
        return None
    user = users.get(user_id, {})
    profile = user.get("profile", {})
    if subtype == "channel_join":
        kind = "chat_join"
    elif help_channel and message.get("thread_ts") not in (None, message["ts"]):
        kind = "answer"
    elif help_channel and message.get("reply_count"):
        kind = "question"
    else:
        kind = "chat_message"
    text = message.get("text", "")
    return {
        "source": SOURCE,
        "external_id": f"{channel['id']}:{message['ts']}",
        "type": kind,
        "occurred_at": datetime.fromtimestamp(float(message["ts"]), UTC).isoformat(),
        "member": {
            "platform": "slack",
            "handle": user_id,
            "email": profile.get("email", ""),
            "name": profile.get("real_name") or user.get("real_name") or user.get("name", ""),
            "bot": bool(user.get("is_bot")),
        },
        "title": f"#{channel['name']}",
        "body": text,
    }
