"""``python -m lib.cli survey`` (issue 15): the workbook written and accepted by ``validate``, the
review CSV, the mapping file, and exit 1 with one line when the export cannot be read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lib.app.cli import main
from lib.intake.loader import load_path
from tests import survey_fixtures as F

HARD = "Ana Silva, Jane Doe, Zoe Mueller"
MENTORING = "Who mentored you?"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    truth = dict(F.TRUTH)
    truth["P06"] = F.Answers(**{**F.TRUTH["P06"].__dict__, "extra": {MENTORING: HARD}})
    (tmp_path / "export.csv").write_bytes(F.google_forms(truth, extra=(MENTORING,)))
    (tmp_path / "roster.xlsx").write_bytes(F.roster_xlsx())
    (tmp_path / "map.json").write_text(json.dumps({MENTORING: {"kind": "relation", "target": "mentoring"}}))
    return tmp_path


def test_survey_writes_a_workbook_validate_accepts(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, review = files / "out.xlsx", files / "review.csv"
    code = main(
        [
            "survey",
            str(files / "export.csv"),
            "--roster",
            str(files / "roster.xlsx"),
            "--out",
            str(out),
            "--mapping",
            str(files / "map.json"),
            "--review",
            str(review),
            "--wave",
            "2026-Q1",
        ]
    )
    printed = capsys.readouterr()
    assert code == 0
    assert "2 answer(s) need review" in printed.out
    assert main(["validate", str(out)]) == 0
    ds = load_path(out)
    ties = {(t.source_id, t.target_id, t.relation) for t in ds.ties.itertuples()}
    assert ties == F.expected_ties() | {("P06", "P05", "mentoring")}
    assert set(ds.ties["wave"]) == {"2026-Q1"}
    with review.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["row"], r["question"], r["text"]) for r in rows] == [
        ("5", MENTORING, "Ana Silva"),
        ("5", MENTORING, "Jane Doe"),
    ]
    assert rows[0]["candidates"] == "Ana Silva (Sales) [P02] 100; Ana Silva (Platform) [P03] 100"


def test_without_the_mapping_the_question_is_dropped_and_said(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "survey",
            str(files / "export.csv"),
            "--roster",
            str(files / "roster.xlsx"),
            "--out",
            str(files / "o.xlsx"),
        ]
    )
    printed = capsys.readouterr()
    assert code == 0
    assert "0 answer(s) need review" in printed.out
    assert "Dropped: questions not mapped (free text or other; not read) (1 column(s))" in printed.err


@pytest.mark.parametrize(
    ("export", "roster", "mapping", "reason"),
    [
        ("roster.xlsx", "roster.xlsx", None, "header is not one of Microsoft Forms"),
        ("missing.csv", "roster.xlsx", None, "cannot read"),
        ("export.csv", "export.csv", None, "The roster has no person_id column"),
        ("export.csv", "roster.xlsx", "bad.json", "not valid JSON"),
        ("empty.csv", "roster.xlsx", None, "empty"),
    ],
)
def test_unreadable_input_exits_1_with_one_line(
    files: Path,
    capsys: pytest.CaptureFixture[str],
    export: str,
    roster: str,
    mapping: str | None,
    reason: str,
) -> None:
    (files / "bad.json").write_text("{")
    (files / "empty.csv").write_bytes(b"")
    args = ["survey", str(files / export), "--roster", str(files / roster), "--out", str(files / "o.xlsx")]
    if mapping:
        args += ["--mapping", str(files / mapping)]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: ") and reason in err
    assert not (files / "o.xlsx").exists()


def test_template_with_the_roster_has_the_name_list(files: Path) -> None:
    import openpyxl

    out = files / "kit.xlsx"
    assert main(["template", str(out), "--roster", str(files / "roster.xlsx")]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    labels = [r[0] for r in book["name_list"].iter_rows(min_row=2, values_only=True)]
    assert labels == list(F.LABEL.values())


def test_a_filled_in_review_file_resolves_its_answers_and_keeps_the_choices(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, review = files / "out.xlsx", files / "review.csv"
    args = ["survey", str(files / "export.csv"), "--roster", str(files / "roster.xlsx"), "--out", str(out)]
    args += ["--mapping", str(files / "map.json"), "--review", str(review)]
    assert main(args) == 0
    with review.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["respondent"], r["text"], r["chosen_person_id"]) for r in rows] == [
        ("P06", "Ana Silva", ""),
        ("P06", "Jane Doe", ""),
    ]
    rows[0]["chosen_person_id"] = "P03"
    rows[1]["chosen_person_id"] = "nobody"
    with review.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(args) == 0
    assert "0 answer(s) need review" in capsys.readouterr().out
    ties = {(t.source_id, t.target_id, t.relation) for t in load_path(out).ties.itertuples()}
    assert ties == F.expected_ties() | {("P06", "P05", "mentoring"), ("P06", "P03", "mentoring")}
    with review.open(encoding="utf-8-sig") as fh:  # the choices stay in the file for the next run
        kept = {(r["text"], r["chosen_person_id"]) for r in csv.DictReader(fh)}
    assert kept == {("Ana Silva", "P03"), ("Jane Doe", "nobody")}
    assert main(args) == 0  # given again: the same result
    assert "0 answer(s) need review" in capsys.readouterr().out


def test_a_review_choice_not_on_the_roster_is_asked_again(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    review = files / "review.csv"
    review.write_text(
        "row,question,text,candidates,column,respondent,chosen_person_id\n"
        f"5,{MENTORING},Ana Silva,,{MENTORING},P06,P99\n",
        encoding="utf-8",
    )
    args = ["survey", str(files / "export.csv"), "--roster", str(files / "roster.xlsx")]
    args += ["--out", str(files / "o.xlsx"), "--mapping", str(files / "map.json"), "--review", str(review)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "'P99' chosen for 'Ana Silva' is not on the roster" in printed
    assert "2 answer(s) need review" in printed
