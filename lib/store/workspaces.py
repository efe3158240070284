"""Workspaces: one organisation or engagement, its waves and settings, kept in a database.

A *workspace* holds its settings (minimum group size, default privacy view, pseudonym salt,
stock/flow channel mapping, upload retention) and its *waves*: each wave is one import of a
:class:`~lib.core.dataset.Dataset` (``kind="upload"``) or a live pulse (``kind="pulse"``,
:mod:`lib.store.pulse`). Workshop sessions, agreed actions and pulse answers have tables of their own
(:mod:`lib.store.models`).

Reading: settings applied, pulses kept apart
--------------------------------------------
:func:`load_wave` and :func:`load_workspace` return datasets with the workspace's settings applied:
its pseudonym salt (``Dataset.pseudonym_salt``, so every page, export and the deck give a person
the same pseudonym) and its channel mapping (:func:`lib.analysis.flows.apply_channel_modes`, which replaces
the mapping the file was read with). :func:`load_workspace` combines the *upload* waves only
(:attr:`WorkspaceInfo.combined_waves`): pulse participants are anonymous duplicates of real people,
so they never enter the organisation's network; a pulse wave opens on its own with
:func:`load_wave`. ``load_wave(..., as_stored=True)`` gives a wave exactly as it was stored.

Storage: each canonical table of a wave as one Parquet blob
-------------------------------------------------------------
Each of the nine canonical tables is stored as one Parquet file (zstd) in a ``wave_tables`` row,
with the pandas dtype of every column beside it. Measured on a 10,000-person organisation
(``generate(people=10000, seed=1, ties_per_person=20)``: 380k ties over two waves, 1.03M rows in
all): encoding and writing every table in one transaction took 0.3–0.8 s and reading it back
0.2–0.5 s (SQLite and PostgreSQL alike), 3.7 MB of blobs; Arrow IPC with zstd was as fast but 2.3×
larger, uncompressed 21× larger. The same rows inserted row-wise (``DataFrame.to_sql``) took 6.7 s
on SQLite and 19.4 s on PostgreSQL, and would need one SQL table per canonical table, a key/value
table for custom attributes and typed conversions back per backend. Round trips are exact
(``assert_frame_equal``, dtypes included): ``str``, ``Int64`` and ``boolean`` with missing values,
``datetime64``, the index, custom people columns. The analyses always read whole tables, so the
blob loses nothing they use; per-row queries across waves are a later step's concern.

All or nothing
--------------
An import is one transaction (:func:`lib.store.db.write_transaction`): the workspace (when new), the
wave, its tables and the uploaded file are committed together or not at all, whether the import
fails, is cancelled or the process is killed. Tables are encoded *before* the transaction opens,
so the write lock is held only while rows are written.

Deletion and retention
----------------------
Deleting a workspace deletes its row; the database cascades to every wave, table, uploaded file,
cached result, workshop session, action and pulse answer. On SQLite deleted pages are overwritten
(``secure_delete``) and the write-ahead log is truncated afterwards, so deleted text is no longer in
the files. On PostgreSQL the rows are gone at commit and autovacuum reclaims their space later.
:func:`purge_expired` deletes uploaded waves (tables and files) older than their
workspace's ``retention_days``; :func:`open_database` runs it every time the database is opened.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from lib.core import waves
from lib.core.dataset import TABLE_COLUMNS, Dataset
from lib.core.errors import Finding
from lib.core.privacy import MIN_GROUP_SIZE, check_min_group_size
from lib.core.sanitise import CONTROL_IN_NAME
from lib.core.schema import CHANNEL_MODES, MODES
from lib.store.db import db_time, ensure_schema, make_engine, write_transaction
from lib.store.models import (
    Action,
    CachedResult,
    PulseAnswer,
    SurveyResolution,
    UploadFile,
    Wave,
    WaveTable,
    WorkshopSession,
    Workspace,
)

__all__ = [
    "CHANNEL_TABLE_COLUMNS",
    "LOOKALIKES",
    "NOT_MAPPED",
    "TABLE_FORMAT",
    "VIEWS",
    "WAVE_KINDS",
    "Deleted",
    "EncodedTable",
    "PurgedWave",
    "WaveInfo",
    "WorkspaceError",
    "WorkspaceInfo",
    "WorkspaceSettings",
    "cached_result",
    "channel_mapping_table",
    "channel_modes_from_table",
    "combine_waves",
    "create_workspace",
    "default_label",
    "delete_wave",
    "delete_workspace",
    "encode_dataset",
    "get_workspace",
    "import_dataset",
    "import_file",
    "list_workspaces",
    "load_wave",
    "load_workspace",
    "name_skeleton",
    "new_pseudonym_salt",
    "normalise_name",
    "open_database",
    "purge_expired",
    "read_wave_table",
    "store_result",
    "tables_fingerprint",
    "update_settings",
    "workspace_id",
    "workspace_name",
    "workspace_names",
    "workspace_source",
    "write_wave_tables",
]

TABLE_FORMAT = "parquet-zstd"
VIEWS: tuple[str, ...] = ("aggregate", "named")
WAVE_KINDS: tuple[str, ...] = ("upload", "pulse")
MAX_NAME_LENGTH = 200
#: Control characters and line breaks (C0, DEL, C1, U+2028/U+2029): refused inside a name.

Progress = Callable[[str], None]


class WorkspaceError(Exception):
    """A request about workspaces that cannot be done, in words a facilitator can act on."""


@dataclass(frozen=True)
class WorkspaceSettings:
    """Per-workspace settings. ``retention_days=None`` keeps uploads until deleted by hand."""

    min_group_size: int = MIN_GROUP_SIZE
    default_view: Literal["aggregate", "named"] = "aggregate"
    pseudonym_salt: str = ""  # "" = a new random salt when the workspace is created
    channel_modes: dict[str, str] = field(default_factory=lambda: dict(CHANNEL_MODES))
    retention_days: int | None = None

    def checked(self) -> WorkspaceSettings:
        """These settings, validated (ValueError with a plain message otherwise)."""
        check_min_group_size(self.min_group_size)
        if self.default_view not in VIEWS:
            raise ValueError(
                f"The default view must be one of {', '.join(VIEWS)}, not {self.default_view!r}."
            )
        bad = {k: v for k, v in self.channel_modes.items() if v not in MODES}
        if bad:
            raise ValueError(f"Channels must map to 'stock' or 'flow'; these do not: {bad}.")
        if any(not str(k).strip() for k in self.channel_modes):
            raise ValueError("A channel in the stock/flow mapping has a blank name.")
        if self.retention_days is not None and (
            isinstance(self.retention_days, bool)
            or not isinstance(self.retention_days, int)
            or self.retention_days < 0
        ):
            raise ValueError(
                f"Retention must be a whole number of days (0 or more), not {self.retention_days!r}."
            )
        return self


@dataclass(frozen=True)
class WaveInfo:
    label: str
    kind: str
    source: str
    imported_at: datetime  # UTC
    rows: dict[str, int]  # canonical table → row count
    stored_bytes: int  # the tables' Parquet blobs
    upload_bytes: int  # the uploaded files kept
    fingerprint: str  # SHA-256 of the stored tables


@dataclass(frozen=True)
class WorkspaceInfo:
    """A workspace, its settings and every stored wave (oldest first), pulse waves included.

    The workspace view (:func:`load_workspace`) combines :attr:`combined_waves`: the upload waves,
    or every wave while the workspace has no upload wave (a pulse with free names). Pulse waves
    next to uploads are :attr:`kept_apart`: stored, listed, opened one at a time with
    :func:`load_wave`, never mixed into the organisation's network.
    """

    name: str
    created_at: datetime  # UTC
    settings: WorkspaceSettings
    waves: tuple[WaveInfo, ...]

    @property
    def combined_waves(self) -> tuple[WaveInfo, ...]:
        """The waves the workspace view combines: the upload waves; every wave when there is none."""
        uploads = tuple(w for w in self.waves if w.kind == "upload")
        return uploads or self.waves

    @property
    def kept_apart(self) -> tuple[WaveInfo, ...]:
        """The waves the workspace view leaves out (pulse waves next to upload waves), oldest first."""
        combined = {w.label for w in self.combined_waves}
        return tuple(w for w in self.waves if w.label not in combined)


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed: row counts per kind."""

    workspace: str
    waves: int
    tables: int
    files: int
    cached_results: int
    workshop_sessions: int
    actions: int
    pulse_answers: int


