"""Slack: a workspace export ZIP (users.json, channels.json, <channel>/<date>.json).

Messages become chat messages, joins become chat joins; in help channels (names with
"help", "question" or 質問) a thread's first message is a question and replies are answers.
Bot messages are skipped; users Slack marks as bots are flagged as bots.
"""

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from kizuna.community.lines import Record, Rejected

SOURCE = "slack"
HELP_CHANNEL_WORDS = ("help", "question", "質問")


def read_export(stream: BinaryIO | str) -> Iterator[Record]:
    with zipfile.ZipFile(stream) as archive:
        names = set(archive.namelist())
        users = {u["id"]: u for u in _load(archive, "users.json")} if "users.json" in names else {}
        channels = _load(archive, "channels.json") if "channels.json" in names else []
        number = 0
        for channel in channels:
            help_channel = any(word in channel["name"] for word in HELP_CHANNEL_WORDS)
            days = sorted(
                n
                for n in names
                if PurePosixPath(n).parent.name == channel["name"] and n.endswith(".json")
            )
            for day in days:
                for message in _load(archive, day):
                    number += 1
                    try:
                        record = message_record(channel, message, users, help_channel)
                    except (KeyError, ValueError) as error:
                        yield number, Rejected(f"bad_message: {day}: {error}")
                        continue
                    if record is not None:
                        yield number, record


def _load(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


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
