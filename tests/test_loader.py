"""The loader: every bad input yields a finding naming the sheet, the Excel row, the column as
written and the value; good inputs give canonical tables. Bad files are built in fixtures_bad."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.core.dataset import normalise_id
from lib.core.errors import DataError, Finding
from lib.core.schema import DEFAULT_LIMITS
from lib.intake import loader, parser_child, parsing
from lib.intake.loader import MAX_FINDINGS_PER_CHECK, load_files, load_path
from tests import fixtures_bad as fx

DATA = Path(__file__).resolve().parent / "data"


def findings_of(files: list[tuple[str, bytes]], limits=DEFAULT_LIMITS) -> list[Finding]:
    with pytest.raises(DataError) as info:
        load_files(files, limits)
    return info.value.findings


def one(findings: list[Finding], **where: object) -> Finding:
    """The single finding whose fields equal ``where`` (message: substring)."""
    msg = str(where.pop("message", ""))
    hits = [f for f in findings if msg in f.message and all(getattr(f, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} findings match {where} {msg!r}:\n" + "\n".join(
        f.line() for f in findings
    )
    return hits[0]


# --- good inputs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good():
    return load_files([("org.xlsx", fx.good_workbook())])


def test_good_workbook_loads_every_sheet(good) -> None:
    assert good.summary() == {
        "people": 6,
        "ties": 5,
        "learning": 9,
        "interactions": 3,
        "trust": 5,
        "trust_items": 16,
        "work": 1,
        "skills": 2,
        "role_skills": 1,
    }
    assert good.source == "org.xlsx"
    assert [f.severity for f in good.findings] == ["note"]  # the unknown channel


def test_people_dtypes_and_text_kept_as_written(good) -> None:
    p = good.people.set_index("person_id")
    assert list(good.people.columns[:10]) == [
        "person_id",
        "name",
        "team",
        "department",
        "role",
        "level",
        "manager_id",
        "location",
        "tenure_years",
        "responded",
    ]
    assert str(good.people["level"].dtype) == "Int64"
    assert str(good.people["responded"].dtype) == "boolean"
    assert good.people["tenure_years"].dtype == float
    assert p.loc["6", "name"] == "NA"  # not turned into a missing value
    assert p.loc["1", "manager_id"] == ""  # blank manager = the top
    assert p.loc["5", "manager_id"] == "4"
    assert not p.loc["3", "responded"]
    # an extra column becomes a custom attribute; "007" keeps its leading zeros
    assert good.custom_attributes == ["site code"]
    assert list(p["site code"]) == ["007", "007", "008", "008", "008", "009"]


def test_ties_enumerations_and_defaults(good) -> None:
    t = good.ties
    assert list(t["relation"]) == ["advice", "advice", "information", "trust", "mentoring"]  # custom kept
    assert list(t["weight"]) == [2.0, 1.0, 1.0, 1.0, 1.0]  # blank weight = 1
    assert list(t["learning_type"]) == ["IOL", "IOL", "GDL", "", ""]
    assert list(t["mode"]) == ["flow", "flow", "stock", "", ""]
    assert list(t["wave"]) == [""] * 5


def test_learning_wide_becomes_long(good) -> None:
    lr = good.learning
    assert list(lr.columns) == ["person_id", "wave", "learning_type", "hours"]
    by = lr.set_index(["person_id", "learning_type"])["hours"]
    assert by[("1", "IOL")] == 5 and by[("1", "FSL")] == 0  # a zero is an answer
    assert ("2", "GDL") not in by.index  # a blank is not
    assert len(lr) == 9


def test_interactions_mode_from_channel(good) -> None:
    ev = good.interactions
    assert list(ev["mode"]) == ["stock", "flow", ""]
    assert list(ev["target_id"]) == ["", "1", "2"]  # blank target = broadcast
    assert ev["timestamp"].iloc[1] == pd.Timestamp("2026-03-02 10:00")
    note = one(good.findings, sheet="interactions", message="not classed as stock or flow")
    assert "carrier pigeon" in note.message


def test_trust_long_with_custom_item(good) -> None:
    tr = good.trust
    assert list(tr.columns) == ["person_id", "wave", "item", "value"]
    assert sorted(zip(tr["person_id"], tr["item"], tr["value"], strict=True)) == [
        ("1", "ks1", 4.0),
        ("1", "psych_safety", 3.0),
        ("1", "tr2", 5.0),
        ("2", "ks1", 2.0),
        ("2", "psych_safety", 4.0),
    ]
    items = good.trust_items.set_index("item")
    assert items.loc["psych_safety", "dimension"] == "trust"
    assert items.loc["ks3", "reverse"]


def test_skills_source_lower_case(good) -> None:
    assert list(good.skills["source"]) == ["self", "manager"]
    assert list(good.skills["level"]) == [4.0, 2.5]


@pytest.mark.parametrize("raw", [1, 1.0, "1", " 1 ", "1.0"])
def test_id_spellings_are_one_person(raw: object) -> None:
    rows = [["person_id"], [raw], [2]]
    ties = [["source_id", "target_id", "relation"], [2, 1, "advice"]]
    ds = load_files([("org.xlsx", fx.xlsx({"people": rows, "ties": ties}))])
    assert list(ds.people["person_id"]) == ["1", "2"] == [normalise_id(raw), "2"]
    assert list(ds.ties["target_id"]) == ["1"]


def test_csv_ids_keep_leading_zeros() -> None:
    people = fx.csv_bytes([["person_id", "name"], ["007", "Bond"], ["7", "Seven"]])
    ties = fx.csv_bytes([["source_id", "target_id", "relation"], ["007", "7", "advice"]])
    ds = load_files([("people.csv", people), ("ties.csv", ties)])
    assert list(ds.people["person_id"]) == ["007", "7"]
    assert list(ds.ties[["source_id", "target_id"]].iloc[0]) == ["007", "7"]


def test_csv_text_na_none_null_stay_text() -> None:
    people = fx.csv_bytes([["person_id", "name", "team"], ["1", "NA", "None"], ["2", "null", ""]])
    ds = load_files([("people.csv", people)])
    assert list(ds.people["name"]) == ["NA", "null"]
    assert list(ds.people["team"]) == ["None", ""]


# --- real data ----------------------------------------------------------------------------------


def test_krackhardt_loads_from_folder() -> None:
    ds = load_path(DATA / "krackhardt_hightech")
    assert (len(ds.people), len(ds.ties)) == (21, 312)
    assert not [f for f in ds.findings if f.severity != "note"]
    assert sorted(set(ds.people["department"])) == ["0", "1", "2", "3", "4"]  # text, not numbers
    assert str(ds.people["level"].dtype) == "Int64" and set(ds.people["level"]) == {1, 2, 3}
    assert ds.relations == ["advice", "friendship", "reports_to"]
    assert ds.ties.groupby("relation").size().to_dict() == {
        "advice": 190,
        "friendship": 102,
        "reports_to": 20,
    }
    assert "level_label" in ds.custom_attributes and "age" in ds.custom_attributes


def test_lazega_loads_from_folder() -> None:
    ds = load_path(DATA / "lazega_lawfirm")
    assert len(ds.people) == 71
    assert len(ds.ties) == 892 + 575 + 756
    assert not [f for f in ds.findings if f.severity == "error"]
    assert set(ds.people["location"]) == {"Boston", "Hartford", "Providence"}  # office → location
    assert {"status", "gender", "practice", "law_school", "seniority_rank"} <= set(ds.custom_attributes)
    one(ds.findings, file="ties_cowork_directed_uci.csv", message="ignored")


# --- CSV encodings and separators ---------------------------------------------------------------

PEOPLE_ROWS = [["person_id", "name"], ["1", "José Müller"], ["2", "Zoë"]]


@pytest.mark.parametrize(
    ("encoding", "sep", "note"),
    [
        ("utf-8", ",", None),
        ("utf-8-sig", ",", None),
        ("utf-16", ",", None),
        ("cp1252", ",", "Windows-1252"),
        ("utf-8", ";", "semicolon"),
        ("utf-8-sig", "\t", "tab"),
        ("utf-8", "|", "pipe"),
    ],
)
def test_csv_encodings_and_separators(encoding: str, sep: str, note: str | None) -> None:
    ds = load_files([("people.csv", fx.csv_bytes(PEOPLE_ROWS, sep=sep, encoding=encoding))])
    assert list(ds.people["name"]) == ["José Müller", "Zoë"]
    notes = [f.message for f in ds.findings]
    if note:
        assert any(note in m for m in notes), notes
    else:
        assert notes == []


def test_csv_row_with_more_fields_than_header() -> None:
    data = b"person_id,name\n1,Ann\n2,Bob,extra\n3,Cy\n"
    f = one(findings_of([("people.csv", data)]), sheet="people", row=3)
    assert "3 fields" in f.message and "header has 2" in f.message and f.value == "3 fields"


def test_csv_row_numbers_count_quoted_newlines_and_blank_lines() -> None:
    data = b'\nperson_id,name,level\n1,"Ann\nSmith",1\n\n2,Bob,x\n'
    f = one(findings_of([("people.csv", data)]), column="level")
    assert (f.row, f.value) == (5, "x")  # blank line 1, header row 2, Ann row 3, blank row 4


def test_csv_date_in_number_column() -> None:
    people = fx.csv_bytes([["person_id", "tenure_years"], ["1", "2024-01-05"], ["2", "3,5"]], sep=";")
    fs = findings_of([("people.csv", people)])
    assert one(fs, row=2, column="tenure_years", value="2024-01-05").message == "A date in a number column"
    assert "decimal comma" in one(fs, row=3, column="tenure_years", value="3,5").message


# --- file-level problems ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("org.xlsx", b"", "empty"),
        ("people.csv", b"", "empty"),
        ("people.csv", b"\n\n  \n", "empty"),
        ("report.pdf", b"%PDF-1.4 ...", "Wrong file type"),
        ("org.ods", b"PK\x03\x04....", "Wrong file type"),
        ("org.xlsx", b"person_id,name\n1,Ann\n", "not a valid .xlsx"),
        ("people.csv", fx.good_workbook(), "with a .csv name"),
        (
            "org.xlsx",
            fx.password_protected(),
            "password-protected (an encrypted workbook)",
        ),
        ("org.xls", fx.password_protected(), "password-protected (an encrypted workbook)"),
        ("org.xlsx", fx.truncated_workbook(), "corrupt or truncated"),
        ("org.xlsx", fx.docx_like(), "not an Excel workbook"),
        ("org.zip", fx.zip_of({}), "empty"),
    ],
    ids=[
        "empty-xlsx",
        "empty-csv",
        "blank-csv",
        "pdf",
        "ods",
        "csv-as-xlsx",
        "xlsx-as-csv",
        "password",
        "xls",
        "truncated",
        "docx",
        "empty-zip",
    ],
)
def test_unreadable_files(name: str, data: bytes, message: str) -> None:
    fs = findings_of([(name, data)])
    f = one(fs, severity="error", message=message)
    assert f.file == name and f.hint


def test_a_damaged_csv_inside_a_zip_names_the_member_and_blames_the_zip() -> None:
    """A zip whose ties member's compressed bytes are damaged: one error naming that member, with
    a hint about the zip (not the workbook hint "save it again as .xlsx"); the other members load."""
    ties = fx.csv_bytes(fx.GOOD["ties"] * 40)  # long enough to compress into a few blocks
    data = bytearray(fx.zip_of({"people.csv": fx.csv_bytes(fx.GOOD["people"]), "ties.csv": ties}))
    start = data.index(b"ties.csv") + len("ties.csv")  # the local header's name, then the data
    for k in range(start + 20, start + 60):
        data[k] ^= 0xFF
    fs = findings_of([("org.zip", bytes(data))])
    f = one(fs, severity="error", message="corrupt or truncated")
    assert f.file == "org.zip/ties.csv"
    assert "zip" in f.hint and ".xlsx" not in f.hint


def test_corrupt_sheet_data_is_one_clear_error() -> None:
    fs = findings_of([("org.xlsx", fx.corrupt_sheet_workbook())])
    errors = [f for f in fs if f.severity == "error"]
    assert len(errors) == 1 and "corrupt" in errors[0].message and errors[0].file == "org.xlsx"


def test_hidden_sheets_are_ignored_with_a_note() -> None:
    data = fx.xlsx(fx.with_changes(skills=fx.GOOD["skills"]), hidden=["skills"])
    ds = load_files([("org.xlsx", data)])
    assert len(ds.skills) == 0
    one(ds.findings, severity="note", sheet="skills", message="Hidden sheet")


def test_hidden_people_sheet_means_people_is_missing() -> None:
    fs = findings_of([("org.xlsx", fx.xlsx(fx.GOOD, hidden=["people"]))])
    one(fs, severity="note", sheet="people", message="Hidden sheet")
    one(fs, severity="error", message="Missing required sheet 'people'")


def test_unknown_sheet_and_columns_noted() -> None:
    sheets = fx.with_changes(work=[["person_id", "simple", "mood"], [1, 0.5, "ok"]])
    sheets["Notes"] = [["anything"]]
    ds = load_files([("org.xlsx", fx.xlsx(sheets))])
    one(ds.findings, severity="note", sheet="Notes", message="not one this dashboard reads")
    one(ds.findings, severity="note", sheet="work", column="mood", message="not used")


# --- limits: checked before parsing -------------------------------------------------------------


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything reaches the parser with a job."""

    def refuse(jobs, limits, started=None):
        assert not jobs, f"parsed although the plan should have rejected it: {jobs}"
        return parsing.ParseOutput()

    monkeypatch.setattr(loader, "parse_isolated", refuse)