@dataclass(frozen=True)
class PurgedWave:
    workspace: str
    label: str
    imported_at: datetime


# --- opening ------------------------------------------------------------------------------------


def open_database(url: str | None = None, now: datetime | None = None) -> Engine:
    """The engine for ``url`` (see :func:`lib.store.db.database_url`), migrated, with expired uploads purged."""
    engine = make_engine(url)
    ensure_schema(engine)
    purge_expired(engine, now=now)
    return engine


# --- time and names -----------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _clean_name(value: str, what: str) -> str:
    name = str(value).strip()
    if not name:
        raise WorkspaceError(f"The {what} cannot be blank.")
    if len(name) > MAX_NAME_LENGTH:
        raise WorkspaceError(f"The {what} is longer than {MAX_NAME_LENGTH} characters.")
    if CONTROL_IN_NAME.search(name):
        raise WorkspaceError(f"The {what} contains control characters (tabs, line breaks): {name!r}.")
    return name


# --- workspace names that look alike --------------------------------------------------------------
#
# A workspace name is shown in the Workspace menu and keys the [workspace_access] table of the
# secrets (lib.app.auth), so two names a reader cannot tell apart ("Acme" and "Аcme" with a Cyrillic А,
# "Acme" with a zero-width space or a right-to-left override) let one workspace pass for another.
# Every name that enters (create, import, the command line, [workspace_access]) is normalised
# (normalise_name); a new name whose skeleton (name_skeleton) equals an existing one's is refused.

#: Letters of other scripts that look like Latin ones in the fonts a menu uses, and dashes that look
#: like "-": ``(what, look-alikes, the characters they look like)``, position by position. A short
#: table for names typed by people, not Unicode's whole confusables list (UTS #39): Latin look-alikes
#: among themselves (``l``/``I``/``1``, ``O``/``0``, ``rn``/``m``) are not mapped.
LOOKALIKES: tuple[tuple[str, str, str], ...] = (
    ("Cyrillic capitals", "АВЕЅІЈКМНОРСТХУ", "ABESIJKMHOPCTXY"),
    ("Cyrillic small letters", "аеѕіјорсхуԁһԛԝӏ", "aesijopcxydhqwl"),
    ("Greek capitals", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),
    ("Greek small letters", "αικνορυχ", "aikvopux"),
    ("dashes", "\u2010\u2012\u2013\u2014\u2015\u2212", "------"),  # U+2011: NFKC makes it U+2010
)
_LOOKALIKE_MAP = str.maketrans(
    {look: latin for _what, looks, latins in LOOKALIKES for look, latin in zip(looks, latins, strict=True)}
)
#: Invisible characters that are not of category Cf (format): Unicode's other default-ignorable
#: code points (combining grapheme joiner, Hangul fillers, variation selectors).
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
#: Characters that show as a blank: collapsed with the spaces (U+2800 BRAILLE PATTERN BLANK is "So").
_BLANKS = re.compile(r"[^\S\x00-\x1f\x7f-\x9f\u2028\u2029]+|\u2800+")


def normalise_name(value: object) -> str:
    r"""A workspace name as it is stored and looked up: Unicode NFKC (full-width ``Ａｃｍｅ`` → ``Acme``,
    ligatures and compatibility forms to plain letters), invisible characters removed (category Cf:
    zero-width spaces and joiners, bidi controls such as U+202E RIGHT-TO-LEFT OVERRIDE, soft hyphens;
    and the other default-ignorables), every run of spaces one space, trimmed.

    Control characters and line breaks are left in, for :func:`workspace_name` to refuse.

    >>> normalise_name("  Ａｃｍｅ\u200b  Corp\u202e ")
    'Acme Corp'
    """
    text = unicodedata.normalize("NFKC", str(value))
    text = _IGNORABLE.sub("", "".join(ch for ch in text if unicodedata.category(ch) != "Cf"))
    text = unicodedata.normalize("NFKC", text)  # removing a joiner can leave a pair to compose
    return _BLANKS.sub(" ", text).strip()


