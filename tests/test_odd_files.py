"""The odd files real people send (issue 14): each one gives a finding with the sheet, the row as
Excel shows it, the column and words a facilitator can act on, and none raises.

``CASES`` is the table: input built here → severity, sheet, row, column, words. The property
tests at the end generate random tables of random cells and send them through the CSV and the
xlsx path: never an exception other than :class:`DataError`, and every cell either loaded
exactly as written or named by a finding.
"""

from __future__ import annotations

import csv as csv_module
import dataclasses
import datetime as dt
import io
import itertools
import json
import math
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.core.dataset import Dataset
from lib.core.errors import DataError, Finding
from lib.intake.loader import load_files
from tests import fixtures_bad as fx

ROOT = Path(__file__).resolve().parent.parent
Files = list[tuple[str, bytes]]
PEOPLE = [["person_id", "name"], ["1", "Ada"], ["2", "Ben"], ["3", "Cleo"]]


def load(files: Files) -> tuple[Dataset | None, list[Finding]]:
    """The dataset (None when errors stop it) and every finding; any other exception fails."""
    try:
        ds = load_files(files)
    except DataError as err:
        return None, err.findings
    return ds, ds.findings


def csvs(**sheets: fx.Rows) -> Callable[[], Files]:
    """CSV files, one per sheet; ``people`` defaults to three people."""
    return lambda: [
        (f"{name}.csv", fx.csv_bytes(rows)) for name, rows in {"people": PEOPLE, **sheets}.items()
    ]


def raw_csvs(**sheets: str | bytes) -> Callable[[], Files]:
    """CSV files given as text (or bytes) exactly; ``people`` defaults to three people."""
    texts = {"people": fx.csv_text(PEOPLE), **sheets}
    return lambda: [
        (f"{name}.csv", text if isinstance(text, bytes) else text.encode("utf-8"))
        for name, text in texts.items()
    ]


def book(**sheets: fx.Rows) -> Callable[[], Files]:
    """One workbook, one sheet per entry; ``people`` defaults to three people."""
    return lambda: [("org.xlsx", fx.xlsx({"people": PEOPLE, **sheets}))]


def named(name: str, data: Callable[[], bytes]) -> Callable[[], Files]:
    return lambda: [(name, data())]


@dataclass(frozen=True)
class Case:
    id: str
    files: Callable[[], Files]
    severity: str
    sheet: str
    row: int | None
    column: str
    words: tuple[str, ...]
    file: str = ""  # for findings about a whole file: the file it names


TIES = ["source_id", "target_id", "relation", "weight"]
EVENTS = ["timestamp", "source_id", "channel"]

