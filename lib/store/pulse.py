"""The live pulse: a short survey answered on phones during a workshop, landing in a workspace wave.

The facilitator opens a *pulse session* on a workspace (:func:`open_session`). That creates, in one
transaction, a new wave of kind ``"pulse"`` (label ``pulse-<date>-<n>``) and a session row with a
random join token (``secrets.token_urlsafe``: 192 bits, unguessable). The join link is
``<public url>/?join=<token>`` (:func:`join_url`); :func:`qr_png` draws it as a QR code, offline
(segno, pure Python). The token is kept in the database as it is, so a facilitator who reloads the
page sees the same link again; it grants nothing but answering this pulse.

Why the app's root and not ``/pulse``: a participant's navigation holds the pulse page alone, so it
is the default page, and Streamlit serves the default page at the root only; ``/pulse?join=…`` then
opens with a "Page not found" dialog over the form (seen in Chromium, Streamlit 1.67). The root
works for everyone: :func:`lib.app.auth.arrive` turns the session into a participant before the navigation is
built, and the pulse page also reads ``?join=`` when a facilitator opens ``/pulse?join=…``.

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

Where the browser keeps it: a cookie, ``sld_pulse_<16 hex of the join token's SHA-256>``
(:func:`device_cookie`; ``Path=/``, ``SameSite=Lax``, 30 days, ``Secure`` over https), one per pulse,
so answers to two pulses are not linked. Streamlit gives a page the cookies its browser sent when
the page connected (``st.context.cookies``), so a reload, a second tab, or the QR code scanned
again reads the token before the form is drawn, with no round trip and no request leaving the
room. Streamlit has no call to set a cookie: the page writes it with three lines of JavaScript
(:func:`cookie_script`, through ``st.html(..., unsafe_allow_javascript=True)``, same origin, no
fetch) the first time it issues a token. Not chosen: ``localStorage`` reaches the server only
through a component that reports it after the first draw, so the first run would not know who is
answering, and clearing site data removes both alike; a query parameter written into the address
survives a reload but not the QR code scanned again or the link reopened from a chat, and it
travels with the address when someone shares it.

:func:`device_for` decides, once per browser session: the token this session already holds, else
the cookie's when its signature checks, else a fresh one. A cookie whose signature does not check
(made up, edited, or from another pulse's key) is *replaced* by a fresh token and the page says so;
:func:`submit` *refuses* a token whose signature does not check (PulseError, nothing stored). So a
forged token never counts as a participant, and an edited cookie is no better than a deleted one.

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
:func:`summarise` of every answer at that moment. A new snapshot is taken by the submission that
makes at least ``batch`` participants who answered or *changed* their answer since the last one
(``changed``, a set: one participant resubmitting five times is one), where ``batch`` is the
workspace's minimum group size (never below ``lib.core.privacy.MIN_GROUP_SIZE``), and when the pulse
closes (then the snapshot is every answer, the frozen wave). The first snapshot therefore needs
``batch`` answers. The count of answers and the time of the last one are live. Snapshots are taken
in the submitting transaction under the session's lock, so every viewer, in every browser session,
on every refresh, sees the same one. The deck's room pulse (:func:`room_pulse`) and
:func:`compare_with_base` use the same snapshot. Between two snapshots at least ``batch``
participants changed, so their difference mixes at least that many answers; when the pulse closes,
the final snapshot may add fewer. A viewer who raised the minimum group size in the sidebar sees the
same snapshots, withheld while they cover fewer people than that, but the batch stays the
workspace's. Not covered: a pulse wave opened on the other pages ("Show this pulse on the other
pages") holds every answer so far, as the named view shows each participant's row anyway.

The wave, as answers arrive
---------------------------
Every submission rebuilds the pulse wave's canonical tables from all its answers in the same
transaction (:func:`build_dataset`), so :func:`lib.store.workspaces.load_wave` always returns the answers
so far. Submissions and closing lock the session row first (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL:
``SELECT … FOR UPDATE``), so concurrent submissions are applied one after another and the last
rebuild sees them all. :func:`close_session` marks the session closed; no submission is accepted
after that, so the wave is frozen.

Tables of a pulse wave: ``people`` (one row per participant, ``pulse-<12 hex>``, named
``Participant <6 hex>``, plus each person named as an adviser with their row of the roster wave,
attributes included, so the pulse wave groups them as the roster does), ``ties`` (relation
``advice``, participant → adviser, weight 1), ``learning`` (long form, all five types, zeros
included) and ``trust`` (long form, raw 1–5). Free names become people with ids ``named-<12 hex>``
of the case-folded name, so "Ann Lee" and "ann lee" are one person, named by the spelling most
participants typed.

Kept apart from the organisation
--------------------------------
Participants are anonymous duplicates of real people, so a pulse wave never enters the workspace
view (:func:`lib.store.workspaces.load_workspace` combines the upload waves only); it opens on its own
(:func:`lib.store.workspaces.load_wave`). :func:`compare_with_base` sets the room's learning mix next to
the organisation's (the workspace's latest upload wave, :func:`organisation_base`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.core import privacy, waves
from lib.core.dataset import PEOPLE_COLUMNS, Dataset
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
    "ADVICE_PREFIX",
    "DEFAULT_PUBLIC_URL",
    "DEFAULT_TRUST_DIMENSIONS",
    "DEVICE_COOKIE_MAX_AGE",
    "DEVICE_COOKIE_PREFIX",
    "ENV_PUBLIC_URL",
    "HOURS_PREFIX",
    "JOIN_PARAM",
    "MAX_ADVISERS",
    "MAX_FREE_NAME",
    "MAX_HOURS",
    "STATE_DEVICE",
    "STATE_TOKEN",
    "TRUST_PREFIX",
    "BrowserState",
    "Device",
    "PulseError",
    "PulseSession",
    "PulseSummary",
    "Response",
    "RoomComparison",
    "RoomPulse",
    "SubmitResult",
    "build_dataset",
    "close_session",
    "compare_with_base",
    "cookie_script",
    "device_cookie",
    "device_for",
    "free_name_id",
    "get_session",
    "issue_device",
    "join_url",
    "latest_roster",
    "list_sessions",
    "live_summary",
    "open_session",
    "organisation_base",
    "participant_id",
    "public_url",
    "qr_png",
    "respondent_key",
    "respondent_of",
    "room_pulse",
    "submit",
    "summarise",
    "trust_items_for",
]

ENV_PUBLIC_URL = "SLD_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
JOIN_PARAM = "join"
#: session_state key holding the join token of this browser session.
STATE_TOKEN = "pulse_token"
#: session_state key (``<this>:<session id>``) holding this browser session's :class:`Device`.
STATE_DEVICE = "pulse_device"
DEVICE_COOKIE_PREFIX = "sld_pulse_"
#: 30 days: longer than any workshop; a browser may keep a cookie set by script for less.
DEVICE_COOKIE_MAX_AGE = 30 * 24 * 3600

DEFAULT_TRUST_DIMENSIONS: tuple[str, ...] = ("knowledge_sharing", "trust", "two_way_flow")
TRUST_ITEMS_ASKED = 3
#: More hours of learning in a month than this is a typing slip (a working month is ~170 hours).
MAX_HOURS = 300.0
MAX_ADVISERS = 10
MAX_FREE_NAME = 80
HOURS_PREFIX = "hours:"
TRUST_PREFIX = "trust:"
ADVICE_PREFIX = "advice:"
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


class BrowserState(Protocol):
    """What :func:`device_for` and :func:`lib.app.auth.arrive` read and write in one browser
    session's state: ``st.session_state`` in the app, a dict in tests. Only these two methods, as
    ``st.session_state`` is a ``MutableMapping[str | int, Any]``, not a ``MutableMapping[str, Any]``."""

    def get(self, key: str, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...


@dataclass(frozen=True)
class Device:
    """This browser's identity for one pulse (:func:`device_for`; the module docstring says why)."""

    token: str  # "<id>.<signature>", what the cookie holds and :func:`submit` takes
    cookie: str  # the cookie's name (:func:`device_cookie`)
    stored: bool = False  # the browser sent this token in its cookie: nothing to write
    replaced: bool = False  # the browser's cookie held a token this pulse did not sign


