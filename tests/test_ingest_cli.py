"""``python -m lib.cli ingest`` → a zip the loader, ``analyze`` and ``import`` read (round trip)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from lib.app.cli import main
from lib.intake.loader import load_path
from lib.intake.logs.aggregate import SPARK_MISSING
from tests import ingest_fixtures as fx


@pytest.fixture
def ingested(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    roster = tmp_path / "people.csv"
    fx.ROSTER.to_csv(roster, index=False)
    out = tmp_path / "logs.zip"
    code = main(["ingest", *map(str, fx.all_sources(tmp_path)), "--roster", str(roster), "--out", str(out)])
    assert code == 0
    return out, capsys.readouterr().err


def test_ingest_prints_what_it_read_and_skipped(ingested: tuple[Path, str]) -> None:
    out, err = ingested
    assert "read 3 from mail.mbox (mails)" in err
    assert "skipped 2: meeting phone dial-ins without an identity" in err
    assert "skipped 1: mails over --max-recipients (25): counted as broadcasts" in err
    assert "skipped 1: Slack bot messages" in err
    assert "recognised as Viva Insights person-to-person query" in err
    names = set(zipfile.ZipFile(out).namelist())
    assert {"people.csv", "ties.csv", "learning.csv", "channels.csv", "ingest_report.txt"} <= names


def test_ingested_zip_loads_and_analyzes(ingested: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = ingested
    ds = load_path(out)
    assert len(ds.people) == 5
    assert set(ds.ties["relation"]) == {"interactions"}
    assert ds.ties["weight"].min() >= 2  # the default rule: at least 2 in a 4-week window
    assert set(ds.learning["learning_type"]) == {"FSL"}
    assert ds.learning.groupby("person_id")["hours"].sum().to_dict() == pytest.approx(
        {"p1": 2.0, "p2": 2.0, "p3": 1.5}
    )
    result = tmp_path / "analysis.json"
    assert main(["analyze", str(out), "--json", str(result)]) == 0
    data = json.loads(result.read_text(encoding="utf-8"))
    assert "interactions" in data["dataset"]["relations"]
    assert data["dataset"]["waves"] == ["2025-12-22+4w"]


def test_ingested_zip_imports_as_a_wave(ingested: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = ingested
    database = f"sqlite:///{tmp_path / 'ws.db'}"
    assert main(["import", str(out), "--workspace", "logs", "--database", database]) == 0


def test_ingest_with_a_roster_that_does_not_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "people.csv"
    roster.write_text("name\nAna\n", encoding="utf-8")
    code = main(["ingest", str(fx.mbox(tmp_path)), "--roster", str(roster), "--out", str(tmp_path / "o.zip")])
    assert code == 1
    assert "nothing was ingested" in capsys.readouterr().err
    assert not (tmp_path / "o.zip").exists()


def test_spark_engine_without_pyspark_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` now raises ImportError
    roster = tmp_path / "people.csv"
    fx.ROSTER.to_csv(roster, index=False)
    out = tmp_path / "logs.zip"
    source = fx.mbox(tmp_path)
    code = main(["ingest", str(source), "--roster", str(roster), "--out", str(out), "--engine", "spark"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.strip().splitlines() == [f"error: {SPARK_MISSING}"]
    assert "pip install pyspark" in err and "Traceback" not in err
