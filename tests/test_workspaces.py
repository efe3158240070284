"""Workspaces in a real database: every test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``TEST_DATABASE_URL`` (``./dev.sh test`` starts a throwaway server and sets
it). Without it the PostgreSQL cases skip with a one-line reason, except in CI (``CI`` set), where
they fail. Each PostgreSQL test works in its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, func, insert, inspect, make_url, select, text

from lib.app.cli import main as cli_main
from lib.core.dataset import TABLE_COLUMNS, Dataset, builtin_trust_items
from lib.core.errors import Finding
from lib.store import workspaces as ws
from lib.store.db import (
    DEFAULT_SQLITE_PATH,
    ENV_URL,
    database_url,
    ensure_schema,
    head_revision,
    make_engine,
    schema_revision,
    write_transaction,
)
from lib.store.models import (
    Action,
    Base,
    CachedResult,
    PulseAnswer,
    UploadFile,
    Wave,
    WaveTable,
    WorkshopSession,
    Workspace,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "sample_org.xlsx"
T0 = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
ALL_MODELS = [Workspace, Wave, WaveTable, UploadFile, CachedResult, WorkshopSession, Action, PulseAnswer]
HYPERLINK = '=HYPERLINK("http://x","y")'
IMG = "<img src=x onerror=alert(1)>"


# --- backends -----------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine

    def files(self) -> list[Path]:
        if self.name != "sqlite":
            return []
        db = Path(make_url(self.url).database or "")
        return [p for p in (db, Path(f"{db}-wal")) if p.exists()]


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        reason = "TEST_DATABASE_URL is not set (./dev.sh test starts a PostgreSQL and sets it)"
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workspaces.db'}"
        engine = make_engine(url)
        yield Backend("sqlite", url, engine)
        engine.dispose()
        return
    base = postgres_url()
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    engine = make_engine(url)
    try:
        yield Backend("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def engine(db: Backend) -> Engine:
    ensure_schema(db.engine)
    return db.engine


# --- datasets -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample() -> Dataset:
    from lib.intake.loader import load_path

    return load_path(SAMPLE)


def tricky_dataset() -> Dataset:
    """Custom attributes, accents, formula and HTML names, missing values of every kind."""
    people = pd.DataFrame(
        {
            "person_id": ["007", "p2", "p3", "p4", "p5", "p6"],
            "name": ["Zoë Ångström-Ñúñez", HYPERLINK, IMG, "李小龍", "", "Renée O'Connor"],
            "team": ["Équipe A", "Équipe A", "B", "B", "B", "B"],
            "department": ["R&D", "R&D", "Ops", "Ops", "Ops", "Ops"],
            "role": ["Analyst", "Analyst", "Lead", "Analyst", "Analyst", "Analyst"],
            "level": pd.array([3, 4, None, 4, 4, 2], dtype="Int64"),
            "manager_id": ["p6", "p6", "p6", "p3", "p3", ""],
            "location": ["Zürich", "Zürich", "São Paulo", "São Paulo", "", "Zürich"],
            "tenure_years": [1.5, np.nan, 0.0, 12.25, 3.0, 30.0],
            "responded": pd.array([True, False, None, True, True, True], dtype="boolean"),
            "Site code": ["007", "010", "", "A-1", "=1+1", "x"],
            "FTE": [1.0, 0.8, np.nan, 0.5, 1.0, 1.0],
            "Grade band": pd.array([1, 2, 2, None, 3, 1], dtype="Int64"),
        }
    )
    ties = pd.DataFrame(
        {
            "source_id": ["007", "p2", "p3", "p4"],
            "target_id": ["p2", "p3", "007", "p6"],
            "relation": ["advice", "trust", "advice", "energy"],
            "weight": [1.0, 2.5, 1.0, 1e-9],
            "learning_type": ["IOL", "", "GDL", ""],
            "mode": ["flow", "", "stock", ""],
            "topic": [IMG, HYPERLINK, "ünïcödé", ""],
            "wave": ["2026-Q1"] * 4,
        }
    )
    interactions = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-01-02 10:00:00.123456", "2026-01-03 23:59:59.000000", None]),
            "source_id": ["007", "p2", "p3"],
            "channel": ["wiki", "chat", "Teams "],
            "target_id": ["", "p3", "007"],
            "kind": ["edit", "message", "reply"],
            "topic": [HYPERLINK, "", IMG],
            "mode": ["stock", "flow", ""],
        }
    )
    trust_items = pd.concat(
        [
            builtin_trust_items(),
            pd.DataFrame({"item": ["own1"], "dimension": ["trust"], "reverse": [True], "wording": [IMG]}),
        ],
        ignore_index=True,
    )
    return Dataset(
        people=people,
        ties=ties,
        interactions=interactions,
        trust=pd.DataFrame(
            {
                "person_id": ["007", "p2"],
                "wave": ["2026-Q1", "2026-Q1"],
                "item": ["tr1", "own1"],
                "value": [5.0, 1.0],
            }
        ),
        trust_items=trust_items,
        learning=pd.DataFrame(
            {"person_id": ["007"], "wave": ["2026-Q1"], "learning_type": ["IOL"], "hours": [2.5]}
        ),
        skills=pd.DataFrame(
            {"person_id": ["p3"], "skill": ["Ñ-analysis"], "level": [3.5], "source": ["self"], "wave": [""]}
        ),
        source=f"{HYPERLINK}.xlsx",
        findings=[
            Finding(
                "warning",
                "Odd value",
                file="x.xlsx",
                sheet="people",
                row=3,
                column="name",
                value=IMG,
                hint="é",
            )
        ],
        channel_modes={"wiki": "stock", "Teams ": "flow", "чат": "flow"},
    )


def loadable_dataset() -> Dataset:
    """:func:`tricky_dataset` without what the loader rightly refuses (an event without a time)."""
    ds = tricky_dataset()
    ds.interactions = ds.interactions.dropna(subset=["timestamp"])
    return ds


def assert_same_dataset(expected: Dataset, actual: Dataset) -> None:
    for name in TABLE_COLUMNS:
        exp, act = getattr(expected, name), getattr(actual, name)
        assert list(act.columns) == list(exp.columns), name
        # row order is kept too, but compare sorted as well, so a reordering shows as such
        pd.testing.assert_frame_equal(act, exp, check_exact=True, obj=name)
        keys = list(exp.columns)
        pd.testing.assert_frame_equal(
            act.sort_values(keys, ignore_index=True, na_position="first"),
            exp.sort_values(keys, ignore_index=True, na_position="first"),
            check_exact=True,
            obj=f"{name} (sorted)",
        )
    assert actual.source == expected.source
    assert actual.findings == expected.findings
    assert actual.channel_modes == expected.channel_modes


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.__tablename__: int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in ALL_MODELS
        }


# --- schema and connection settings ------------------------------------------------------------


def test_empty_database_is_migrated_to_head_and_a_second_run_is_a_no_op(db: Backend) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    assert schema_revision(db.engine) is None
    assert ensure_schema(db.engine) is True
    assert schema_revision(db.engine) == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert ensure_schema(db.engine) is False
    with db.engine.connect() as conn:
        # the migrated database is exactly the models: no table, column, type or index differs
        assert (
            compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            == []
        )


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "w.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        got = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "busy_timeout")}
        got |= {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("foreign_keys", "secure_delete")}
    assert got == {"journal_mode": "wal", "busy_timeout": 600_000, "foreign_keys": 1, "secure_delete": 1}
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_sqlite_ddl_is_transactional(tmp_path: Path) -> None:
    """What makes a crash mid-migration harmless: a rolled-back CREATE TABLE leaves no table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with pytest.raises(RuntimeError), write_transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("crash")
    assert "half_done" not in inspect(engine).get_table_names()


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    assert database_url() == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH.parent == ROOT / "data"
    assert "data/" in (ROOT / ".gitignore").read_text().splitlines()
    monkeypatch.setenv(ENV_URL, "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


# --- round trips --------------------------------------------------------------------------------


def test_sample_wave_reloads_exactly(engine: Engine, sample: Dataset) -> None:
    info = ws.import_dataset(engine, "Acme", sample, "2026-Q2")
    assert info.rows == {name: len(getattr(sample, name)) for name in TABLE_COLUMNS}
    assert info.rows["people"] == 250
    assert_same_dataset(sample, ws.load_wave(engine, "Acme", "2026-Q2", as_stored=True))


def test_custom_attributes_and_hostile_names_reload_exactly(engine: Engine) -> None:
    ds = tricky_dataset()
    ws.import_dataset(engine, "Ünïcode & <b>co</b>", ds, "wave 1")
    back = ws.load_wave(engine, "Ünïcode & <b>co</b>", "wave 1", as_stored=True)
    assert_same_dataset(ds, back)
    assert back.people.loc[1, "name"] == HYPERLINK
    assert back.people.loc[2, "name"] == IMG
    assert back.custom_attributes == ["Site code", "FTE", "Grade band"]


def test_loader_output_with_custom_attributes_reloads_exactly(engine: Engine, tmp_path: Path) -> None:
    from lib.intake.loader import load_path
    from lib.intake.sample import write_dataset

    path = write_dataset(loadable_dataset(), tmp_path / "tricky.xlsx")
    ds = load_path(path)
    assert HYPERLINK in set(ds.people["name"]) and "Grade band" in ds.people
    ws.import_dataset(engine, "Acme", ds, "w")
    assert_same_dataset(ds, ws.load_wave(engine, "Acme", "w", as_stored=True))


def test_two_waves_are_kept_apart(engine: Engine) -> None:
    first = tricky_dataset()
    second = tricky_dataset()
    second.people = second.people.iloc[:3]
    ws.import_dataset(engine, "Acme", first, "2026-Q1", now=T0)
    ws.import_dataset(engine, "Acme", second, "2026-Q2", now=T0 + timedelta(days=90))
    assert len(ws.load_wave(engine, "Acme", "2026-Q1").people) == 6
    assert len(ws.load_wave(engine, "Acme", "2026-Q2").people) == 3
    (info,) = ws.list_workspaces(engine)
    assert [w.label for w in info.waves] == ["2026-Q1", "2026-Q2"]
    assert [w.rows["people"] for w in info.waves] == [6, 3]
    assert info.waves[0].imported_at == T0


def test_default_wave_label() -> None:
    ds = tricky_dataset()
    assert ws.default_label(ds) == "2026-Q1"  # the one wave label in its tables
    ds.ties = ds.ties.assign(wave=["2026-Q1", "2026-Q2", "2026-Q2", "2026-Q1"])
    ds.source = "acme survey.xlsx"
    assert ws.default_label(ds) == "acme survey"


# --- all or nothing -----------------------------------------------------------------------------


def test_a_taken_label_is_refused_and_the_first_wave_kept(engine: Engine) -> None:
    ds = tricky_dataset()
    ws.import_dataset(engine, "Acme", ds, "w")
    other = Dataset(people=ds.people.iloc[:2])
    with pytest.raises(ws.WorkspaceError, match="already has a wave 'w'"):
        ws.import_dataset(engine, "Acme", other, "w")
    assert_same_dataset(ds, ws.load_wave(engine, "Acme", "w", as_stored=True))
    assert row_counts(engine)["waves"] == 1


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_or_cancelled_import_leaves_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    ds = tricky_dataset()
    ws.import_dataset(engine, "Existing", ds, "kept", files=[("a.csv", b"x")])
    before = row_counts(engine)
    written: list[str] = []
    original = ws._insert_table

    def failing(conn: object, wave_id: int, table: object) -> None:
        original(conn, wave_id, table)  # type: ignore[arg-type]
        written.append("table")
        if len(written) == 3:
            raise error

    monkeypatch.setattr(ws, "_insert_table", failing)
    for workspace in ("Existing", "Brand new"):
        written.clear()
        with pytest.raises(type(error)):
            ws.import_dataset(engine, workspace, ds, "half", files=[("b.csv", b"y")])
        assert len(written) == 3  # three tables were written inside the transaction…
        assert row_counts(engine) == before  # …and none of them survived
    assert [w.name for w in ws.list_workspaces(engine)] == ["Existing"]
    assert_same_dataset(ds, ws.load_wave(engine, "Existing", "kept", as_stored=True))


def test_a_table_that_cannot_be_stored_is_reported_before_anything_is_written(engine: Engine) -> None:
    ds = tricky_dataset()
    ds.people["mixed"] = pd.Series([1, "x", 2, 3, 4, 5], dtype=object)
    with pytest.raises(ws.WorkspaceError, match=r"'people'.*mixing kinds"):
        ws.import_dataset(engine, "Acme", ds, "w")
    assert row_counts(engine)["workspaces"] == 0


def test_concurrent_imports_of_one_label_store_exactly_one(engine: Engine) -> None:
    ds = tricky_dataset()
    outcomes: list[str] = []

    def run() -> None:
        try:
            ws.import_dataset(engine, "Acme", ds, "same")
            outcomes.append("ok")
        except ws.WorkspaceError:
            outcomes.append("refused")

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    counts = row_counts(engine)
    assert (counts["workspaces"], counts["waves"], counts["wave_tables"]) == (1, 1, len(TABLE_COLUMNS))


# --- killing the importer -----------------------------------------------------------------------

_HOLD_SCRIPT = """
import sys, time
import lib.store.workspaces as ws
original = ws._insert_table
done = []
def holding(conn, wave_id, table):
    original(conn, wave_id, table)
    done.append(table.name)
    if len(done) == 4:  # four tables written, the transaction still open: wait to be killed
        print("HOLDING", flush=True)
        time.sleep(600)
ws._insert_table = holding
from lib.app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="session")
def big_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lib.intake.sample import generate, write_dataset

    return write_dataset(generate(people=5000), tmp_path_factory.mktemp("big") / "org5000.zip")


def _start(args: list[str], url: str, script: str | None = None) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-c", script] if script else [sys.executable, "-m", "lib.cli"]
    return subprocess.Popen(
        [*cmd, "import", *args, "--database", url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for(proc: subprocess.Popen[str], marker: str, timeout: float = 240) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return lines
    proc.kill()
    raise AssertionError(f"{marker!r} never came; output:\n{''.join(lines)}")


def _write_lock_held(db: Backend) -> bool:
    """Seen from another connection: does someone hold an open write transaction?"""
    if db.name == "sqlite":
        probe = sqlite3.connect(make_url(db.url).database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as err:
            return "locked" in str(err)
        finally:
            probe.close()
    with db.engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        return int(n) > 0


def _assert_nothing_partial(engine: Engine, expected: Dataset | None) -> None:
    counts = row_counts(engine)
    if expected is None:
        assert counts == dict.fromkeys(counts, 0), counts
    else:  # the import had committed before the kill landed: then it must be complete
        assert counts["waves"] == 1 and counts["wave_tables"] == len(TABLE_COLUMNS), counts
        assert_same_dataset(expected, ws.load_wave(engine, "Big", "org5000", as_stored=True))


@pytest.mark.slow
def test_killed_import_leaves_no_partial_wave(db: Backend, big_zip: Path) -> None:
    """``python -m lib.cli import`` killed with SIGKILL while its transaction is open (rows written)."""
    proc = _start([str(big_zip), "--workspace", "Big"], db.url, script=_HOLD_SCRIPT)
    try:
        lines = _wait_for(proc, "HOLDING")
        assert any(line.startswith("importing") for line in lines)
        assert _write_lock_held(db)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    engine = make_engine(db.url)
    _assert_nothing_partial(engine, None)
    if db.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # the database is still usable, and the label free: an import under it now succeeds in full
    ds = tricky_dataset()
    ws.import_dataset(engine, "Big", ds, "org5000")
    assert_same_dataset(ds, ws.load_wave(engine, "Big", "org5000", as_stored=True))
    engine.dispose()


@pytest.mark.slow
def test_import_killed_as_it_logs_importing_is_all_or_nothing(db: Backend, big_zip: Path) -> None:
    """The unmodified command, killed the moment it says it is importing (the transaction is open
    then; if the kill lands after the commit, the wave must be complete)."""
    ensure_schema(db.engine)
    proc = _start([str(big_zip), "--workspace", "Big"], db.url)
    try:
        _wait_for(proc, "importing")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    engine = make_engine(db.url)
    with engine.connect() as conn:
        waves = conn.execute(select(func.count()).select_from(Wave)).scalar_one()
    if waves:
        from lib.intake.loader import load_path

        _assert_nothing_partial(engine, load_path(big_zip))
    else:
        _assert_nothing_partial(engine, None)
    engine.dispose()


# --- deletion and retention ---------------------------------------------------------------------


def _fill_workspace(engine: Engine, name: str, marker: str) -> dict[str, int]:
    """Two waves with a kept CSV upload each, cached results, a workshop session, an action and
    pulse answers. Returns how many rows of each kind belong to the workspace."""
    ds = tricky_dataset()
    csv = f"person_id,name\np1,{marker}\n".encode()
    ws.import_dataset(engine, name, ds, "w1", files=[("people.csv", csv)], now=T0)
    ws.import_dataset(engine, name, ds, "w2", files=[("people.csv", csv), ("ties.csv", b"a,b")], now=T0)
    ws.store_result(engine, name, "overview", marker.encode(), wave="w1")
    ws.store_result(engine, name, "trend", b"across waves")
    with write_transaction(engine) as conn:
        ws_id = conn.execute(select(Workspace.id).where(Workspace.name == name)).scalar_one()
        wave_id = conn.execute(
            select(Wave.id).where(Wave.workspace_id == ws_id, Wave.label == "w2")
        ).scalar_one()
        session_id = conn.execute(
            insert(WorkshopSession)
            .values(workspace_id=ws_id, wave_id=wave_id, title=marker, held_at=T0, notes="")
            .returning(WorkshopSession.id)
        ).scalar_one()
        conn.execute(
            insert(Action).values(
                workspace_id=ws_id,
                session_id=session_id,
                title="Pair seniors",
                owner="",
                status="open",
                created_at=T0,
            )
        )
        conn.execute(
            insert(PulseAnswer),
            [
                {
                    "workspace_id": ws_id,
                    "wave_id": wave_id,
                    "respondent": "r1",
                    "item": "tr1",
                    "value": 4.0,
                    "answered_at": T0,
                },
                {
                    "workspace_id": ws_id,
                    "wave_id": wave_id,
                    "respondent": "r2",
                    "item": "tr1",
                    "value": 2.0,
                    "answered_at": T0,
                },
            ],
        )
    return {
        "waves": 2,
        "tables": 2 * len(TABLE_COLUMNS),
        "files": 3,
        "cached": 2,
        "sessions": 1,
        "actions": 1,
        "pulse": 2,
    }


def _files_contain(db: Backend, needle: bytes) -> bool:
    return any(needle in p.read_bytes() for p in db.files())


def test_delete_removes_everything_of_that_workspace_only(db: Backend) -> None:
    engine = db.engine
    ensure_schema(engine)
    marker = f"Marker-{secrets.token_hex(8)}"
    expected = _fill_workspace(engine, f"Doomed {marker}", marker)
    keep = tricky_dataset()
    ws.import_dataset(engine, "Kept", keep, "k", files=[("k.csv", b"kept")])
    ws.store_result(engine, "Kept", "overview", b"kept result")
    kept_counts = row_counts(engine)
    if db.name == "sqlite":
        assert _files_contain(db, marker.encode())  # the control: the text is there before

    gone = ws.delete_workspace(engine, f"Doomed {marker}")

    assert gone == ws.Deleted(
        workspace=f"Doomed {marker}",
        waves=expected["waves"],
        tables=expected["tables"],
        files=expected["files"],
        cached_results=expected["cached"],
        workshop_sessions=expected["sessions"],
        actions=expected["actions"],
        pulse_answers=expected["pulse"],
    )
    after = row_counts(engine)
    assert after == {
        "workspaces": 1,
        "waves": 1,
        "wave_tables": len(TABLE_COLUMNS),
        "upload_files": 1,
        "cached_results": 1,
        "workshop_sessions": 0,
        "actions": 0,
        "pulse_answers": 0,
    }
    assert kept_counts["workspaces"] == 2
    assert [w.name for w in ws.list_workspaces(engine)] == ["Kept"]
    assert_same_dataset(keep, ws.load_wave(engine, "Kept", "k", as_stored=True))
    assert ws.cached_result(engine, "Kept", "overview") == b"kept result"
    if db.name == "sqlite":
        assert not _files_contain(db, marker.encode())  # overwritten, not just unlinked
    with pytest.raises(ws.WorkspaceError, match="No workspace named"):
        ws.load_wave(engine, f"Doomed {marker}", "w1")


def test_delete_one_wave_drops_its_files_and_stale_results(engine: Engine) -> None:
    _fill_workspace(engine, "Acme", "m")
    ws.delete_wave(engine, "Acme", "w1")
    (info,) = ws.list_workspaces(engine)
    assert [w.label for w in info.waves] == ["w2"]
    assert ws.cached_result(engine, "Acme", "overview") is None  # computed from w1
    assert ws.cached_result(engine, "Acme", "trend") is None  # spanned the waves
    assert row_counts(engine)["upload_files"] == 2  # w2's two files remain


def test_retention_purges_expired_uploads_with_a_fixed_clock(db: Backend) -> None:
    engine = db.engine
    ensure_schema(engine)
    ds = tricky_dataset()
    short = ws.WorkspaceSettings(retention_days=30)
    ws.import_dataset(engine, "Short", ds, "old", files=[("a.csv", b"old")], settings=short, now=T0)
    ws.import_dataset(engine, "Short", ds, "new", files=[("b.csv", b"new")], now=T0 + timedelta(days=10))
    ws.import_dataset(engine, "Short", ds, "pulse", kind="pulse", now=T0)
    ws.store_result(engine, "Short", "overview", b"r", wave="old")
    ws.import_dataset(engine, "Forever", ds, "old", files=[("c.csv", b"c")], now=T0)

    assert ws.purge_expired(engine, now=T0 + timedelta(days=30)) == []  # exactly 30 days: kept
    purged = ws.purge_expired(engine, now=T0 + timedelta(days=30, seconds=1))
    assert purged == [ws.PurgedWave("Short", "old", T0)]
    short_info = ws.get_workspace(engine, "Short")
    assert sorted(w.label for w in short_info.waves) == ["new", "pulse"]
    assert [w.label for w in ws.get_workspace(engine, "Forever").waves] == ["old"]
    assert ws.cached_result(engine, "Short", "overview") is None
    with engine.connect() as conn:
        files = conn.execute(select(UploadFile.file_name).order_by(UploadFile.file_name)).scalars().all()
    assert files == ["b.csv", "c.csv"]

    # opening the database enforces retention too
    ws.open_database(db.url, now=T0 + timedelta(days=40, seconds=1))
    assert [w.label for w in ws.get_workspace(engine, "Short").waves] == ["pulse"]


# --- settings and messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (ws.WorkspaceSettings(min_group_size=4), "cannot be below 5"),
        (ws.WorkspaceSettings(default_view="everyone"), "default view"),  # type: ignore[arg-type]
        (ws.WorkspaceSettings(channel_modes={"wiki": "archive"}), "'stock' or 'flow'"),
        (ws.WorkspaceSettings(retention_days=-1), "Retention"),
    ],
)
def test_invalid_settings_are_refused(engine: Engine, settings: ws.WorkspaceSettings, message: str) -> None:
    with pytest.raises(ws.WorkspaceError, match=message):
        ws.create_workspace(engine, "Acme", settings)
    assert row_counts(engine)["workspaces"] == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "blank"),
        ("\u200b\u202e\u2066", "blank"),  # nothing but invisible characters
        ("a\tb", "control"),
        ("a\u2028b", "control"),  # LINE SEPARATOR
        ("a\x85b", "control"),  # NEXT LINE, a C1 control
        ("x" * 201, "longer"),
    ],
)
def test_bad_names_are_refused(engine: Engine, name: str, message: str) -> None:
    with pytest.raises(ws.WorkspaceError, match=message):
        ws.create_workspace(engine, name)


def test_settings_are_kept_and_updated(engine: Engine) -> None:
    info = ws.create_workspace(
        engine, "  Acme  ", ws.WorkspaceSettings(min_group_size=8, retention_days=90), now=T0
    )
    assert info.name == "Acme" and info.created_at == T0 and info.waves == ()
    assert info.settings.min_group_size == 8 and info.settings.default_view == "aggregate"
    assert len(info.settings.pseudonym_salt) == 32  # random, per workspace
    other = ws.create_workspace(engine, "Other")
    assert other.settings.pseudonym_salt != info.settings.pseudonym_salt
    changed = ws.update_settings(
        engine, "Acme", ws.WorkspaceSettings(default_view="named", channel_modes={"wiki": "flow"})
    )
    assert changed.settings.default_view == "named" and changed.settings.channel_modes == {"wiki": "flow"}
    assert changed.settings.pseudonym_salt == info.settings.pseudonym_salt  # blank salt keeps it
    assert changed.settings.retention_days is None
    with pytest.raises(ws.WorkspaceError, match="already exists"):
        ws.create_workspace(engine, "Acme")


def test_unknown_names_say_what_exists(engine: Engine) -> None:
    with pytest.raises(ws.WorkspaceError, match="There are no workspaces yet"):
        ws.delete_workspace(engine, "Nope")
    ws.import_dataset(engine, "Acme", tricky_dataset(), "2026-Q1")
    with pytest.raises(ws.WorkspaceError, match=r"No workspace named 'Nope'\. Workspaces: Acme"):
        ws.get_workspace(engine, "Nope")
    with pytest.raises(ws.WorkspaceError, match=r"no wave '2030'.*waves: 2026-Q1"):
        ws.load_wave(engine, "Acme", "2030")


# --- names that look alike ---------------------------------------------------------------------

#: Names a reader cannot tell from "Acme" (issue 12), and why.
LOOKALIKE_ACME = [
    ("\u0410cme", "Cyrillic capital A"),
    ("\u0391cme", "Greek capital alpha"),
    ("Acm\u0435", "Cyrillic small ie"),
    ("\u0410\u0441m\u0435", "three Cyrillic letters"),
    ("ACME", "case"),
    ("acme", "case"),
    ("Acme\u200b", "zero-width space"),
    ("A\u200dcme", "zero-width joiner"),
    ("\u202eAcme", "right-to-left override"),
    ("\u2067Acme\u2069", "right-to-left isolate"),
    ("Acme\u200f", "right-to-left mark"),
    ("Ac\u00adme", "soft hyphen"),
    ("Acme\ufe0f", "variation selector"),
    ("\uff21\uff43\uff4d\uff45", "full-width letters"),
    ("\uff21\uff23\uff2d\uff25", "full-width capitals"),
    ("Acme\u00a0", "no-break space"),
    ("\u2800Acme", "braille blank"),
]


@pytest.mark.parametrize(("name", "why"), LOOKALIKE_ACME, ids=[why for _n, why in LOOKALIKE_ACME])
def test_a_name_that_looks_like_a_stored_one_is_refused_naming_it(
    engine: Engine, name: str, why: str
) -> None:
    ws.create_workspace(engine, "Acme")
    with pytest.raises(
        ws.WorkspaceError, match=r"(looks like the existing workspace|A workspace named) 'Acme'"
    ):
        ws.create_workspace(engine, name)
    assert ws.workspace_names(engine) == ["Acme"]


@pytest.mark.parametrize("name", ["\u0410cme", "\u0391cme", "ACME", "Acm\u0435\u200b"])
def test_an_import_into_a_look_alike_new_workspace_is_refused(
    db: Backend,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    import lib.intake.loader
    from lib.intake.sample import write_dataset

    ensure_schema(db.engine)
    ws.create_workspace(db.engine, "Acme")
    with pytest.raises(ws.WorkspaceError, match="looks like the existing workspace 'Acme'"):
        ws.import_dataset(db.engine, name, tricky_dataset(), "w")
    path = write_dataset(loadable_dataset(), tmp_path / "acme.xlsx")

    def not_loaded(_path: Path) -> Dataset:
        raise AssertionError("the name is refused before the file is loaded")

    monkeypatch.setattr(lib.intake.loader, "load_path", not_loaded)
    assert cli_main(["import", str(path), "--workspace", name, "--database", db.url]) == 1
    assert "looks like the existing workspace 'Acme'" in capsys.readouterr().err
    assert ws.workspace_names(db.engine) == ["Acme"] and row_counts(db.engine)["waves"] == 0


def test_the_refusal_shows_the_characters_that_differ(engine: Engine) -> None:
    ws.create_workspace(engine, "Acme")
    with pytest.raises(ws.WorkspaceError) as refused:
        ws.create_workspace(engine, "\u0410cm\u0435")
    assert str(refused.value) == (
        "The name 'Аcmе' looks like the existing workspace 'Acme' ('Аcmе' holds U+0410 CYRILLIC CAPITAL "
        "LETTER A, U+0435 CYRILLIC SMALL LETTER IE): the Workspace menu and the sign-in settings could "
        "not tell them apart. Open 'Acme', or choose a name that differs in more than case, look-alike "
        "letters or invisible characters."
    )
    ws.create_workspace(engine, "Globex")
    with pytest.raises(
        ws.WorkspaceError, match=r"^The name 'GLOBEX' looks like the existing workspace 'Globex': "
    ):
        ws.create_workspace(engine, "GLOBEX")  # nothing unusual to show


@pytest.mark.parametrize(
    "name",
    [
        "Acme Ltd",
        "Acne",
        "Acme 2",
        "Acmé",  # an accent is seen
        "Ac me",
        "\u041c\u043e\u0441\u043a\u0432\u0430",  # Москва: Cyrillic that looks like no stored name
        "Globex",
    ],
)
def test_a_genuinely_different_name_is_accepted(engine: Engine, name: str) -> None:
    ws.create_workspace(engine, "Acme")
    assert ws.create_workspace(engine, name).name == name
    assert sorted(ws.workspace_names(engine)) == sorted(["Acme", name])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  Acme\u200b   Corp\u202e ", "Acme Corp"),
        ("\uff21\uff43\uff4d\uff45", "Acme"),
        ("Acme\u00a0\u3000Corp", "Acme Corp"),
        ("\ufb01rst", "first"),  # the fi ligature
        ("Caf\u0065\u0301", "Caf\u00e9"),  # composed
    ],
)
def test_names_are_stored_normalised(engine: Engine, given: str, stored: str) -> None:
    assert ws.normalise_name(given) == stored
    assert ws.create_workspace(engine, given).name == stored
    assert ws.workspace_names(engine) == [stored]


@pytest.mark.parametrize("asked", ["Acme\u200b", " \uff21\uff43\uff4d\uff45 ", "\u202eAcme", "Ac\u00adme"])
def test_lookups_normalise_the_name(engine: Engine, asked: str) -> None:
    ws.import_dataset(engine, "Acme", tricky_dataset(), "2026-Q1", now=T0)
    assert ws.get_workspace(engine, asked).name == "Acme"
    assert len(ws.load_wave(engine, asked, "2026-Q1").people) == 6
    ws.import_dataset(engine, asked, tricky_dataset(), "2026-Q2", now=T0 + timedelta(days=1))  # into Acme
    assert ws.workspace_names(engine) == ["Acme"]
    assert [w.label for w in ws.get_workspace(engine, "Acme").waves] == ["2026-Q1", "2026-Q2"]
    assert ws.delete_workspace(engine, asked).workspace == "Acme"
    assert ws.workspace_names(engine) == []


def test_a_lookup_does_not_fold_case_or_look_alikes(engine: Engine) -> None:
    ws.create_workspace(engine, "Acme")
    for other in ("acme", "\u0410cme"):
        with pytest.raises(ws.WorkspaceError, match=f"No workspace named {other!r}"):
            ws.delete_workspace(engine, other)
    assert ws.workspace_names(engine) == ["Acme"]


def _store_raw_name(engine: Engine, name: str) -> None:
    """A workspace row as an earlier version stored it: the name as typed, not normalised."""
    with write_transaction(engine) as conn:
        conn.execute(
            insert(Workspace).values(
                name=name,
                created_at=T0.replace(tzinfo=None),
                min_group_size=5,
                default_view="aggregate",
                pseudonym_salt="s",
                channel_modes={},
                retention_days=None,
            )
        )


def test_names_stored_before_normalising_are_still_found(engine: Engine) -> None:
    _store_raw_name(engine, "Initech\u200b")
    assert ws.get_workspace(engine, "Initech\u200b").name == "Initech\u200b"  # as stored
    assert ws.get_workspace(engine, "Initech").name == "Initech\u200b"  # normalised
    with pytest.raises(
        ws.WorkspaceError, match=re.escape("A workspace named 'Initech\\u200b' already exists")
    ):
        ws.create_workspace(engine, "Initech")
    with pytest.raises(
        ws.WorkspaceError, match=re.escape("looks like the existing workspace 'Initech\\u200b'")
    ):
        ws.create_workspace(engine, "INITECH")
    # two such names that normalise alike: the exact one is found, the normalised one is ambiguous
    _store_raw_name(engine, "Initech\u200c")
    assert ws.get_workspace(engine, "Initech\u200c").name == "Initech\u200c"
    with pytest.raises(ws.WorkspaceError, match=r"'Initech' could be any of the workspaces"):
        ws.get_workspace(engine, "Initech")


def test_lookalikes_table_maps_other_scripts_to_plain_latin() -> None:
    import unicodedata

    for what, looks, latins in ws.LOOKALIKES:
        assert len(looks) == len(latins), what
        script = what.split()[0].upper()
        for look, latin in zip(looks, latins, strict=True):
            assert latin.isascii() and not look.isascii(), (what, look)
            assert unicodedata.normalize("NFKC", look) == look, (what, look)  # reached after NFKC
            name = unicodedata.name(look)
            assert name.startswith(script) or script == "DASHES", (what, name)
            assert ws.name_skeleton(f"x{look}y") == f"x{latin.casefold()}y"


def test_concurrent_look_alike_names_store_exactly_one(engine: Engine) -> None:
    outcomes: list[str] = []
    barrier = threading.Barrier(3)

    def run(name: str) -> None:
        barrier.wait()
        try:
            ws.create_workspace(engine, name)
            outcomes.append("ok")
        except ws.WorkspaceError as err:
            outcomes.append("refused" if "'Acme'" in str(err) or "looks like" in str(err) else str(err))

    threads = [threading.Thread(target=run, args=(n,)) for n in ("Acme", "\u0410cme", "ACME")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    assert len(ws.workspace_names(engine)) == 1


# --- the storage API (lib.store.pulse stores its waves with it) ---------------------------------------


def _wave_id(engine: Engine, workspace: str, label: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(Wave.id).join(Workspace).where(Workspace.name == workspace, Wave.label == label)
            ).scalar_one()
        )


def test_write_and_read_wave_tables(engine: Engine) -> None:
    first, second = tricky_dataset(), tricky_dataset()
    second.people = second.people.iloc[:2]
    info = ws.import_dataset(engine, "Acme", first, "w")
    encoded = ws.encode_dataset(first)
    assert [t.name for t in encoded] == list(TABLE_COLUMNS)
    assert info.fingerprint == ws.tables_fingerprint(encoded)  # the import stored the same bytes
    wave_id = _wave_id(engine, "Acme", "w")
    with engine.connect() as conn:
        people = ws.read_wave_table(conn, wave_id, "people")
        assert ws.read_wave_table(conn, wave_id, "no such table") is None
        assert ws.read_wave_table(conn, wave_id + 1000, "people") is None
    assert people is not None
    pd.testing.assert_frame_equal(people, first.people, check_exact=True)

    replacement = ws.encode_dataset(second)
    with write_transaction(engine) as conn:
        fingerprint = ws.write_wave_tables(conn, wave_id, replacement, replace=True)
    assert fingerprint == ws.tables_fingerprint(replacement) != info.fingerprint
    (wave,) = ws.get_workspace(engine, "Acme").waves
    assert wave.fingerprint == fingerprint and wave.rows["people"] == 2
    pd.testing.assert_frame_equal(ws.load_wave(engine, "Acme", "w", as_stored=True).people, second.people)


def test_pulse_uses_only_public_names_of_workspaces() -> None:
    import ast

    tree = ast.parse((ROOT / "lib" / "store" / "pulse.py").read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "lib.store.workspaces"
        for alias in node.names
    }
    assert imported and imported <= set(ws.__all__), imported - set(ws.__all__)


# --- the workspace's settings applied when reading ----------------------------------------------


def _events(channels: list[str], kinds: list[str] | None = None) -> pd.DataFrame:
    n = len(channels)
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-01-05", periods=n, freq="h"),
            "source_id": pd.Series(["p2"] * n, dtype="str"),
            "channel": pd.Series(channels, dtype="str"),
            "target_id": pd.Series([""] * n, dtype="str"),
            "kind": pd.Series(kinds or ["post"] * n, dtype="str"),
            "topic": pd.Series([""] * n, dtype="str"),
            "mode": pd.Series([""] * n, dtype="str"),
        }
    )


def test_reading_applies_the_workspace_salt(engine: Engine) -> None:
    from lib.core.privacy import dataset_salt, person_labels

    ds = tricky_dataset()
    ws.import_dataset(engine, "Acme", ds, "w", settings=ws.WorkspaceSettings(pseudonym_salt="salt-one"))
    wave, view = ws.load_wave(engine, "Acme", "w"), ws.load_workspace(engine, "Acme")
    assert wave.pseudonym_salt == view.pseudonym_salt == "salt-one" == dataset_salt(view)
    first = person_labels(view, pseudonyms=True)
    assert person_labels(wave, pseudonyms=True) == first  # the wave alone and the workspace view agree
    assert person_labels(ws.load_workspace(engine, "Acme"), pseudonyms=True) == first  # stable
    assert first != person_labels(ds, pseudonyms=True)  # the file alone: salted from its roster
    assert ws.load_wave(engine, "Acme", "w", as_stored=True).pseudonym_salt == ""

    ws.update_settings(engine, "Acme", ws.WorkspaceSettings(pseudonym_salt=ws.new_pseudonym_salt()))
    second = person_labels(ws.load_workspace(engine, "Acme"), pseudonyms=True)
    assert set(second) == set(first)
    assert all(second[p] != first[p] for p in first)  # every pseudonym changed with the salt


def test_reading_applies_the_workspace_channel_mapping(engine: Engine, sample: Dataset) -> None:
    from lib.analysis.flows import flow_share
    from lib.core.schema import CHANNEL_MODES

    ws.import_dataset(engine, "Acme", sample, "2026-Q2")
    activity = sample.interactions[sample.interactions["kind"].str.lower() != "view"]
    channel = activity["channel"].str.strip().str.lower()
    stock = int(channel.map(CHANNEL_MODES).eq("stock").sum())
    flow = int(channel.map(CHANNEL_MODES).eq("flow").sum())
    chat = int(channel.eq("chat").sum())
    assert chat > 0 and CHANNEL_MODES["chat"] == "flow"
    before = flow_share(ws.load_workspace(engine, "Acme"))
    assert (before.stock, before.flow) == (stock, flow)
    assert before.share == pytest.approx(flow / (stock + flow))

    ws.update_settings(engine, "Acme", ws.WorkspaceSettings(channel_modes={**CHANNEL_MODES, "chat": "stock"}))
    for ds in (ws.load_workspace(engine, "Acme"), ws.load_wave(engine, "Acme", "2026-Q2")):
        after = flow_share(ds)
        assert (after.stock, after.flow) == (stock + chat, flow - chat)
        assert after.share == pytest.approx((flow - chat) / (stock + flow))
        assert after.share - before.share == pytest.approx(-chat / (stock + flow))
        assert ds.channel_modes["chat"] == "stock"


def test_the_workspace_mapping_replaces_the_files(engine: Engine) -> None:
    ds = tricky_dataset()
    ds.interactions = _events(["Wiki", " podcast ", "chat"])
    ds.channel_modes = {"wiki": "stock", "chat": "flow"}
    ws.import_dataset(
        engine, "Acme", ds, "w", settings=ws.WorkspaceSettings(channel_modes={"PODCAST": "flow"})
    )
    loaded = ws.load_wave(engine, "Acme", "w")
    assert loaded.channel_modes == {"PODCAST": "flow"}
    assert loaded.interactions["mode"].tolist() == ["", "flow", ""]  # case and spaces ignored


CHANNEL_ROWS = ws.CHANNEL_TABLE_COLUMNS


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], {}),
        ([("wiki", "stock"), ("Chat ", "FLOW")], {"wiki": "stock", "chat": "flow"}),
        ([("wiki", "stock"), ("podcast", ws.NOT_MAPPED), ("radio", None)], {"wiki": "stock"}),
        ([(None, None), ("", ws.NOT_MAPPED), ("wiki", "stock")], {"wiki": "stock"}),  # empty rows
        ([("wiki", "stock"), ("WIKI", "stock")], {"wiki": "stock"}),  # the same, twice
    ],
)
def test_channel_modes_from_table(rows: list[tuple[object, object]], expected: dict[str, str]) -> None:
    table = pd.DataFrame(rows, columns=list(CHANNEL_ROWS), dtype=object)
    assert ws.channel_modes_from_table(table) == expected


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("wiki", "stock"), ("blog", "archive")], r"Row 2 of the channel table \(blog\): 'archive' is not"),
        ([("wiki", "stock"), ("", "flow")], "Row 2 of the channel table is marked flow but names no channel"),
        ([("wiki", "stock"), ("Wiki", "flow")], r"'wiki' is in the channel table twice, as stock \(row 1\)"),
        ([("wiki", "stock"), ("wiki", ws.NOT_MAPPED)], "twice"),
        ([("a\tb", "flow")], "control characters"),
        ([("x" * 201, "flow")], "longer than 200"),
    ],
)
def test_bad_channel_tables_are_refused(rows: list[tuple[object, object]], message: str) -> None:
    with pytest.raises(ws.WorkspaceError, match=message):
        ws.channel_modes_from_table(pd.DataFrame(rows, columns=list(CHANNEL_ROWS), dtype=object))


def test_channel_mapping_table_adds_the_channels_the_mapping_lacks() -> None:
    table = ws.channel_mapping_table(
        {"wiki": "stock", "chat": "flow"}, _events(["Chat", "Radio", "podcast", "radio"])
    )
    assert table.values.tolist() == [
        ["podcast", ws.NOT_MAPPED],
        ["Radio", ws.NOT_MAPPED],
        ["wiki", "stock"],
        ["chat", "flow"],
    ]
    assert ws.channel_modes_from_table(table) == {"wiki": "stock", "chat": "flow"}  # a round trip
    assert ws.channel_mapping_table({}, None).empty


# --- command line -------------------------------------------------------------------------------


def test_cli_import_list_and_delete(db: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lib.intake.sample import write_dataset

    path = write_dataset(loadable_dataset(), tmp_path / "acme.xlsx")
    assert cli_main(["import", str(path), "--workspace", "Acme", "--wave", "Q1", "--database", db.url]) == 0
    err = capsys.readouterr().err
    assert "importing wave 'Q1' into workspace 'Acme'" in err and "wrote people: 6 rows" in err
    assert cli_main(["import", str(path), "--workspace", "Acme", "--wave", "Q1", "--database", db.url]) == 1
    assert "already has a wave 'Q1'" in capsys.readouterr().err

    assert cli_main(["workspaces", "--database", db.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Acme  (1 wave(s); minimum group 5; aggregate view; keep uploads)")
    assert "Q1  upload" in out and "6 people, 4 ties" in out

    assert cli_main(["workspaces", "--json", "--database", db.url]) == 0
    import json

    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["waves"][0]["rows"]["interactions"] == 2
    assert listed["waves"][0]["upload_bytes"] == path.stat().st_size

    assert cli_main(["delete", "--workspace", "Nope", "--database", db.url]) == 1
    assert "No workspace named 'Nope'" in capsys.readouterr().err
    assert cli_main(["delete", "--workspace", "Acme", "--database", db.url]) == 0
    assert "deleted workspace 'Acme': 1 wave(s), 9 table(s), 1 uploaded file(s)" in capsys.readouterr().err
    assert row_counts(db.engine) == dict.fromkeys(row_counts(db.engine), 0)


def test_cli_normalises_workspace_names(
    db: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lib.intake.sample import write_dataset

    path = write_dataset(loadable_dataset(), tmp_path / "acme.xlsx")
    args = ["--database", db.url]
    assert cli_main(["import", str(path), "--workspace", "Acme", "--wave", "Q1", *args]) == 0
    capsys.readouterr()
    # a name pasted with a zero-width space, or typed in full-width letters, is the same workspace
    assert cli_main(["import", str(path), "--workspace", "Acme\u200b", "--wave", "Q2", *args]) == 0
    captured = capsys.readouterr()
    assert "imported wave 'Q2' into workspace 'Acme'" in captured.err
    assert captured.out.startswith("Acme\tQ2\t")
    assert ws.workspace_names(db.engine) == ["Acme"]
    fullwidth = "\uff21\uff43\uff4d\uff45"
    assert cli_main(["delete", "--workspace", fullwidth, "--wave", "Q1", *args]) == 0
    assert "deleted wave 'Q1' of workspace 'Acme'" in capsys.readouterr().err
    assert cli_main(["delete", "--workspace", "\u202eAcme", *args]) == 0
    assert "deleted workspace 'Acme': 1 wave(s)" in capsys.readouterr().err
    assert ws.workspace_names(db.engine) == []


def test_cli_import_of_a_bad_file_stores_nothing(
    db: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "people.csv"
    bad.write_text("name\nAnn\n", encoding="utf-8")  # no person_id column
    assert cli_main(["import", str(bad), "--workspace", "Acme", "--database", db.url]) == 1
    assert "nothing was imported" in capsys.readouterr().err
    assert row_counts(db.engine)["workspaces"] == 0
