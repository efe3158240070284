"""The live pulse's storage: a short survey answered on phones during a workshop, landing in a workspace wave.

The facilitator opens a *pulse session* on a workspace (:func:`open_session`). That creates, in one
transaction, a new wave of kind ``"pulse"`` (label ``pulse-<date>-<n>``) and a session row with a
random join token (``secrets.token_urlsafe``: 192 bits, unguessable). The join link is
``<public url>/?join=<token>`` (:func:`lib.app.pulse_link.join_url`, drawn as a QR code by
:func:`lib.app.pulse_link.qr_png`). The token is kept in the database as it is, so a facilitator who reloads the
page sees the same link again; it grants nothing but answering this pulse.

Arriving by the join link (the app's root, the QR code, the device token's cookie) is
:mod:`lib.app.pulse_link`; the wave's tables and the live view's summaries are computed by
:mod:`lib.analysis.pulse_summary`.

What a participant answers (:class:`Response`)
----------------------------------------------
* hours in each of Jane Hart's five learning types last month (``lib.core.schema.LEARNING_TYPES``);
* who they go to for advice: people of the workspace's latest uploaded wave (the *roster*, taken
  when the session opens; anyone holding the join link sees these names, and nothing else about
  them), or free names when the workspace has no people yet;
* three trust statements, one per wirearchy dimension the facilitator chose
  (``lib.core.schema.TRUST_ITEM_BANK``), on the Likert scale 1–5.

One answer per browser: the device token
----------------------------------------
A participant is anonymous. What makes two submissions "the same participant" is a *device token*
the browser keeps for this pulse: ``<id>.<signature>``, where ``id`` is 128 random bits
(``secrets.token_urlsafe(16)``) and ``signature`` = HMAC-SHA256 of the join token and ``id`` under
the session's ``device_key``, 32 random bytes made when the pulse opens, kept in the database and
never sent anywhere (:func:`issue_device`). The database stores only
``respondent = HMAC-SHA256(join token, id)`` (:func:`respondent_key`), never the token or a name.
Each answer is a set of rows ``(wave, respondent, item, value)`` in ``pulse_answers``, with a unique
constraint on ``(wave_id, respondent, item)``. :func:`submit` deletes the respondent's previous rows
and inserts the new ones in one transaction: submitting twice replaces, never doubles.

The browser keeps its token in a cookie, one per pulse (:mod:`lib.app.pulse_link`).
:func:`submit` *refuses* a token whose signature does not check (PulseError, nothing stored), so a
forged token never counts as a participant.

What this does not stop, honestly: the token belongs to a browser's cookie store, not to a person.
One person can still answer more than once from several browsers, a private window (its own, empty
cookie store), several devices, a QR-scanner app that opens links in a browser of its own, or after
clearing the site's cookies (browsers may also drop a cookie set by script sooner: Safari keeps it
for seven days at most). The signature only makes the server count the identities it issued; it
cannot tell how many people asked for them. Two tabs opened in the same instant, before either
wrote its cookie, are two participants. Changing an answer from another device is not possible (it
would be another participant). The facilitator sees the count of answers live
(:func:`live_summary`) and can compare it with the people in the room.

What the live view shows: snapshots
-----------------------------------
Averages that move with every answer give each answer away to whoever watches the screen (and the
live view refreshes every two seconds). So the averages, the advice ties and the room-against-the-
organisation comparison are shown as of a *snapshot*, kept on the session row (``shown``): the
:func:`lib.analysis.pulse_summary.summarise` of every answer at that moment. A snapshot is *due* once
at least ``batch`` participants answered or *changed* their answer since the last one (those with
answer rows newer than the last row it covers, its ``through``: one participant resubmitting five
times is one), where ``batch`` is the workspace's minimum group size (never below
``lib.core.privacy.MIN_GROUP_SIZE``); the first one is due at ``batch`` answers. It is taken by the first refresh of the live view that finds it due
(:func:`live_summary` → :func:`refresh`, under the session's lock, so two viewers never take two),
and when the pulse closes (then the snapshot is every answer, the frozen wave). Every viewer, in
every browser session, on every refresh, then sees the same one; its time is that of the last
answer it covers. The count of answers and the time of the last one are live. The deck's room pulse
(:func:`room_pulse`) and :func:`lib.analysis.pulse_summary.compare_with_base` use the same snapshot.
Between two snapshots at least ``batch`` participants changed, so their difference mixes at least
that many answers; when the pulse closes, the final snapshot may add fewer. A viewer who raised the
minimum group size in the sidebar sees the same snapshots, withheld while they cover fewer people
than that, but the batch stays the workspace's. Not covered: a pulse wave opened on the other pages
("Show this pulse on the other pages") holds every answer so far, as the named view shows each
participant's row anyway.

The wave, as answers arrive
---------------------------
A submission only appends: under the session's lock (SQLite: ``BEGIN IMMEDIATE``, one writer at a
time; PostgreSQL: ``SELECT … FOR SHARE``, submissions side by side) it replaces the participant's
rows and counts the participants, a few milliseconds whatever the room's size. A refresh and a
close lock the session exclusively (``FOR UPDATE``), so they never see an answer half-stored.
Before, every submission rebuilt the wave's tables from all answers inside that lock, so fifty
phones pressing send at once queued behind fifty rebuilds (``benchmarks/README.md``, "Live pulse
under load"). The pulse wave's canonical tables (:func:`lib.analysis.pulse_summary.build_dataset`)
are rebuilt from every answer by :func:`refresh`: when the live view takes a snapshot (at most once
per refresh), when someone opens the pulse wave on the other pages or a workspace of pulses only
(:func:`refresh_wave`; :func:`lib.app.ui.open_wave`, :func:`lib.app.ui.open_workspace`), and when
the pulse closes (:func:`close_session`, in the closing transaction). So
:func:`lib.store.workspaces.load_wave` returns the answers as of the last of those; call
:func:`refresh_wave` first for every answer so far. Rewriting the tables removes the cached results
computed from them; tables that would not change are not rewritten. No submission is accepted after
:func:`close_session`, so the wave is frozen.

Kept apart from the organisation
--------------------------------
Participants are anonymous duplicates of real people, so a pulse wave never enters the workspace
view (:func:`lib.store.workspaces.load_workspace` combines the upload waves only); it opens on its own
(:func:`lib.store.workspaces.load_wave`). :func:`lib.analysis.pulse_summary.compare_with_base` sets the room's learning mix next to
the organisation's (the workspace's latest upload wave, :func:`organisation_base`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from lib.analysis.pulse_summary import (
    ADVICE_PREFIX,
    HOURS_PREFIX,
    TRUST_PREFIX,
    PulseSummary,
    RoomComparison,
    build_dataset,
    compare_with_base,
    summarise,
)
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.sanitise import CONTROL
from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_TYPES, TRUST_ITEM_BANK, WIREARCHY_DIMENSIONS
from lib.store.db import db_time, write_transaction
from lib.store.models import CachedResult, PulseAnswer, Wave, Workspace
from lib.store.models import PulseSession as SessionRow
from lib.store.workspaces import (  # the storage API: a pulse wave is stored exactly like an upload
    WorkspaceError,
    encode_dataset,
    get_workspace,
    load_wave,
    read_wave_table,
    tables_fingerprint,
    write_wave_tables,
)

__all__ = [
    "DEFAULT_TRUST_DIMENSIONS",
    "MAX_ADVISERS",
    "MAX_FREE_NAME",
    "MAX_HOURS",
    "PulseError",
    "PulseSession",
    "Response",
    "RoomPulse",
    "SubmitResult",
    "close_session",
    "get_session",
    "issue_device",
    "latest_roster",
    "list_sessions",
    "live_summary",
    "open_session",
    "organisation_base",
    "refresh",
    "refresh_wave",
    "respondent_key",
    "respondent_of",
    "room_pulse",
    "submit",
    "trust_items_for",
]

DEFAULT_TRUST_DIMENSIONS: tuple[str, ...] = ("knowledge_sharing", "trust", "two_way_flow")
TRUST_ITEMS_ASKED = 3
#: More hours of learning in a month than this is a typing slip (a working month is ~170 hours).
MAX_HOURS = 300.0
MAX_ADVISERS = 10
MAX_FREE_NAME = 80
_ITEM_LENGTH = 100  # pulse_answers.item
_TOKEN_BYTES = 24
_DEVICE_ID_BYTES = 16  # 128 bits
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DEVICE_KEY_BYTES = 32


class PulseError(WorkspaceError):
    """A pulse request that cannot be done, in words a participant or facilitator can act on."""


@dataclass(frozen=True)
class PulseSession:
    id: int
    workspace: str
    wave: str  # the pulse wave's label
    token: str
    title: str
    opened_at: datetime  # UTC
    closed_at: datetime | None  # UTC; None while open
    roster: tuple[tuple[str, str], ...]  # (person_id, name) to pick advisers from; () = free names
    trust_items: tuple[str, ...]  # item ids asked, in order
    device_key: str = field(repr=False)  # hex; signs device tokens (:func:`issue_device`)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Response:
    """One participant's answer. ``advisers`` are roster person ids, or free names without a roster."""

    hours: Mapping[str, float]  # learning type code → hours last month (missing = 0)
    advisers: Sequence[str] = ()
    trust: Mapping[str, int] = field(default_factory=dict)  # trust item → 1…5


