"""Workshop sessions and agreed actions in lib/store/actions.py, stored in a real SQLite workspace
database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lib.store import actions as w
from lib.store import workspaces as ws


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = ws.open_database(url)
    ws.create_workspace(engine, "Acme")
    ws.create_workspace(engine, "Other")
    engine.dispose()
    return url


def test_actions_persist_across_engines(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Kick-off workshop", notes="Room of 30")
    first = w.add_action(
        engine,
        "Acme",
        "Pair new joiners with a buddy",
        owner="People team",
        due_on=date(2026, 12, 15),
        notes="Start with Sales",
        session_id=session.id,
        now=datetime(2026, 11, 28, 10, tzinfo=UTC),
    )
    second = w.add_action(
        engine, "Acme", "Open a cross-team help channel", now=datetime(2026, 11, 28, 11, tzinfo=UTC)
    )
    w.add_action(engine, "Other", "Not Acme's")
    engine.dispose()

    again = ws.open_database(db_url)
    got = w.list_actions(again, "Acme")
    assert got == [first, second]
    assert (got[0].title, got[0].owner, got[0].due_on, got[0].notes, got[0].status, got[0].session_id) == (
        "Pair new joiners with a buddy",
        "People team",
        date(2026, 12, 15),
        "Start with Sales",
        "open",
        session.id,
    )
    assert got[1].due_on is None and got[1].session_id is None
    assert [s.title for s in w.list_sessions(again, "Acme")] == ["Kick-off workshop"]
    assert w.list_sessions(again, "Acme")[0].notes == "Room of 30"
    assert w.list_actions(again, "Acme", session_id=session.id) == [first]


def test_edit_status_and_delete(db_url: str) -> None:
    engine = ws.open_database(db_url)
    item = w.add_action(engine, "Acme", "Share the map with the leadership team")
    done = w.update_action(engine, "Acme", item.id, status="done", notes="Shared on 1 Dec")
    assert (done.status, done.notes, done.title) == ("done", "Shared on 1 Dec", item.title)
    assert [a.id for a in w.list_actions(engine, "Acme", status="done")] == [item.id]
    assert w.list_actions(engine, "Acme", status="open") == []
    cleared = w.update_action(engine, "Acme", item.id, due_on=date(2027, 1, 1))
    assert cleared.due_on == date(2027, 1, 1)
    assert w.update_action(engine, "Acme", item.id, due_on=None).due_on is None
    # another workspace cannot see, change or delete it
    with pytest.raises(w.WorkshopError, match="No action"):
        w.update_action(engine, "Other", item.id, status="open")
    assert w.delete_action(engine, "Other", item.id) is False
    assert w.delete_action(engine, "Acme", item.id) is True
    assert w.list_actions(engine, "Acme") == []
    assert w.delete_action(engine, "Acme", item.id) is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "cannot be blank"),
        ({"title": "x" * 501}, "longer than 500"),
        ({"title": "ok", "status": "maybe"}, "open, done"),
        ({"title": "ok", "owner": "a\x00b"}, "control characters"),
        ({"title": "ok", "due_on": "tomorrow"}, "must be a date"),
        ({"title": "ok", "session_id": 999}, "No workshop session"),
    ],
)
def test_bad_actions_are_refused(db_url: str, kwargs: dict[str, object], message: str) -> None:
    engine = ws.open_database(db_url)
    with pytest.raises(w.WorkshopError, match=message):
        w.add_action(engine, "Acme", **kwargs)  # type: ignore[arg-type]
    assert w.list_actions(engine, "Acme") == []


def test_unknown_workspace_and_foreign_session(db_url: str) -> None:
    engine = ws.open_database(db_url)
    with pytest.raises(w.WorkshopError, match="No workspace named 'Nope'"):
        w.list_actions(engine, "Nope")
    theirs = w.create_session(engine, "Other", "Their session")
    with pytest.raises(w.WorkshopError, match="No workshop session"):
        w.add_action(engine, "Acme", "Sneaky", session_id=theirs.id)


def test_deleting_the_workspace_deletes_its_sessions_and_actions(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Workshop")
    w.add_action(engine, "Acme", "One", session_id=session.id)
    w.add_action(engine, "Acme", "Two")
    w.add_action(engine, "Other", "Stays")
    deleted = ws.delete_workspace(engine, "Acme")
    assert (deleted.actions, deleted.workshop_sessions) == (2, 1)
    assert [a.title for a in w.list_actions(engine, "Other")] == ["Stays"]


def test_session_notes_update(db_url: str) -> None:
    engine = ws.open_database(db_url)
    session = w.create_session(engine, "Acme", "Workshop")
    w.update_session_notes(engine, "Acme", session.id, "Energy was high.\nNext: pulse in March.")
    assert w.list_sessions(engine, "Acme")[0].notes == "Energy was high.\nNext: pulse in March."
    with pytest.raises(w.WorkshopError):
        w.update_session_notes(engine, "Other", session.id, "hijack")