CASES: list[Case] = [
    # --- tracebacks before: dates outside pandas' nanosecond range ---------------------------
    Case(
        "csv-date-9999",
        csvs(interactions=[EVENTS, ["2026-03-01", "1", "chat"], ["9999-12-31", "2", "chat"]]),
        "error",
        "interactions",
        3,
        "timestamp",
        ("out of range", "blank"),
    ),
    Case(
        "csv-date-0001",
        csvs(interactions=[EVENTS, ["0001-01-01 10:00", "1", "chat"]]),
        "error",
        "interactions",
        2,
        "timestamp",
        ("out of range",),
    ),
    Case(
        "xlsx-date-cell-9999",
        book(interactions=[EVENTS, [dt.datetime(9999, 12, 31), 1, "chat"]]),
        "error",
        "interactions",
        2,
        "timestamp",
        ("out of range", "9999-12-31"),
    ),
    Case(
        "xlsx-learning-date-9999",
        book(
            learning=[["person_id", "learning_type", "hours", "date"], [1, "IOL", 2, dt.date(9999, 12, 31)]]
        ),
        "error",
        "learning",
        2,
        "date",
        ("out of range",),
    ),
    Case(
        "xlsx-text-date-0001",
        book(interactions=[EVENTS, ["0001-01-01", 1, "chat"]]),
        "error",
        "interactions",
        2,
        "timestamp",
        ("out of range",),
    ),
    # --- infinite and overflowing numbers ------------------------------------------------------
    Case(
        "csv-weight-inf",
        csvs(ties=[TIES, ["1", "2", "advice", "inf"]]),
        "error",
        "ties",
        2,
        "weight",
        ("infinite",),
    ),
    Case(
        "csv-weights-1e308",
        csvs(ties=[TIES, ["1", "2", "advice", "1e308"], ["1", "2", "advice", "1e308"]]),
        "error",
        "ties",
        3,
        "weight",
        ("too large",),
    ),
    Case(
        "xlsx-weight-float-inf",
        book(ties=[TIES, [1, 2, "advice", 1e308], [2, 3, "advice", 1e300]]),
        "error",
        "ties",
        2,
        "weight",
        ("too large",),
    ),
    # --- missing-value words as ids: one rule ------------------------------------------------
    *[
        Case(
            f"csv-manager-id-{word}",
            csvs(people=[["person_id", "manager_id"], ["1", ""], ["2", word]]),
            "warning",
            "people",
            3,
            "manager_id",
            ("blank", "missing-value word"),
        )
        for word in ("NULL", "NA", "N/A", "nil", "None", "nan", "<NA>")
    ],
    Case(
        "xlsx-person-id-NULL",
        book(people=[["person_id", "name"], [1, "Ada"], ["NULL", "Ben"]]),
        "error",
        "people",
        3,
        "person_id",
        ("blank person_id", "missing-value word"),
    ),
    Case(
        "csv-tie-target-na",
        csvs(ties=[TIES, ["1", "N/A", "advice", "1"]]),
        "error",
        "ties",
        2,
        "target_id",
        ("blank target_id",),
    ),
    # --- one number parser for CSV and Excel text cells --------------------------------------
    *[
        Case(f"{kind}-{label}", build, severity, "ties", 2, "weight", words)
        for label, text, severity, words in (
            ("arabic-indic", "١٢", "warning", ("read as 12", "another script")),
            ("full-width", "１２", "warning", ("read as 12", "another script")),
            ("underscore", "1_000", "error", ("not a number",)),
            ("infinity-word", "Infinity", "error", ("infinite",)),
            ("nan-word", "nan", "warning", ("blank", "missing-value word")),
            ("point-thousand", "1.000", "warning", ("read as 1", "thousands")),
            ("decimal-comma", "1,5", "error", ("not a number", "decimal comma")),
        )
        for kind, build in (
            ("csv", raw_csvs(ties=f'source_id,target_id,relation,weight\n1,2,advice,"{text}"\n')),
            ("xlsx-text", book(ties=[TIES, [1, 2, "advice", text]])),
        )
    ],
    Case(
        "xlsx-hours-inf",
        named(
            "org.xlsx",
            lambda: _numeric_cell_text(
                "inf", {"learning": [["person_id", "learning_type", "hours"], [1, "IOL", 7777]]}
            ),
        ),
        "error",
        "learning",
        2,
        "hours",
        ("infinite",),
    ),
    Case(
        "csv-level-infinity",
        csvs(people=[["person_id", "level"], ["1", "1"], ["2", "-Infinity"]]),
        "error",
        "people",
        3,
        "level",
        ("infinite",),
    ),
    Case(
        "csv-skill-level-1e400",
        csvs(skills=[["person_id", "skill", "level"], ["1", "python", "1e400"]]),
        "error",
        "skills",
        2,
        "level",
        ("infinite",),
    ),
    Case(
        "csv-custom-attribute-inf",
        csvs(people=[["person_id", "score"], ["1", "1"], ["2", "inf"]]),
        "error",
        "people",
        3,
        "score",
        ("infinite",),
    ),
    # --- a header row repeated inside the data ------------------------------------------------
    Case(
        "csv-repeated-header",
        csvs(
            people=[["person_id", "name"], ["1", "Ada"], ["2", "Ben"], ["person_id", "name"], ["3", "Cleo"]]
        ),
        "warning",
        "people",
        4,
        "person_id",
        ("repeated header row", "dropped"),
    ),
    Case(
        "xlsx-repeated-header-with-alias",
        book(ties=[TIES, [1, 2, "advice", 1], ["From", "To", "Relation", "Weight"], [2, 3, "advice", 1]]),
        "warning",
        "ties",
        3,
        "source_id",
        ("repeated header row",),
    ),
    # --- messages that mislead ----------------------------------------------------------------
    Case(
        "xlsb",
        named("org.xlsb", lambda: _xlsb()),
        "error",
        "",
        None,
        "",
        ("binary workbook", ".xlsx"),
        "org.xlsb",
    ),
    Case(
        "xlsb-named-xlsx",
        named("org.xlsx", lambda: _xlsb()),
        "error",
        "",
        None,
        "",
        ("binary workbook", "save as"),
        "org.xlsx",
    ),
    Case(
        "biff-xls",
        named("old.xls", lambda: _ole("Workbook")),
        "error",
        "",
        None,
        "",
        ("97–2003", "save as"),
        "old.xls",
    ),
    Case(
        "encrypted-xlsx",
        named("locked.xlsx", lambda: _ole("EncryptedPackage")),
        "error",
        "",
        None,
        "",
        ("password-protected", "remove the password"),
        "locked.xlsx",
    ),
    Case(
        "html-as-xls",
        named("report.xls", lambda: b"<html><body><table><tr><td>person_id</td></tr></table></body></html>"),
        "error",
        "",
        None,
        "",
        ("web page", "save as"),
        "report.xls",
    ),
    Case(
        "strict-open-xml",
        named("strict.xlsx", lambda: _strict()),
        "error",
        "",
        None,
        "",
        ("strict open xml", "excel workbook (.xlsx)"),
        "strict.xlsx",
    ),
    Case(
        "csv-unterminated-quote",
        raw_csvs(ties='source_id,target_id,relation,weight\n1,2,advice,1\n2,3,"advice,1\n3,1,advice,1\n'),
        "error",
        "ties",
        3,
        "",
        ("never closes", "row 3"),
    ),
    Case(
        "xlsx-numeric-INF-cell",
        named("org.xlsx", lambda: _numeric_cell_text("INF")),
        "error",
        "ties",
        2,
        "weight",
        ("infinite",),
    ),
    Case(
        "xlsx-numeric-garbage-cell",
        named("org.xlsx", lambda: _numeric_cell_text("12abc")),
        "error",
        "ties",
        2,
        "weight",
        ("not a number",),
    ),
]


