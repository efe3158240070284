"""A Slack export (the .zip an admin downloads, or its unpacked folder) as events.

Shape: ``users.json`` and ``channels.json`` at the top (``groups.json``, ``mpims.json`` and
``dms.json`` too in a full export), and one folder per conversation with a JSON file per day,
each a list of messages. Day files are read one at a time, so memory follows the largest day
file plus the thread roots that have replies, not the export.

Rules (:data:`RULES`, shown in the README and on the Data page):

* a thread reply is an interaction from the replier to the thread's author (``parent_user_id``,
  or the author of the message whose ``ts`` is the reply's ``thread_ts``);
* a mention (``<@U123>`` in the text) is one from the author to each distinct person mentioned;
* a reaction is one from each reacting person to the message's author (at the message's time);
* bots never count: users marked ``is_bot`` (and Slackbot), messages of subtype ``bot_message``
  or with a ``bot_id``; channel joins, leaves and other system subtypes are not messages;
* a message that is no reply, mentions nobody, has no reaction and no replies is a broadcast:
  it counts toward the channel's volume, not toward a tie;
* people are named by their profile e-mail when the export has it, else their user id; guests
  and anyone else not on the roster are counted as unknown later, as are self-interactions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from lib.intake.logs.events import Event, IngestReport

__all__ = ["RULES", "read_slack"]

RULES: tuple[str, ...] = (
    "Slack: a thread reply counts from the replier to the thread's author; a mention, from the "
    "author to each person mentioned; a reaction, from the reactor to the message's author.",
    "Slack: bots (is_bot, bot_message), people not on the roster (guests) and self-interactions "
    "never count; a message without reply, mention or reaction is a broadcast (channel volume only).",
)
CHANNEL = "slack"
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
#: Message subtypes that are not someone writing to someone (joins, topic changes …).
SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "pinned_item",
        "unpinned_item",
    }
)
CONVERSATION_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")


class _Tree:
    """The export's files, in a zip or a folder, addressed by path relative to its top."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path) if path.is_file() else None
        self.folder = path
        names = self.zip.namelist() if self.zip else [p.relative_to(path).as_posix() for p in path.rglob("*")]
        top = {PurePosixPath(n).parent.as_posix() for n in names if PurePosixPath(n).name == "users.json"}
        self.root = min(top, key=len) if top else "."
        prefix = "" if self.root == "." else self.root + "/"
        self.names = sorted(n[len(prefix) :] for n in names if n.startswith(prefix))

    def read(self, name: str) -> bytes:
        full = name if self.root == "." else f"{self.root}/{name}"
        if self.zip:
            return self.zip.read(full)
        return (self.folder / full).read_bytes()

    def close(self) -> None:
        if self.zip:
            self.zip.close()


def _json(tree: _Tree, name: str, report: IngestReport) -> list[dict[str, object]]:
    try:
        value = json.loads(tree.read(name))
    except (KeyError, FileNotFoundError):
        return []
    except ValueError:
        report.skip(f"Slack file that is not JSON ({name})")
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _identities(users: list[dict[str, object]]) -> tuple[dict[str, str], set[str]]:
    """User id → the identity matched to the roster (profile e-mail, else the id); the bot ids."""
    names: dict[str, str] = {}
    bots = {"USLACKBOT"}
    for user in users:
        uid = str(user.get("id", ""))
        profile = user.get("profile")
        email = profile.get("email") if isinstance(profile, dict) else None
        names[uid] = str(email).strip().lower() if email else uid
        if user.get("is_bot") or user.get("is_app_user"):
            bots.add(uid)
    return names, bots


def _when(ts: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(str(ts)), dt.UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        return None


def read_slack(path: Path, report: IngestReport) -> Iterator[Event]:
    """The events of a Slack export (zip or folder), by the rules in the module docstring."""
    tree = _Tree(path)
    try:
        names, bots = _identities(_json(tree, "users.json", report))
        conversations = [
            str(c.get("name") or c.get("id"))
            for listing in CONVERSATION_LISTS
            for c in _json(tree, listing, report)
        ]
        messages = 0
        for conversation in conversations:
            days = [n for n in tree.names if n.startswith(conversation + "/") and n.endswith(".json")]
            roots: dict[str, str] = {}
            for day in days:
                for message in _json(tree, day, report):
                    messages += 1
                    yield from _message(message, names, bots, roots, report)
        report.read[f"{path.name} (Slack: {len(conversations)} conversations)"] += messages
    finally:
        tree.close()


def _message(
    m: dict[str, object], names: dict[str, str], bots: set[str], roots: dict[str, str], report: IngestReport
) -> Iterator[Event]:
    """The events one message makes (see the module docstring)."""
    subtype = str(m.get("subtype") or "")
    if m.get("type", "message") != "message" or subtype in SYSTEM_SUBTYPES:
        report.skip("Slack system messages (joins, topic changes …)")
        return
    user = str(m.get("user") or "")
    if subtype == "bot_message" or m.get("bot_id") or user in bots:
        report.skip("Slack bot messages")
        return
    when = _when(m.get("ts"))
    if not user or when is None:
        report.skip("Slack messages without an author or a time")
        return
    author = names.get(user, user)
    ts, thread = str(m.get("ts")), str(m.get("thread_ts") or "")
    if m.get("reply_count") or m.get("replies"):
        roots[ts] = user
    is_reply = bool(thread) and thread != ts
    events: list[Event] = []
    if is_reply:
        parent = str(m.get("parent_user_id") or roots.get(thread, ""))
        if not parent:
            report.skip("Slack thread replies whose thread is not in the export")
        elif parent in bots:
            report.skip("Slack interactions with a bot")
        else:
            events.append(Event(author, names.get(parent, parent), when, CHANNEL, "reply"))
    for mentioned in dict.fromkeys(MENTION.findall(str(m.get("text") or ""))):
        if mentioned in bots:
            report.skip("Slack interactions with a bot")
            continue
        events.append(Event(author, names.get(mentioned, mentioned), when, CHANNEL, "mention"))
    reactions = m.get("reactions")
    for reaction in reactions if isinstance(reactions, list) else []:
        users = reaction.get("users") if isinstance(reaction, dict) else None
        for reactor in users if isinstance(users, list) else []:
            if str(reactor) in bots:
                report.skip("Slack interactions with a bot")
                continue
            events.append(Event(names.get(str(reactor), str(reactor)), author, when, CHANNEL, "reaction"))
    if not events and not is_reply and not m.get("reply_count") and not reactions:
        events.append(Event(author, None, when, CHANNEL, "message"))
    yield from events