@dataclass(frozen=True)
class SubmitResult:
    replaced: bool  # this participant had answered before: their answer was replaced
    answers: int  # participants who have answered so far


# --- device tokens ---------------------------------------------------------------------------------


def respondent_key(token: str, device_id: str) -> str:
    """What the database keeps for a participant: HMAC-SHA256 of their device id, keyed by the join token."""
    return hmac.new(token.encode(), device_id.encode(), hashlib.sha256).hexdigest()


def _signature(session: PulseSession, device_id: str) -> str:
    message = f"sld-pulse-device\n{session.token}\n{device_id}".encode()
    digest = hmac.new(bytes.fromhex(session.device_key), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_device(session: PulseSession, device_id: str | None = None) -> str:
    """A device token for ``session``: ``<id>.<signature>``, ``id`` random (128 bits) unless given.

    Only the server can make one (the key never leaves it). PulseError for an ``id`` that is not
    1–64 letters, digits, ``-`` or ``_``.
    """
    ident = secrets.token_urlsafe(_DEVICE_ID_BYTES) if device_id is None else device_id
    if not _DEVICE_ID.fullmatch(ident):
        raise PulseError("A device id is 1 to 64 letters, digits, '-' or '_'.")
    return f"{ident}.{_signature(session, ident)}"


def respondent_of(session: PulseSession, device: str | None) -> str | None:
    """The respondent key a device token's answers are stored under, or None when ``session``
    did not sign it (made up, edited, another pulse's, or not a token at all)."""
    if not isinstance(device, str) or len(device) > 200:
        return None
    ident, dot, signature = device.partition(".")
    if not dot or not _DEVICE_ID.fullmatch(ident):
        return None
    if not hmac.compare_digest(signature.encode(), _signature(session, ident).encode()):
        return None
    return respondent_key(session.token, ident)


def trust_items_for(dimensions: Sequence[str]) -> tuple[str, ...]:
    """The statement asked for each dimension: its first positively worded item in the bank."""
    dims = list(dimensions)
    if len(dims) != TRUST_ITEMS_ASKED or len(set(dims)) != TRUST_ITEMS_ASKED:
        raise PulseError(f"Choose {TRUST_ITEMS_ASKED} different trust dimensions, not {dims}.")
    unknown = [d for d in dims if d not in WIREARCHY_DIMENSIONS]
    if unknown:
        raise PulseError(f"Unknown trust dimensions {unknown}; known: {', '.join(WIREARCHY_DIMENSIONS)}.")
    return tuple(next(i.item for i in TRUST_ITEM_BANK if i.dimension == d and not i.reverse) for d in dims)


# --- time ---------------------------------------------------------------------------------------


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


# --- sessions -----------------------------------------------------------------------------------


def _roster_of(people: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    out = []
    for pid, name in zip(people["person_id"].astype(str), people["name"].fillna("").astype(str), strict=True):
        if pid:
            out.append((pid, name.strip() or pid))
    return tuple(out)


def _latest_upload(conn: Connection, workspace: str) -> Any:
    """The (id, label) row of ``workspace``'s latest upload wave (the last imported), or None: the
    roster a pulse offers and the organisation the room is compared with."""
    return conn.execute(
        select(Wave.id, Wave.label)
        .join(Workspace, Workspace.id == Wave.workspace_id)
        .where(Workspace.name == workspace, Wave.kind == "upload")
        .order_by(Wave.imported_at.desc(), Wave.id.desc())
        .limit(1)
    ).first()


def _latest_upload_label(engine: Engine, workspace: str) -> str | None:
    with engine.connect() as conn:
        row = _latest_upload(conn, workspace)
    return None if row is None else str(row.label)


def latest_roster(engine: Engine, workspace: str) -> tuple[tuple[str, str], ...]:
    """(person_id, name) of the workspace's latest uploaded wave (name = id when blank); () if none."""
    workspace = get_workspace(engine, workspace).name  # WorkspaceError when unknown
    label = _latest_upload_label(engine, workspace)
    return () if label is None else _roster_of(load_wave(engine, workspace, label, as_stored=True).people)


def _session_of(row: Any) -> PulseSession:
    opened = _utc(row.opened_at)
    assert opened is not None
    return PulseSession(
        id=row.id,
        workspace=row.workspace_name,
        wave=row.wave_label,
        token=row.token,
        title=row.title,
        opened_at=opened,
        closed_at=_utc(row.closed_at),
        roster=tuple((str(p), str(n)) for p, n in row.roster),
        trust_items=tuple(row.trust_items),
        device_key=row.device_key,
    )


def _session_query() -> Any:
    return (
        select(
            SessionRow.__table__,
            Workspace.name.label("workspace_name"),
            Wave.label.label("wave_label"),
        )
        .join(Workspace, Workspace.id == SessionRow.workspace_id)
        .join(Wave, Wave.id == SessionRow.wave_id)
    )


def _free_label(conn: Connection, workspace_id: int, day: str) -> str:
    prefix = f"pulse-{day}-"
    taken = conn.execute(
        select(Wave.label).where(Wave.workspace_id == workspace_id, Wave.label.like(f"{prefix}%"))
    ).scalars()
    numbers = [int(t[len(prefix) :]) for t in taken if t[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def open_session(
    engine: Engine,
    workspace: str,
    *,
    title: str = "",
    trust_dimensions: Sequence[str] = DEFAULT_TRUST_DIMENSIONS,
    roster: Sequence[tuple[str, str]] | None = None,
    now: datetime | None = None,
) -> PulseSession:
    """Open a pulse on ``workspace``: a new, empty pulse wave and a session with a fresh join token.

    ``roster`` defaults to the people of the workspace's latest uploaded wave (:func:`latest_roster`),
    whose attributes (team, department, …) advisers then carry into the pulse wave. All or nothing:
    the wave, its (empty) tables and the session are written in one transaction. WorkspaceError
    when the workspace does not exist.
    """
    items = trust_items_for(trust_dimensions)
    workspace = get_workspace(engine, workspace).name  # WorkspaceError (listing them) when unknown
    base = _latest_upload_label(engine, workspace) if roster is None else None
    if base is not None:
        roster = _roster_of(load_wave(engine, workspace, base, as_stored=True).people)
    people = tuple((str(p), str(n)) for p, n in roster or ())
    too_long = [p for p, _ in people if len(ADVICE_PREFIX + p) > _ITEM_LENGTH]
    if too_long:
        raise PulseError(
            f"Person ids longer than {_ITEM_LENGTH - len(ADVICE_PREFIX)} characters: {too_long[:3]}."
        )
    title = " ".join(str(title).split())[:200]
    moment = db_time(now)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    try:
        with write_transaction(engine) as conn:
            ws = conn.execute(select(Workspace.id).where(Workspace.name == workspace)).first()
            if ws is None:  # deleted a moment ago
                raise PulseError(f"No workspace named {workspace!r}.")
            label = _free_label(conn, ws.id, moment.date().isoformat())
            base_id = (
                None
                if base is None
                else conn.execute(
                    select(Wave.id).where(Wave.workspace_id == ws.id, Wave.label == base)
                ).scalar()
            )
            empty = build_dataset(label, ())
            encoded = encode_dataset(empty)
            wave_id = conn.execute(
                insert(Wave)
                .values(
                    workspace_id=ws.id,
                    label=label,
                    kind="pulse",
                    source=empty.source,
                    imported_at=moment,
                    fingerprint=tables_fingerprint(encoded),
                    findings=[],
                    channel_modes=dict(empty.channel_modes),
                )
                .returning(Wave.id)
            ).scalar_one()
            write_wave_tables(conn, wave_id, encoded)
            conn.execute(
                insert(SessionRow).values(
                    workspace_id=ws.id,
                    wave_id=wave_id,
                    base_wave_id=base_id,
                    token=token,
                    title=title,
                    opened_at=moment,
                    closed_at=None,
                    roster=[list(p) for p in people],
                    trust_items=list(items),
                    device_key=secrets.token_hex(_DEVICE_KEY_BYTES),
                )
            )
    except IntegrityError as err:  # another pulse took the same label at the same moment
        raise PulseError("Another pulse was opened on this workspace at the same moment; try again.") from err
    session = get_session(engine, token)
    assert session is not None
    return session


def get_session(engine: Engine, token: str | None) -> PulseSession | None:
    """The session with join token ``token`` (open or closed), or None."""
    if not token or len(token) > 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(_session_query().where(SessionRow.token == token)).first()
    return None if row is None else _session_of(row)


def list_sessions(engine: Engine, workspace: str) -> list[PulseSession]:
    """The workspace's pulse sessions, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            _session_query()
            .where(Workspace.name == workspace)
            .order_by(SessionRow.opened_at.desc(), SessionRow.id.desc())
        ).all()
    return [_session_of(r) for r in rows]


def _locked_session(conn: Connection, token: str, *, shared: bool = False) -> Any:
    """The session's row, locked until the transaction ends: ``shared`` by submissions (they go on
    side by side), exclusively by a refresh or a close (they wait for the submissions in flight,
    and new ones wait for them). SQLite: ``BEGIN IMMEDIATE`` has locked the whole database already."""
    query = _session_query().where(SessionRow.token == token)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(read=shared, of=SessionRow.__table__)
    row = conn.execute(query).first()
    if row is None:
        raise PulseError("This pulse link is not valid. Ask the facilitator for the current link.")
    return row


# --- answers ------------------------------------------------------------------------------------


def _clean_free_name(name: str) -> str:
    text = " ".join(str(name).split())
    if CONTROL.search(text):
        raise PulseError("A name contains control characters.")
    if len(text) > MAX_FREE_NAME:
        raise PulseError(f"A name is longer than {MAX_FREE_NAME} characters: {text[:20]}…")
    return text


def _items(session: PulseSession, response: Response) -> list[tuple[str, float]]:
    """The answer as (item, value) rows, validated against the session."""
    unknown = [k for k in response.hours if k not in LEARNING_TYPE_CODES]
    if unknown:
        raise PulseError(f"Unknown learning types {unknown}; known: {', '.join(LEARNING_TYPE_CODES)}.")
    rows: list[tuple[str, float]] = []
    for code in LEARNING_TYPE_CODES:
        raw = response.hours.get(code, 0.0)
        try:
            hours = float(raw if raw is not None else 0.0)
        except (TypeError, ValueError):
            raise PulseError(f"Hours of {code} must be a number, not {raw!r}.") from None
        if not math.isfinite(hours) or hours < 0 or hours > MAX_HOURS:
            name = LEARNING_TYPES[code].split(":")[0].lower()
            raise PulseError(f"Hours of {name} ({code}) must be between 0 and {MAX_HOURS:g}, not {hours:g}.")
        rows.append((HOURS_PREFIX + code, hours))

    missing = [i for i in session.trust_items if response.trust.get(i) is None]
    if missing:
        wording = {i.item: i.wording for i in TRUST_ITEM_BANK}
        which = "; ".join(f"“{wording.get(i, i)}”" for i in missing)
        raise PulseError(
            f"Please answer all three statements about trust. Not answered: {which} "
            "(if it shows an answer, pick another and then yours again)."
        )
    extra = [i for i in response.trust if i not in session.trust_items]
    if extra:
        raise PulseError(f"These statements are not part of this pulse: {extra}.")
    for item in session.trust_items:
        value = response.trust[item]
        if isinstance(value, bool) or not isinstance(value, int | float) or value not in (1, 2, 3, 4, 5):
            raise PulseError(f"Answers to the trust statements are 1 to 5, not {value!r}.")
        rows.append((TRUST_PREFIX + item, float(value)))

    advisers: list[str] = []
    seen: set[str] = set()
    if session.roster:
        known = {p for p, _ in session.roster}
        for pid in response.advisers:
            if pid not in known:
                raise PulseError(f"{pid!r} is not one of this workspace's people.")
            if pid not in seen:
                seen.add(pid)
                advisers.append(pid)
    else:
        for raw_name in response.advisers:
            name = _clean_free_name(raw_name)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                advisers.append(name)
    if len(advisers) > MAX_ADVISERS:
        raise PulseError(f"Name at most {MAX_ADVISERS} people you go to for advice.")
    rows += [(ADVICE_PREFIX + a, 1.0) for a in advisers]
    return rows


def submit(
    engine: Engine, token: str, device: str, response: Response, now: datetime | None = None
) -> SubmitResult:
    """Store (or replace) the answer of the browser holding ``device`` (:func:`issue_device`).

    One short transaction: the respondent's rows are replaced (delete, insert) and the participants
    counted, under the session's lock held shared (PostgreSQL: other submissions go on, a refresh
    or a close waits; SQLite has one writer at a time). Nothing here grows with the room but one
    indexed count: the wave's tables and the snapshot are brought up to date later (:func:`refresh`;
    module docstring, "The wave, as answers arrive"). A double click that reaches PostgreSQL twice
    at once is applied twice, one after the other (the second replaces the first), never doubled:
    a transaction-scoped advisory lock on the respondent orders them (the unique constraint on
    ``(wave_id, respondent, item)`` is the backstop; a clash with it is retried once).
    PulseError when the link is unknown, the session is closed, the device token is not one this
    pulse signed (a forged token never counts), or the answer is invalid; then nothing is written.
    """
    moment = db_time(now)
    try:
        return _store(engine, token, device, response, moment)
    except IntegrityError:  # the same browser's other press committed the same rows first
        return _store(engine, token, device, response, moment)


def _store(engine: Engine, token: str, device: str, response: Response, moment: datetime) -> SubmitResult:
    with write_transaction(engine) as conn:
        row = _locked_session(conn, token, shared=True)
        session = _session_of(row)
        if not session.is_open:
            raise PulseError("This pulse is closed: answers are no longer accepted. Thank you!")
        respondent = respondent_of(session, device)
        if respondent is None:
            raise PulseError(
                "This browser's pulse identity is not one this pulse issued, so the answer was not "
                "stored. Open the join link again."
            )
        items = _items(session, response)
        if conn.dialect.name == "postgresql":  # one browser's presses one after the other (a double click)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(respondent[:15], 16)})
        where = (PulseAnswer.wave_id == row.wave_id, PulseAnswer.respondent == respondent)
        replaced = conn.execute(delete(PulseAnswer).where(*where)).rowcount > 0
        conn.execute(
            insert(PulseAnswer),
            [
                {
                    "workspace_id": row.workspace_id,
                    "wave_id": row.wave_id,
                    "respondent": respondent,
                    "item": item,
                    "value": value,
                    "answered_at": moment,
                }
                for item, value in items
            ],
        )
        answers = _participants(conn, row.wave_id)
    return SubmitResult(replaced=replaced, answers=answers)


def _participants(conn: Connection, wave_id: int) -> int:
    """How many participants have an answer in the wave (one indexed count)."""
    count = conn.execute(
        select(func.count(func.distinct(PulseAnswer.respondent))).where(PulseAnswer.wave_id == wave_id)
    ).scalar()
    return int(count or 0)


def _changed(conn: Connection, row: Any) -> int:
    """Participants who answered or changed their answer since the snapshot (all of them before the
    first): those with rows newer than the last answer row it covers (``through``, the highest
    ``pulse_answers.id`` then; a replaced answer gets new rows, so one participant resubmitting
    five times counts once). A snapshot from before ``through`` was kept counts those in its
    ``changed`` list and those who answered after its time."""
    wave = PulseAnswer.wave_id == row.wave_id
    who = select(func.count(func.distinct(PulseAnswer.respondent)))
    if row.shown is None:
        return int(conn.execute(who.where(wave)).scalar() or 0)
    if "through" in row.shown:
        return int(conn.execute(who.where(wave, PulseAnswer.id > int(row.shown["through"]))).scalar() or 0)
    at = db_time(datetime.fromisoformat(row.shown["at"]))
    later = conn.execute(select(PulseAnswer.respondent).where(wave, PulseAnswer.answered_at > at)).scalars()
    return len({*later, *(row.changed or [])})


def _snapshot_due(conn: Connection, row: Any) -> bool:
    """Whether an open session's next snapshot is due: ``batch`` participants answered (before the
    first snapshot) or answered or changed their answer since the last one."""
    return row.closed_at is None and _changed(conn, row) >= _batch(conn, row.workspace_id)


def _batch(conn: Connection, workspace_id: int) -> int:
    """Participants who must answer or change their answer before the next snapshot: the workspace's
    minimum group size, never below the app's."""
    size = conn.execute(select(Workspace.min_group_size).where(Workspace.id == workspace_id)).scalar()
    return max(MIN_GROUP_SIZE, int(size or 0))