# --- issue 14, the rest: formulas, look-alike ids, title blocks, wave folders, dates, id schemes --
NOTES = ["person_id", "name", "team"]
ZW, NBSP, BOM = "\u200b", "\u00a0", "\ufeff"
E_NFD = "E\u0301"  # E + combining acute accent: looks like É (NFC "\u00c9")
LEARN = ["person_id", "learning_type", "hours", "date"]
TITLE_BLOCK: fx.Rows = [["Network"], ["Exported from the HR system"], *[[None]] * 10]

CASES += [
    # --- formulas without a calculated value (written by openpyxl: <f> and an empty <v>) --------
    Case(
        "xlsx-formula-team-column",
        book(people=[NOTES, [1, "Ada", "Core"], [2, "Ben", '=UPPER("ops")']]),
        "error",
        "people",
        3,
        "team",
        ("formula without a calculated value", "reads as blank", "save it", "export the values"),
    ),
    Case(
        "xlsx-formula-learning-hours",
        book(learning=[LEARN[:3], [1, "IOL", "=2*3"], [2, "GDL", 4]]),
        "error",
        "learning",
        2,
        "hours",
        ("never calculated", "=2*3"),
    ),
    Case(
        "xlsx-formula-in-header",
        book(people=[["person_id", "name", '="team"'], [1, "Ada", "Core"]]),
        "error",
        "people",
        1,
        "C",
        ("formula without a calculated value",),
    ),
    Case(
        "xlsx-formula-unread-column",
        book(ties=[[*TIES, "comment"], [1, 2, "advice", 1, '=CONCAT("a","b")']]),
        "warning",
        "ties",
        2,
        "comment",
        ("formula without a calculated value", "not read"),
    ),
    Case(
        "xlsxwriter-formula-placeholder-zero",
        named("org.xlsx", lambda: _xlsxwriter_formula()),
        "error",
        "learning",
        2,
        "hours",
        ("never calculated", "'0' (a placeholder)"),
    ),
    # openpyxl writes float("inf") and float("nan") as a number cell with an empty <v>: a
    # worksheet cannot hold infinity, so the xlsx path of "infinite values" is this cell.
    Case(
        "xlsx-weight-float-inf-is-an-empty-cell",
        book(ties=[TIES, [1, 2, "advice", float("inf")]]),
        "warning",
        "ties",
        2,
        "weight",
        ("number cell with no value", "infinite", "read as blank"),
    ),
    # --- identifiers that look the same: tidied with a note, in every sheet ----------------------
    *[
        Case(f"{kind}-id-{label}", build, "note", sheet, 2, column, words)
        for label, written, words in (
            ("zero-width", f"E001{ZW}", ("invisible characters removed", "<U+200B>", "'E001'")),
            ("bom-inside", f"{BOM}E001", ("invisible characters removed", "<U+FEFF>")),
            ("no-break-space", f"E001{NBSP}", ("non-breaking", "<U+00A0>", "'E001'")),
            ("nfd", f"{E_NFD}001", ("accents composed (unicode nfc)", "<U+0301>", "'\u00c9001'")),
            ("full-width", "\uff25\uff10\uff10\uff11", ("full-width", "'E001'")),
        )
        for kind, sheet, column, build in (
            ("csv-people", "people", "person_id", csvs(people=[["person_id"], [written], ["E002"]])),
            (
                "xlsx-ties",
                "ties",
                "source_id",
                book(
                    people=[["person_id"], ["E001"], ["\u00c9001"], ["E002"]],
                    ties=[TIES, [written, "E002", "advice", 1]],
                ),
            ),
            (
                "csv-learning",
                "learning",
                "person_id",
                csvs(
                    people=[["person_id"], ["E001"], ["\u00c9001"]],
                    learning=[LEARN[:3], [written, "IOL", "2"]],
                ),
            ),
            (
                "xlsx-trust",
                "trust",
                "person_id",
                book(
                    people=[["person_id"], ["E001"], ["\u00c9001"]],
                    trust=[["person_id", "ks1"], [written, 4]],
                ),
            ),
        )
    ],
    Case(
        "csv-roster-ids-differ-in-case",
        csvs(people=[["person_id", "name"], ["A1", "Ada"], ["a1", "Ben"]]),
        "warning",
        "people",
        3,
        "person_id",
        ("differs from 'A1' (row 2) only in upper and lower case", "two people"),
    ),
    Case(
        "xlsx-tie-id-differs-in-case",
        book(people=[["person_id"], ["A1"], ["B2"]], ties=[TIES, ["a1", "B2", "advice", 1]]),
        "error",
        "ties",
        2,
        "source_id",
        ("unknown person", "'A1', which differs only in upper and lower case"),
    ),
    # --- a header under a title block whose title is an alias ("Network" means relation) --------
    Case(
        "xlsx-header-row-13-under-network-title",
        book(ties=[*TITLE_BLOCK, TIES, [1, 2, "advice", 1]]),
        "note",
        "ties",
        13,
        "",
        ("2 row(s) above the header row were ignored", "rows 1–2"),
    ),
    Case(
        "csv-header-under-network-title",
        raw_csvs(ties="Network,,,\nExported,,,\n,,,\nsource_id,target_id,relation,weight\n1,2,advice,1\n"),
        "note",
        "ties",
        4,
        "",
        ("above the header row were ignored",),
    ),
    Case(
        "xlsx-header-beyond-the-search",
        book(ties=[*[[f"line {i}"] for i in range(35)], TIES, [1, 2, "advice", 1]]),
        "error",
        "ties",
        1,
        "source_id",
        ("missing required column", "first 30 rows"),
    ),
    # --- a zip with one folder per wave ------------------------------------------------------------
    Case(
        "zip-two-wave-folders",
        named("waves.zip", lambda: _wave_folders_zip()),
        "note",
        "",
        None,
        "",
        ("2 folders", "2025-Q1/ as wave '2025-Q1'", "2026-Q1/ as wave '2026-Q1'"),
        "waves.zip",
    ),
    # --- dates in mixed conventions, and words ----------------------------------------------------
    *[
        Case(f"{kind}-date-{label}", build, severity, "interactions", row, "timestamp", words)
        for label, cells, severity, row, words in (
            (
                "ambiguous-read-day-first",
                ["03/04/2026", "13/04/2026"],
                "warning",
                2,
                ("ambiguous date read as 3 April 2026", "day first", "13/04/2026 in row 3"),
            ),
            (
                "ambiguous-read-month-first",
                ["03/04/2026", "04/13/2026 10:00"],
                "warning",
                2,
                ("ambiguous date read as 4 March 2026", "month first", "row 3"),
            ),
            (
                "ambiguous-without-evidence",
                ["05/06/26"],
                "warning",
                2,
                ("read as 5 June 2026", "no date in this column shows the order"),
            ),
            (
                "other-order",
                ["13/04/2026", "14/04/2026", "04/15/2026"],
                "error",
                4,
                ("other order", "day first"),
            ),
            ("word-today", ["2026-03-01", "today"], "error", 3, ("not a date", "today")),
            ("word-now", ["now"], "error", 2, ("not a date",)),
        )
        for kind, build in (
            ("csv", csvs(interactions=[EVENTS, *[[c, "1", "chat"] for c in cells]])),
            ("xlsx-text", book(interactions=[EVENTS, *[[c, 1, "chat"] for c in cells]])),
        )
    ],
    Case(
        "xlsx-learning-date-ambiguous",
        book(learning=[LEARN, [1, "IOL", 2, "02/03/2026"], [2, "IOL", 1, dt.date(2026, 3, 2)]]),
        "warning",
        "learning",
        2,
        "date",
        ("ambiguous date read as 2 March 2026",),
    ),
    # --- two wave workbooks with two id schemes ---------------------------------------------------
    Case(
        "two-wave-workbooks-two-id-schemes",
        lambda: [
            ("2025.xlsx", fx.xlsx({"people": WAVE_2025})),
            ("2026.xlsx", fx.xlsx({"people": WAVE_2026})),
        ],
        "warning",
        "people",
        2,
        "person_id",
        ("share only 0 of their ids", "counted twice", "column 'email' of 2025.xlsx", "by name, 3 people"),
        "2026.xlsx",
    ),
    Case(
        "zip-wave-folders-two-id-schemes",
        named(
            "waves.zip",
            lambda: fx.zip_of(
                {"2025/people.csv": fx.csv_bytes(WAVE_2025), "2026/people.csv": fx.csv_bytes(WAVE_2026)}
            ),
        ),
        "warning",
        "people",
        2,
        "person_id",
        ("share only 0 of their ids", "waves '2025' and '2026'", "by name"),
        "waves.zip/2026/people.csv",
    ),
]
WAVE_2025: fx.Rows = [
    ["person_id", "name", "email"],
    *[[f"E00{i}", n, f"{n.lower()}@x.org"] for i, n in ((1, "Ada"), (2, "Ben"), (3, "Cleo"))],
]
WAVE_2026: fx.Rows = [["person_id", "name"], *[[f"{n.lower()}@x.org", n] for n in ("Ada", "Ben", "Cleo")]]


