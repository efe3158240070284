"""The Data page's survey-export section (issue 15), through AppTest: the tool recognised, a review
choice adds the tie, and the dataset loads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lib.app.survey_ui import choice_label
from lib.store import survey_choices as ws_choices
from lib.store import workspaces as ws
from tests import survey_fixtures as F
from tests.conftest import open_page

CSV = "text/csv"
#: The export names Ana Silva of Platform (P03) without her team: two people on the roster.
NAMES = {**F.LABEL, "P03": "Ana Silva"}


def _upload():  # type: ignore[no-untyped-def]
    at = open_page("app_pages/data.py")
    at.file_uploader(key="survey-export").set_value(("google.csv", F.google_forms(names=NAMES), CSV)).run()
    at.file_uploader(key="survey-roster").set_value(("roster.csv", F.roster_csv(), CSV)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_tool_recognised_and_ambiguous_names_in_review() -> None:
    at = _upload()
    assert any("Google Forms" in i.value for i in at.info)
    result = at.session_state["survey_result"]
    assert [(r.row, r.text) for r in result.review] == [(3, "Ana Silva"), (4, "Ana Silva"), (5, "Ana Silva")]
    ties = {(t.source_id, t.target_id, t.relation) for t in result.tables["ties"].itertuples()}
    assert ties == {t for t in F.expected_ties() if t[1] != "P03"}


def test_resolving_a_review_candidate_adds_the_tie_and_loads() -> None:
    at = _upload()
    review = [s for s in at.selectbox if s.key and s.key.startswith("survey-review-")]
    assert len(review) == 3
    first = review[0]  # row 3: P04 named Ana Silva for energy
    first.set_value(choice_label("P03", "Ana Silva (Platform)", 100)).run()
    result = at.session_state["survey_result"]
    ties = {(t.source_id, t.target_id, t.relation) for t in result.tables["ties"].itertuples()}
    assert ("P04", "P03", "energy") in ties
    assert ("P05", "P03", "advice") not in ties
    assert len(result.review) == 2
    at.button(key="survey-load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ds = at.session_state["dataset"]
    loaded = {(t.source_id, t.target_id, t.relation) for t in ds.ties.itertuples()}
    assert ("P04", "P03", "energy") in loaded
    assert ds.source == "google.csv (Google Forms)"


def test_choosing_none_of_them_drops_the_answer() -> None:
    at = _upload()
    review = [s for s in at.selectbox if s.key and s.key.startswith("survey-review-")]
    review[1].set_value("none of them (drop this answer)").run()
    result = at.session_state["survey_result"]
    assert [(r.row, r.text) for r in result.review] == [(3, "Ana Silva"), (5, "Ana Silva")]
    assert all(t.target_id != "P03" for t in result.tables["ties"].itertuples())


def test_a_mapping_file_from_an_earlier_wave_maps_a_new_question() -> None:
    import json

    question = "Who mentored you this year?"
    truth = {p: F.Answers(**{**a.__dict__, "extra": {question: F.LABEL["P08"]}}) for p, a in F.TRUTH.items()}
    at = open_page("app_pages/data.py")
    at.file_uploader(key="survey-export").set_value(
        ("g.csv", F.google_forms(truth, extra=(question,)), CSV)
    ).run()
    at.file_uploader(key="survey-roster").set_value(("roster.csv", F.roster_csv(), CSV)).run()
    before = at.session_state["survey_result"]
    assert not [t for t in before.tables["ties"].itertuples() if t.relation == "mentoring"]
    mapping = json.dumps({question: {"kind": "relation", "target": "mentoring"}}).encode()
    at.file_uploader(key="survey-map-file").set_value(("map.json", mapping, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    after = at.session_state["survey_result"]
    mentoring = {
        (t.source_id, t.target_id) for t in after.tables["ties"].itertuples() if t.relation == "mentoring"
    }
    assert mentoring == {(p, "P08") for p in F.TRUTH}


def test_export_text_in_review_labels_is_escaped() -> None:
    names = {**F.LABEL, "P08": "[Li Wei](http://x.test)"}
    at = open_page("app_pages/data.py")
    at.file_uploader(key="survey-export").set_value(("g.csv", F.google_forms(names=names), CSV)).run()
    at.file_uploader(key="survey-roster").set_value(("roster.csv", F.roster_csv(), CSV)).run()
    labels = [s.label for s in at.selectbox if s.key and s.key.startswith("survey-review-")]
    assert labels and all("\\[Li Wei\\]\\(http" in label for label in labels)
    assert not any("[Li Wei](http" in label for label in labels)


# --- choices kept per workspace (lib/store/survey_choices.py) ---------------------------------------


@pytest.fixture
def workspaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A workspace database with Acme and Globex, used by the app (AppTest runs in this process)."""
    url = f"sqlite:///{tmp_path / 'workspaces.db'}"
    monkeypatch.setenv("SLD_DATABASE_URL", url)
    engine = ws.open_database(url)
    ws.create_workspace(engine, "Acme")
    ws.create_workspace(engine, "Globex")
    yield engine
    engine.dispose()


