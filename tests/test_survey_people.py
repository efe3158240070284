"""Survey exports (issue 15): people matched to the roster, hard names, review, duplicates,
partial responses, what is dropped."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from lib.intake.survey.convert import (
    RESPONDENT,
    Settings,
    SurveyResult,
    convert,
    review_frame,
    workbook_bytes,
)
from lib.intake.survey.people import Matcher, fold, name_list, read_roster, roster_from_people
from lib.intake.survey.questions import mapping_from_json
from lib.intake.survey.tools import Export, read_export
from tests import survey_fixtures as F

ROSTER = roster_from_people(F.roster_frame())
MENTORING = "Who has mentored you this year? (type their names)"


def read(name: str, data: bytes) -> Export:
    export, findings = read_export(name, data, isolated=False)
    assert export is not None, [f.line() for f in findings]
    return export


def ties_of(result: SurveyResult) -> set[tuple[str, str, str]]:
    return {(t.source_id, t.target_id, t.relation) for t in result.tables["ties"].itertuples()}


# --- the name list and the matcher --------------------------------------------------------------


def test_name_list_adds_the_team_only_where_a_name_is_shared() -> None:
    listing = name_list(ROSTER)
    assert dict(zip(listing["person_id"], listing["label"], strict=True)) == F.LABEL


def test_name_list_adds_the_id_when_name_and_team_are_shared() -> None:
    frame = pd.DataFrame(
        [
            {"person_id": "A1", "name": "Kim Lee", "team": "Ops"},
            {"person_id": "A2", "name": "Kim Lee", "team": "Ops"},
            {"person_id": "A3", "name": "Kim Lee", "team": "Sales"},
        ]
    )
    labels = list(name_list(roster_from_people(frame))["label"])
    assert labels == ["Kim Lee (Ops, A1)", "Kim Lee (Ops, A2)", "Kim Lee (Sales)"]
    assert len(set(labels)) == 3


@pytest.mark.parametrize(
    ("text", "person", "how"),
    [
        ("Ana Silva (Sales)", "P02", "label"),
        ("Ana Silva (Platform)", "P03", "label"),
        ("P07", "P07", "label"),
        ("siobhan ni bhriain", "P01", "folded"),
        ("SEAN O'BRIEN", "P04", "folded"),
        ("Sean OBrien", "P04", "folded"),
        ("Seán O’Brien", "P04", "folded"),
        ("Zoe Mueller", "P05", "folded"),
        ("Zoe Muller", "P05", "folded"),
        ("O'Brien, Seán", "P04", "last-first"),
        ("Bhriain, Siobhán Ní", "P01", "last-first"),
        ("Dmitri Ivanov", "P07", "fuzzy"),
        ("Jose Alvares", "P06", "fuzzy"),
    ],
)
def test_named_colleague_matched(text: str, person: str, how: str) -> None:
    match = Matcher(ROSTER).match(text)
    assert (match.person_id, match.how) == (person, how)


def test_two_people_with_one_name_are_never_guessed() -> None:
    match = Matcher(ROSTER).match("ana silva")
    assert match.person_id == ""
    assert match.ambiguous
    assert [(c.person_id, c.label, c.score) for c in match.candidates] == [
        ("P02", "Ana Silva (Sales)", 100.0),
        ("P03", "Ana Silva (Platform)", 100.0),
    ]


def test_someone_missing_from_the_roster_goes_to_review_with_low_scores() -> None:
    match = Matcher(ROSTER).match("Jane Doe")
    assert (match.person_id, match.how) == ("", "none")
    assert match.candidates and all(c.score < Matcher(ROSTER).threshold for c in match.candidates)


def test_fuzzy_threshold_is_the_line() -> None:
    assert Matcher(ROSTER, threshold=99).match("Dmitri Ivanov").person_id == ""
    assert Matcher(ROSTER, threshold=80).match("Dmitri Ivanov").person_id == "P07"


def test_fold() -> None:
    assert fold("  Siobhán  Ní-Bhriain ") == "siobhan ni bhriain"
    assert fold("Zoë Müller", transliterate=True) == "zoe mueller"
    assert fold("D'Arcy") == "darcy"


def test_respondent_email_is_case_insensitive() -> None:
    assert Matcher(ROSTER).by_email("ZOE.MUELLER@example.ORG") == "P05"


# --- hard names in an export ----------------------------------------------------------------------

HARD = "Ana Silva, O'Brien, Seán, Zoe Mueller, Dmitri Ivanov, Jane Doe, siobhan ni bhriain, José Álvarez"
MAPPING = mapping_from_json(json.dumps({MENTORING: {"kind": "relation", "target": "mentoring"}}))


def hard_export() -> Export:
    truth = dict(F.TRUTH)
    truth["P06"] = F.Answers(**{**F.TRUTH["P06"].__dict__, "extra": {MENTORING: HARD}})
    return read("google.csv", F.google_forms(truth, extra=(MENTORING,)))


def test_hard_names_matched_or_reviewed_never_guessed() -> None:
    export = hard_export()
    result = convert(export, ROSTER, MAPPING)
    mentoring = {t for t in ties_of(result) if t[2] == "mentoring"}
    assert mentoring == {("P06", p, "mentoring") for p in ("P04", "P05", "P07", "P01")}
    review = review_frame(result)
    row = export.rows[list(F.TRUTH).index("P06")]
    assert list(review["row"]) == [row, row]
    assert list(review["text"]) == ["Ana Silva", "Jane Doe"]
    assert list(review["question"]) == [MENTORING, MENTORING]
    assert review["candidates"][0] == "Ana Silva (Sales) [P02] 100; Ana Silva (Platform) [P03] 100"
    assert result.counts["self-nominations dropped"] == 1
    assert result.counts["names in review"] == 2
    assert any("named themselves" in f.message and f.row == row for f in result.notes)


def test_resolving_a_review_row_adds_the_tie() -> None:
    export = hard_export()
    first = convert(export, ROSTER, MAPPING)
    ana = next(r for r in first.review if r.text == "Ana Silva")
    jane = next(r for r in first.review if r.text == "Jane Doe")
    second = convert(export, ROSTER, MAPPING, resolutions={ana.key: "P03", jane.key: ""})
    assert ties_of(second) - ties_of(first) == {("P06", "P03", "mentoring")}
    assert second.review == []
    assert second.counts["names resolved in review"] == 1


def test_names_beyond_the_cap_are_dropped_with_a_note() -> None:
    result = convert(read("google.csv", F.google_forms()), ROSTER, settings=Settings(cap=2))
    advice_p05 = [t for t in ties_of(result) if t[0] == "P05" and t[2] == "advice"]
    assert sorted(advice_p05) == [("P05", "P04", "advice"), ("P05", "P06", "advice")]  # P03 was third
    assert result.counts["names beyond the question's cap dropped"] == 1


# --- respondents ---------------------------------------------------------------------------------


def test_respondents_matched_by_name_when_no_email_or_id() -> None:
    roster = roster_from_people(F.roster_frame().drop(columns=["email"]))
    result = convert(read("forms.xlsx", F.ms_forms()), roster)
    assert ties_of(result) == F.expected_ties()
    assert result.review == []


def test_respondents_matched_by_email_without_the_external_reference() -> None:
    result = convert(read("q.csv", F.qualtrics(external=False)), ROSTER)
    assert ties_of(result) == F.expected_ties()


def test_a_respondent_missing_from_the_roster_goes_to_review() -> None:
    roster = roster_from_people(F.roster_frame()[lambda f: f["person_id"] != "P06"])
    export = read("forms.xlsx", F.ms_forms())
    result = convert(export, roster)
    assert {t[0] for t in ties_of(result)} == {"P01", "P04", "P05"}
    advice = F.NAME_GENERATOR_QUESTIONS["advice"]
    collaboration = F.NAME_GENERATOR_QUESTIONS["collaboration"]
    assert [(r.row, r.column, r.text) for r in result.review] == [
        (export.rows[3], RESPONDENT, "José Álvarez"),  # his own response
        (export.rows[0], advice, "José Álvarez"),  # named by P01 and P05: not on the roster
        (export.rows[2], advice, "José Álvarez"),
    ]
    assert collaboration not in {r.column for r in result.review}
    assert result.counts["responses waiting for their respondent in review"] == 1


def test_the_later_of_two_answers_counts() -> None:
    earlier = F.Answers(
        {"advice": ["P08"]},
        F.TRUTH["P06"].learning,
        [1] * 15,
        F.TRUTH["P06"].work,
        {"Python": 0, "Facilitation": 0},
    )
    export = read("google.csv", F.google_forms(duplicates={"P06": earlier}))
    result = convert(export, ROSTER)
    assert ties_of(result) == F.expected_ties()
    assert result.tables["trust"].set_index("person_id").loc["P06"].tolist() == F.TRUTH["P06"].trust
    assert result.counts["earlier duplicate responses dropped"] == 1
    note = next(f for f in result.notes if "later response" in f.message)
    assert note.row == export.rows[0]


def test_partial_responses_kept_by_default_and_dropped_by_the_setting() -> None:
    truth = dict(F.TRUTH)
    truth["P04"] = F.Answers(**{**F.TRUTH["P04"].__dict__, "finished": False})
    export = read("q.csv", F.qualtrics(truth))
    kept = convert(export, ROSTER)
    assert ties_of(kept) == F.expected_ties()
    assert "P04" in set(kept.tables["learning"]["person_id"])
    assert "P04" not in set(kept.tables["trust"]["person_id"])
    assert kept.counts["partial responses"] == 1
    dropped = convert(export, ROSTER, settings=Settings(keep_partial=False))
    assert {t[0] for t in ties_of(dropped)} == {"P01", "P05", "P06"}
    assert dropped.counts["partial responses dropped"] == 1


# --- what never reaches the dataset ------------------------------------------------------------------


def _cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    ]


@pytest.mark.parametrize("tool", ["qualtrics", "surveymonkey", "ms_forms", "google_forms"])
def test_emails_ips_locations_and_comments_never_reach_the_dataset(tool: str) -> None:
    data = getattr(F, tool)()
    name = "export.xlsx" if tool in ("surveymonkey", "ms_forms") else "export.csv"
    result = convert(read(name, data), ROSTER)
    cells = _cells(workbook_bytes(result))
    assert not [
        c
        for c in cells
        if "@" in c or "203.0.113" in c or "198.51.100" in c or "555-0101" in c or c == "51.5"
    ]
    said = " ".join(f.message for f in result.notes)
    assert "E-mail addresses were used to match respondents only" in said
    if tool == "qualtrics":
        assert "IP addresses (1 column(s))" in said
        assert "locations (2 column(s))" in said
        assert "free-text ('Other') answers (1 column(s))" in said


def test_exported_text_neutralises_formulas() -> None:
    frame = F.roster_frame()
    frame.loc[7, "name"] = '=HYPERLINK("http://x")'
    result = convert(read("google.csv", F.google_forms()), roster_from_people(frame))
    assert '\'=HYPERLINK("http://x")' in _cells(workbook_bytes(result))


def test_roster_read_from_csv_and_xlsx() -> None:
    for name, data in (("roster.csv", F.roster_csv()), ("people.xlsx", F.roster_xlsx())):
        roster, findings = read_roster(name, data, isolated=False)
        assert roster is not None, findings
        assert list(roster.people["person_id"]) == F.NAME_ORDER
        assert roster.people.loc[4, "email"] == "Zoe.Mueller@Example.org"


def test_roster_without_person_id_is_refused() -> None:
    roster, findings = read_roster("r.csv", b"name,team\nAna,Sales\n", isolated=False)
    assert roster is None
    assert [f.message for f in findings if f.severity == "error"] == ["The roster has no person_id column"]
