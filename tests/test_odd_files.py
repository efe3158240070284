"""The odd files real people send (issue 14): each one gives a finding with the sheet, the row as
Excel shows it, the column and words a facilitator can act on, and none raises.

``CASES`` is the table: input built here → severity, sheet, row, column, words. The property
tests at the end generate random tables of random cells and send them through the CSV and the
xlsx path: never an exception other than :class:`DataError`, and every cell either loaded
exactly as written or named by a finding.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

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
]


def _matches(f: Finding, case: Case) -> bool:
    text = f"{f.message} {f.hint}".lower()
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