def test_zip_bomb_rejected_quickly_before_parsing(no_parsing: None) -> None:
    data = fx.zip_bomb_workbook(300)  # 300 MB of zeros in ~0.3 MB
    assert len(data) < 2_000_000
    started = time.perf_counter()
    fs = findings_of([("bomb.xlsx", data)])
    assert time.perf_counter() - started < 5
    f = one(fs, severity="error", message="zip bomb")
    assert "xl/worksheets/sheet1.xml" in f.message and "300 MB" in f.message


def test_declared_huge_uncompressed_size_rejected(no_parsing: None) -> None:
    f = one(findings_of([("huge.xlsx", fx.declared_huge_workbook())]), severity="error")
    assert "Uncompressed content is 4,096 MB" in f.message


def test_stray_cell_at_xfd1048576_rejected(no_parsing: None) -> None:
    started = time.perf_counter()
    fs = findings_of([("stray.xlsx", fx.stray_cell_workbook())])
    assert time.perf_counter() - started < 5
    f = one(fs, severity="error", sheet="people")
    assert f.value == "XFD1048576" and "XFD1048576" in f.message and "Ctrl+End" in f.hint


def test_row_limit_for_sheets_before_parsing(no_parsing: None) -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, max_rows=10)
    rows = [["person_id"], *[[i] for i in range(20)]]
    f = one(findings_of([("org.xlsx", fx.xlsx({"people": rows}))], limits), severity="error", sheet="people")
    assert f.value == "A21"


