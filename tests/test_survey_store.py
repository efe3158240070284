"""The survey mapping and review choices kept per workspace (lib/store/survey_choices.py, migration
0005), on SQLite and PostgreSQL (the ``db`` fixture of tests/test_workspaces.py), and their use by
:func:`lib.intake.survey.convert.convert` for a later export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from lib.intake.survey.convert import RESPONDENT, convert
from lib.intake.survey.people import read_roster
from lib.intake.survey.questions import Meaning
from lib.intake.survey.tools import read_export
from lib.store import survey_choices as sc
from lib.store import workspaces as ws
from lib.store.db import ensure_schema
from lib.store.models import SurveyMapping, SurveyResolution
from tests import survey_fixtures as F
from tests.test_workspaces import Backend, db  # noqa: F401  (the sqlite/postgresql fixture)

MENTORING = Meaning("relation", "mentoring", source="mapping")
LONG_QUESTION = "Who, in the last twelve months, " + "really " * 400 + "helped you?"  # > 2,800 chars


@pytest.fixture
def engine(db: Backend) -> Engine:  # noqa: F811
    ensure_schema(db.engine)
    ws.create_workspace(db.engine, "Acme")
    ws.create_workspace(db.engine, "Globex")
    return db.engine


def test_mapping_round_trip_per_workspace(engine: Engine) -> None:
    trust = Meaning("trust", "x1", "openness", True, "We say what we think.", "mapping")
    sc.save_mapping(engine, "Acme", {LONG_QUESTION: MENTORING, "Q7_1": trust})
    assert sc.saved_mapping(engine, "Acme") == {LONG_QUESTION: MENTORING, "Q7_1": trust}
    assert sc.saved_mapping(engine, "Globex") == {}


def test_saving_a_later_export_keeps_other_columns_and_forgets_reset_ones(engine: Engine) -> None:
    sc.save_mapping(engine, "Acme", {"Q1": MENTORING, "Q2": MENTORING})
    # the next export has Q2 (set back to what the kit recognises) and Q3, not Q1
    sc.save_mapping(engine, "Acme", {"Q3": Meaning("ignore", source="mapping")}, columns=["Q2", "Q3"])
    assert sc.saved_mapping(engine, "Acme") == {"Q1": MENTORING, "Q3": Meaning("ignore", source="mapping")}


def test_resolutions_round_trip_replace_and_forget(engine: Engine) -> None:
    ana = ("P04", "Who gives you energy?", "Ana Silva")
    sc.save_resolution(engine, "Acme", ana, "P02")
    sc.save_resolution(engine, "Acme", ana, "P03")  # changed her mind: replaces
    sc.save_resolution(engine, "Acme", ("", RESPONDENT, "J. Doe"), "")  # nobody
    assert sc.saved_resolutions(engine, "Acme") == {ana: "P03", ("", RESPONDENT, "J. Doe"): ""}
    assert sc.saved_resolutions(engine, "Globex") == {}
    assert sc.forget_resolution(engine, "Acme", ana) is True
    assert sc.forget_resolution(engine, "Acme", ana) is False
    assert sc.saved_resolutions(engine, "Acme") == {("", RESPONDENT, "J. Doe"): ""}


def test_unknown_workspace_and_blank_keys_are_refused(engine: Engine) -> None:
    with pytest.raises(ws.WorkspaceError, match="No workspace named 'Nope'"):
        sc.saved_mapping(engine, "Nope")
    with pytest.raises(ws.WorkspaceError, match="No workspace named 'Nope'"):
        sc.save_resolution(engine, "Nope", ("P1", "Q", "Ana"), "P2")
    with pytest.raises(ws.WorkspaceError, match="needs the question and the answer"):
        sc.save_resolution(engine, "Acme", ("P1", "Q", "  "), "P2")


def test_deleting_the_workspace_deletes_its_choices(engine: Engine) -> None:
    sc.save_mapping(engine, "Acme", {"Q1": MENTORING})
    sc.save_resolution(engine, "Acme", ("P1", "Q1", "Ana"), "P2")
    sc.save_resolution(engine, "Globex", ("P1", "Q1", "Ana"), "P3")
    ws.delete_workspace(engine, "Acme")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SurveyMapping)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(SurveyResolution)).scalar_one() == 1
    assert sc.saved_resolutions(engine, "Globex") == {("P1", "Q1", "Ana"): "P3"}


def test_review_choices_expire_with_the_workspaces_retention(engine: Engine) -> None:
    ws.create_workspace(engine, "Brief", ws.WorkspaceSettings(retention_days=30))
    sc.save_resolution(engine, "Brief", ("P1", "Q1", "Ana"), "P2")
    sc.save_resolution(engine, "Acme", ("P1", "Q1", "Ana"), "P3")  # no retention: kept forever
    sc.save_mapping(engine, "Brief", {"Q1": MENTORING})  # question texts only: kept
    made = datetime.now(UTC)
    ws.purge_expired(engine, now=made + timedelta(days=29))
    assert sc.saved_resolutions(engine, "Brief") == {("P1", "Q1", "Ana"): "P2"}
    ws.purge_expired(engine, now=made + timedelta(days=31))
    assert sc.saved_resolutions(engine, "Brief") == {}
    assert sc.saved_resolutions(engine, "Acme") == {("P1", "Q1", "Ana"): "P3"}
    assert sc.saved_mapping(engine, "Brief") == {"Q1": MENTORING}


# --- a later export, converted with the kept choices ----------------------------------------------

NAMES = {**F.LABEL, "P03": "Ana Silva"}  # the export names Ana Silva without her team


def _convert(remembered: dict[tuple[str, str, str], str]):  # type: ignore[no-untyped-def]
    export, _ = read_export("google.csv", F.google_forms(names=NAMES), isolated=False)
    roster, _ = read_roster("roster.csv", F.roster_csv())
    assert export is not None and roster is not None
    return convert(export, roster, remembered=remembered)


def test_a_kept_choice_resolves_the_same_answer_in_a_later_export(engine: Engine) -> None:
    first = _convert({})
    assert [(r.respondent, r.text) for r in first.review] == [
        ("P04", "Ana Silva"),
        ("P05", "Ana Silva"),
        ("P06", "Ana Silva"),
    ]
    chosen = first.review[0]
    sc.save_resolution(engine, "Acme", chosen.memory_key, "P03")
    sc.save_resolution(engine, "Acme", first.review[1].memory_key, "")  # nobody: dropped
    later = _convert(sc.saved_resolutions(engine, "Acme"))
    assert [(r.respondent, r.text) for r in later.review] == [("P06", "Ana Silva")]
    ties = {(t.source_id, t.target_id, t.relation) for t in later.tables["ties"].itertuples()}
    assert ("P04", "P03", "energy") in ties
    assert not any(s == "P05" and t == "P03" for s, t, _ in ties)
    assert _convert(sc.saved_resolutions(engine, "Globex")).review == first.review


def test_a_kept_choice_of_someone_no_longer_on_the_roster_is_not_used() -> None:
    first = _convert({})
    later = _convert({first.review[0].memory_key: "P99"})
    assert len(later.review) == 3


def test_migration_0005_downgrades_and_upgrades(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from lib.store.db import MIGRATIONS_DIR, write_transaction

    def migrate(step, revision: str) -> None:  # type: ignore[no-untyped-def]
        with write_transaction(engine) as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    sc.save_resolution(engine, "Acme", ("P1", "Q1", "Ana"), "P2")
    migrate(command.downgrade, "0004")
    assert not {"survey_mappings", "survey_resolutions"} & set(inspect(engine).get_table_names())
    migrate(command.upgrade, "head")
    assert sc.saved_resolutions(engine, "Acme") == {}  # new, empty tables
    sc.save_resolution(engine, "Acme", ("P1", "Q1", "Ana"), "P2")
    assert sc.saved_resolutions(engine, "Acme") == {("P1", "Q1", "Ana"): "P2"}