def _xlsxwriter_formula() -> bytes:
    """A workbook XlsxWriter wrote: formulas stored with the placeholder result 0 and the
    workbook flagged to be recalculated when opened (fullCalcOnLoad)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    for title, rows in {"people": PEOPLE, "learning": [LEARN[:3], [1, "IOL", None]]}.items():
        ws = wb.add_worksheet(title)
        for i, row in enumerate(rows):
            ws.write_row(i, 0, row)
    wb.get_worksheet_by_name("learning").write_formula(1, 2, "=2*3")
    wb.close()
    return buf.getvalue()


def _wave_folders_zip() -> bytes:
    ties = "source_id,target_id,relation\n{}\n"
    return fx.zip_of(
        {
            "2025-Q1/people.csv": fx.csv_bytes(PEOPLE),
            "2025-Q1/ties.csv": ties.format("1,2,advice").encode(),
            "2026-Q1/people.csv": fx.csv_bytes([*PEOPLE, ["4", "Dev"]]),
            "2026-Q1/ties.csv": ties.format("1,4,advice").encode(),
        }
    )


def _xlsb() -> bytes:
    """What Excel writes for a binary workbook: a zip whose main part is xl/workbook.bin."""
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.bin"/></Relationships>'
    )
    return fx.zip_of(
        {"[Content_Types].xml": b"<Types/>", "_rels/.rels": rels.encode(), "xl/workbook.bin": b"\x83\x01\x00"}
    )


def _ole(stream: str) -> bytes:
    """An OLE compound file whose directory names ``stream`` (UTF-16, as Excel writes it)."""
    header = fx.password_protected()[:512]
    return header + stream.encode("utf-16-le") + b"\x00" * 1024


def _rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def _strict() -> bytes:
    """A Strict Open XML workbook: the same parts under the purl.oclc.org namespaces."""
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return _rewrite(
        fx.good_workbook(),
        "xl/workbook.xml",
        lambda body: body.replace(transitional, b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    )


def _numeric_cell_text(text: str, sheets: dict[str, fx.Rows] | None = None) -> bytes:
    """A numeric cell (``t="n"``) holding text, as some tools write ``<v>INF</v>`` (the cell
    written as 7777 in the second sheet)."""
    data = fx.xlsx({"people": PEOPLE, **(sheets or {"ties": [TIES, [1, 2, "advice", 7777]]})})
    return _rewrite(data, "xl/worksheets/sheet2.xml", lambda body: body.replace(b"7777", text.encode()))


def _matches(f: Finding, case: Case) -> bool:
    text = f"{f.message} {f.hint} {f.value}".lower()
    return (
        f.severity == case.severity
        and f.sheet == case.sheet
        and f.row == case.row
        and f.column == case.column
        and (not case.file or f.file == case.file)
        and all(w.lower() in text for w in case.words)
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_odd_file_gives_its_finding(case: Case) -> None:
    _ds, findings = load(case.files())
    assert any(_matches(f, case) for f in findings), (
        f"no {case.severity} at {case.sheet}:{case.row}:{case.column} with {case.words}:\n"
        + "\n".join(f"{f.severity} {f.line()}" for f in findings)
    )


# --- the command line: no traceback, strict JSON ---------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_cli_validate_reports_out_of_range_dates_and_infinite_weights(tmp_path: Path) -> None:
    for name, data in csvs(
        interactions=[EVENTS, ["9999-12-31", "1", "chat"]], ties=[TIES, ["1", "2", "advice", "inf"]]
    )():
        (tmp_path / name).write_bytes(data)
    result = _cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "interactions:2:timestamp: Date out of range" in result.stdout
    assert "ties:2:weight: Infinite number" in result.stdout


def test_json_is_strict_with_a_reason_for_each_null() -> None:
    from lib.app.cli import analysis_json_text

    text = analysis_json_text({"shifts": {"score": float("nan"), "top": [1.0, float("inf")]}})
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    assert data["shifts"] == {"score": None, "top": [1.0, None]}
    assert data["null_values"] == [
        {"path": "shifts.score", "reason": "not a number (NaN): undefined for these data"},
        {"path": "shifts.top[1]", "reason": "infinite"},
    ]


def test_cli_analyze_writes_strict_json(tmp_path: Path) -> None:
    for name, data in csvs(ties=[TIES, ["1", "2", "advice", "1"], ["2", "3", "advice", "2"]])():
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out.json"
    result = _cli("analyze", str(tmp_path), "--json", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    assert data["dataset"]["people"] == 3
    assert isinstance(data["null_values"], list)
    assert "people" not in data  # per-person records only on request


def test_cli_analyze_people_streams_strict_records(tmp_path: Path) -> None:
    for name, data in csvs(ties=[TIES, ["1", "2", "advice", "1"]])():
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "out.json"
    result = _cli("analyze", str(tmp_path), "--json", str(out), "--people")
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    assert [p["person_id"] for p in data["people"]] == ["1", "2", "3"]
    assert data["people"][2]["constraint"] is None  # 3 has no ties: NaN, written as null
    assert data["people"][0]["out_degree"] == 1.0 and data["people"][1]["in_degree"] == 1.0


def test_cli_validate_reports_look_alike_ids_words_as_dates_and_formulas(tmp_path: Path) -> None:
    for name, data in csvs(
        people=[["person_id", "name"], ["A1", "Ada"], ["a1", "Ben"], [f"C3{ZW}", "Cleo"]],
        interactions=[EVENTS, ["03/04/2026", "A1", "chat"], ["today", "a1", "chat"]],
    )():
        (tmp_path / name).write_bytes(data)
    result = _cli("validate", str(tmp_path))
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert (
        "people:3:person_id: person_id differs from 'A1' (row 2) only in upper and lower case"
        in result.stdout
    )
    assert "people:4:person_id: person_id tidied: invisible characters removed" in result.stdout
    assert "interactions:3:timestamp: Not a date in timestamp: a word such as 'today'" in result.stdout
    assert "interactions:2:timestamp: Ambiguous date read as 3 April 2026" in result.stdout
    workbook = tmp_path / "formulas.xlsx"
    workbook.write_bytes(book(people=[NOTES, [1, "Ada", '=UPPER("core")']])()[0][1])
    result = _cli("validate", str(workbook))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "people:2:team: Formula without a calculated value" in result.stdout


def test_long_values_are_cut_and_nul_bytes_shown() -> None:
    long_level = "9" * 10 + "x" * 1_000_000
    ds, findings = load(
        raw_csvs(
            people=fx.csv_text([["person_id", "level"], ["1", long_level], ["2", "1"]]),
            ties="source_id,target_id,relation\n1\x00,2,advice\n",
        )()
    )
    assert ds is None
    level = next(f for f in findings if f.column == "level")
    assert len(level.line()) < 600 and "1,000,010 characters" in level.value
    unknown = next(f for f in findings if f.sheet == "ties" and f.column == "source_id")
    assert unknown.value == "1␀" and unknown.row == 2


# --- what the new cases load, beyond their finding ----------------------------------------------


def test_look_alike_ids_are_one_person_in_every_sheet() -> None:
    ds, findings = load(
        csvs(
            people=[
                ["person_id", "name"],
                [f"E001{ZW}", "Ada"],
                [f"{E_NFD}002", "Eli"],
                ["\uff25\uff10\uff10\uff13", "Eve"],
            ],
            ties=[TIES, ["E001", "\u00c9002", "advice", "1"], [f"E003{NBSP}", f"{BOM}E001", "advice", "1"]],
            learning=[LEARN[:3], [f"{E_NFD}002", "IOL", "2"]],
        )()
    )
    assert ds is not None, findings
    assert ds.people["person_id"].tolist() == ["E001", "\u00c9002", "E003"]
    assert ds.ties[["source_id", "target_id"]].values.tolist() == [["E001", "\u00c9002"], ["E003", "E001"]]
    assert ds.learning["person_id"].tolist() == ["\u00c9002"]


def test_header_under_a_title_block_loads_the_table() -> None:
    ds, findings = load(book(ties=[*TITLE_BLOCK, TIES, [1, 2, "advice", 3], [2, 3, "trust", 1]])())
    assert ds is not None, findings
    assert ds.ties[["source_id", "relation", "weight"]].values.tolist() == [
        ["1", "advice", 3.0],
        ["2", "trust", 1.0],
    ]


def test_zip_folders_load_as_waves() -> None:
    ds, findings = load(named("waves.zip", _wave_folders_zip)())
    assert ds is not None, findings
    assert sorted(ds.people["person_id"]) == ["1", "2", "3", "4"]  # the newer folder's Dev too
    assert ds.ties[["target_id", "wave"]].values.tolist() == [["2", "2025-Q1"], ["4", "2026-Q1"]]
    assert not any("only" in f.message and "is read" in f.message for f in findings)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_mixed_date_conventions_are_read_in_the_columns_order(kind: str) -> None:
    cells = ["13/04/2026", "03/04/2026", "2026-04-05", "3 April 2026"]
    rows: fx.Rows = [[*EVENTS, "topic"], *[[c, "1", "chat", f"e{i}"] for i, c in enumerate(cells)]]
    ds, findings = load((csvs if kind == "csv" else book)(interactions=rows)())
    assert ds is not None, findings
    days = ds.interactions.set_index("topic")["timestamp"].dt.strftime("%Y-%m-%d").to_dict()
    assert days == {"e0": "2026-04-13", "e1": "2026-04-03", "e2": "2026-04-05", "e3": "2026-04-03"}


def test_a_sheet_cut_after_a_row_ends_without_waiting_for_the_time_limit() -> None:
    """The formula scan reads a worksheet in chunks of whole rows; a part that ends right after
    a row (a cut file) ends the scan, and the file is named as unreadable."""
    from lib.core.schema import DEFAULT_LIMITS

    data = _rewrite(
        book(ties=[TIES, [1, 2, "advice", "=1+1"]])()[0][1],
        "xl/worksheets/sheet2.xml",
        lambda body: body[: body.rindex(b"</row>") + 6],
    )
    try:
        load_files([("cut.xlsx", data)], dataclasses.replace(DEFAULT_LIMITS, parse_seconds=60))
    except DataError as err:
        messages = [f.message for f in err.findings if f.severity == "error"]
    else:
        pytest.fail("a cut worksheet loaded")
    assert messages and not any("took longer" in m for m in messages), messages


def test_formula_workbook_is_refused_and_a_calculated_one_loads() -> None:
    """The same workbook with its formulas' results stored (as Excel saves it) gives no finding."""
    written = book(learning=[LEARN[:3], [1, "IOL", "=2*3"]])()[0][1]
    calculated = _rewrite(
        written,
        "xl/worksheets/sheet2.xml",
        lambda body: body.replace(b"<f>2*3</f><v></v>", b"<f>2*3</f><v>6</v>"),
    )
    calculated = _rewrite(
        calculated, "xl/workbook.xml", lambda body: body.replace(b' fullCalcOnLoad="1"', b"")
    )
    assert load([("org.xlsx", written)])[0] is None
    ds, findings = load([("org.xlsx", calculated)])
    assert ds is not None and ds.learning["hours"].tolist() == [6.0]
    assert not any("formula" in f.message.lower() for f in findings)