def test_row_limit_for_csv_files_and_zip_members() -> None:
    """A CSV's lines are counted by the parser child, which reads the file anyway: too many lines
    is one error naming the file and sheet, and the file is not read further (no other finding
    about it); a file at the limit (a header and ``max_rows`` rows) loads."""
    limits = dataclasses.replace(DEFAULT_LIMITS, max_rows=10)
    over = fx.csv_bytes([["person_id", "team"], *[[f"p{i}", "=1+1"] for i in range(20)]])
    for name, data in [("people.csv", over), ("org.zip", fx.zip_of({"people.csv": over}))]:
        fs = findings_of([(name, data)], limits)
        f = one(fs, severity="error", message="more than the limit of 10 rows")
        assert f.sheet == "people" and "21 lines" in f.message
        assert f.file.endswith("people.csv"), f.file
        assert [g for g in fs if g is not f and g.sheet == "people"] == []
    at_limit = fx.csv_bytes([["person_id"], *[[f"p{i}"] for i in range(10)]])
    assert len(load_files([("people.csv", at_limit)], limits).people) == 10


def test_zip_member_ratio_and_size_limits(no_parsing: None) -> None:
    bomb = fx.zip_of({"people.csv": b"person_id\n" + b"1\n" * 5_000_000})
    f = one(findings_of([("org.zip", bomb)]), severity="error", message="zip bomb")
    assert "people.csv" in f.message
    limits = dataclasses.replace(DEFAULT_LIMITS, max_upload_bytes=100)
    one(
        findings_of([("org.xlsx", fx.good_workbook())], limits),
        severity="error",
        message="more than the 100 bytes limit",
    )


