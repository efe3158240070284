"""Survey exports (issue 15): each tool and variant recognised, read and converted into the same
dataset the hand-made workbook gives."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.core.dataset import Dataset
from lib.intake.loader import load_files
from lib.intake.survey.convert import Settings, SurveyResult, convert, workbook_bytes
from lib.intake.survey.people import roster_from_people
from lib.intake.survey.tools import Export, read_export, recognise
from tests import survey_fixtures as F

ROSTER = roster_from_people(F.roster_frame())

#: (file name, bytes, tool, variant) for every tool and variant the issue names.
EXPORTS: list[tuple[str, bytes, str, str]] = [
    ("forms.xlsx", F.ms_forms(), "Microsoft Forms", "responses (.xlsx)"),
    ("google.csv", F.google_forms(), "Google Forms", "responses sheet (.csv)"),
    ("google-bom.csv", F.google_forms(encoding="utf-8-sig"), "Google Forms", "responses sheet (.csv)"),
    ("qualtrics.csv", F.qualtrics(), "Qualtrics", "choice text"),
    ("qualtrics-numeric.csv", F.qualtrics(numeric=True), "Qualtrics", "numeric values"),
    ("qualtrics-utf16.csv", F.qualtrics(encoding="utf-16", delimiter="\t"), "Qualtrics", "choice text"),
    ("monkey.xlsx", F.surveymonkey(), "SurveyMonkey", "expanded"),
    ("monkey-condensed.csv", F.surveymonkey(expanded=False, as_csv=True), "SurveyMonkey", "condensed"),
    ("monkey-condensed.xlsx", F.surveymonkey(expanded=False), "SurveyMonkey", "condensed"),
]
IDS = [e[0] for e in EXPORTS]


def read(name: str, data: bytes) -> Export:
    export, findings = read_export(name, data, isolated=False)
    assert export is not None, [f.line() for f in findings]
    return export


def run(name: str, data: bytes, **settings: object) -> SurveyResult:
    return convert(read(name, data), ROSTER, settings=Settings(**settings))  # type: ignore[arg-type]


def loaded(data: bytes, name: str = "survey.xlsx") -> Dataset:
    return load_files([(name, data)])


@pytest.fixture(scope="module")
def hand_made() -> Dataset:
    return loaded(F.hand_made(), "hand.xlsx")


@pytest.mark.parametrize(("name", "data", "tool", "variant"), EXPORTS, ids=IDS)
def test_tool_and_variant_recognised(name: str, data: bytes, tool: str, variant: str) -> None:
    export = read(name, data)
    assert (export.tool, export.variant) == (tool, variant)
    assert len(export.answers) == len(F.TRUTH)


@pytest.mark.parametrize(("name", "data", "tool", "variant"), EXPORTS, ids=IDS)
def test_every_tie_and_answer(name: str, data: bytes, tool: str, variant: str) -> None:
    result = run(name, data)
    tables = result.tables
    assert result.review == []
    ties = {(t.source_id, t.target_id, t.relation) for t in tables["ties"].itertuples()}
    assert ties == F.expected_ties()
    assert len(tables["ties"]) == len(F.expected_ties())  # no tie twice
    assert set(tables["learning"]["wording"]) == {"hart"}  # the kit's wording today
    learning = tables["learning"].drop(columns="wording").set_index("person_id")
    trust = tables["trust"].set_index("person_id")
    work = tables["work"].set_index("person_id")
    skills = {(s.person_id, s.skill): s.level for s in tables["skills"].itertuples()}
    for pid, answers in F.TRUTH.items():
        assert learning.loc[pid].to_dict() == pytest.approx(answers.learning)
        assert [trust.at[pid, i] for i in trust.columns] == answers.trust
        assert work.loc[pid].to_dict() == pytest.approx(answers.work)
        for skill, level in answers.skills.items():
            assert skills[(pid, skill)] == level
    responded = dict(zip(tables["people"]["person_id"], tables["people"]["responded"], strict=True))
    assert {p for p, r in responded.items() if r == "yes"} == set(F.TRUTH)


def _canonical(ds: Dataset) -> dict[str, pd.DataFrame]:
    def sort(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        return frame.sort_values(keys).reset_index(drop=True)

    return {
        "people": sort(ds.people[["person_id", "name", "team", "responded"]], ["person_id"]),
        "ties": sort(
            ds.ties[["source_id", "target_id", "relation", "weight"]], ["source_id", "target_id", "relation"]
        ),
        "learning": sort(
            ds.learning[["person_id", "learning_type", "hours"]], ["person_id", "learning_type"]
        ),
        "trust": sort(ds.trust[["person_id", "item", "value"]], ["person_id", "item"]),
        "work": sort(ds.work[["person_id", "simple", "complicated", "complex", "chaotic"]], ["person_id"]),
        "skills": sort(ds.skills[["person_id", "skill", "level", "source"]], ["person_id", "skill"]),
    }


@pytest.mark.parametrize(("name", "data", "tool", "variant"), EXPORTS, ids=IDS)
def test_same_dataset_as_the_hand_made_workbook(
    name: str, data: bytes, tool: str, variant: str, hand_made: Dataset
) -> None:
    ds = loaded(workbook_bytes(run(name, data)))
    assert not [f for f in ds.findings if f.severity == "error"]
    ours, theirs = _canonical(ds), _canonical(hand_made)
    for table in theirs:
        pd.testing.assert_frame_equal(ours[table], theirs[table], check_dtype=False, obj=table)


def test_wave_label_written() -> None:
    ds = loaded(workbook_bytes(run("google.csv", F.google_forms(), wave="2026-Q1")))
    assert set(ds.ties["wave"]) == {"2026-Q1"}
    assert set(ds.trust["wave"]) == {"2026-Q1"}


@pytest.mark.parametrize(
    ("header", "third", "tool"),
    [
        (["ID", "Start time", "Completion time", "Email", "Name", "Q"], None, "Microsoft Forms"),
        (["Timestamp", "Email Address", "Q"], None, "Google Forms"),
        (["Horodateur", "Q"], None, "Google Forms"),
        (["StartDate", "EndDate", "Finished", "ResponseId", "Q1"], None, "Qualtrics"),
        (["V1", "Q1"], ['{"ImportId":"x"}', '{"ImportId":"QID1"}'], "Qualtrics"),
        (["Respondent ID", "Collector ID", "Start Date", "Q"], None, "SurveyMonkey"),
        (["person_id", "name", "team"], None, None),
    ],
)
def test_recognise_by_header_signature(header: list[str], third: list[str] | None, tool: str | None) -> None:
    assert recognise(header, third) == tool


def test_unrecognised_export_is_one_error() -> None:
    export, findings = read_export("roster.csv", F.roster_csv(), isolated=False)
    assert export is None
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1 and "not one of Microsoft Forms" in errors[0].message
    assert errors[0].row == 1


def test_isolated_read_gives_the_same_export() -> None:
    a = read_export("q.csv", F.qualtrics(encoding="utf-16", delimiter="\t"))[0]
    b = read("q.csv", F.qualtrics(encoding="utf-16", delimiter="\t"))
    assert a is not None
    pd.testing.assert_frame_equal(a.answers, b.answers)


def test_the_workspace_people_as_roster_keep_their_attributes() -> None:
    from lib.intake.sample import generate

    people = generate(people=30, seed=3).people
    result = convert(read("google.csv", F.google_forms()), roster_from_people(people))
    ds = loaded(workbook_bytes(result))
    assert list(ds.people["person_id"]) == list(people["person_id"])
    assert ds.people["level"].tolist() == people["level"].tolist()
    assert ds.people["department"].tolist() == people["department"].tolist()
    assert not ds.people["responded"].any()  # nobody in the export is on this roster
    assert len(result.review) == len(F.TRUTH)  # each respondent waits in review