def _upload_in(workspace: str | None, export: bytes | None = None):  # type: ignore[no-untyped-def]
    state = {"workspace": workspace} if workspace else {}
    at = open_page("app_pages/data.py", **state)
    data = export if export is not None else F.google_forms(names=NAMES)
    at.file_uploader(key="survey-export").set_value(("google.csv", data, CSV)).run()
    at.file_uploader(key="survey-roster").set_value(("roster.csv", F.roster_csv(), CSV)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ties(at) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    result = at.session_state["survey_result"]
    return {(t.source_id, t.target_id, t.relation) for t in result.tables["ties"].itertuples()}


def test_a_choice_made_in_wave_1_resolves_the_same_answer_in_a_later_upload_to_the_workspace(
    workspaces: Engine,
) -> None:
    first = _upload_in("Acme")
    first_review = first.session_state["survey_result"].review[:2]
    review = [s for s in first.selectbox if s.key and s.key.startswith("survey-review-")]
    review[0].set_value(choice_label("P03", "Ana Silva (Platform)", 100)).run()  # P04's energy tie
    review = [s for s in first.selectbox if s.key and s.key.startswith("survey-review-")]
    review[0].set_value("none of them (drop this answer)").run()  # P05's advice answer: nobody
    assert ("P04", "P03", "energy") in _ties(first)

    # the next wave, in a new session: the same answers are resolved without asking
    later = _upload_in("Acme")
    result = later.session_state["survey_result"]
    assert [(r.respondent, r.text) for r in result.review] == [("P06", "Ana Silva")]
    assert ("P04", "P03", "energy") in _ties(later)
    assert not any(s == "P05" and t == "P03" for s, t, _ in _ties(later))
    assert any("2 answer(s) resolved as you chose for an earlier upload" in c.value for c in later.caption)
    assert sorted(later.session_state["survey_result"].remembered) == [
        (p, r.column, "Ana Silva") for p, r in zip(("P04", "P05"), first_review, strict=True)
    ]

    # another workspace, and no workspace, see none of it
    for other in ("Globex", None):
        at = _upload_in(other)
        assert len(at.session_state["survey_result"].review) == 3
        assert ("P04", "P03", "energy") not in _ties(at)

    # "Ask me again": the remembered choices are forgotten, their answers back in review
    later.button(key="survey-ask-again").click().run()
    assert not later.exception, [e.value for e in later.exception]
    assert len(later.session_state["survey_result"].review) == 3
    assert ws_choices.saved_resolutions(workspaces, "Acme") == {}


def test_a_mapping_made_in_wave_1_is_applied_to_the_next_upload_in_the_workspace(workspaces: Engine) -> None:
    question = "Who mentored you this year?"
    truth = {p: F.Answers(**{**a.__dict__, "extra": {question: F.LABEL["P08"]}}) for p, a in F.TRUTH.items()}
    export = F.google_forms(truth, extra=(question,))
    first = _upload_in("Acme", export)
    mapping = json.dumps({question: {"kind": "relation", "target": "mentoring"}}).encode()
    first.file_uploader(key="survey-map-file").set_value(("map.json", mapping, "application/json")).run()
    assert not first.exception, [e.value for e in first.exception]
    mentoring = {(p, "P08", "mentoring") for p in F.TRUTH}
    assert mentoring <= _ties(first)

    later = _upload_in("Acme", export)  # no mapping file this time
    assert mentoring <= _ties(later)
    assert any("1 question(s) mapped as in your last upload" in c.value for c in later.caption)
    other = _upload_in("Globex", export)
    assert not mentoring & _ties(other)


def _script_memory_workspace() -> None:
    import streamlit as st

    from lib.app import survey_ui

    st.markdown(f"memory: {survey_ui._memory_workspace()}")


@pytest.mark.parametrize(
    ("roles", "access", "expected"),
    [
        (frozenset({"facilitator"}), None, "Acme"),  # no [workspace_access]: every workspace
        (frozenset({"facilitator"}), {"Acme": ["fac-w"]}, "Acme"),  # listed
        (frozenset({"facilitator"}), {"Acme": ["fac-x"]}, "None"),  # assigned to another: not opened
        (frozenset({"executive"}), None, "None"),  # no upload action: nothing read or kept
    ],
)
def test_choices_are_kept_only_for_a_workspace_the_user_may_open_and_upload_to(
    workspaces: Engine, roles: frozenset[str], access: dict[str, list[str]] | None, expected: str
) -> None:
    from streamlit.testing.v1 import AppTest

    from lib.app import auth

    at = AppTest.from_function(_script_memory_workspace, default_timeout=60)
    password = auth.hash_password("facilitate-2026", n=2**14)
    accounts = {name: {"password_hash": password, "roles": sorted(roles)} for name in ("fac-w", "fac-x")}
    at.secrets = {"accounts": accounts, "passwords": {"scrypt_n": 2**14}}
    if access is not None:
        at.secrets["workspace_access"] = access
    at.session_state["user"] = auth.User("fac-w", roles, "account")  # type: ignore[arg-type]
    at.session_state["workspace"] = "Acme"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == f"memory: {expected}"