# --- property tests: random tables through the CSV and the xlsx path --------------------------

_PLAIN = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ODD_NUMBERS = [
    "1_000",
    "١٢",
    "１２",
    "Infinity",
    "-inf",
    "nan",
    "NULL",
    "1.000",
    "1,5",
    " 7 ",
    "1e400",
    "-0",
    "+3",
]
_ODD_NUMBERS += [".5", "5.", "1e-320", "2026-03-01", "#N/A", "0x10", "½", "TRUE"]
_ODD_NUMBERS += ["03/04/2026", "13/04/2026", "today", f"7{ZW}", f"{NBSP}7"]
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=',;\t|"='), max_size=10
)
_floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [1e308, -1e308, 5e-324, 1e15, 1e16]
)
_number_cells = st.one_of(
    st.none(),
    _floats.map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(_ODD_NUMBERS),
    _text,
    _floats,  # a real number cell in a workbook; its repr in a CSV
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
)


#: Ways an id is written that look like the id and are tidied to it (with a note).
_LOOK_ALIKES: dict[str, Callable[[str], str]] = {
    "plain": lambda c: c,
    "zero-width": lambda c: c + ZW,
    "bom": lambda c: BOM + c,
    "no-break space": lambda c: c + NBSP,
    "nfd": lambda c: unicodedata.normalize("NFD", c),
    "full-width": lambda c: "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in c),
}
_id_spellings = st.sampled_from(sorted(_LOOK_ALIKES))


