"""``python -m lib.cli validate FILE``: one ``sheet:row:column: message`` line per finding, exit 1 on errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import fixtures_bad as fx

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<sheet>[^:\n]*):(?P<row>\d*):(?P<column>[^:\n]*): (?P<message>.+)$")


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_ten_mistakes_are_ten_lines(tmp_path: Path) -> None:
    path = tmp_path / "ten.xlsx"
    path.write_bytes(fx.ten_mistakes_workbook())
    result = validate(path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 10
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    located = {(m["sheet"], m["row"], m["column"]) for m in parsed if m}
    for sheet, row, column, _value in fx.TEN_MISTAKES:
        assert (sheet, str(row), column) in located


def test_good_workbook_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "org.xlsx"
    path.write_bytes(fx.good_workbook())
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 6 people, 5 ties" in result.stderr
    assert all(LINE.match(line) for line in result.stdout.splitlines())  # the notes, same format


def test_real_folder_exits_zero() -> None:
    result = validate(ROOT / "tests" / "data" / "krackhardt_hightech")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 21 people, 312 ties" in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("locked.xlsx", fx.password_protected(), "password-protected (an encrypted workbook)"),
        ("stray.xlsx", fx.stray_cell_workbook(), "XFD1048576"),
    ],
)
def test_file_level_problems_name_the_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = validate(path)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if message in line)
    m = LINE.match(line)
    assert m and m["sheet"] in (name, "people")