def name_skeleton(value: object) -> str:
    r"""What a name looks like, for comparing names: :func:`normalise_name`, the look-alike letters of
    :data:`LOOKALIKES` mapped to the Latin ones, case folded. Two names with the same skeleton cannot
    be told apart in a menu ("Acme", "ACME", "Аcme" with a Cyrillic А, "Acme" with a zero-width space).

    >>> name_skeleton("\u0410cme") == name_skeleton("ACME\u200b") == "acme"
    True
    """
    return unicodedata.normalize("NFKC", normalise_name(value).translate(_LOOKALIKE_MAP).casefold())


def workspace_name(value: object) -> str:
    """``value`` normalised (:func:`normalise_name`) and checked as a workspace name: WorkspaceError
    when it is blank, longer than 200 characters or holds control characters (tabs, line breaks)."""
    return _clean_name(normalise_name(value), "workspace name")


def _unusual(name: str) -> str:
    """The characters of ``name`` that are not plain ASCII, with their Unicode names, so a message can
    show why two names that look the same are not: ``U+0410 CYRILLIC CAPITAL LETTER A``."""
    seen = dict.fromkeys(ch for ch in name if not (ch.isascii() and ch.isprintable()))
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in seen)


# --- tables <-> Parquet -------------------------------------------------------------------------


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, pd.StringDtype):
        kind = "str" if dtype.na_value is not pd.NA else "string"
        return f"{kind}[{dtype.storage}]"
    return str(dtype)


def _restore_dtype(series: pd.Series, name: str) -> pd.Series:
    if _dtype_name(series.dtype) == name:
        return series
    if name.startswith(("str[", "string[")):
        kind, storage = name.rstrip("]").split("[")
        dtype: Any = pd.StringDtype(storage=storage, na_value=pd.NA if kind == "string" else float("nan"))
    else:
        dtype = pd.api.types.pandas_dtype(name)
    restored: pd.Series = series.astype(dtype)
    return restored