#: Text cells: random, or text that looks like other text (kept as written, trimmed).
_team = _text | st.sampled_from(["Cafe\u0301", f"R&D{ZW}", f"Ops{NBSP}", f"{BOM}Core", "ＯＰＳ"])


@st.composite
def _tables(draw: st.DrawFn) -> dict[str, fx.Rows]:
    """People (ids spelt in look-alike ways), their ties (the same ids spelt another way)."""
    n = draw(st.integers(2, 6))
    ids: list[str] = []
    for i in range(n):  # a loop, not a comprehension: Hypothesis looks for draw() in this body
        ids.append(draw(st.sampled_from(["p", "É", "Å"])) + str(i))
    people: fx.Rows = [["person_id", "team", "tenure_years"]]
    for pid in ids:
        people.append([_LOOK_ALIKES[draw(_id_spellings)](pid), draw(_team), draw(_number_cells)])
    ties: fx.Rows = [["source_id", "target_id", "relation", "weight"]]
    for a, b in itertools.pairwise(ids):
        spelt = _LOOK_ALIKES[draw(_id_spellings)]
        ties.append([spelt(a), spelt(b), "advice", draw(_number_cells)])
    return {"people": people, "ties": ties}


def _canonical(written: str) -> str:
    """What the loader reads a look-alike id as: NFC, no invisible characters, ASCII forms."""
    text = written.replace(ZW, "").replace(BOM, "").replace(NBSP, " ").strip()
    text = "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text)
    return unicodedata.normalize("NFC", text)


