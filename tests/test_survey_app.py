"""The Data page's survey-export section (issue 15), through AppTest: the tool recognised, a review
choice adds the tie, and the dataset loads."""

from __future__ import annotations

from lib.app.survey_ui import choice_label
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