def _encode_table(table_name: str, frame: pd.DataFrame) -> tuple[bytes, list[list[str]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = [[str(c), _dtype_name(frame[c].dtype)] for c in frame.columns]
    if len({c for c, _ in columns}) != len(columns) or any(not isinstance(c, str) for c in frame.columns):
        raise WorkspaceError(f"Table {table_name!r} has duplicate or non-text column names: cannot store it.")
    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=None)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise WorkspaceError(
            f"Table {table_name!r} has a column mixing kinds of value (text and numbers): {err}"
        ) from err
    sink = io.BytesIO()
    pq.write_table(arrow, sink, compression="zstd")
    return sink.getvalue(), columns


def _decode_table(data: bytes, columns: list[list[str]]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frame: pd.DataFrame = pq.read_table(io.BytesIO(data)).to_pandas()
    for column, dtype in columns:
        frame[column] = _restore_dtype(frame[column], dtype)
    return frame


@dataclass(frozen=True)
class EncodedTable:
    """One canonical table of a wave, ready to store: Parquet (zstd) bytes and, beside them, the
    pandas dtype of every column (``[[column, dtype], …]``), which Parquet alone cannot restore."""

    name: str  # a key of lib.core.dataset.TABLE_COLUMNS
    position: int  # its place in TABLE_COLUMNS
    rows: int
    columns: list[list[str]]
    data: bytes


def encode_dataset(ds: Dataset) -> tuple[EncodedTable, ...]:
    """Every canonical table of ``ds`` encoded for :func:`write_wave_tables`, in TABLE_COLUMNS order.

    WorkspaceError when a table cannot be stored (duplicate or non-text column names, a column
    mixing text and numbers). Encoding is the slow part: do it before opening the write transaction.
    """
    out = []
    for position, name in enumerate(TABLE_COLUMNS):
        frame: pd.DataFrame = getattr(ds, name)
        data, columns = _encode_table(name, frame)
        out.append(EncodedTable(name, position, len(frame), columns, data))
    return tuple(out)


def tables_fingerprint(tables: Sequence[EncodedTable]) -> str:
    """A wave's fingerprint: SHA-256 over each table's name, byte length and Parquet bytes, in order."""
    h = hashlib.sha256()
    for t in tables:
        h.update(t.name.encode())
        h.update(len(t.data).to_bytes(8, "big"))
        h.update(t.data)
    return h.hexdigest()


# --- the channel mapping as a table -------------------------------------------------------------

#: What the Data page's mapping table marks a channel the mapping lacks.
NOT_MAPPED = "not mapped"
CHANNEL_TABLE_COLUMNS: tuple[str, str] = ("channel", "stock/flow")


def _channel_key(value: object) -> str:
    """A channel name or mapping value as compared: trimmed, lower case; "" for a blank cell."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip().lower()


def channel_mapping_table(modes: dict[str, str], interactions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The channel mapping as a table to edit (columns :data:`CHANNEL_TABLE_COLUMNS`): first one row
    per channel found in ``interactions`` that the mapping lacks (compared ignoring case and
    surrounding spaces), sorted, marked :data:`NOT_MAPPED`, so a facilitator sees at once which
    channels are unclassified; then one row per mapped channel, in the mapping's order."""
    mapped = {_channel_key(k) for k in modes}
    found: dict[str, str] = {}
    if interactions is not None and "channel" in interactions:
        for value in interactions["channel"].dropna().astype(str).unique():
            key = _channel_key(value)
            if key and key not in mapped:
                found.setdefault(key, value.strip())
    rows = [(found[k], NOT_MAPPED) for k in sorted(found)] + [(str(k), str(v)) for k, v in modes.items()]
    channel, mode = CHANNEL_TABLE_COLUMNS
    return pd.DataFrame(
        {
            channel: pd.Series([c for c, _ in rows], dtype="str"),
            mode: pd.Series([m for _, m in rows], dtype="str"),
        }
    )


def channel_modes_from_table(table: pd.DataFrame) -> dict[str, str]:
    """The channel mapping an edited :func:`channel_mapping_table` describes: channel (lower case,
    trimmed) → "stock" or "flow", in table order.

    Rows marked :data:`NOT_MAPPED` or left blank are not in the mapping; a row with neither channel
    nor value is ignored. WorkspaceError, naming the row (1 = the first), when a value is not
    stock, flow or not mapped, a mapped row has no channel, a channel name is longer than 200
    characters or holds control characters, or one channel is mapped twice in different ways.
    """
    channel_col, mode_col = CHANNEL_TABLE_COLUMNS
    missing = [c for c in CHANNEL_TABLE_COLUMNS if c not in table]
    if missing:
        raise WorkspaceError(f"The channel table lacks the column(s) {missing}.")
    seen: dict[str, tuple[str, int]] = {}  # channel → (stock, flow or not mapped; first row)
    for row, (raw_channel, raw_mode) in enumerate(zip(table[channel_col], table[mode_col], strict=True), 1):
        channel, mode = _channel_key(raw_channel), _channel_key(raw_mode)
        if mode not in (*MODES, NOT_MAPPED, ""):
            raise WorkspaceError(
                f"Row {row} of the channel table ({channel or 'no channel'}): {str(raw_mode).strip()!r} "
                f"is not a choice. Choose stock, flow or {NOT_MAPPED}."
            )
        if not channel:
            if mode in MODES:
                raise WorkspaceError(
                    f"Row {row} of the channel table is marked {mode} but names no channel: "
                    "type the channel's name, or delete the row."
                )
            continue
        if len(channel) > MAX_NAME_LENGTH or CONTROL_IN_NAME.search(channel):
            raise WorkspaceError(
                f"Row {row} of the channel table: the channel name is longer than {MAX_NAME_LENGTH} "
                "characters or contains control characters (tabs, line breaks)."
            )
        mode = mode or NOT_MAPPED
        if channel in seen and seen[channel][0] != mode:
            before, first = seen[channel]
            raise WorkspaceError(
                f"Channel {channel!r} is in the channel table twice, as {before} (row {first}) and "
                f"as {mode} (row {row}): keep one of the rows."
            )
        seen.setdefault(channel, (mode, row))
    return {channel: mode for channel, (mode, _row) in seen.items() if mode in MODES}


# --- workspaces ---------------------------------------------------------------------------------


def _workspace_row(conn: Connection, value: str) -> Any:
    """The workspace ``value`` names, or None. A name is looked up as given (trimmed), then normalised
    (:func:`workspace_name`: "Ａｃｍｅ" or "Acme" with a zero-width space finds "Acme"), then among
    names stored before names were normalised. WorkspaceError when ``value`` is not a usable name,
    or when several such older names normalise to it."""
    table = Workspace.__table__
    given = str(value).strip()
    row = conn.execute(select(table).where(Workspace.name == given)).first() if given else None
    if row is not None:
        return row
    name = workspace_name(value)
    row = conn.execute(select(table).where(Workspace.name == name)).first()
    if row is not None:
        return row
    older = [
        n
        for n in conn.execute(select(Workspace.name).order_by(Workspace.name)).scalars()
        if normalise_name(n) == name
    ]
    if len(older) > 1:
        raise WorkspaceError(
            f"{name!r} could be any of the workspaces {', '.join(map(repr, older))}, whose names differ only "
            "in invisible characters or character width: give the name exactly as stored."
        )
    return conn.execute(select(table).where(Workspace.name == older[0])).first() if older else None


#: The PostgreSQL advisory lock held while a new workspace's name is checked and inserted, so two
#: look-alike names created at the same moment cannot both pass the check (SQLite's writers are
#: serialised by BEGIN IMMEDIATE already). Any fixed 64-bit number unique to this purpose.
_NEW_NAME_LOCK = 0x534C445F4E414D45  # "SLD_NAME"


def _check_name_free(conn: Connection, name: str, *, lock: bool = True) -> None:
    """WorkspaceError, naming the existing workspace, when a stored workspace's name looks like
    ``name`` (the same :func:`name_skeleton`): "Аcme" with a Cyrillic А, "ACME" or "Acme" with a
    zero-width space next to "Acme". Call it in the transaction that inserts ``name``; ``lock=False``
    for an early check that inserts nothing."""
    if lock and conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_NEW_NAME_LOCK)))
    skeleton = name_skeleton(name)
    for other in conn.execute(select(Workspace.name).order_by(Workspace.name)).scalars():
        if other == name:
            raise WorkspaceError(f"A workspace named {name!r} already exists.")
        if name_skeleton(other) == skeleton:
            unusual = _unusual(name)
            raise WorkspaceError(
                f"The name {name!r} looks like the existing workspace {other!r}"
                + (f" ({name!r} holds {unusual})" if unusual else "")
                + ": the Workspace menu and the sign-in settings could not tell them apart. Open "
                f"{other!r}, or choose a name that differs in more than case, look-alike letters or "
                "invisible characters."
            )


def _require_workspace(conn: Connection, name: str) -> Any:
    row = _workspace_row(conn, name)
    if row is None:
        known = conn.execute(select(Workspace.name).order_by(Workspace.name)).scalars().all()
        hint = f" Workspaces: {', '.join(known)}." if known else " There are no workspaces yet."
        raise WorkspaceError(f"No workspace named {name!r}.{hint}")
    return row


def workspace_id(conn: Connection, name: str) -> int:
    """The id of the workspace ``name`` names (looked up as :func:`_workspace_row` does, normalised
    names included), for modules that keep their own rows per workspace; WorkspaceError when none."""
    return int(_require_workspace(conn, name).id)


def _settings_of(row: Any) -> WorkspaceSettings:
    return WorkspaceSettings(
        min_group_size=row.min_group_size,
        default_view=row.default_view,
        pseudonym_salt=row.pseudonym_salt,
        channel_modes=dict(row.channel_modes),
        retention_days=row.retention_days,
    )


def new_pseudonym_salt() -> str:
    """A fresh random pseudonym salt (32 hex digits): every pseudonym of the workspace changes."""
    return secrets.token_hex(16)