_TABLES = {  # snapshot table → (column, dtype) as summarise makes them
    "hours": (("learning_type", "str"), ("mean_hours", "float64"), ("share", "float64")),
    "trust": (
        ("item", "str"),
        ("dimension", "str"),
        ("wording", "str"),
        ("mean", "float64"),
        ("answers", "int64"),
    ),
    "advisers": (("person_id", "str"), ("name", "str"), ("mentions", "int64")),
}


def _snapshot(conn: Connection, row: Any, ds: Dataset, moment: datetime) -> dict[str, Any]:
    """What ``pulse_sessions.shown`` keeps: the :func:`summarise` of ``ds`` (never withheld: the
    reader applies its minimum group size), when, and the last answer row it covers (``through``,
    :func:`_changed`); JSON, floats exactly as computed. Taken under the session's exclusive lock,
    so no answer is being stored meanwhile."""
    summary = summarise(ds, None)
    through = conn.execute(
        select(func.max(PulseAnswer.id)).where(PulseAnswer.wave_id == row.wave_id)
    ).scalar()
    out: dict[str, Any] = {
        "answers": summary.answers,
        "at": db_time(moment).isoformat(),
        "through": int(through or 0),
    }
    for name, columns in _TABLES.items():
        table: pd.DataFrame = getattr(summary, name)
        out[name] = {c: [_plain(v) for v in table[c]] if c in table else [] for c, _ in columns}
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value  # numpy scalars → Python


