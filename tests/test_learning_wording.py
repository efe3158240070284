"""Old-wording waves as data: the learning sheet's ``wording`` column (written by the template and the
survey converter, read by the loader), the stated date rule when it is absent, and the notes every
comparison of two waves with different wordings carries."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from lib.analysis import learning
from lib.core.dataset import Dataset
from lib.core.errors import DataError
from lib.core.schema import LEARNING_WORDING, LEARNING_WORDINGS
from lib.intake.loader import load_files
from lib.intake.template import template_bytes

PEOPLE = "person_id,department\n" + "".join(f"p{i},D\n" for i in range(6))


def _load(learning_csv: str) -> Dataset:
    return load_files([("people.csv", PEOPLE.encode()), ("learning.csv", learning_csv.encode())])


def _wide(rows: list[tuple[str, str, str]]) -> str:
    """(person, wave, wording) → a wide learning sheet with a wording column."""
    return "person_id,wave,IOL,FSL,wording\n" + "".join(f"{p},{w},2,1,{x}\n" for p, w, x in rows)


def test_the_template_writes_the_wording_it_asks() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(template_bytes()))["learning"]
    head = [c.value for c in ws[1]]
    assert "wording" in head
    values = {ws.cell(row=r, column=head.index("wording") + 1).value for r in range(2, ws.max_row + 1)} - {
        None
    }
    assert values == {LEARNING_WORDING}


def test_the_loader_reads_the_wording_in_wide_and_long_form() -> None:
    ds = _load(_wide([(f"p{i}", "2027-Q1", "Hart") for i in range(6)]))
    assert set(ds.learning["wording"]) == {"hart"}  # case folded like every choice
    long = "person_id,wave,learning_type,hours,wording\n" + "".join(
        f"p{i},W,IOL,2,earlier\n" for i in range(6)
    )
    assert learning.wave_wording(_load(long), "W") == learning.WaveWording("W", "earlier", "data")


def test_an_unknown_wording_is_a_finding_naming_the_cell() -> None:
    with pytest.raises(DataError) as err:
        _load(_wide([("p0", "W", "old-ish")]))
    text = " ".join(f.line() for f in err.value.findings)
    assert "wording" in text and "old-ish" in text and "hart" in text


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2026-03-31", ("earlier", "date rule")),
        ("2026-Q3", ("earlier", "date rule")),
        ("2026", ("unknown", "")),  # the year holds the date the wording changed: cannot tell
        ("2026-12", ("unknown", "")),
        ("2027-01", ("hart", "date rule")),
        ("2027-Q1", ("hart", "date rule")),
        ("spring survey", ("unknown", "")),
    ],
)
def test_without_a_wording_column_the_date_rule_decides(label: str, expected: tuple[str, str]) -> None:
    long = "person_id,wave,learning_type,hours\n" + "".join(f"p{i},{label},IOL,2\n" for i in range(6))
    found = learning.wave_wording(_load(long), label)
    assert (found.wording, found.source) == expected


def _two_waves(first: str, second: str) -> Dataset:
    rows = [(f"p{i}", "2027-Q1", first) for i in range(6)] + [(f"p{i}", "2027-Q2", second) for i in range(6)]
    return _load(_wide(rows))


def test_comparisons_across_different_wordings_say_so_and_same_wordings_do_not() -> None:
    mixed = _two_waves("earlier", "hart")
    note = learning.wording_note(mixed, "2027-Q1", "2027-Q2")
    assert "2027-Q1 used " + LEARNING_WORDINGS["earlier"] in note and LEARNING_WORDINGS["hart"] in note
    assert "compares different questions" in note
    assert learning.wording_note(_two_waves("hart", "hart"), "2027-Q1", "2027-Q2") == ""
    out = learning.analysis_json(mixed)
    assert out["wording"] == {"wording": "hart", "source": "data", "text": learning.wave_wording(mixed).text}
    assert out["wording_note"] == note
    assert learning.analysis_json(_two_waves("hart", "hart"))["wording_note"] is None


def test_the_export_carries_the_note() -> None:
    from lib.report import exports

    mixed = _two_waves("earlier", "hart")
    report = exports.build_report(mixed)
    table = next(t for t in report.tables if t.name == "learning_mix")
    assert learning.wording_note(mixed, "2027-Q1", "2027-Q2") in table.note


def test_the_survey_converter_writes_the_wording_it_maps() -> None:
    from lib.intake.survey.convert import convert
    from lib.intake.survey.people import roster_from_people
    from lib.intake.survey.tools import read_export
    from tests import survey_fixtures as F

    export, _ = read_export("forms.xlsx", F.ms_forms(), isolated=False)
    assert export is not None
    tables = convert(export, roster_from_people(F.roster_frame())).tables
    assert set(tables["learning"]["wording"]) == {LEARNING_WORDING}


def test_a_mixed_wave_is_marked_mixed() -> None:
    ds = _load(
        _wide([("p0", "W", "hart"), ("p1", "W", "earlier")] + [(f"p{i}", "W", "hart") for i in range(2, 6)])
    )
    assert learning.wave_wording(ds, "W").wording == "mixed"
    assert isinstance(ds.learning, pd.DataFrame)