@dataclass(frozen=True)
class PulseSummary:
    """What the facilitator's live view shows: counts as they are, the rest as of a snapshot.

    ``answers`` and ``last_answer_at`` are live. ``hours``, ``trust`` and ``advisers`` are the
    snapshot's (see the module docstring), which covers ``shown_answers`` participants; ``hours`` and
    ``trust`` are empty while ``hidden`` (no snapshot yet, or it covers fewer participants than the
    minimum group size). ``waiting`` participants answered or changed their answer since the
    snapshot; the next one is taken when ``waiting`` reaches ``batch`` (0: none will be, the pulse is
    closed). :func:`summarise` gives a summary that is its own snapshot.
    """

    answers: int
    last_answer_at: datetime | None  # UTC
    hidden: bool  # no snapshot, or fewer participants in it than the minimum group size
    hours: pd.DataFrame  # learning_type, mean_hours, share (of the mean total)
    trust: pd.DataFrame  # item, dimension, wording, mean, answers
    advisers: pd.DataFrame  # person_id, name, mentions (most named first) — person-level
    shown_answers: int = 0  # participants the snapshot covers
    shown_at: datetime | None = None  # UTC: when the snapshot was taken
    waiting: int = 0
    batch: int = 0


# --- settings, tokens, devices ------------------------------------------------------------------