def _from_snapshot(shown: Mapping[str, Any]) -> PulseSummary:
    tables = {
        name: pd.DataFrame({c: pd.Series(shown[name][c], dtype=dtype) for c, dtype in columns})
        for name, columns in _TABLES.items()
    }
    at = _utc(datetime.fromisoformat(shown["at"]))
    n = int(shown["answers"])
    return PulseSummary(
        answers=n,
        last_answer_at=at,
        hidden=n == 0,
        hours=tables["hours"],
        trust=tables["trust"],
        advisers=tables["advisers"],
        shown_answers=n,
        shown_at=at,
    )


def _answer_rows(conn: Connection, wave_id: int) -> list[tuple[str, str, float]]:
    rows = conn.execute(
        select(PulseAnswer.respondent, PulseAnswer.item, PulseAnswer.value).where(
            PulseAnswer.wave_id == wave_id
        )
    )
    return sorted((r.respondent, r.item, float(r.value)) for r in rows)  # code-point order on every backend


def _base_people(conn: Connection, row: Any) -> pd.DataFrame | None:
    """The people table of the session's roster wave (None when it had none or it was deleted)."""
    if row.base_wave_id is None:
        return None
    return read_wave_table(conn, row.base_wave_id, "people")


def _wave_dataset(conn: Connection, row: Any) -> Dataset:
    """The pulse wave's dataset from all its answers (advisers with their roster wave's rows)."""
    session = _session_of(row)
    answers = _answer_rows(conn, row.wave_id)
    return build_dataset(session.wave, answers, roster=session.roster, base_people=_base_people(conn, row))