def _as_csv(cell: object) -> object:
    if isinstance(cell, float):
        return repr(cell)
    return cell


def _expected(cell: object, csv: bool) -> tuple[bool, float | None]:
    """(readable as exactly one number by the plain rule, that number); None = blank.

    A worksheet cannot hold NaN or infinity: openpyxl writes them as a number cell with an empty
    value, which the loader names ("a number cell with no value"); so they are "not exact" on
    the xlsx path too, and must be named by a finding there as in a CSV."""
    if csv:
        cell = _as_csv(cell)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return True, None
    if isinstance(cell, float):
        return (not math.isnan(cell) and abs(cell) <= 1e15), cell
    if isinstance(cell, str) and _PLAIN.fullmatch(cell.strip()):
        number = float(cell.strip())
        return abs(number) <= 1e15, number
    return False, None


def _named(findings: list[Finding], sheet: str, row: int, column: str) -> bool:
    return any(f.sheet == sheet and f.row == row and f.column == column for f in findings)


def _check(tables: dict[str, fx.Rows], files: Files, csv: bool) -> None:
    ds, findings = load(files)  # any exception but DataError fails the test
    if ds is None:
        assert any(f.severity == "error" for f in findings)
        assert all(f.row is not None and f.sheet for f in findings if f.severity == "error"), findings
        return
    people = ds.people.set_index("person_id")
    for i, (written_id, team, tenure) in enumerate(tables["people"][1:], start=2):
        pid = _canonical(str(written_id))
        assert pid in people.index  # the same id, however it was spelt
        assert written_id == pid or _named(findings, "people", i, "person_id"), written_id
        written = "" if team is None else str(team).strip()
        assert people.loc[pid, "team"] == written or _named(findings, "people", i, "team")
        exact, number = _expected(tenure, csv)
        loaded = people.loc[pid, "tenure_years"]
        if exact and number is not None and 0 <= number <= 80:
            assert loaded == number or _named(findings, "people", i, "tenure_years"), (tenure, loaded)
        elif not (exact and number is None):
            assert _named(findings, "people", i, "tenure_years"), (tenure, loaded, findings)
    ties = ds.ties.set_index("source_id")
    for i, (written_src, written_tgt, _rel, weight) in enumerate(tables["ties"][1:], start=2):
        src = _canonical(str(written_src))
        assert ties.loc[src, "target_id"] == _canonical(str(written_tgt))  # found on the roster
        assert written_src == src or _named(findings, "ties", i, "source_id")
        exact, number = _expected(weight, csv)
        if exact and number is not None and number > 0:
            assert ties.loc[src, "weight"] == number or _named(findings, "ties", i, "weight"), weight
        elif exact and number is None:
            assert ties.loc[src, "weight"] == 1.0  # blank: the documented default
        else:
            assert _named(findings, "ties", i, "weight"), (weight, findings)