# --- isolation: the child process --------------------------------------------------------------


def test_memory_limit_makes_a_clear_finding_not_a_crash() -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, parse_memory_bytes=450 * 2**20)
    small = load_files([("people.csv", b"person_id\n1\n2\n")], limits)  # the limit leaves room to work
    assert len(small.people) == 2
    fs = findings_of([("people.csv", b"person_id\n1\n"), ("ties.csv", fx.big_ties_csv(2_000_000))], limits)
    f = one(fs, severity="error", message="memory limit")
    assert "ties.csv" in f.file


def test_time_limit_stops_a_slow_parse() -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, parse_seconds=1)
    started = time.perf_counter()
    fs = findings_of([("slow.xlsx", fx.slow_workbook(30_000))], limits)
    # The 1 s limit plus the child's start; generous because CI machines may be busy.
    assert time.perf_counter() - started < 30
    f = one(fs, severity="error", message="longer than the 1 s limit")
    assert f.file == "slow.xlsx"


def test_used_range_reads_cells_not_the_dimension_element() -> None:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(fx.xlsx({"people": [["person_id", "x"], [1, None, None, "far"]]}))) as zf:
        assert parsing.used_range(zf, "xl/worksheets/sheet1.xml") == (2, 4)


@pytest.mark.parametrize(("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("XFD", 16384)])
def test_column_letters_round_trip(letters: str, number: int) -> None:
    assert parsing.column_number(letters) == number
    assert parsing.column_letters(number) == letters


# --- row-level problems -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ten_mistakes() -> list[Finding]:
    return findings_of([("ten.xlsx", fx.ten_mistakes_workbook())])


@pytest.mark.parametrize(("sheet", "row", "column", "value"), fx.TEN_MISTAKES)
def test_each_mistake_is_located(
    ten_mistakes: list[Finding], sheet: str, row: int, column: str, value: str
) -> None:
    f = one(ten_mistakes, severity="error", sheet=sheet, row=row, column=column)
    assert f.value == value and f.hint and f.file == "ten.xlsx"


def test_ten_mistakes_are_all_reported_errors_first(ten_mistakes: list[Finding]) -> None:
    assert len([f for f in ten_mistakes if f.severity == "error"]) == 10
    order = [f.severity for f in ten_mistakes]
    assert order == sorted(order, key=["error", "warning", "note"].index)


@pytest.mark.parametrize(
    ("sheet", "rows", "row", "column", "value", "message"),
    [
        ("people", [["person_id", "level"], [1, 0]], 2, "level", "0", "between 1 and 20"),
        ("people", [["person_id", "responded"], [1, "perhaps"]], 2, "responded", "perhaps", "yes or no"),
        ("skills", [["person_id", "skill", "level"], [1, "sql", -1]], 2, "level", "-1", "between 0 and 5"),
        ("skills", [["person_id", "skill", "level"], [1, None, 3]], 2, "skill", "", "Missing skill"),
        (
            "skills",
            [["person_id", "skill", "level", "source"], [1, "sql", 3, "boss"]],
            2,
            "source",
            "boss",
            "expected one of self",
        ),
        ("trust", [["person_id", "ks1"], [1, 0]], 2, "ks1", "0", "between 1 and 5"),
        ("trust", [["person_id", "ks1"], [1, "#REF!"]], 2, "ks1", "#REF!", "Excel error"),
        (
            "learning",
            [["person_id", "learning_type", "hours"], [1, "XYZ", 2]],
            2,
            "learning_type",
            "XYZ",
            "expected one of IOL",
        ),
        (
            "learning",
            [["person_id", "learning_type", "hours"], [1, "iol", dt.date(2024, 1, 1)]],
            2,
            "hours",
            "2024-01-01",
            "A date",
        ),
        (
            "work",
            [["person_id", "simple", "complex"], [1, -0.1, 0.5]],
            2,
            "simple",
            "-0.1",
            "cannot be negative",
        ),
        (
            "role_skills",
            [["role", "skill", "required_level"], ["analyst", "sql", 6]],
            2,
            "required_level",
            "6",
            "between 0 and 5",
        ),
        (
            "ties",
            [["source_id", "target_id", "relation", "weight"], [1, 2, "advice", -1]],
            2,
            "weight",
            "-1",
            "greater than 0",
        ),
        (
            "ties",
            [["source_id", "target_id", "relation"], [1, 2, None]],
            2,
            "relation",
            "",
            "Missing relation",
        ),
        (
            "ties",
            [["source_id", "target_id", "relation", "mode"], [1, 2, "advice", "liquid"]],
            2,
            "mode",
            "liquid",
            "stock, flow",
        ),
        (
            "interactions",
            [["timestamp", "source_id", "channel"], ["last tuesday", 1, "chat"]],
            2,
            "timestamp",
            "last tuesday",
            "Not a date",
        ),
        (
            "interactions",
            [["timestamp", "source_id", "channel"], ["2026-01-01", 1, None]],
            2,
            "channel",
            "",
            "Missing channel",
        ),
        ("trust", [["person_id", "ks1"], [77, 3]], 2, "person_id", "77", "Unknown person"),
        ("work", [["person_id", "simple"], [77, 1]], 2, "person_id", "77", "Unknown person"),
    ],
)
def test_value_checks(sheet: str, rows: fx.Rows, row: int, column: str, value: str, message: str) -> None:
    fs = findings_of([("org.xlsx", fx.xlsx(fx.with_changes(**{sheet: rows})))])
    f = one(fs, severity="error", sheet=sheet, row=row, column=column, message=message)
    assert f.value == value


def test_missing_required_column_names_accepted_headers() -> None:
    fs = findings_of([("org.xlsx", fx.xlsx(fx.with_changes(people=[["name"], ["Ann"]])))])
    f = one(fs, severity="error", sheet="people", column="person_id", message="Missing required column")
    assert "employee_id" in f.hint and "email" in f.hint


def test_missing_people_sheet() -> None:
    sheets = fx.with_changes(people=[])
    f = one(
        findings_of([("org.xlsx", fx.xlsx(sheets))]),
        severity="error",
        message="Missing required sheet 'people'",
    )
    assert "person_id" in f.hint


def test_people_sheet_with_header_only() -> None:
    one(
        findings_of([("org.xlsx", fx.xlsx({"people": [["person_id"]]}))]),
        severity="error",
        message="no data rows",
    )


def test_reporting_cycle_is_one_error_naming_the_chain() -> None:
    people = [["id", "manager"], [1, None], [2, 4], [3, 2], [4, 3], [5, 5]]
    fs = findings_of([("org.xlsx", fx.xlsx({"people": people}))])
    cycle = one(fs, severity="error", message="Reporting cycle")
    assert (cycle.sheet, cycle.row, cycle.column) == ("people", 3, "manager")
    assert "2 → 4 → 3 → 2" in cycle.message
    one(fs, severity="error", row=6, value="5", message="their own manager")


def test_self_ties_dropped_and_duplicates_summed() -> None:
    ties = [
        ["source_id", "target_id", "relation", "weight"],
        [2, 2, "advice", 1],
        [2, 1, "advice", 1],
        [2, 1, "Advice", 3],
        [2, 1, "trust", 1],
    ]
    ds = load_files([("org.xlsx", fx.xlsx(fx.with_changes(ties=ties)))])
    assert list(zip(ds.ties["relation"], ds.ties["weight"], strict=True)) == [("advice", 4.0), ("trust", 1.0)]
    one(ds.findings, severity="warning", row=2, column="target_id", message="Self-tie")
    one(ds.findings, severity="warning", row=4, column="source_id", message="Duplicate tie")


def test_findings_per_check_are_capped_with_a_summary() -> None:
    ties = [["source_id", "target_id", "relation"], *[[1, 1000 + i, "advice"] for i in range(120)]]
    fs = findings_of([("org.xlsx", fx.xlsx(fx.with_changes(ties=ties)))])
    unknown = [f for f in fs if f.sheet == "ties" and f.column == "target_id"]
    assert len(unknown) == MAX_FINDINGS_PER_CHECK + 1
    summary = unknown[-1]
    assert (
        summary.message.startswith("… and 70 more rows like this")
        and summary.row == 2 + MAX_FINDINGS_PER_CHECK
    )


def test_duplicate_and_blank_ids_in_csv() -> None:
    data = fx.csv_bytes([["Employee ID", "name"], ["a1", "Ann"], ["", "Nobody"], ["a1", "Ann again"]])
    fs = findings_of([("employees.csv", data)])
    one(fs, sheet="employees", row=3, column="Employee ID", message="Blank person_id")
    dup = one(fs, sheet="employees", row=4, column="Employee ID", value="a1")
    assert "already used in row 2" in dup.message


def test_trust_unknown_item_warns_and_text_column_is_skipped() -> None:
    trust = [["person_id", "ks1", "engagement", "comment"], [1, 4, 3, "fine"], [2, 5, 4, "good"]]
    ds = load_files([("org.xlsx", fx.xlsx(fx.with_changes(trust=trust)))])
    one(
        ds.findings,
        severity="warning",
        sheet="trust",
        column="engagement",
        message="not in the built-in bank",
    )
    one(ds.findings, severity="note", sheet="trust", column="comment")
    assert sorted(set(ds.trust["item"])) == ["engagement", "ks1"]


def test_interactions_with_people_outside_the_roster_are_left_out() -> None:
    events = [
        ["timestamp", "source_id", "channel", "target_id"],
        ["2026-01-01", 1, "chat", 2],
        ["2026-01-02", "bot", "chat", 2],
        ["2026-01-03", 1, "email", "guest"],
    ]
    ds = load_files([("org.xlsx", fx.xlsx(fx.with_changes(interactions=events)))])
    assert list(ds.interactions["source_id"]) == ["1"]
    w = one(ds.findings, severity="warning", sheet="interactions", column="source_id")
    assert (w.row, w.value) == (3, "bot")


def test_header_below_title_rows_and_leading_blank_rows() -> None:
    people = [["Staff list 2026"], [], ["person_id", "tenure_years"], [1, 2], [2, "long"]]
    fs = findings_of([("org.xlsx", fx.xlsx({"people": people}))])
    one(fs, severity="error", row=5, column="tenure_years", value="long")
    one(fs, severity="note", row=3, message="above the header row")


def test_duplicate_header_meaning_prefers_the_canonical_name() -> None:
    people = [["email", "person_id"], ["a@x", 1], ["b@x", 2]]
    ds = load_files([("org.xlsx", fx.xlsx({"people": people}))])
    assert list(ds.people["person_id"]) == ["1", "2"]
    one(ds.findings, severity="warning", column="email", message="also means person_id")


# --- several files ------------------------------------------------------------------------------


def test_zip_of_csvs_and_folder_of_csvs_give_the_same_dataset(tmp_path: Path) -> None:
    members = {
        "export/people.csv": fx.csv_bytes([["person_id", "team"], ["1", "A"], ["2", "B"]]),
        "export/ties.csv": fx.csv_bytes([["source", "target", "relation"], ["1", "2", "advice"]]),
        "__MACOSX/export/._people.csv": b"\x00\x05junk",
    }
    from_zip = load_files([("export.zip", fx.zip_of(members))])
    for name, data in members.items():
        if not name.startswith("__MACOSX"):
            (tmp_path / Path(name).name).write_bytes(data)
    from_dir = load_path(tmp_path)
    assert from_zip.fingerprint() == from_dir.fingerprint()
    assert (len(from_zip.people), len(from_zip.ties)) == (2, 1)


def test_findings_in_zip_name_the_member() -> None:
    members = {"people.csv": b"person_id\n1\n", "ties.csv": b"source_id,target_id,relation\n1,9,advice\n"}
    f = one(findings_of([("org.zip", fx.zip_of(members))]), severity="error", sheet="ties")
    assert (f.file, f.row, f.column, f.value) == ("org.zip/ties.csv", 2, "target_id", "9")


def test_several_workbooks_are_waves() -> None:
    w1 = fx.xlsx(
        {"people": [["person_id", "team"], [1, "A"], [2, None]], "trust": [["person_id", "ks1"], [1, 2]]}
    )
    w2 = fx.xlsx(
        {
            "people": [["person_id", "team"], [2, "B"], [3, "C"]],
            "trust": [["person_id", "ks1", "wave"], [2, 4, None], [3, 5, "special"]],
        }
    )
    ds = load_files([("2025-Q1.xlsx", w1), ("2026-Q1.xlsx", w2)])
    assert dict(zip(ds.people["person_id"], ds.people["team"], strict=True)) == {"1": "A", "2": "B", "3": "C"}
    assert sorted(zip(ds.trust["person_id"], ds.trust["wave"], strict=True)) == [
        ("1", "2025-Q1"),
        ("2", "2026-Q1"),
        ("3", "special"),
    ]
    assert ds.waves == ["2025-Q1", "2026-Q1", "special"]


def test_every_problem_in_several_files_is_collected() -> None:
    files = [
        ("people.csv", b"person_id\n1\n1\n"),
        ("ties.csv", b"source_id,target_id,relation\n1,2,advice\n"),
        ("broken.xlsx", fx.truncated_workbook()),
    ]
    fs = findings_of(files)
    assert {(f.file, f.row) for f in fs if f.severity == "error"} == {
        ("people.csv", 3),
        ("ties.csv", 2),
        ("broken.xlsx", None),
    }


def test_load_path_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="File not found"):
        load_path(tmp_path / "org.xlsx")
    (tmp_path / "README.md").write_text("notes")
    with pytest.raises(DataError, match=r"no \.csv, \.xlsx or \.zip"):
        load_path(tmp_path)


def test_second_file_for_a_sheet_is_ignored_with_a_warning() -> None:
    ds = load_files([("people.csv", b"person_id\n1\n"), ("employees.csv", b"person_id\n2\n")])
    assert list(ds.people["person_id"]) == ["1"]
    one(ds.findings, severity="warning", file="employees.csv", message="only people.csv is read")


def test_csv_with_an_unclosed_quote() -> None:
    f = one(
        findings_of([("people.csv", b'person_id,name\n1,"Ann\n2,Bob\n')]), severity="error", sheet="people"
    )
    assert "cannot be split into columns" in f.message and "double quote" in f.hint


def test_waves_with_different_columns_fill_text_with_blanks() -> None:
    w1 = fx.xlsx(
        {
            "people": [["person_id", "age"], [1, 30]],
            "ties": [["source_id", "target_id", "relation", "topic"], [1, 2, "advice", "x"]],
        }
    )
    w2 = fx.xlsx(
        {
            "people": [["person_id", "site"], [2, "Rome"]],
            "ties": [["source_id", "target_id", "relation"], [2, 1, "advice"]],
        }
    )
    ds = load_files([("a.xlsx", w1), ("b.xlsx", w2)])
    assert list(ds.ties["topic"]) == ["x", ""] and list(ds.ties["wave"]) == ["a", "b"]
    assert list(ds.people["location"]) == ["", "Rome"] and str(ds.people["age"].dtype) == "Int64"


def test_repeated_header_prefilter_keeps_every_value_that_names_the_column() -> None:
    """The Arrow pre-check of repeated header rows keeps every value that normalises to one of the
    names (each ASCII character around and inside it, upper case, non-ASCII, missing) and drops
    the ones that cannot (ids, blanks), so the exact Python check still sees every true hit."""
    from lib.core.schema import normalise_name
    from lib.intake.headers import _may_normalise_to

    names = {"personid", "id"}
    values = [f"{chr(c)}Person{chr(c)}ID{chr(c)}" for c in range(128)]
    values += ["PERSON_ID", "person\u00a0id", "Pérson id", "P\u2003ID", "p001", "", "personi", "x-1"]
    keep = _may_normalise_to(pd.array([*values, None], dtype="str"), names)
    for value, kept in zip(values, keep, strict=False):
        assert kept or normalise_name(value) not in names, repr(value)
    assert keep[-1]  # missing: left to the exact check
    assert not keep[values.index("p001")] and not keep[values.index("")] and not keep[values.index("personi")]
    assert keep[values.index("person\u00a0id")]  # non-ASCII: left to the exact check


def test_prestarted_parser_child_is_used_once_and_an_unused_one_exits_cleanly(tmp_path: Path) -> None:
    """parse_isolated takes the child prestart() started (same limits) and loads exactly what a
    fresh child loads; a prestarted child with other limits is replaced, and one left without
    jobs exits with code 0 when its stdin closes."""
    path = tmp_path / "people.csv"
    path.write_text("person_id,team\n1,A\n2,B\n", encoding="utf-8")
    fresh = load_path(path)
    parsing.prestart(DEFAULT_LIMITS)
    child = parsing._PRESTARTED[0][1]
    again = load_path(path)
    assert not parsing._PRESTARTED and child.poll() is not None  # used, and finished
    assert again.people.equals(fresh.people)
    other = dataclasses.replace(DEFAULT_LIMITS, parse_seconds=DEFAULT_LIMITS.parse_seconds + 1)
    parsing.prestart(other)
    stale = parsing._PRESTARTED[0][1]
    assert load_path(path).people.equals(fresh.people)
    assert stale.wait(timeout=30) != 0 and not parsing._PRESTARTED  # other limits: killed, not used
    parsing.prestart(DEFAULT_LIMITS)
    unused = parsing._PRESTARTED.pop()[1]
    assert unused.stdin is not None
    unused.stdin.close()
    assert unused.wait(timeout=60) == 0
    for pipe in (unused.stdout, unused.stderr):
        if pipe is not None:
            pipe.close()
    answer = parser_child.answer_file(unused)  # its file in memory, never written: ours to close
    assert answer is not None and os.fstat(answer).st_size == 0
    os.close(answer)


def test_parse_path_calls_started_once_and_load_parsed_gives_load_paths_dataset(tmp_path: Path) -> None:
    """``parse_path(started=…)`` (the command line starts its imports then): called once, after the
    plan and before the parsed tables come back, for a file with jobs and for one without (an
    empty file, whose load then fails); ``load_parsed`` of the result is ``load_path``'s dataset."""
    path = tmp_path / "people.csv"
    path.write_text("person_id,team\n1,A\n\n2,B\n", encoding="utf-8")
    calls: list[str] = []
    parsed = parsing.parse_path(path, started=lambda: calls.append("planned"))
    assert calls == ["planned"]
    ds, expected = loader.load_parsed(parsed), load_path(path)
    assert ds.people.equals(expected.people) and ds.findings == expected.findings
    empty = tmp_path / "ties.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError):
        loader.load_parsed(parsing.parse_path(empty, started=lambda: calls.append("empty")))
    assert calls == ["planned", "empty"]
    with pytest.raises(DataError, match="File not found"):
        parsing.parse_path(tmp_path / "missing.csv", started=lambda: calls.append("missing"))
    assert calls == ["planned", "empty"]  # nothing to plan: no parse started


def _pandas_cells(data: bytes, sep: str) -> pd.DataFrame:
    """What the loader's pandas path reads from a CSV file's bytes (every cell text)."""
    import io

    return pd.read_csv(
        io.BytesIO(data),
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        encoding="utf-8",
        engine="c",
    )


@pytest.mark.parametrize(
    ("text", "sep"),
    [
        ("person_id,name,team\nE1,Ann,Sales\nE2,,\n", ","),
        ("a;b\n  x ; NA \nnull;nan\n#1;é€\n", ";"),
        ("a\tb\tc\n1.5\t\\\t'q'\n,\t \t", "\t"),
        ("a|b\nx|y", "|"),
        ("a,b\n\nx,y\n", ","),  # a blank line: a row of blank cells (the loader drops it, counting it)
    ],
)
def test_plain_csv_reader_gives_pandas_cells(text: str, sep: str) -> None:
    data = text.encode("utf-8")
    fast = parsing._read_plain_csv(data, sep)
    assert fast is not None
    expected = _pandas_cells(data, sep)
    assert list(fast.columns) == list(expected.columns)
    assert fast.dtypes.tolist() == expected.dtypes.tolist()
    assert fast.equals(expected)


@pytest.mark.parametrize(
    "text",
    [
        'a,b\n"x,y",z\n',  # quoted value: pandas reads it
        "a,b\r\nx,y\r\n",  # Windows line ends
        "a,b\nx,y,z\n",  # more fields than the header
        "a,b\nx\n",  # fewer fields
        "only\nx\n",  # one column
    ],
)
def test_plain_csv_reader_leaves_other_files_to_pandas(text: str) -> None:
    assert parsing._read_plain_csv(text.encode("utf-8"), ",") is None


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "2.5", "-0.0", "+3", ".5", "5.", "007", "0.1234567890123"],  # short: Arrow's cast
        ["1", "2.5", "123456789.123456789", "9007199254740993"],  # long: pandas
        ["1e5", "2.5E-3", "3"],  # an exponent: pandas
    ],
)
def test_plain_numbers_read_as_pandas_reads_them(cells: list[str]) -> None:
    import numpy as np

    from lib.intake.cells import _plain_floats

    text = pd.Series(cells, dtype="str")
    got = _plain_floats(text)
    expected = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    assert np.array_equal(got.view(np.int64), expected.view(np.int64))  # bit for bit: -0.0 too