def public_url() -> str:
    """The address participants reach the app at: ``$SLD_PUBLIC_URL``, else http://localhost:8501."""
    return os.environ.get(ENV_PUBLIC_URL, "").strip() or DEFAULT_PUBLIC_URL


def join_url(base: str, token: str) -> str:
    """``<base>/?join=<token>`` (the app's root: see the module docstring); PulseError when ``base`` is
    not an http(s) address."""
    base = base.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise PulseError(f"The app's address must start with http:// or https://, not {base!r}.")
    return f"{base}/?{JOIN_PARAM}={token}"


def qr_png(text: str, scale: int = 8) -> bytes:
    """A QR code of ``text`` as PNG bytes, drawn offline (segno, error correction M)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


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


def device_cookie(session: PulseSession) -> str:
    """The cookie that keeps a browser's device token for ``session``: one name per pulse, which
    does not give the join token away."""
    return DEVICE_COOKIE_PREFIX + hashlib.sha256(session.token.encode()).hexdigest()[:16]


def device_for(session: PulseSession, cookies: Mapping[str, str], state: BrowserState) -> Device:
    """This browser session's identity for ``session``, decided once and kept in ``state``.

    The token ``state`` already holds; else the browser's cookie (``cookies``, as the browser sent
    them) when this pulse signed it (``stored``); else a fresh token, ``replaced`` when the cookie
    held one this pulse did not sign. The page writes a token that is not ``stored`` into the
    cookie (:func:`cookie_script`).
    """
    key = f"{STATE_DEVICE}:{session.id}"
    held = state.get(key)
    if isinstance(held, Device) and respondent_of(session, held.token) is not None:
        return held
    name = device_cookie(session)
    sent = cookies.get(name)
    if sent and respondent_of(session, sent) is not None:
        device = Device(token=sent, cookie=name, stored=True)
    else:
        device = Device(token=issue_device(session), cookie=name, replaced=bool(sent))
    state[key] = device
    return device


def cookie_script(device: Device, max_age: int = DEVICE_COOKIE_MAX_AGE) -> str:
    """The ``<script>`` that stores ``device`` in its cookie (same origin; ``Secure`` over https)."""
    for text in (device.cookie, device.token):
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", text):  # cookie-safe, and safe inside <script>
            raise PulseError("Not a device token.")
    cookie = json.dumps(f"{device.cookie}={device.token}; Path=/; Max-Age={int(max_age)}; SameSite=Lax")
    return (
        f"<script>document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


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


def _locked_session(conn: Connection, token: str) -> Any:
    query = _session_query().where(SessionRow.token == token)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=SessionRow.__table__)
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
    """Store (or replace) the answer of the browser holding ``device`` (:func:`issue_device`), and
    refresh the pulse wave, and the snapshot when its batch is complete (module docstring).

    One transaction, under the session's lock: PulseError when the link is unknown, the session is
    closed, the device token is not one this pulse signed (a forged token never counts), or the
    answer is invalid; then nothing is written.
    """
    moment = db_time(now)
    with write_transaction(engine) as conn:
        row = _locked_session(conn, token)
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
        answers, ds = _refresh_wave(conn, row, session)
        # who changed since the snapshot: a set, so one participant resubmitting counts once; before
        # the first snapshot, everyone who answered
        changed = None if row.shown is None else {*(row.changed or []), respondent}
        if (answers if changed is None else len(changed)) >= _batch(conn, row.workspace_id):
            values: dict[str, Any] = {"shown": _snapshot(ds, moment), "changed": []}
        else:
            values = {"changed": None if changed is None else sorted(changed)}
        conn.execute(update(SessionRow).where(SessionRow.id == row.id).values(**values))
    return SubmitResult(replaced=replaced, answers=answers)


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


def _snapshot(ds: Dataset, moment: datetime) -> dict[str, Any]:
    """What ``pulse_sessions.shown`` keeps: the :func:`summarise` of ``ds`` (never withheld: the
    reader applies its minimum group size), and when; JSON, floats exactly as computed."""
    summary = summarise(ds, None)
    out: dict[str, Any] = {"answers": summary.answers, "at": db_time(moment).isoformat()}
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


def _refresh_wave(conn: Connection, row: Any, session: PulseSession) -> tuple[int, Dataset]:
    """Rewrite the pulse wave's tables from all its answers; return how many participants answered,
    and the wave's dataset."""
    answers = _answer_rows(conn, row.wave_id)
    ds = build_dataset(session.wave, answers, roster=session.roster, base_people=_base_people(conn, row))
    write_wave_tables(conn, row.wave_id, encode_dataset(ds), replace=True)
    # results computed from this wave, or across the workspace's waves, are stale now
    conn.execute(
        delete(CachedResult).where(
            CachedResult.workspace_id == row.workspace_id,
            (CachedResult.wave_id == row.wave_id) | CachedResult.wave_id.is_(None),
        )
    )
    return len({r for r, _, _ in answers}), ds