#: How a date is written in a text cell: ISO, day first, month first, or (rarely) a word.
_DATE_STYLES = ["iso"] * 3 + ["dmy"] * 3 + ["mdy"] * 3 + ["cell", "word"]


def _date_text(day: dt.date, style: str) -> object:
    return {
        "iso": day.isoformat(),
        "dmy": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "mdy": f"{day.month:02d}/{day.day:02d}/{day.year}",
        "cell": day,  # a real date cell in a workbook; its ISO text in a CSV
        "word": "today",
    }[style]


_dated = st.tuples(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)), st.sampled_from(_DATE_STYLES)
)


def _check_dates(cells: list[tuple[dt.date, str]], csv: bool) -> None:
    """Every timestamp loaded as the date its writer meant, or named by a finding."""
    rows: fx.Rows = [["timestamp", "source_id", "channel", "topic"]]
    for i, (day, style) in enumerate(cells):
        cell = _date_text(day, style)
        rows.append([cell.isoformat() if csv and isinstance(cell, dt.date) else cell, "1", "chat", f"e{i}"])
    files = csvs(interactions=rows)() if csv else book(interactions=rows)()
    ds, findings = load(files)
    if ds is None:
        assert any(f.severity == "error" for f in findings)
        assert all(f.row is not None and f.sheet for f in findings if f.severity == "error"), findings
        assert any(style == "word" for _day, style in cells) or any(
            f.column == "timestamp" for f in findings if f.severity == "error"
        )
        return
    loaded = ds.interactions.set_index("topic")["timestamp"]
    for i, (day, style) in enumerate(cells):
        assert loaded[f"e{i}"] == pd.Timestamp(day) or _named(findings, "interactions", i + 2, "timestamp"), (
            day,
            style,
            loaded[f"e{i}"],
        )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(_dated, min_size=1, max_size=8), st.booleans())
def test_random_dates_through_csv_and_xlsx(cells: list[tuple[dt.date, str]], csv: bool) -> None:
    _check_dates(cells, csv)


_FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@_FAST
@given(_tables())
def test_random_tables_through_csv(tables: dict[str, fx.Rows]) -> None:
    files: Files = []
    for name, rows in tables.items():
        buf = io.StringIO()
        writer = csv_module.writer(buf, lineterminator="\n")
        for row in rows:
            writer.writerow(["" if c is None else _as_csv(c) for c in row])
        files.append((f"{name}.csv", buf.getvalue().encode("utf-8")))
    _check(tables, files, csv=True)


@_FAST
@given(_tables())
def test_random_tables_through_xlsx(tables: dict[str, fx.Rows]) -> None:
    _check(tables, [("org.xlsx", fx.xlsx(tables))], csv=False)