def _write_wave(conn: Connection, row: Any, ds: Dataset) -> bool:
    """Store ``ds`` as the pulse wave's tables unless they hold it already; True when rewritten.

    Results computed from this wave, or across the workspace's waves, are stale then and removed."""
    encoded = encode_dataset(ds)
    stored = conn.execute(select(Wave.fingerprint).where(Wave.id == row.wave_id)).scalar()
    if stored == tables_fingerprint(encoded):
        return False
    write_wave_tables(conn, row.wave_id, encoded, replace=True)
    conn.execute(
        delete(CachedResult).where(
            CachedResult.workspace_id == row.workspace_id,
            (CachedResult.wave_id == row.wave_id) | CachedResult.wave_id.is_(None),
        )
    )
    return True


def refresh(engine: Engine, token: str) -> bool:
    """Bring an open session up to date: rebuild the pulse wave's tables from every answer so far,
    and take the next snapshot when it is due. Done by the facilitator's live view on a refresh
    that finds the snapshot due (:func:`live_summary`), and by opening the pulse wave on the other
    pages (:func:`refresh_wave`). Under the session's lock, so submissions wait for it: the cost of
    one rebuild of the room, at most once per refresh, instead of one per answer. True when a
    snapshot was taken or the tables rewritten; a closed session is frozen already (False)."""
    with write_transaction(engine) as conn:
        row = _locked_session(conn, token)
        if row.closed_at is not None:
            return False
        ds = _wave_dataset(conn, row)
        rewritten = _write_wave(conn, row, ds)
        if not _snapshot_due(conn, row):
            return rewritten
        # as of the last answer it covers, the moment the batch was complete
        last = conn.execute(
            select(func.max(PulseAnswer.answered_at)).where(PulseAnswer.wave_id == row.wave_id)
        )
        snapshot = _snapshot(conn, row, ds, last.scalar() or db_time())
        conn.execute(update(SessionRow).where(SessionRow.id == row.id).values(shown=snapshot, changed=[]))
    return True