# --- the parser child reads plain CSV files without pandas ----------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELL = st.text(alphabet=["x", "é", " ", "\t", "\u00a0", "\u3000", "\x1c", "\u2028", "1"], max_size=3)


@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=12))
@settings(max_examples=200, deadline=None)
def test_plain_csv_columns_give_the_frame_and_rows_pandas_gives(table: list[list[str]]) -> None:
    data = "\n".join(",".join(row) for row in [["a", "b", "c"], *table]).encode("utf-8") + b"\n"
    plain = parsing._read_plain_columns(data, ",")
    assert plain is not None
    job = parsing.CsvJob("people.csv", "people", parsing.Blob(data=data))
    rows = np.arange(1, len(table) + 2) + 2
    arrow, pandas = parsing.ParseOutput(), parsing.ParseOutput()
    parsing._add_csv_columns(job, plain, rows, DEFAULT_LIMITS, arrow)
    parsing._add_csv_frame(job, plain.frame(), rows, DEFAULT_LIMITS, pandas)
    assert isinstance(arrow.sheets[0].frame, parsing.TextColumns)
    parsing.with_frames(arrow)
    pd.testing.assert_frame_equal(arrow.sheets[0].frame, pandas.sheets[0].frame, check_exact=True)
    np.testing.assert_array_equal(arrow.sheets[0].rows, pandas.sheets[0].rows)


