"""Workshop sessions and their agreed actions, stored in the workspace database.

Workshop sessions (``workshop_sessions``) and their agreed actions (``actions``) are stored in the
workspace database (:mod:`lib.store.workspaces`), so they survive the session and are deleted with the
workspace (``ON DELETE CASCADE``). Every call names the workspace, and an action or session id
from another workspace is treated as unknown, so a forged id cannot touch someone else's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from lib.core.sanitise import CONTROL_IN_TEXT
from lib.store.db import db_time, write_transaction
from lib.store.models import Action, Wave, WorkshopSession, Workspace
from lib.store.workspaces import WorkspaceError

__all__ = [
    "ACTION_STATUSES",
    "ActionItem",
    "SessionInfo",
    "WorkshopError",
    "actions_table",
    "add_action",
    "create_session",
    "delete_action",
    "list_actions",
    "list_sessions",
    "update_action",
    "update_session_notes",
]

ACTION_STATUSES: tuple[str, ...] = ("open", "done")
MAX_TITLE = 500
MAX_OWNER = 200
MAX_NOTES = 5_000


class WorkshopError(WorkspaceError):
    """A workshop request that cannot be done (blank action, unknown id), in plain words."""


@dataclass(frozen=True)
class SessionInfo:
    id: int
    title: str
    held_at: datetime  # UTC
    notes: str
    wave: str | None  # the wave discussed, when one was chosen


@dataclass(frozen=True)
class ActionItem:
    """One agreed action. ``owner`` is a role or team in free text (never required to be a person)."""

    id: int
    title: str
    owner: str
    due_on: date | None
    status: str  # "open" or "done"
    notes: str
    created_at: datetime  # UTC
    session_id: int | None = None


def _text_field(value: object, what: str, limit: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise WorkshopError(f"The {what} cannot be blank.")
    if len(text) > limit:
        raise WorkshopError(f"The {what} is longer than {limit:,} characters ({len(text):,}).")
    if CONTROL_IN_TEXT.search(text):
        raise WorkshopError(f"The {what} contains control characters.")
    return text


def _workspace_id(conn: Connection, workspace: str) -> int:
    row = conn.execute(select(Workspace.id).where(Workspace.name == str(workspace).strip())).first()
    if row is None:
        raise WorkshopError(f"No workspace named {workspace!r}: choose or create one first.")
    return int(row[0])


def _check_session(conn: Connection, ws_id: int, session_id: int | None) -> None:
    if session_id is None:
        return
    found = conn.execute(
        select(WorkshopSession.id).where(
            WorkshopSession.id == session_id, WorkshopSession.workspace_id == ws_id
        )
    ).first()
    if found is None:
        raise WorkshopError(f"No workshop session {session_id} in this workspace.")


def create_session(
    engine: Engine,
    workspace: str,
    title: str,
    notes: str = "",
    wave: str | None = None,
    held_at: datetime | None = None,
) -> SessionInfo:
    """Start a workshop session in ``workspace`` (``wave``: the label of the wave discussed, if stored)."""
    title = _text_field(title, "session title", MAX_TITLE, required=True)
    notes = _text_field(notes, "notes", MAX_NOTES)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        wave_id = None
        if wave:
            row = conn.execute(
                select(Wave.id).where(Wave.workspace_id == ws_id, Wave.label == str(wave))
            ).first()
            wave_id = int(row[0]) if row else None
        result = conn.execute(
            insert(WorkshopSession).values(
                workspace_id=ws_id, wave_id=wave_id, title=title, held_at=db_time(held_at), notes=notes
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        new_id = int(key[0])
    return next(s for s in list_sessions(engine, workspace) if s.id == new_id)


def list_sessions(engine: Engine, workspace: str) -> list[SessionInfo]:
    """The workspace's workshop sessions, newest first."""
    with engine.connect() as conn:
        ws_id = _workspace_id(conn, workspace)
        rows = conn.execute(
            select(
                WorkshopSession.id,
                WorkshopSession.title,
                WorkshopSession.held_at,
                WorkshopSession.notes,
                Wave.label,
            )
            .outerjoin(Wave, Wave.id == WorkshopSession.wave_id)
            .where(WorkshopSession.workspace_id == ws_id)
            .order_by(WorkshopSession.held_at.desc(), WorkshopSession.id.desc())
        ).all()
    return [SessionInfo(int(r[0]), r[1], r[2].replace(tzinfo=UTC), r[3] or "", r[4]) for r in rows]