def refresh_wave(engine: Engine, workspace: str, label: str) -> bool:
    """:func:`refresh` the open pulse whose wave is ``label`` of ``workspace``, so that
    :func:`lib.store.workspaces.load_wave` returns every answer so far; False (nothing done) for an
    upload wave, a closed pulse or an unknown wave."""
    with engine.connect() as conn:
        token = conn.execute(
            select(SessionRow.token)
            .join(Wave, Wave.id == SessionRow.wave_id)
            .join(Workspace, Workspace.id == SessionRow.workspace_id)
            .where(Workspace.name == workspace, Wave.label == label, SessionRow.closed_at.is_(None))
        ).scalar()
    return False if token is None else refresh(engine, token)


def close_session(engine: Engine, token: str, now: datetime | None = None) -> PulseSession:
    """Close the session: no answer is accepted after this, so its wave is frozen (its tables
    rebuilt from every answer, in the same transaction), and its last snapshot is every answer
    (whatever the batch). Idempotent: the first close stands."""
    moment = db_time(now)
    with write_transaction(engine) as conn:
        row = _locked_session(conn, token)
        if row.closed_at is None:
            ds = _wave_dataset(conn, row)
            _write_wave(conn, row, ds)
            conn.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id)
                .values(closed_at=moment, shown=_snapshot(conn, row, ds, moment), changed=[])
            )
    session = get_session(engine, token)
    assert session is not None
    return session


