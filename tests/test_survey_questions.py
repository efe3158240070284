"""Survey exports (issue 15): the kit's questions recognised, the facilitator's mapping, and
answers coded (Likert labels and codes, hours, shares, skill levels)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from lib.core.schema import TRUST_ITEM_BANK
from lib.intake.loader import load_files
from lib.intake.survey.convert import convert, workbook_bytes
from lib.intake.survey.people import roster_from_people
from lib.intake.survey.questions import (
    Meaning,
    hours,
    likert,
    mapping_from_json,
    mapping_from_table,
    mapping_json,
    mapping_table,
    meanings,
    recognise_column,
    share,
    skill_level,
)
from lib.intake.survey.tools import ExportColumn, read_export
from lib.intake.template import NAME_GENERATOR_QUESTIONS, TRUST_INTRO, survey_questions
from tests import survey_fixtures as F

ROSTER = roster_from_people(F.roster_frame())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Strongly agree", 5),
        ("strongly  AGREE", 5),
        ("Neither agree nor disagree", 3),
        ("Somewhat disagree", 2),
        ("Tout à fait d'accord", 5),
        ("Pas du tout d’accord", 1),
        ("Stimme zu", 4),
        ("Totalmente en desacuerdo", 1),
        ("Helemaal eens", 5),
        ("Não concordo nem discordo", 3),
        ("4", 4),
        ("4 = Agree", 4),
        ("1.0", 1),
        ("6", None),
        ("0", None),
        ("Maybe", None),
        ("", None),
    ],
)
def test_likert(text: str, value: int | None) -> None:
    assert likert(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("2,5", 2.5),
        ("3 hours", 3),
        ("4h", 4),
        ("90 min", 1.5),
        ("1h30", 1.5),
        ("2 Stunden", 2),
        ("30%", 0.3),
        ("-2", None),
        ("a lot", None),
        ("3 days", None),
    ],
)
def test_hours(text: str, value: float | None) -> None:
    assert hours(text) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize(
    ("text", "value"),
    [("40%", (40, True)), ("40", (40, False)), ("0.4", (0.4, False)), ("40 %", (40, True)), ("lots", None)],
)
def test_share(text: str, value: tuple[float, bool] | None) -> None:
    assert share(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("Practitioner", 3), ("Practitioner: I do it on my own", 3), ("No knowledge", 0), ("7", None)],
)
def test_skill_level(text: str, value: float | None) -> None:
    assert skill_level(text) == value


def test_every_kit_question_is_recognised_by_its_wording() -> None:
    for q in survey_questions():
        if q.code in ("weight", "level"):
            continue
        meaning = recognise_column(ExportColumn(0, q.question, q.question))
        assert meaning is not None, q.code
        assert (meaning.target or "person_id") == q.code


@pytest.mark.parametrize(
    ("column", "kind", "target"),
    [
        (ExportColumn(0, "ks3", "Anything", tag="ks3"), "trust", "ks3"),
        (ExportColumn(0, "IOL", "Hours?", tag="IOL"), "learning", "IOL"),
        (ExportColumn(0, "Q1", "Who?", tag="advice"), "relation", "advice"),
        (ExportColumn(0, "h", "Think about your work [Complex]", item="Complex"), "work", "complex"),
        (ExportColumn(0, "h", TRUST_INTRO, item=TRUST_ITEM_BANK[4].wording.upper()), "trust", "tr2"),
    ],
)
def test_recognised_by_export_tag_code_or_row(column: ExportColumn, kind: str, target: str) -> None:
    meaning = recognise_column(column)
    assert meaning is not None
    assert (meaning.kind, meaning.target) == (kind, target)


def test_an_unknown_question_is_not_recognised() -> None:
    assert recognise_column(ExportColumn(0, "Any comments?", "Any comments?")) is None


def test_mapping_wins_over_recognition_and_round_trips() -> None:
    advice = NAME_GENERATOR_QUESTIONS["advice"]
    columns = [ExportColumn(0, advice, advice), ExportColumn(1, "Mentor?", "Mentor?")]
    mapping = mapping_from_json(
        json.dumps(
            {"columns": {advice: {"kind": "ignore"}, "Mentor?": {"kind": "relation", "target": "mentoring"}}}
        )
    )
    chosen = meanings(columns, mapping)
    assert [(m.kind, m.target) for m in chosen.values()] == [("ignore", ""), ("relation", "mentoring")]
    assert mapping_from_json(mapping_json(mapping)) == mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{", "not valid JSON"),
        ('{"a": {"kind": "colour"}}', "kinds: respondent"),
        ('{"a": {"kind": "learning", "target": "XYZ"}}', "is not one of IOL"),
        ('{"a": {"kind": "trust", "target": "ps1"}}', "needs a dimension"),
        ('{"a": {"kind": "relation"}}', "needs a target"),
    ],
)
def test_bad_mapping_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mapping_from_json(text)


def test_mapping_table_edits_become_the_mapping() -> None:
    advice = NAME_GENERATOR_QUESTIONS["advice"]
    columns = [ExportColumn(0, advice, advice), ExportColumn(1, "Mentor?", "Mentor?")]
    chosen = meanings(columns)
    table = mapping_table(columns, chosen)
    assert list(table["meaning"]) == ["relation", "ignore"]
    table.loc[1, ["meaning", "target"]] = ["relation", "mentoring"]
    edited = mapping_from_table(table, {c.key: chosen[c.index] for c in columns})
    assert edited == {"Mentor?": Meaning("relation", "mentoring", source="mapping")}


def test_a_custom_trust_item_goes_to_trust_and_trust_items() -> None:
    extra = "I can raise a problem in my team without fear of blame."
    truth = {p: F.Answers(**{**a.__dict__, "extra": {extra: "Agree"}}) for p, a in F.TRUTH.items()}
    export, _ = read_export("g.csv", F.google_forms(truth, extra=(extra,)), isolated=False)
    assert export is not None
    item = {"kind": "trust", "target": "ps1", "dimension": "trust", "wording": extra}
    mapping = mapping_from_json(json.dumps({extra: item}))
    result = convert(export, ROSTER, mapping)
    assert list(result.tables["trust"]["ps1"]) == [4, 4, 4, 4]
    ds = load_files([("survey.xlsx", workbook_bytes(result))])
    assert set(ds.trust.loc[ds.trust["item"] == "ps1", "value"]) == {4.0}
    assert ds.trust_items.set_index("item").at["ps1", "dimension"] == "trust"


def test_unreadable_answer_left_blank_with_a_warning() -> None:
    rows = list(csv.reader(io.StringIO(F.google_forms().decode("utf-8"))))
    column = rows[0].index(F.learning_question("IOL"))
    rows[1][column] = "lots"
    export, _ = read_export("g.csv", F.csv_bytes(rows), isolated=False)  # type: ignore[arg-type]
    assert export is not None
    result = convert(export, ROSTER)
    learning = result.tables["learning"].drop(columns="wording").set_index("person_id")
    assert learning.loc["P01"].isna().tolist() == [True, False, False, False, False]
    warning = next(f for f in result.notes if f.severity == "warning")
    assert (warning.row, warning.column, warning.value) == (2, F.learning_question("IOL"), "lots")