def update_session_notes(engine: Engine, workspace: str, session_id: int, notes: str) -> None:
    """Replace a session's notes (the room's notes that belong to no single action)."""
    notes = _text_field(notes, "notes", MAX_NOTES)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        _check_session(conn, ws_id, session_id)
        conn.execute(update(WorkshopSession).where(WorkshopSession.id == session_id).values(notes=notes))


def _action_of(row: Any) -> ActionItem:
    return ActionItem(
        id=int(row.id),
        title=row.title,
        owner=row.owner or "",
        due_on=row.due_on,
        status=row.status,
        notes=row.notes or "",
        created_at=row.created_at.replace(tzinfo=UTC),
        session_id=row.session_id,
    )


def _check_status(status: str) -> str:
    if status not in ACTION_STATUSES:
        raise WorkshopError(f"An action's status is one of {', '.join(ACTION_STATUSES)}, not {status!r}.")
    return status


def _check_due(due_on: object) -> date | None:
    if due_on is None or due_on == "":
        return None
    if isinstance(due_on, datetime):
        return due_on.date()
    if isinstance(due_on, date):
        return due_on
    raise WorkshopError(f"The due date must be a date, not {due_on!r}.")


def add_action(
    engine: Engine,
    workspace: str,
    title: str,
    owner: str = "",
    due_on: date | None = None,
    notes: str = "",
    session_id: int | None = None,
    status: str = "open",
    now: datetime | None = None,
) -> ActionItem:
    """Save an agreed action in ``workspace`` (optionally under a workshop session)."""
    values = {
        "title": _text_field(title, "action", MAX_TITLE, required=True),
        "owner": _text_field(owner, "owner", MAX_OWNER),
        "notes": _text_field(notes, "notes", MAX_NOTES),
        "due_on": _check_due(due_on),
        "status": _check_status(status),
    }
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        _check_session(conn, ws_id, session_id)
        result = conn.execute(
            insert(Action).values(
                workspace_id=ws_id, session_id=session_id, created_at=db_time(now), **values
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        row = conn.execute(select(Action.__table__).where(Action.id == int(key[0]))).one()
    return _action_of(row)


def list_actions(
    engine: Engine, workspace: str, session_id: int | None = None, status: str | None = None
) -> list[ActionItem]:
    """The workspace's actions, oldest first (``session_id``/``status`` narrow the list)."""
    with engine.connect() as conn:
        ws_id = _workspace_id(conn, workspace)
        query = select(Action.__table__).where(Action.workspace_id == ws_id)
        if session_id is not None:
            query = query.where(Action.session_id == session_id)
        if status is not None:
            query = query.where(Action.status == _check_status(status))
        rows = conn.execute(query.order_by(Action.created_at, Action.id)).all()
    return [_action_of(r) for r in rows]


_UNSET: Any = object()


def update_action(
    engine: Engine,
    workspace: str,
    action_id: int,
    *,
    title: str | None = None,
    owner: str | None = None,
    due_on: date | None = _UNSET,
    notes: str | None = None,
    status: str | None = None,
) -> ActionItem:
    """Change some fields of an action (``due_on=None`` clears the date); WorkshopError when unknown."""
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = _text_field(title, "action", MAX_TITLE, required=True)
    if owner is not None:
        values["owner"] = _text_field(owner, "owner", MAX_OWNER)
    if notes is not None:
        values["notes"] = _text_field(notes, "notes", MAX_NOTES)
    if status is not None:
        values["status"] = _check_status(status)
    if due_on is not _UNSET:
        values["due_on"] = _check_due(due_on)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        mine = (Action.id == int(action_id)) & (Action.workspace_id == ws_id)
        if values:
            conn.execute(update(Action).where(mine).values(**values))
        row = conn.execute(select(Action.__table__).where(mine)).first()
        if row is None:
            raise WorkshopError(f"No action {action_id} in workspace {workspace!r}.")
    return _action_of(row)


def delete_action(engine: Engine, workspace: str, action_id: int) -> bool:
    """Delete one action; False when the workspace has no such action."""
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        result = conn.execute(delete(Action).where(Action.id == int(action_id), Action.workspace_id == ws_id))
    return bool(result.rowcount)


def actions_table(actions: Sequence[ActionItem]) -> pd.DataFrame:
    """Actions as a table for display and CSV download (action, owner, due, status, notes)."""
    return pd.DataFrame(
        {
            "action": [a.title for a in actions],
            "owner": [a.owner for a in actions],
            "due": [a.due_on.isoformat() if a.due_on else "" for a in actions],
            "status": [a.status for a in actions],
            "notes": [a.notes for a in actions],
        },
        columns=["action", "owner", "due", "status", "notes"],
    )