def live_summary(engine: Engine, token: str, min_group_size: int) -> PulseSummary:
    """The live view of a session: the count of participants and the last answer's time as they are
    now, the averages and advice ties as of the session's snapshot (module docstring), withheld
    (``hidden``) while the snapshot covers fewer than ``min_group_size`` participants.

    The same for every viewer and every refresh: when the next snapshot is due, the first viewer
    to refresh takes it (:func:`refresh`, which also rebuilds the wave's tables) and every viewer
    then reads it. A pulse closed before snapshots were kept (migration 0004) shows its frozen answers.
    """
    with engine.connect() as conn:
        row = conn.execute(_session_query().where(SessionRow.token == token)).first()
        if row is None:
            raise PulseError("This pulse link is not valid.")
        due = _snapshot_due(conn, row)
    if due:
        refresh(engine, token)
    with engine.connect() as conn:
        row = conn.execute(_session_query().where(SessionRow.token == token)).first()
        if row is None:  # deleted a moment ago
            raise PulseError("This pulse link is not valid.")
        session = _session_of(row)
        where = PulseAnswer.wave_id == row.wave_id
        n, last = conn.execute(
            select(
                func.count(func.distinct(PulseAnswer.respondent)), func.max(PulseAnswer.answered_at)
            ).where(where)
        ).one()
        batch = _batch(conn, row.workspace_id) if session.is_open else 0
        waiting = _changed(conn, row) if session.is_open else 0
        shown = row.shown
        if shown is None and not session.is_open:
            ds = build_dataset(session.wave, _answer_rows(conn, row.wave_id), roster=session.roster)
            shown = _snapshot(conn, row, ds, row.closed_at)
    base = (
        _from_snapshot(shown)
        if shown is not None
        else summarise(build_dataset(session.wave, ()), MIN_GROUP_SIZE)
    )
    hidden = shown is None or not privacy.large_enough(base.shown_answers, min_group_size)
    return replace(
        base,
        answers=int(n),
        last_answer_at=_utc(last),
        hidden=hidden,
        hours=base.hours.iloc[0:0] if hidden else base.hours,
        trust=base.trust.iloc[0:0] if hidden else base.trust,
        shown_answers=base.shown_answers if shown is not None else 0,
        shown_at=base.shown_at if shown is not None else None,
        waiting=waiting,
        batch=batch,
    )