def close_session(engine: Engine, token: str, now: datetime | None = None) -> PulseSession:
    """Close the session: no answer is accepted after this, so its wave is frozen, and its last
    snapshot is every answer (whatever the batch). Idempotent: the first close stands."""
    moment = db_time(now)
    with write_transaction(engine) as conn:
        row = _locked_session(conn, token)
        if row.closed_at is None:
            open_ = _session_of(row)
            ds = build_dataset(open_.wave, _answer_rows(conn, row.wave_id), roster=open_.roster)
            conn.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id)
                .values(closed_at=moment, shown=_snapshot(ds, moment), changed=[])
            )
    session = get_session(engine, token)
    assert session is not None
    return session


# --- the wave's tables --------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def participant_id(respondent: str) -> str:
    return f"pulse-{respondent[:12]}"


def free_name_id(name: str) -> str:
    return f"named-{_short_hash(name.casefold())}"


def _text(values: Iterable[object]) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _standard_people(n: int) -> pd.DataFrame:
    blank = _text([""] * n)
    return pd.DataFrame(
        {
            "person_id": blank,
            "name": blank,
            "team": blank,
            "department": blank,
            "role": blank,
            "level": pd.array([pd.NA] * n, dtype="Int64"),
            "manager_id": blank,
            "location": blank,
            "tenure_years": pd.Series([math.nan] * n, dtype="float64"),
            "responded": pd.array([pd.NA] * n, dtype="boolean"),
        },
        columns=PEOPLE_COLUMNS,
    )


