"""Workspaces in the app: load_workspace (the upload waves as one Dataset), the Data page's workspace
panel (create, save a wave, open, settings with the channel mapping and new pseudonyms, delete), the
sidebar's workspace choice, and pulse waves kept apart from the workspace view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from lib.app import auth
from lib.app.ui import md
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.schema import CHANNEL_MODES
from lib.intake.sample import generate
from lib.report import exports
from lib.store import pulse
from lib.store import workspaces as ws

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
T0 = datetime(2025, 6, 1, tzinfo=UTC)
T1 = datetime(2026, 6, 1, tzinfo=UTC)


def _people(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["person_id", "name", "team"])


def _ties(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source_id": s,
                "target_id": t,
                "relation": "advice",
                "weight": 1.0,
                "learning_type": "",
                "mode": "",
                "topic": "",
                "wave": w,
            }
            for s, t, w in rows
        ]
    )


def _events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "timestamp": pd.Timestamp(when),
                "source_id": s,
                "channel": "chat",
                "target_id": t,
                "kind": "message",
                "topic": "",
                "mode": "flow",
            }
            for when, s, t in rows
        ]
    )


OLD = Dataset(
    people=_people([("P1", "Ann", "T1"), ("P2", "Bob", "T1")]),
    ties=_ties([("P1", "P2", "")]),
    learning=pd.DataFrame({"person_id": ["P1"], "wave": [""], "learning_type": ["IOL"], "hours": [3.0]}),
    interactions=_events([("2025-05-01 10:00", "P1", "P2")]),
    role_skills=pd.DataFrame({"role": ["analyst"], "skill": ["sql"], "required_level": [3.0]}),
    source="old.xlsx",
)
NEW = Dataset(
    people=_people([("P2", "Bob", "T2"), ("P3", "Cy", "T2")]),
    ties=_ties([("P2", "P3", ""), ("P3", "P2", "")]),
    learning=pd.DataFrame({"person_id": ["P3"], "wave": [""], "learning_type": ["PDL"], "hours": [5.0]}),
    interactions=_events([("2025-05-01 10:00", "P1", "P2"), ("2026-05-01 09:00", "P3", "P2")]),
    role_skills=pd.DataFrame({"role": ["analyst"], "skill": ["sql"], "required_level": [4.0]}),
    source="new.xlsx",
)


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'workspaces.db'}"
    monkeypatch.setenv("SLD_DATABASE_URL", url)  # the app (AppTest runs in this process) uses it too
    engine = ws.open_database(url)
    yield engine
    engine.dispose()


@pytest.fixture
def two_waves(engine: Engine) -> Engine:
    ws.import_dataset(engine, "Acme", OLD, "2025", now=T0)
    ws.import_dataset(engine, "Acme", NEW, "2026", now=T1)
    return engine


# --- load_workspace --------------------------------------------------------------------------


def test_people_are_the_latest_roster_plus_those_only_in_earlier_waves(two_waves: Engine) -> None:
    ds = ws.load_workspace(two_waves, "Acme")
    assert list(ds.people["person_id"]) == ["P2", "P3", "P1"]
    assert ds.people.set_index("person_id").loc["P2", "team"] == "T2"  # the latest wave's row wins


def test_rows_without_a_wave_get_their_stored_wave_label(two_waves: Engine) -> None:
    ds = ws.load_workspace(two_waves, "Acme")
    ties = sorted(ds.ties[["source_id", "target_id", "wave"]].itertuples(index=False, name=None))
    assert ties == [("P1", "P2", "2025"), ("P2", "P3", "2026"), ("P3", "P2", "2026")]
    assert sorted(ds.learning[["person_id", "wave"]].itertuples(index=False, name=None)) == [
        ("P1", "2025"),
        ("P3", "2026"),
    ]
    assert ds.waves == ["2025", "2026"]


def test_an_import_with_wave_labels_of_its_own_keeps_them(engine: Engine) -> None:
    labelled = Dataset(
        people=_people([("P1", "Ann", "T1"), ("P2", "Bob", "T1")]),
        ties=_ties([("P1", "P2", "2026-Q1"), ("P2", "P1", "2026-Q3"), ("P1", "P1", "")]),
        learning=pd.DataFrame({"person_id": ["P1"], "wave": [""], "learning_type": ["IOL"], "hours": [3.0]}),
    )
    ws.import_dataset(engine, "Labelled", OLD, "2025", now=T0)
    ws.import_dataset(engine, "Labelled", labelled, "survey-2026", now=T1)
    ds = ws.load_workspace(engine, "Labelled")
    assert ds.waves == ["2025", "2026-Q1", "2026-Q3"]  # not "survey-2026": the file's own labels
    assert sorted(ds.ties["wave"]) == ["", "2025", "2026-Q1", "2026-Q3"]  # its unlabelled tie: every wave
    assert sorted(ds.learning["wave"]) == ["", "2025"]


def test_repeated_events_once_and_latest_definitions_win(two_waves: Engine) -> None:
    ds = ws.load_workspace(two_waves, "Acme")
    assert len(ds.interactions) == 2  # the 2025 event was in both uploads
    assert list(ds.role_skills["required_level"]) == [4.0]
    assert len(ds.trust_items) == len(OLD.trust_items)  # the built-in bank, once
    assert ds.source == "workspace Acme (2 waves)"


def test_one_wave_is_that_wave_with_its_label(engine: Engine) -> None:
    ws.import_dataset(engine, "Solo", OLD, "only")
    ds = ws.load_workspace(engine, "Solo")
    assert list(ds.people["person_id"]) == ["P1", "P2"]
    assert list(ds.ties["wave"]) == ["only"]


def test_empty_and_unknown_workspaces(engine: Engine) -> None:
    ws.create_workspace(engine, "Empty")
    ds = ws.load_workspace(engine, "Empty")
    assert len(ds.people) == 0 and len(ds.ties) == 0 and ds.waves == []
    with pytest.raises(ws.WorkspaceError, match="No workspace named 'Nope'"):
        ws.load_workspace(engine, "Nope")


def test_workspace_names(engine: Engine) -> None:
    assert ws.workspace_names(engine) == []
    for name in ("b", "a"):
        ws.create_workspace(engine, name)
    assert ws.workspace_names(engine) == ["a", "b"]


# --- the Data page's workspace panel ---------------------------------------------------------


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _data_page(user: auth.User | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    return at.switch_page("app_pages/data.py").run()


def test_data_page_creates_saves_opens_and_deletes(engine: Engine) -> None:
    at = _data_page()
    assert not at.exception
    assert any("No workspace is open" in i.value for i in at.info)

    at.text_input(key="ws-new-name").input("Acme")
    _button(at, "Create and open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert ws.workspace_names(engine) == ["Acme"]
    assert at.session_state["workspace"] == "Acme"

    at.text_input(key="ws-wave-label").input("2026")
    at.button(key="ws-save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    waves = ws.get_workspace(engine, "Acme").waves
    assert [w.label for w in waves] == ["2026"]
    assert str(at.session_state["dataset_key"]).startswith("ws:")  # the workspace is what is shown now
    assert any(md("workspace Acme (1 wave)") in c.value for c in at.sidebar.caption)
    waves_table = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert waves_table["wave"].tolist() == ["2026"]

    at.button(key="ws-open-one").click().run()
    assert str(at.session_state["dataset_key"]).startswith("wave:")

    assert at.button(key="ws-delete-wave-go").disabled  # not before the confirmation
    at.checkbox(key="ws-delete-wave-sure").check().run()
    at.button(key="ws-delete-wave-go").click().run()
    assert ws.get_workspace(engine, "Acme").waves == ()

    assert at.button(key="ws-delete-go").disabled
    at.text_input(key="ws-delete-name").input("Acme").run()
    at.button(key="ws-delete-go").click().run()
    assert not at.exception
    assert ws.workspace_names(engine) == []
    assert "workspace" not in at.session_state


def test_a_taken_name_is_a_message_not_a_crash(two_waves: Engine) -> None:
    at = _data_page()
    at.text_input(key="ws-new-name").input("Acme")
    _button(at, "Create and open").click().run()
    assert not at.exception
    assert any("already exists" in e.value for e in at.error)


def test_a_look_alike_name_is_a_message_naming_the_workspace_it_copies(two_waves: Engine) -> None:
    at = _data_page()
    at.text_input(key="ws-new-name").input("\u0410cme")  # a Cyrillic А
    _button(at, "Create and open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert md("looks like the existing workspace 'Acme'") in error.value
    assert md("U+0410 CYRILLIC CAPITAL LETTER A") in error.value  # why the two differ
    assert ws.workspace_names(two_waves) == ["Acme"]
    assert "workspace" not in at.session_state


def test_a_name_with_invisible_characters_is_created_normalised(engine: Engine) -> None:
    at = _data_page()
    at.text_input(key="ws-new-name").input("\u202eGlobex\u200b  Ltd")
    _button(at, "Create and open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert ws.workspace_names(engine) == ["Globex Ltd"]
    assert at.session_state["workspace"] == "Globex Ltd"


def test_a_facilitator_cannot_create_a_look_alike_of_a_workspace_assigned_to_others(engine: Engine) -> None:
    fast = auth.hash_password("facilitate-2026", n=2**14)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = {
        "passwords": {"scrypt_n": 2**14},  # the quick hash above
        "accounts": {
            "fran": {"password_hash": fast, "roles": ["facilitator"]},
            "fred": {"password_hash": fast, "roles": ["facilitator"]},
        },
        "workspace_access": {"Acme": ["fred"]},
    }
    at.session_state["user"] = auth.User("fran", frozenset({"facilitator"}), "account")
    at.run()
    at.switch_page("app_pages/data.py").run()
    for name in ("Acme", "\u0410cme", "ACME", "Acme\u200b"):
        at.text_input(key="ws-new-name").input(name)
        _button(at, "Create and open").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("assigned to others" in e.value for e in at.error), (name, [e.value for e in at.error])
    assert ws.workspace_names(engine) == []


def test_settings_are_saved_and_raise_the_sessions_minimum(two_waves: Engine) -> None:
    at = _data_page()
    at.sidebar.selectbox(key="workspace_choice").select("Acme").run()
    at.number_input(key="ws-set-min").set_value(9)
    at.radio(key="ws-set-view").set_value("named")
    _button(at, "Save settings").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = ws.get_workspace(two_waves, "Acme").settings
    assert (saved.min_group_size, saved.default_view) == (9, "named")
    assert at.sidebar.number_input(key="min_group_size").value == 9
    assert at.sidebar.number_input(key="min_group_size").min == 9  # it can only be raised


def test_workspace_panel_needs_the_upload_role(two_waves: Engine) -> None:
    # A role with the Data page but without "upload" sees neither the uploader nor the panel.
    at = AppTest.from_file(str(ROOT / "app_pages" / "data.py"), default_timeout=120)
    at.session_state["user"] = auth.User("viewer", frozenset({"facilitator"}), "account")
    original = auth.ACTION_ACCESS["upload"]
    auth.ACTION_ACCESS["upload"] = frozenset()
    try:
        at.run()
    finally:
        auth.ACTION_ACCESS["upload"] = original
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("file_uploader")) == 0
    assert not [s for s in at.subheader if s.value == "Workspace"]


# --- the sidebar: opening a workspace --------------------------------------------------------


@pytest.fixture
def org_workspace(engine: Engine) -> Engine:
    settings = ws.WorkspaceSettings(min_group_size=7, default_view="named")
    ws.import_dataset(engine, "Org", generate(people=40, seed=3), "2026", settings=settings)
    return engine


def test_facilitator_opens_a_workspace_with_its_settings(org_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user"] = auth.User("fac", frozenset({"facilitator"}), "account")
    at.session_state["view"] = "aggregate"
    at.run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["workspace"] == "Org"
    assert at.sidebar.radio(key="view").value == "named"  # the workspace's default view
    assert at.sidebar.number_input(key="min_group_size").value == 7
    assert any(md("workspace Org (1 wave)") + "** · 40 people" in c.value for c in at.sidebar.caption)


def test_executive_opens_a_workspace_in_the_aggregate_view(org_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["user"] = auth.User("exe", frozenset({"executive"}), "account")
    at.run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.sidebar.radio) == 0  # no view switch
    at.switch_page("app_pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Aggregate view: the map shows groups only" in c.value for c in at.caption)


def test_a_new_wave_reaches_an_open_session(org_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    ws.import_dataset(org_workspace, "Org", generate(people=45, seed=4), "2027")
    at.run()
    assert any(md("workspace Org (2 waves)") in c.value for c in at.sidebar.caption)


def test_a_deleted_workspace_closes_in_an_open_session(org_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    ws.delete_workspace(org_workspace, "Org")
    at.run()
    assert not at.exception
    assert "workspace" not in at.session_state
    assert not any("workspace Org" in c.value for c in at.sidebar.caption)


# --- settings that change the data: channel mapping and pseudonym salt ---------------------------

#: The built-in mapping without "microblog", a channel the generated organisation uses.
MAPPING = {k: v for k, v in CHANNEL_MODES.items() if k != "microblog"}
SALT = "fixed-salt-for-these-tests"


@pytest.fixture
def mapped_workspace(engine: Engine) -> Engine:
    settings = ws.WorkspaceSettings(default_view="named", channel_modes=MAPPING, pseudonym_salt=SALT)
    ws.import_dataset(engine, "Org", generate(people=40, seed=3), "2026", settings=settings)
    return engine


def _open_org_on_the_data_page() -> AppTest:
    at = _data_page()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_channel_table_shows_what_is_not_mapped(mapped_workspace: Engine) -> None:
    at = _open_org_on_the_data_page()
    drawn = at.data_editor(key="ws-set-channels").value
    assert drawn.values.tolist() == [["microblog", ws.NOT_MAPPED], *map(list, MAPPING.items())]
    assert any("1 channel(s) in the loaded data are not mapped" in c.value for c in at.caption)
    events = at.session_state["dataset"].interactions
    assert set(events.loc[events["channel"] == "microblog", "mode"]) == {""}  # unclassified now


def test_the_settings_form_saves_the_mapping_and_new_pseudonyms(mapped_workspace: Engine) -> None:
    at = _open_org_on_the_data_page()
    key = at.session_state["dataset_key"]
    channels = at.data_editor(key="ws-set-channels").value["channel"].tolist()
    at.session_state["ws-set-channels"] = {
        "edited_rows": {
            channels.index("chat"): {"stock/flow": "stock"},
            channels.index("microblog"): {"stock/flow": "flow"},
        },
        "added_rows": [{"channel": " Podcast", "stock/flow": "flow"}],
        "deleted_rows": [channels.index("lms")],
    }
    at.checkbox(key="ws-set-new-salt").check()
    _button(at, "Save settings").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Settings saved. New pseudonyms drawn." in s.value for s in at.success)

    saved = ws.get_workspace(mapped_workspace, "Org").settings
    expected = {k: v for k, v in MAPPING.items() if k != "lms"} | {"chat": "stock", "microblog": "flow"}
    assert saved.channel_modes == expected | {"podcast": "flow"}
    assert saved.pseudonym_salt not in ("", SALT) and len(saved.pseudonym_salt) == 32
    # this session shows the data with the new settings at once
    ds = at.session_state["dataset"]
    assert at.session_state["dataset_key"] != key
    assert ds.pseudonym_salt == saved.pseudonym_salt
    events = ds.interactions
    assert set(events.loc[events["channel"] == "chat", "mode"]) == {"stock"}
    assert set(events.loc[events["channel"] == "microblog", "mode"]) == {"flow"}
    # the form starts afresh: the saved mapping, no pending edits, no second new salt
    assert at.checkbox(key="ws-set-new-salt").value is False
    drawn = at.data_editor(key="ws-set-channels").value
    assert dict(drawn.values.tolist()) == saved.channel_modes
    assert not [c for c in at.caption if "not mapped" in c.value]


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"edited_rows": {0: {"stock/flow": "archive"}}}, "'archive' is not a choice"),
        ({"added_rows": [{"channel": "", "stock/flow": "flow"}]}, "marked flow but names no channel"),
        ({"added_rows": [{"channel": "WIKI", "stock/flow": "flow"}]}, "'wiki' is in the channel table twice"),
    ],
)
def test_a_bad_channel_table_is_refused_and_nothing_saved(
    mapped_workspace: Engine, edits: dict[str, object], message: str
) -> None:
    at = _open_org_on_the_data_page()
    before, key = ws.get_workspace(mapped_workspace, "Org").settings, at.session_state["dataset_key"]
    at.session_state["ws-set-channels"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.checkbox(key="ws-set-new-salt").check()
    at.number_input(key="ws-set-min").set_value(9)
    _button(at, "Save settings").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(md(message) in e.value for e in at.error), [e.value for e in at.error]
    assert ws.get_workspace(mapped_workspace, "Org").settings == before  # not even the minimum
    assert at.session_state["dataset_key"] == key


def test_pseudonyms_on_the_pages_and_in_the_exports_agree(mapped_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["pseudonyms"] = True
    at.session_state["net_tab"] = "People"
    at.run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    at.switch_page("app_pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = set(next(t for t in at.tabs if t.label == "People").dataframe[0].value["person"])
    assert len(shown) == 40

    options = exports.ExportOptions(view="named", pseudonyms=True)
    exported = exports.export_tables(ws.load_workspace(mapped_workspace, "Org"), options)["people"]
    assert set(exported["person"]) == shown
    file_alone = generate(people=40, seed=3)  # the same data without a workspace: roster-salted
    assert shown.isdisjoint(privacy.person_labels(file_alone, pseudonyms=True).values())
    ids = file_alone.people["person_id"].astype(str)
    assert shown == set(privacy.pseudonymise(ids, SALT).values())


def test_a_settings_change_reaches_an_open_session(mapped_workspace: Engine) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    assert at.session_state["dataset"].pseudonym_salt == SALT
    ws.update_settings(  # another facilitator, in another session
        mapped_workspace,
        "Org",
        ws.WorkspaceSettings(pseudonym_salt="another-salt", channel_modes={"chat": "stock"}),
    )
    at.run()
    ds = at.session_state["dataset"]
    assert ds.pseudonym_salt == "another-salt" and ds.channel_modes == {"chat": "stock"}
    assert set(ds.interactions["mode"]) == {"stock", ""}


# --- pulse waves kept apart ----------------------------------------------------------------------


def _answer(engine: Engine, token: str, code: str) -> None:
    session = pulse.get_session(engine, token)
    assert session is not None
    trust = dict.fromkeys(session.trust_items, 4)
    adviser = session.roster[0][0]
    device = pulse.issue_device(session, code)
    pulse.submit(engine, token, device, pulse.Response(hours={"IOL": 3.0}, advisers=[adviser], trust=trust))


def test_a_pulse_stays_apart_and_opens_on_its_own(org_workspace: Engine) -> None:
    at = _data_page()
    at.sidebar.selectbox(key="workspace_choice").select("Org").run()
    key = at.session_state["dataset_key"]
    session = pulse.open_session(org_workspace, "Org")
    _answer(org_workspace, session.token, "AAAA-2222")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["dataset_key"] == key  # a pulse answer reloads no workspace view
    assert any(
        md("workspace Org (1 wave; 1 pulse kept apart)") + "** · 40 people" in c.value
        for c in at.sidebar.caption
    )
    assert any("1 pulse wave(s) kept apart" in c.value for c in at.caption)
    waves = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert waves[["wave", "kind"]].values.tolist() == [["2026", "upload"], [session.wave, "pulse"]]

    at.selectbox(key="ws-open-wave").select(session.wave)
    at.button(key="ws-open-one").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert str(at.session_state["dataset_key"]).startswith("wave:")
    participants = at.session_state["dataset"].people["person_id"].str.startswith("pulse-")
    assert participants.sum() == 1
    _answer(org_workspace, session.token, "BBBB-3333")  # the pulse shown alone follows its answers
    at.run()
    assert at.session_state["dataset"].people["person_id"].str.startswith("pulse-").sum() == 2