def organisation_base(engine: Engine, workspace: str) -> Dataset | None:
    """What :func:`compare_with_base` compares the room with: the workspace's latest upload wave,
    as a Dataset holding its ``people`` and ``learning`` tables only (source ``"wave <label>"``);
    None when the workspace has no upload wave."""
    with engine.connect() as conn:
        wave = _latest_upload(conn, workspace)
        if wave is None:
            return None
        people = read_wave_table(conn, wave.id, "people")
        learning = read_wave_table(conn, wave.id, "learning")
    if people is None or learning is None:
        return None
    return Dataset(people=people, learning=learning, source=f"wave {wave.label}")


@dataclass(frozen=True)
class RoomPulse:
    """A workshop's pulse for the deck: aggregates only (``summary.advisers``, which is
    person-level, is never shown from here). ``summary`` is :func:`live_summary`'s: its figures are
    the snapshot's (``shown_answers`` participants), ``answers`` the count so far."""

    title: str
    wave: str
    opened_at: datetime  # UTC
    closed_at: datetime | None  # UTC; None while open
    min_group_size: int
    summary: PulseSummary
    comparison: RoomComparison


def room_pulse(engine: Engine, workspace: str, min_group_size: int) -> RoomPulse | None:
    """The workspace's latest pulse that someone answered, summarised (:func:`live_summary`: as of
    its snapshot, as the live view shows it) and set against the organisation
    (:func:`compare_with_base`); None when no pulse has an answer."""
    for session in list_sessions(engine, workspace):  # newest first
        summary = live_summary(engine, session.token, min_group_size)
        if summary.answers:
            comparison = compare_with_base(summary, organisation_base(engine, workspace), min_group_size)
            return RoomPulse(
                session.title,
                session.wave,
                session.opened_at,
                session.closed_at,
                min_group_size,
                summary,
                comparison,
            )
    return None