def test_the_parser_child_reads_plain_csv_files_without_importing_pandas(tmp_path: Path) -> None:
    import pickle
    import subprocess
    import sys

    people = tmp_path / "people.csv"
    people.write_text("person_id,name\nE1,Ann\n ,\t\nE2,Bo\n")
    jobs, _ = parsing.plan(
        [parsing.Source("people.csv", parsing.Blob(path=str(people)), people.stat().st_size)], DEFAULT_LIMITS
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lib.intake.parsing", str(2**32), "60"],
        input=pickle.dumps((jobs, DEFAULT_LIMITS), protocol=5),
        capture_output=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.decode().splitlines() if "|" in line}
    assert "pyarrow.csv" in imported and "pandas" not in imported
    answer = parsing.with_frames(pickle.loads(done.stdout))
    (sheet,) = answer.sheets
    assert sheet.frame.values.tolist() == [["person_id", "name"], ["E1", "Ann"], ["E2", "Bo"]]
    assert sheet.rows.tolist() == [1, 2, 4]


def _open_files() -> list[str]:
    """What this process's open descriptors point at (Linux), a file in memory as ``/memfd:…``."""
    if not os.path.isdir("/proc/self/fd"):
        return []
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            continue
    return out


@pytest.mark.skipif(
    not hasattr(os, "memfd_create"), reason="the answer file in memory is Linux's memfd_create"
)
def test_a_prestarted_child_answers_through_a_file_in_memory_and_leaves_no_descriptor(tmp_path: Path) -> None:
    """The command line's prestarted child writes its answer to a file in memory (not the pipe):
    the tables are the ones a child answering through the pipe gives, the file is closed once
    read, and a child stopped by the time limit still becomes its one clear finding."""
    rows = [["person_id", "team", "level"], *[[f"p{i}", f"T{i % 7}", str(1 + i % 5)] for i in range(5000)]]
    ties = [
        ["source_id", "target_id", "relation"],
        *[[f"p{i % 5000}", f"p{(i * 7 + 1) % 5000}", "advice"] for i in range(8000)],
    ]
    path = tmp_path / "org.zip"
    path.write_bytes(fx.zip_of({"people.csv": fx.csv_bytes(rows), "ties.csv": fx.csv_bytes(ties)}))
    through_pipe = load_path(path)
    parsing.prestart(DEFAULT_LIMITS)
    child = parsing._PRESTARTED[0][1]
    assert child.pid in parser_child._ANSWER_FILES  # it was given the file
    files = sum("memfd:parser-answer" in f for f in _open_files())
    through_file = load_path(path)
    assert child.pid not in parser_child._ANSWER_FILES  # closed once read:
    assert sum("memfd:parser-answer" in f for f in _open_files()) == files - 1
    assert through_file.people.equals(through_pipe.people) and through_file.ties.equals(through_pipe.ties)
    slow = tmp_path / "slow.xlsx"
    slow.write_bytes(fx.slow_workbook(30_000))
    limits = dataclasses.replace(DEFAULT_LIMITS, parse_seconds=1)
    parsing.prestart(limits)
    stopped = parsing._PRESTARTED[0][1]
    with pytest.raises(DataError) as info:
        load_path(slow, limits)
    one(info.value.findings, severity="error", message="longer than the 1 s limit")
    assert stopped.pid not in parser_child._ANSWER_FILES
    assert sum("memfd:parser-answer" in f for f in _open_files()) == files - 1