def _insert_workspace(conn: Connection, name: str, settings: WorkspaceSettings, now: datetime) -> int:
    try:
        settings = settings.checked()
    except ValueError as err:
        raise WorkspaceError(str(err)) from err
    salt = settings.pseudonym_salt or new_pseudonym_salt()
    result = conn.execute(
        insert(Workspace).values(
            name=name,
            created_at=now,
            min_group_size=settings.min_group_size,
            default_view=settings.default_view,
            pseudonym_salt=salt,
            channel_modes=dict(settings.channel_modes),
            retention_days=settings.retention_days,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def create_workspace(
    engine: Engine, name: str, settings: WorkspaceSettings | None = None, now: datetime | None = None
) -> WorkspaceInfo:
    """Create an empty workspace named ``name`` normalised (:func:`workspace_name`); WorkspaceError
    when the name is taken, looks like a stored workspace's name (:func:`name_skeleton`; the message
    names that workspace) or a setting is invalid."""
    name = workspace_name(name)
    try:
        with write_transaction(engine) as conn:
            row = _workspace_row(conn, name)
            if row is not None:
                raise WorkspaceError(f"A workspace named {row.name!r} already exists.")
            _check_name_free(conn, name)
            _insert_workspace(conn, name, settings or WorkspaceSettings(), db_time(now))
    except IntegrityError as err:  # created by someone else at the same moment
        raise WorkspaceError(f"A workspace named {name!r} already exists.") from err
    return get_workspace(engine, name)


def update_settings(engine: Engine, name: str, settings: WorkspaceSettings) -> WorkspaceInfo:
    """Replace a workspace's settings (a blank salt keeps the current one)."""
    try:
        settings = settings.checked()
    except ValueError as err:
        raise WorkspaceError(str(err)) from err
    with write_transaction(engine) as conn:
        row = _require_workspace(conn, name)
        conn.execute(
            update(Workspace)
            .where(Workspace.id == row.id)
            .values(
                min_group_size=settings.min_group_size,
                default_view=settings.default_view,
                pseudonym_salt=settings.pseudonym_salt or row.pseudonym_salt,
                channel_modes=dict(settings.channel_modes),
                retention_days=settings.retention_days,
            )
        )
    return get_workspace(engine, name)


def _wave_infos(conn: Connection, workspace_ids: Sequence[int]) -> dict[int, list[WaveInfo]]:
    if not workspace_ids:
        return {}
    waves = conn.execute(
        select(
            Wave.id, Wave.workspace_id, Wave.label, Wave.kind, Wave.source, Wave.imported_at, Wave.fingerprint
        )
        .where(Wave.workspace_id.in_(workspace_ids))
        .order_by(Wave.imported_at, Wave.id)
    ).all()
    rows: dict[int, dict[str, int]] = {}
    stored: dict[int, int] = {}
    for wave_id, name, count, size in conn.execute(
        select(WaveTable.wave_id, WaveTable.name, WaveTable.row_count, func.length(WaveTable.data))
        .join(Wave, Wave.id == WaveTable.wave_id)
        .where(Wave.workspace_id.in_(workspace_ids))
        .order_by(WaveTable.wave_id, WaveTable.position)
    ):
        rows.setdefault(wave_id, {})[name] = int(count)
        stored[wave_id] = stored.get(wave_id, 0) + int(size or 0)
    uploads: dict[int, int] = {
        wave_id: int(size or 0)
        for wave_id, size in conn.execute(
            select(UploadFile.wave_id, func.sum(UploadFile.size_bytes))
            .where(UploadFile.workspace_id.in_(workspace_ids))
            .group_by(UploadFile.wave_id)
        )
    }
    out: dict[int, list[WaveInfo]] = {}
    for w in waves:
        out.setdefault(w.workspace_id, []).append(
            WaveInfo(
                label=w.label,
                kind=w.kind,
                source=w.source,
                imported_at=_utc(w.imported_at),
                rows=rows.get(w.id, {}),
                stored_bytes=stored.get(w.id, 0),
                upload_bytes=uploads.get(w.id, 0),
                fingerprint=w.fingerprint,
            )
        )
    return out


def _infos(conn: Connection, rows: Sequence[Any]) -> list[WorkspaceInfo]:
    waves = _wave_infos(conn, [r.id for r in rows])
    return [
        WorkspaceInfo(
            name=r.name,
            created_at=_utc(r.created_at),
            settings=_settings_of(r),
            waves=tuple(waves.get(r.id, [])),
        )
        for r in rows
    ]


def get_workspace(engine: Engine, name: str) -> WorkspaceInfo:
    """One workspace with its settings and waves (oldest first); WorkspaceError when unknown."""
    with engine.connect() as conn:
        return _infos(conn, [_require_workspace(conn, name)])[0]


def list_workspaces(engine: Engine) -> list[WorkspaceInfo]:
    """Every workspace, by name, with its waves and their row counts (no table data is read)."""
    with engine.connect() as conn:
        rows = conn.execute(select(Workspace.__table__).order_by(Workspace.name)).all()
        return _infos(conn, rows)


# --- importing ----------------------------------------------------------------------------------


def default_label(ds: Dataset) -> str:
    """The wave label when none is given: the dataset's one wave label, else its source's stem."""
    waves = ds.waves
    if len(waves) == 1:
        return waves[0]
    stem = Path(ds.source.split(",")[0].strip()).stem if ds.source else ""
    return stem or "wave"


def _check_label_free(conn: Connection, workspace_id: int, workspace: str, label: str) -> None:
    taken = conn.execute(
        select(Wave.id).where(Wave.workspace_id == workspace_id, Wave.label == label)
    ).first()
    if taken is not None:
        raise WorkspaceError(
            f"Workspace {workspace!r} already has a wave {label!r}. Choose another label "
            "(--wave) or delete that wave first."
        )


def _insert_table(conn: Connection, wave_id: int, table: EncodedTable) -> None:
    conn.execute(
        insert(WaveTable).values(
            wave_id=wave_id,
            name=table.name,
            position=table.position,
            format=TABLE_FORMAT,
            row_count=table.rows,
            columns=table.columns,
            data=table.data,
        )
    )


def write_wave_tables(
    conn: Connection,
    wave_id: int,
    encoded: Sequence[EncodedTable],
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> str:
    """Store ``encoded`` (:func:`encode_dataset`) as the tables of wave ``wave_id`` and set the wave's
    fingerprint to theirs (:func:`tables_fingerprint`); return that fingerprint.

    Runs in the caller's transaction (:func:`lib.store.db.write_transaction`), so the wave row and its
    tables are committed together or not at all. ``replace=True`` first deletes the tables the wave
    has (a pulse wave rebuilt from its answers); without it the wave must have none yet.
    ``progress`` receives one line per table written.
    """
    if replace:
        conn.execute(delete(WaveTable).where(WaveTable.wave_id == wave_id))
    for table in encoded:
        _insert_table(conn, wave_id, table)
        if progress is not None:
            progress(f"wrote {table.name}: {table.rows:,} rows")
    fingerprint = tables_fingerprint(encoded)
    conn.execute(update(Wave).where(Wave.id == wave_id).values(fingerprint=fingerprint))
    return fingerprint


def _decoded(wave: str, name: str, fmt: str, columns: list[list[str]], data: bytes) -> pd.DataFrame:
    if fmt != TABLE_FORMAT:
        raise WorkspaceError(f"Wave {wave!r} stores {name!r} as {fmt!r}, which this version cannot read.")
    return _decode_table(data, columns)


def read_wave_table(conn: Connection, wave_id: int, name: str) -> pd.DataFrame | None:
    """Table ``name`` of wave ``wave_id`` exactly as it was stored (dtypes included), or None when
    the wave has no such table (or no longer exists). WorkspaceError when it is stored in a
    format this version cannot read."""
    stored = conn.execute(
        select(Wave.label, WaveTable.format, WaveTable.columns, WaveTable.data)
        .join(Wave, Wave.id == WaveTable.wave_id)
        .where(WaveTable.wave_id == wave_id, WaveTable.name == name)
    ).first()
    if stored is None:
        return None
    return _decoded(stored.label, name, stored.format, stored.columns, stored.data)


def import_dataset(
    engine: Engine,
    workspace: str,
    ds: Dataset,
    label: str | None = None,
    *,
    kind: str = "upload",
    files: Iterable[tuple[str, bytes]] = (),
    settings: WorkspaceSettings | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> WaveInfo:
    """Store ``ds`` as a new wave of ``workspace`` (created with ``settings`` when it does not exist;
    the name is looked up and stored normalised, :func:`workspace_name`).

    All or nothing: one transaction holds the workspace (when new), the wave, its nine tables and
    the uploaded ``files`` (name, bytes). WorkspaceError when the label is taken, a new workspace's
    name looks like a stored one's (:func:`create_workspace`) or a table cannot be stored.
    ``progress`` receives one line per step, the first (``importing …``) once the transaction is open.
    """
    requested, workspace = workspace, workspace_name(workspace)
    label = _clean_name(label if label is not None else default_label(ds), "wave label")
    if kind not in WAVE_KINDS:
        raise WorkspaceError(f"A wave is one of {', '.join(WAVE_KINDS)}, not {kind!r}.")
    say = progress or (lambda _message: None)
    encoded = encode_dataset(ds)  # before the transaction: the write lock is held only to write
    uploads = [(str(n), bytes(d)) for n, d in files]
    moment = db_time(now)
    try:
        with write_transaction(engine) as conn:
            row = _workspace_row(conn, requested)
            if row is None:
                _check_name_free(conn, workspace)
                workspace_id = _insert_workspace(conn, workspace, settings or WorkspaceSettings(), moment)
            else:
                workspace, workspace_id = row.name, row.id
                _check_label_free(conn, workspace_id, workspace, label)
            result = conn.execute(
                insert(Wave).values(
                    workspace_id=workspace_id,
                    label=label,
                    kind=kind,
                    source=ds.source,
                    imported_at=moment,
                    fingerprint=tables_fingerprint(encoded),
                    findings=[f.as_dict() for f in ds.findings],
                    channel_modes=dict(ds.channel_modes),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            wave_id = int(key[0])
            say(f"importing wave {label!r} into workspace {workspace!r}")
            write_wave_tables(conn, wave_id, encoded, progress=say)
            for name, data in uploads:
                conn.execute(
                    insert(UploadFile).values(
                        workspace_id=workspace_id,
                        wave_id=wave_id,
                        file_name=name,
                        size_bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        stored_at=moment,
                        data=data,
                    )
                )
                say(f"kept upload {name}: {len(data):,} bytes")
            # results cached for the workspace may span waves: a new wave makes them stale
            conn.execute(
                delete(CachedResult).where(
                    CachedResult.workspace_id == workspace_id, CachedResult.wave_id.is_(None)
                )
            )
    except IntegrityError as err:  # the same workspace or label, created concurrently
        raise WorkspaceError(
            f"Workspace {workspace!r} or its wave {label!r} was created by someone else at the same time; "
            "try again."
        ) from err
    return next(w for w in get_workspace(engine, workspace).waves if w.label == label)


def _upload_files(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        return [
            (p.name, p.read_bytes())
            for p in sorted(path.iterdir())
            if p.is_file() and not p.name.startswith(".")
        ]
    return [(path.name, path.read_bytes())]


def import_file(
    engine: Engine,
    path: Path | str,
    workspace: str,
    label: str | None = None,
    *,
    settings: WorkspaceSettings | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> tuple[Dataset, WaveInfo]:
    """Load ``path`` (:func:`lib.intake.loader.load_path`; DataError when it does not load) and import it,
    keeping the uploaded file(s) for the workspace's retention period. A new workspace's name that
    looks like a stored one's, or a label already taken, is refused before the file is loaded."""
    from lib.intake.loader import load_path

    path = Path(path)
    with engine.connect() as conn:  # fail before a long load: a look-alike name, a taken label
        row = _workspace_row(conn, workspace)
        if row is None:
            _check_name_free(conn, workspace_name(workspace), lock=False)
        elif label is not None:
            _check_label_free(conn, row.id, row.name, _clean_name(label, "wave label"))
    ds = load_path(path)
    info = import_dataset(
        engine, workspace, ds, label, files=_upload_files(path), settings=settings, now=now, progress=progress
    )
    return ds, info


# --- reading ------------------------------------------------------------------------------------


def _wave_row(conn: Connection, workspace_id: int, workspace: str, label: str) -> Any:
    row = conn.execute(
        select(Wave.__table__).where(Wave.workspace_id == workspace_id, Wave.label == label)
    ).first()
    if row is None:
        labels = conn.execute(
            select(Wave.label).where(Wave.workspace_id == workspace_id).order_by(Wave.imported_at)
        ).scalars()
        known = ", ".join(labels) or "none yet"
        raise WorkspaceError(f"Workspace {workspace!r} has no wave {label!r} (waves: {known}).")
    return row


def _read_wave(conn: Connection, workspace_id: int, workspace: str, label: str) -> Dataset:
    """Wave ``label`` exactly as it was stored."""
    wave = _wave_row(conn, workspace_id, workspace, label)
    stored = conn.execute(
        select(WaveTable.name, WaveTable.format, WaveTable.columns, WaveTable.data).where(
            WaveTable.wave_id == wave.id
        )
    ).all()
    tables = {name: _decoded(label, name, fmt, columns, data) for name, fmt, columns, data in stored}
    missing = [n for n in TABLE_COLUMNS if n not in tables]
    if missing:
        raise WorkspaceError(f"Wave {label!r} of workspace {workspace!r} lacks tables {missing}.")
    return Dataset(
        **tables,
        source=wave.source,
        findings=[Finding(**f) for f in wave.findings],
        channel_modes=dict(wave.channel_modes),
        pseudonym_salt="",  # as stored: the workspace's salt is applied by the caller
    )


def _with_settings(ds: Dataset, settings: WorkspaceSettings) -> Dataset:
    """``ds`` with the workspace's channel mapping and pseudonym salt applied (a copy)."""
    from lib.analysis.flows import apply_channel_modes

    return replace(apply_channel_modes(ds, settings.channel_modes), pseudonym_salt=settings.pseudonym_salt)


def load_wave(engine: Engine, workspace: str, label: str, *, as_stored: bool = False) -> Dataset:
    """Wave ``label`` of ``workspace`` (an upload or a pulse) on its own, with the workspace's
    settings applied: its pseudonym salt and its channel mapping (see the module docstring).

    ``as_stored=True``: the Dataset exactly as it was imported, tables, dtypes and the file's own
    channel mapping included (no settings applied). WorkspaceError when the workspace or the wave
    does not exist."""
    with engine.connect() as conn, conn.begin():
        row = _require_workspace(conn, workspace)
        ds = _read_wave(conn, row.id, workspace, label)
    return ds if as_stored else _with_settings(ds, _settings_of(row))


#: Tables whose rows belong to a survey wave (a ``wave`` column).
_WAVE_TABLES = ("ties", "learning", "trust", "work", "skills")


def _concat(frames: Sequence[pd.DataFrame], name: str) -> pd.DataFrame:
    """Rows of ``frames`` in order; empty tables are left out so they cannot widen the dtypes."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[-1] if frames else pd.DataFrame(columns=TABLE_COLUMNS[name])
    return filled[0] if len(filled) == 1 else pd.concat(filled, ignore_index=True)


def _with_wave(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    if "wave" not in frame or not len(frame):
        return frame
    blank = (waves.column(frame) == "").to_numpy()
    if not blank.any():
        return frame
    return frame.assign(wave=frame["wave"].where(~blank, label))


def combine_waves(parts: Sequence[tuple[str, Dataset]], name: str = "") -> Dataset:
    """One Dataset from the waves of a workspace, ``parts`` = (wave label, dataset), oldest first.

    - ``ties``, ``learning``, ``trust``, ``work``, ``skills``: every wave's rows. An import without
      any wave label of its own becomes its stored wave: each row gets the stored label. An import
      with labels of its own (one workbook holding 2026-Q1 and 2026-Q3) keeps them as they are,
      its unlabelled rows included (they count in every wave, as when the file was uploaded).
    - ``people``: everyone in any wave, once (by ``person_id``), with the *latest* wave's row for
      a person in several: the roster is the latest wave's, and people only in earlier waves stay
      so that their ties and answers still have a person.
    - ``interactions``: every wave's events, exact duplicates (the same log uploaded twice) once.
    - ``trust_items`` (by item), ``role_skills`` (by role and skill): the latest definition wins.
    - ``findings``: all of them; ``channel_modes``: merged, the latest wave's mapping wins.
    """
    if not parts:
        return Dataset(people=pd.DataFrame(columns=TABLE_COLUMNS["people"]), source=name)
    newest_first = [ds for _label, ds in reversed(parts)]
    people = pd.concat([d.people for d in newest_first if len(d.people)] or [newest_first[0].people])
    people = people.drop_duplicates(subset=["person_id"], keep="first").reset_index(drop=True)
    tables: dict[str, pd.DataFrame] = {"people": people}
    unlabelled = [not ds.waves for _label, ds in parts]
    for table in _WAVE_TABLES:
        frames = [
            _with_wave(getattr(ds, table), label) if fill else getattr(ds, table)
            for (label, ds), fill in zip(parts, unlabelled, strict=True)
        ]
        tables[table] = _concat(frames, table)
    tables["interactions"] = _concat([ds.interactions for _l, ds in parts], "interactions").drop_duplicates(
        ignore_index=True
    )
    for table, key in (("trust_items", ["item"]), ("role_skills", ["role", "skill"])):
        rows = _concat([getattr(ds, table) for _l, ds in parts], table)
        tables[table] = rows.drop_duplicates(subset=key, keep="last", ignore_index=True)
    modes: dict[str, str] = {}
    for _label, ds in parts:
        modes.update(ds.channel_modes)
    return Dataset(
        **tables,
        source=name,
        findings=[f for _label, ds in parts for f in ds.findings],
        channel_modes=modes,
        pseudonym_salt="",  # load_workspace applies the workspace's
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def workspace_source(info: WorkspaceInfo) -> str:
    """The source of the workspace view: the workspace, the waves combined and the pulses kept
    apart, e.g. "workspace Acme (2 waves; 1 pulse kept apart)"."""
    apart = len(info.kept_apart)
    kept = f"; {_plural(apart, 'pulse')} kept apart" if apart else ""
    return f"workspace {info.name} ({_plural(len(info.combined_waves), 'wave')}{kept})"


def load_workspace(engine: Engine, workspace: str) -> Dataset:
    """The workspace view: its upload waves as one Dataset (:func:`combine_waves`), with the
    workspace's settings applied (pseudonym salt, channel mapping).

    Pulse waves are kept apart (:attr:`WorkspaceInfo.combined_waves`): a pulse's participants are
    anonymous duplicates of real people, and its answers would otherwise make it the "latest" wave.
    When the workspace has no upload wave yet, every wave is combined. The source names the
    workspace, the waves combined and the pulses kept apart, e.g. "workspace Acme (2 waves; 1 pulse
    kept apart)" (:func:`workspace_source`). A workspace without waves gives an empty Dataset;
    WorkspaceError when unknown."""
    with engine.connect() as conn, conn.begin():
        row = _require_workspace(conn, workspace)
        info = _infos(conn, [row])[0]
        parts = [(w.label, _read_wave(conn, row.id, info.name, w.label)) for w in info.combined_waves]
    return _with_settings(combine_waves(parts, name=workspace_source(info)), info.settings)


def workspace_names(engine: Engine) -> list[str]:
    """The names of every workspace, sorted (one small query: for menus on every page)."""
    with engine.connect() as conn:
        return list(conn.execute(select(Workspace.name).order_by(Workspace.name)).scalars())


# --- cached results -----------------------------------------------------------------------------


def store_result(
    engine: Engine,
    workspace: str,
    key: str,
    data: bytes,
    wave: str | None = None,
    now: datetime | None = None,
) -> None:
    """Keep a computed result (bytes) for ``workspace`` (and ``wave``), replacing one with the same key."""
    with write_transaction(engine) as conn:
        ws = _require_workspace(conn, workspace)
        wave_id = None if wave is None else _wave_row(conn, ws.id, workspace, wave).id
        conn.execute(delete(CachedResult).where(CachedResult.workspace_id == ws.id, CachedResult.key == key))
        conn.execute(
            insert(CachedResult).values(
                workspace_id=ws.id, wave_id=wave_id, key=key, created_at=db_time(now), data=bytes(data)
            )
        )


def cached_result(engine: Engine, workspace: str, key: str) -> bytes | None:
    """A result kept by :func:`store_result`, or None."""
    with engine.connect() as conn:
        ws = _require_workspace(conn, workspace)
        data = conn.execute(
            select(CachedResult.data).where(CachedResult.workspace_id == ws.id, CachedResult.key == key)
        ).scalar()
        return None if data is None else bytes(data)


# --- deleting -----------------------------------------------------------------------------------


def _count(conn: Connection, model: Any, *where: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _scrub(engine: Engine) -> None:
    """SQLite: copy the zeroed pages from the write-ahead log into the database and truncate the log,
    so deleted text is in neither file (best effort: a reader holding an old snapshot delays it until
    the next delete). The file keeps its size; later imports reuse the freed pages."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def delete_workspace(engine: Engine, name: str) -> Deleted:
    """Delete a workspace with every wave, table, uploaded file, cached result, session, action and
    pulse answer it holds; WorkspaceError when it does not exist."""
    with write_transaction(engine) as conn:
        ws = _require_workspace(conn, name)
        wave_ids = select(Wave.id).where(Wave.workspace_id == ws.id).scalar_subquery()
        deleted = Deleted(
            workspace=ws.name,
            waves=_count(conn, Wave, Wave.workspace_id == ws.id),
            tables=_count(conn, WaveTable, WaveTable.wave_id.in_(wave_ids)),
            files=_count(conn, UploadFile, UploadFile.workspace_id == ws.id),
            cached_results=_count(conn, CachedResult, CachedResult.workspace_id == ws.id),
            workshop_sessions=_count(conn, WorkshopSession, WorkshopSession.workspace_id == ws.id),
            actions=_count(conn, Action, Action.workspace_id == ws.id),
            pulse_answers=_count(conn, PulseAnswer, PulseAnswer.workspace_id == ws.id),
        )
        conn.execute(delete(Workspace).where(Workspace.id == ws.id))  # the rest cascades
    _scrub(engine)
    return deleted


def _delete_waves(conn: Connection, workspace_id: int, wave_ids: Sequence[int]) -> None:
    conn.execute(delete(Wave).where(Wave.id.in_(wave_ids)))  # tables, files, wave results cascade
    conn.execute(
        delete(CachedResult).where(CachedResult.workspace_id == workspace_id, CachedResult.wave_id.is_(None))
    )


def delete_wave(engine: Engine, workspace: str, label: str) -> None:
    """Delete one wave with its tables, uploaded files and every result that may derive from it."""
    with write_transaction(engine) as conn:
        ws = _require_workspace(conn, workspace)
        wave = _wave_row(conn, ws.id, workspace, label)
        _delete_waves(conn, ws.id, [wave.id])
    _scrub(engine)


def purge_expired(engine: Engine, now: datetime | None = None) -> list[PurgedWave]:
    """Delete uploaded waves older than their workspace's ``retention_days`` (tables, files and
    derived results included); return what was purged. A wave imported exactly ``retention_days``
    ago is kept; one a moment older is purged. Survey review choices (names as respondents typed
    them) expire by the same rule, counted from when they were made. Workspaces without retention
    keep everything."""
    moment = db_time(now)
    purged: list[PurgedWave] = []
    with write_transaction(engine) as conn:
        spaces = conn.execute(
            select(Workspace.id, Workspace.name, Workspace.retention_days).where(
                Workspace.retention_days.is_not(None)
            )
        ).all()
        for ws_id, ws_name, days in spaces:
            cutoff = moment - timedelta(days=int(days or 0))
            conn.execute(
                delete(SurveyResolution).where(
                    SurveyResolution.workspace_id == ws_id, SurveyResolution.chosen_at < cutoff
                )
            )
            expired = conn.execute(
                select(Wave.id, Wave.label, Wave.imported_at).where(
                    Wave.workspace_id == ws_id, Wave.kind == "upload", Wave.imported_at < cutoff
                )
            ).all()
            if expired:
                _delete_waves(conn, ws_id, [w.id for w in expired])
                purged += [PurgedWave(ws_name, w.label, _utc(w.imported_at)) for w in expired]
    if purged:
        _scrub(engine)
    return purged
