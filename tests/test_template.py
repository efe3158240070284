"""The template workbook: generated from lib.core.schema, with dropdowns, examples and the survey wording."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from lib.app.cli import main as cli_main
from lib.core.errors import DataError
from lib.core.schema import (
    LEARNING_TYPE_CODES,
    LEARNING_TYPES,
    LIKERT_LABELS,
    SHEETS,
    SHEETS_BY_NAME,
    STANDARD_RELATIONS,
    TRUST_ITEM_BANK,
    WORK_KINDS,
)
from lib.intake import loader
from lib.intake.template import (
    EXAMPLE_ROWS,
    NAME_GENERATOR_QUESTIONS,
    VALIDATION_ROWS,
    WORK_KIND_WORDING,
    survey_questions,
    template_bytes,
)


@pytest.fixture(scope="module")
def data() -> bytes:
    return template_bytes()


@pytest.fixture(scope="module")
def wb(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def header(ws: Worksheet) -> list[str]:
    return [str(c.value) for c in ws[1] if c.value is not None]


def validation_for(ws: Worksheet, column: str) -> list[str]:
    """The list values of the data validation covering ``column`` (row 2), or [] if none."""
    letter = ws.cell(row=1, column=header(ws).index(column) + 1).column_letter
    for dv in ws.data_validations.dataValidation:
        if f"{letter}2" in dv.sqref:
            return [v for v in (dv.formula1 or "").strip('"').split(",")] if dv.type == "list" else [dv.type]
    return []


def survey_text(wb: openpyxl.Workbook) -> str:
    return "\n".join(str(c.value) for row in wb["survey_questions"].iter_rows() for c in row if c.value)


def test_tables_of_wording_cover_the_schema() -> None:
    assert set(NAME_GENERATOR_QUESTIONS) == set(STANDARD_RELATIONS)
    assert set(WORK_KIND_WORDING) == set(WORK_KINDS)
    assert set(EXAMPLE_ROWS) == set(SHEETS_BY_NAME)


def test_sheet_order(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["instructions", *(s.name for s in SHEETS), "survey_questions", "survey_tools"]


def test_survey_tools_sheet_covers_every_tool_the_survey_reader_recognises(wb: openpyxl.Workbook) -> None:
    from lib.intake.survey.tools import TOOLS

    rows = list(wb["survey_tools"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == set(TOOLS)
    for tool in TOOLS:
        assert {r[1] for r in rows if r[0] == tool} == {"Question types", "Who answered", "Export"}


def test_name_list_sheet_from_the_roster() -> None:
    from lib.intake.survey.people import name_list, roster_from_people
    from tests.survey_fixtures import LABEL, roster_frame

    labels = list(name_list(roster_from_people(roster_frame()))["label"])
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(labels)), read_only=True)
    assert book.sheetnames[-1] == "name_list"
    column = [r[0] for r in book["name_list"].iter_rows(values_only=True)]
    assert column == ["label", *LABEL.values()]


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_every_required_column_is_a_header(wb: openpyxl.Workbook, sheet: object) -> None:
    spec = SHEETS_BY_NAME[sheet.name]  # type: ignore[attr-defined]
    required = [c.name for c in spec.columns if c.required]
    assert set(required) <= set(header(wb[spec.name]))


def test_learning_is_wide_and_trust_has_every_bank_item(wb: openpyxl.Workbook) -> None:
    assert header(wb["learning"]) == ["person_id", *LEARNING_TYPE_CODES, "wave", "wording"]
    assert header(wb["trust"]) == ["person_id", "wave", *(i.item for i in TRUST_ITEM_BANK)]


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_two_example_rows(wb: openpyxl.Workbook, sheet: object) -> None:
    ws = wb[sheet.name]  # type: ignore[attr-defined]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v not in (None, "") for v in r)]
    assert len(rows) == 2
    assert ws.cell(row=2, column=1).font.i  # examples are italic, to be deleted


def test_example_ids_are_people_of_the_example() -> None:
    people = {r["person_id"] for r in EXAMPLE_ROWS["people"]}
    for name, rows in EXAMPLE_ROWS.items():
        for row in rows:
            for col in ("person_id", "source_id", "target_id", "manager_id"):
                if row.get(col):
                    assert row[col] in people, (name, col)


@pytest.mark.parametrize(
    ("sheet", "column", "expected"),
    [
        ("ties", "relation", list(STANDARD_RELATIONS)),
        ("ties", "learning_type", list(LEARNING_TYPE_CODES)),
        ("ties", "mode", ["stock", "flow"]),
        ("skills", "source", ["self", "peer", "manager"]),
        ("skills", "level", ["0", "1", "2", "3", "4", "5"]),
        ("role_skills", "required_level", ["0", "1", "2", "3", "4", "5"]),
        ("people", "responded", ["yes", "no"]),
        ("trust_items", "reverse", ["yes", "no"]),
        ("interactions", "kind", ["post", "reply", "mention", "edit", "view", "message", "comment"]),
    ],
)
def test_dropdowns(wb: openpyxl.Workbook, sheet: str, column: str, expected: list[str]) -> None:
    assert validation_for(wb[sheet], column) == expected


@pytest.mark.parametrize("item", [i.item for i in TRUST_ITEM_BANK])
def test_likert_dropdown_on_every_trust_item(wb: openpyxl.Workbook, item: str) -> None:
    assert validation_for(wb["trust"], item) == [str(k) for k in LIKERT_LABELS]


def test_numeric_ranges_and_extent(wb: openpyxl.Workbook) -> None:
    assert validation_for(wb["people"], "level") == ["whole"]
    assert validation_for(wb["ties"], "weight") == ["decimal"]
    dv = wb["ties"].data_validations.dataValidation[0]
    assert f"{VALIDATION_ROWS + 1}" in str(dv.sqref)
    assert validation_for(wb["ties"], "topic") == []


def test_headers_are_styled_and_columns_readable(wb: openpyxl.Workbook) -> None:
    ws = wb["people"]
    assert ws["A1"].font.b and ws["B1"].font.b
    assert ws["A1"].fill.fgColor.rgb != ws["B1"].fill.fgColor.rgb  # required columns stand out
    assert ws.column_dimensions["B"].width >= 20
    assert ws.freeze_panes == "A2"


def test_instructions_describe_every_sheet(wb: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for row in wb["instructions"].iter_rows() for c in row if c.value)
    for sheet in SHEETS:
        assert sheet.description in text
    assert "Delete the two grey example rows" in text


def test_survey_questions_hold_every_wording(wb: openpyxl.Workbook) -> None:
    text = survey_text(wb)
    for item in TRUST_ITEM_BANK:
        assert item.wording in text
    for explanation in LEARNING_TYPES.values():
        assert explanation in text
    for question in NAME_GENERATOR_QUESTIONS.values():
        assert question in text
    for label in LIKERT_LABELS.values():
        assert label in text
    for wording in WORK_KIND_WORDING.values():
        assert wording in text
    assert "rate your current level" in text


def test_survey_questions_map_to_template_columns(wb: openpyxl.Workbook) -> None:
    for q in survey_questions():
        if "." in q.goes_to and ":" not in q.goes_to:
            sheet, column = q.goes_to.split(".")
            assert column in header(wb[sheet]), q.goes_to


def test_cli_writes_the_template(tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    assert cli_main(["template", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "instructions"


def test_the_template_loads_without_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    try:
        ds = loader.load_path(path)
    except DataError as err:  # pragma: no cover - shows the findings when it fails
        pytest.fail("\n".join(f.line() for f in err.findings))
    assert [f.line() for f in ds.findings if f.severity != "note"] == []
    assert len(ds.people) == 2 and len(ds.ties) == 2
    assert len(ds.learning) == 10 and len(ds.trust) == 2 * len(TRUST_ITEM_BANK)
    assert {"ps1", "ks4"} <= set(ds.trust_items["item"])


def test_learning_questions_use_the_framework_definitions() -> None:
    """Issue 17: IOL is internal updates (Hart), not 'learning from colleagues'; GDL includes
    coaching pairs; ASL is asked as occasions, since it happens without consciously realizing it."""
    qs = {q.code: q for q in survey_questions() if q.section == "How you learn"}
    assert "up to date and up to speed on strategic and other internal initiatives" in qs["IOL"].question
    assert "working out loud" not in qs["IOL"].question
    assert "two people working together in a coaching and mentoring capacity" in qs["GDL"].question
    assert "without consciously realizing it" in qs["ASL"].question
    assert "how many times" in qs["ASL"].question and "hours" not in qs["ASL"].question
    assert qs["ASL"].answer.startswith("Times") and qs["PDL"].answer.startswith("Hours")