def test_a_load_names_its_steps_in_order_and_gives_the_same_data() -> None:
    """``load_files(..., step=…)`` is told each step as it starts, in :data:`LOAD_STEPS`' order
    (the Data page's status box), and loads what a load without it loads; a load that fails
    reports the steps up to the failure, then raises."""
    from lib.intake.loader import LOAD_STEPS
    from lib.intake.sample import generate, write_dataset

    with tempfile.TemporaryDirectory() as tmp:
        data = write_dataset(generate(people=60, seed=4), Path(tmp) / "org.zip").read_bytes()
    seen: list[str] = []
    ds = load_files([("org.zip", data)], step=seen.append)
    assert seen == list(LOAD_STEPS)  # ties, interactions and the other sheets are all in the zip
    plain = load_files([("org.zip", data)])
    assert ds.summary() == plain.summary() and ds.ties.equals(plain.ties) and ds.people.equals(plain.people)
    only_people = fx.zip_of({"people.csv": fx.csv_bytes(fx.GOOD["people"])})
    seen.clear()
    load_files([("people.zip", only_people)], step=seen.append)
    assert [s for s in seen if s.startswith("checking the")] == [
        "checking the people",
        "checking the other sheets",
    ]
    seen.clear()
    with pytest.raises(DataError):
        load_files([("org.xlsx", fx.truncated_workbook())], step=seen.append)
    assert seen[:2] == list(LOAD_STEPS[:2])