def _blank_rows(template: pd.DataFrame, ids: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    """Rows shaped like ``template`` (same columns and dtypes), blank but for id and name."""
    n = len(ids)
    columns: dict[str, Any] = {}
    for column in template.columns:
        dtype = template[column].dtype
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            columns[column] = pd.Series([""] * n, dtype=dtype)
        else:
            columns[column] = pd.Series([None] * n, dtype=dtype)
    out = pd.DataFrame(columns, columns=list(template.columns))
    out["person_id"] = pd.Series(list(ids), dtype=template["person_id"].dtype)
    out["name"] = pd.Series(list(names), dtype=template["name"].dtype)
    return out


def build_dataset(
    wave: str,
    answers: Iterable[tuple[str, str, float]],
    roster: Sequence[tuple[str, str]] = (),
    base_people: pd.DataFrame | None = None,
) -> Dataset:
    """The canonical tables of a pulse wave from its answer rows ``(respondent, item, value)``.

    Advice items name a roster person id when the session has a roster, else a free name (see the
    module docstring for the ids). An adviser found in ``base_people`` (the roster wave's people
    table) keeps that row, attributes and custom columns included, so the pulse wave can be
    grouped by team or department like the roster; participants get blank attributes and
    ``responded=True``. Items of unknown kinds are ignored.
    """
    names = dict(roster)
    people: dict[str, tuple[str, bool | None]] = {}  # person_id → (name, responded)
    spellings: dict[str, Counter[str]] = {}  # free-name id → how often each spelling was typed
    ties: list[tuple[str, str]] = []
    learning: list[tuple[str, str, float]] = []
    trust: list[tuple[str, str, float]] = []
    for respondent, item, value in answers:
        person = participant_id(respondent)
        people[person] = (f"Participant {respondent[:6]}", True)
        if item.startswith(HOURS_PREFIX):
            learning.append((person, item.removeprefix(HOURS_PREFIX), float(value)))
        elif item.startswith(TRUST_PREFIX):
            trust.append((person, item.removeprefix(TRUST_PREFIX), float(value)))
        elif item.startswith(ADVICE_PREFIX):
            adviser = item.removeprefix(ADVICE_PREFIX)
            if roster:
                target = adviser
                people.setdefault(target, (names.get(adviser, adviser), None))
            else:
                target = free_name_id(adviser)
                spellings.setdefault(target, Counter())[adviser] += 1
            ties.append((person, target))
    for target, counts in spellings.items():  # the most common spelling; ties: code-point order
        if target not in people:
            people[target] = (min(counts, key=lambda n: (-counts[n], n)), None)
    # participants first, then advisers, each sorted by id: stable tables, stable fingerprints
    template = base_people if base_people is not None else _standard_people(0)
    participants = sorted(p for p, (_n, responded) in people.items() if responded)
    advisers = sorted(p for p, (_n, responded) in people.items() if not responded)
    known = template[template["person_id"].astype(str).isin(advisers)].sort_values("person_id")
    unknown = [p for p in advisers if p not in set(known["person_id"].astype(str))]
    first = _blank_rows(template, participants, [people[p][0] for p in participants])
    if "responded" in first:
        first["responded"] = pd.array([True] * len(first), dtype="boolean")
    parts = [first, known, _blank_rows(template, unknown, [people[p][0] for p in unknown])]
    people_table = pd.concat([part for part in parts if len(part)] or [first], ignore_index=True)
    ties.sort()
    m = len(ties)
    ties_table = pd.DataFrame(
        {
            "source_id": _text(s for s, _ in ties),
            "target_id": _text(t for _, t in ties),
            "relation": _text(["advice"] * m),
            "weight": pd.Series([1.0] * m, dtype="float64"),
            "learning_type": _text([""] * m),
            "mode": _text([""] * m),
            "topic": _text([""] * m),
            "wave": _text([wave] * m),
        }
    )
    order_types = {code: i for i, code in enumerate(LEARNING_TYPE_CODES)}
    learning.sort(key=lambda r: (r[0], order_types.get(r[1], len(order_types))))
    learning_table = pd.DataFrame(
        {
            "person_id": _text(r[0] for r in learning),
            "wave": _text([wave] * len(learning)),
            "learning_type": _text(r[1] for r in learning),
            "hours": pd.Series([r[2] for r in learning], dtype="float64"),
        }
    )
    trust.sort()
    trust_table = pd.DataFrame(
        {
            "person_id": _text(r[0] for r in trust),
            "wave": _text([wave] * len(trust)),
            "item": _text(r[1] for r in trust),
            "value": pd.Series([r[2] for r in trust], dtype="float64"),
        }
    )
    return Dataset(
        people=people_table,
        ties=ties_table,
        learning=learning_table,
        trust=trust_table,
        source=f"Live pulse {wave}",
    )


# --- the live view ------------------------------------------------------------------------------


def summarise(
    ds: Dataset, min_group_size: int | None, last_answer_at: datetime | None = None
) -> PulseSummary:
    """Counts and averages of a pulse wave's dataset, for the facilitator's live view.

    * ``hours.mean_hours`` = Σ hours of the type ÷ participants; ``share`` = that mean ÷ the sum of
      the five means (0 when nobody reported any hours).
    * ``trust.mean`` = mean of the raw 1–5 answers to the item (not reverse-coded; the pulse asks
      positively worded items only).
    * ``advisers.mentions`` = how many participants named the person.

    ``min_group_size=None`` withholds nothing but an empty room (the stored snapshot, whose reader
    applies its own minimum). With fewer participants than ``min_group_size`` the averages are withheld (``hidden``), since
    with two or three people in the room an average gives away individual answers. Averages that
    follow every answer give each one away too: the live view shows them in batches
    (:func:`live_summary`, "What the live view shows" in the module docstring).
    """
    # participants are whoever reported hours (every answer has all five); advisers who appear
    # only as someone named keep their roster row, ``responded`` included, so that flag cannot tell
    n = int(ds.learning["person_id"].nunique())
    hidden = n == 0 if min_group_size is None else not privacy.large_enough(n, min_group_size)
    bank = {i.item: i for i in TRUST_ITEM_BANK}
    if hidden or n == 0:
        hours = pd.DataFrame({"learning_type": [], "mean_hours": [], "share": []})
        trust = pd.DataFrame({"item": [], "dimension": [], "wording": [], "mean": [], "answers": []})
    else:
        totals = ds.learning.groupby("learning_type")["hours"].sum()
        means = [float(totals.get(code, 0.0)) / n for code in LEARNING_TYPE_CODES]
        total = sum(means)
        hours = pd.DataFrame(
            {
                "learning_type": list(LEARNING_TYPE_CODES),
                "mean_hours": means,
                "share": [m / total if total > 0 else 0.0 for m in means],
            }
        )
        grouped = ds.trust.groupby("item", sort=True)["value"]
        stats = pd.DataFrame({"mean": grouped.mean(), "answers": grouped.count()}).reset_index()
        stats["dimension"] = [bank[i].dimension if i in bank else "" for i in stats["item"]]
        stats["wording"] = [bank[i].wording if i in bank else i for i in stats["item"]]
        trust = stats[["item", "dimension", "wording", "mean", "answers"]]
    mentions = ds.ties.groupby("target_id").size().rename("mentions").reset_index()
    names = dict(zip(ds.people["person_id"], ds.people["name"], strict=True))
    advisers = pd.DataFrame(
        {
            "person_id": mentions["target_id"].astype(str),
            "name": [names.get(p, p) for p in mentions["target_id"]],
            "mentions": mentions["mentions"].astype(int),
        }
    ).sort_values(["mentions", "name"], ascending=[False, True], ignore_index=True)
    return PulseSummary(
        answers=n,
        last_answer_at=last_answer_at,
        hidden=hidden,
        hours=hours,
        trust=trust,
        advisers=advisers,
        shown_answers=n,
        shown_at=last_answer_at,
    )


def live_summary(engine: Engine, token: str, min_group_size: int) -> PulseSummary:
    """The live view of a session: the count of participants and the last answer's time as they are
    now, the averages and advice ties as of the session's snapshot (module docstring), withheld
    (``hidden``) while the snapshot covers fewer than ``min_group_size`` participants.

    The same for every viewer and every refresh: it reads the snapshot, it never takes one. A pulse
    closed before snapshots were kept (migration 0004) shows its frozen answers.
    """
    with engine.connect() as conn:
        row = conn.execute(_session_query().where(SessionRow.token == token)).first()
        if row is None:
            raise PulseError("This pulse link is not valid.")
        session = _session_of(row)
        where = PulseAnswer.wave_id == row.wave_id
        n, last = conn.execute(
            select(
                func.count(func.distinct(PulseAnswer.respondent)), func.max(PulseAnswer.answered_at)
            ).where(where)
        ).one()
        batch = _batch(conn, row.workspace_id) if session.is_open else 0
        shown = row.shown
        if shown is None and not session.is_open:
            ds = build_dataset(session.wave, _answer_rows(conn, row.wave_id), roster=session.roster)
            shown = _snapshot(ds, row.closed_at)
    base = (
        _from_snapshot(shown)
        if shown is not None
        else summarise(build_dataset(session.wave, ()), MIN_GROUP_SIZE)
    )
    hidden = shown is None or not privacy.large_enough(base.shown_answers, min_group_size)
    waiting = 0 if not session.is_open else int(n) if shown is None else len(row.changed or [])
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


# --- the room against the organisation ----------------------------------------------------------


@dataclass(frozen=True)
class RoomComparison:
    """The room's learning mix (a pulse) next to the organisation's (the latest upload wave).

    ``table``: ``learning_type``, ``type`` (its name), ``room``, ``organisation`` (shares, 0–1) and
    ``difference`` = room − organisation, one row per learning type; empty when ``hidden``, and
    ``note`` then says why. Aggregates only: no names or ids.
    """

    room: int  # pulse participants
    organisation: int  # people with a learning row in the organisation's wave
    wave: str  # the organisation's wave label in its learning sheet ("" when it has none)
    hidden: bool
    note: str
    table: pd.DataFrame


def _type_shares(learning: pd.DataFrame) -> tuple[int, list[float]]:
    """(respondents, share of each type) of long-form learning rows, as :func:`summarise` defines
    them: share(t) = Σ hours of t ÷ Σ hours of the five types (0 when nobody reported hours);
    respondents = people with a learning row."""
    if not len(learning):
        return 0, [0.0] * len(LEARNING_TYPE_CODES)
    types = learning["learning_type"].fillna("").astype(str).str.strip().str.upper()
    hours = pd.to_numeric(learning["hours"], errors="coerce").fillna(0.0)
    totals = hours.groupby(types.to_numpy()).sum()
    per_type = [float(totals.get(code, 0.0)) for code in LEARNING_TYPE_CODES]
    total = sum(per_type)
    n = int(learning["person_id"].astype(str).nunique())
    return n, [h / total if total > 0 else 0.0 for h in per_type]


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


def compare_with_base(summary: PulseSummary, base: Dataset | None, min_group_size: int) -> RoomComparison:
    """The room against the organisation: each learning type's share in the pulse (``summary``)
    next to its share in ``base`` (the organisation's latest upload wave, :func:`organisation_base`;
    its learning sheet's latest wave label when it has several).

    Both sides use one definition (:func:`summarise`): share(t) = Σ hours of t ÷ Σ hours of the
    five types. The room is ``summary``'s snapshot (``shown_answers`` participants), as the live
    view's averages are: never the answers as they are this second. Withheld (``hidden``, empty
    table) when there is no base, or when either side has fewer respondents than
    ``min_group_size``: a mix of two or three people gives their answers away.
    """
    rows, wave = waves.rows(base.learning, None) if base is not None else (pd.DataFrame(), "")
    org_n, org_shares = _type_shares(rows) if base is not None else (0, [])
    note = ""
    if base is None:
        note = "The workspace has no uploaded wave to compare the room with."
    elif summary.hidden or not privacy.large_enough(summary.shown_answers, min_group_size):
        note = f"Shown once {min_group_size} people have answered (the minimum group size)."
    elif not privacy.large_enough(org_n, min_group_size):
        note = (
            f"The organisation's latest uploaded wave has learning hours from fewer than {min_group_size} "
            "people (the minimum group size): there is nothing to compare with."
        )
    columns = ["learning_type", "type", "room", "organisation", "difference"]
    if note:
        return RoomComparison(summary.shown_answers, org_n, wave, True, note, pd.DataFrame(columns=columns))
    room = dict(zip(summary.hours["learning_type"], summary.hours["share"], strict=True))
    room_shares = [float(room.get(code, 0.0)) for code in LEARNING_TYPE_CODES]
    table = pd.DataFrame(
        {
            "learning_type": list(LEARNING_TYPE_CODES),
            "type": [LEARNING_TYPES[code].split(":")[0] for code in LEARNING_TYPE_CODES],
            "room": room_shares,
            "organisation": org_shares,
            "difference": [r - o for r, o in zip(room_shares, org_shares, strict=True)],
        },
        columns=columns,
    )
    return RoomComparison(summary.shown_answers, org_n, wave, False, "", table)


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


# --- arriving by a join link --------------------------------------------------------------------
