"""The wave rules (lib.core.waves), pinned in one table, and the old names that delegate to them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.analysis import learning, skills, smn, trust, wirearchy
from lib.core import waves
from lib.core.dataset import TABLE_COLUMNS, Dataset

ROOT = Path(__file__).resolve().parent.parent
BLANKS = [np.nan, None, "", "  ", "nan", "<NA>", "None", pd.NA]

# One row per case: a table's wave column, the wave argument →
#   rows():     the label used and the rows kept (positions) — the survey tables' rule;
#   tie_rows(): the tie wave and the rows network functions read — the ties' rule.
# Blank cells never are a label and count in every wave; None and "" both mean "no wave chosen".
# fmt: off
CASES: list[tuple[str, list[object], str | None, str, list[int], str | None, list[int]]] = [
    # name, wave column, argument, rows label, rows kept, tie wave, tie rows kept
    ("no wave chosen: the latest", ["2026-Q1", "2026-Q2", ""], None, "2026-Q2", [1, 2], "2026-Q2", [1, 2]),
    ('"" means the same as None', ["2026-Q1", "2026-Q2", ""], "", "2026-Q2", [1, 2], "2026-Q2", [1, 2]),
    ("whitespace means the same as None", ["2026-Q1", "2026-Q2"], "  ", "2026-Q2", [1], "2026-Q2", [1]),
    ("a label keeps its rows and the blanks", ["2026-Q1", "2026-Q2", None], "2026-Q1", "2026-Q1", [0, 2], "2026-Q1", [0, 2]),
    ("the argument is trimmed", [" 2026-Q1", "2026-Q2"], " 2026-Q1 ", "2026-Q1", [0], "2026-Q1", [0]),
    ("labels sort in time order", ["2026-Q2", "2025-Q4", "2026-Q1"], None, "2026-Q2", [0], "2026-Q2", [0]),
    ("every blank spelling is unlabelled", ["W1", *BLANKS], None, "W1", list(range(9)), "W1", list(range(9))),
    ("blank texts in any case", ["W1", "NaN", "NONE", "<na>"], "W1", "W1", [0, 1, 2, 3], "W1", [0, 1, 2, 3]),
    ("a whole float is its integer", [2025.0, 2026.0, np.nan], None, "2026", [1, 2], "2026", [1, 2]),
    ("a table without labels is whole", ["", None, np.nan], None, "", [0, 1, 2], None, [0, 1, 2]),
    ("... whatever the argument", ["", None], "2026-Q1", "2026-Q1", [0, 1], None, [0, 1]),
    ("an empty table", [], "2026-Q1", "2026-Q1", [], None, []),
    # a label the table lacks: a survey has only its blank rows; ties carry their last wave forward
    ("absent label, after the last", ["2026-Q1", "2026-Q2", ""], "2026-Q3", "2026-Q3", [2], "2026-Q2", [1, 2]),
    ("absent label, between", ["2026-Q1", "2026-Q3", ""], "2026-Q2", "2026-Q2", [2], "2026-Q1", [0, 2]),
    ("absent label, before the first", ["2026-Q2", "2026-Q3"], "2026-Q1", "2026-Q1", [], "2026-Q2", [0]),
]
# fmt: on


@pytest.mark.parametrize(
    ("column", "wave", "label", "kept", "tie_label", "tie_kept"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_the_wave_rules(
    column: list[object],
    wave: str | None,
    label: str,
    kept: list[int],
    tie_label: str | None,
    tie_kept: list[int],
) -> None:
    table = pd.DataFrame({"wave": pd.Series(column, dtype=object), "n": range(len(column))})
    rows, used = waves.rows(table, wave)
    assert (used, rows["n"].tolist()) == (label, kept)
    # network functions get the tie wave; given explicitly, ``wave=None`` there is every tie
    assert waves.table_wave(table, wave) == tie_label
    assert waves.tie_rows(table, waves.table_wave(table, wave))["n"].tolist() == tie_kept
    if waves.label(wave):  # a chosen label reaches the same ties either way
        assert waves.tie_rows(table, wave)["n"].tolist() == tie_kept
    else:
        assert waves.tie_rows(table, wave)["n"].tolist() == list(range(len(column)))


def test_a_table_without_a_wave_column() -> None:
    table = pd.DataFrame({"n": [0, 1]})
    assert waves.labels(table) == [] and waves.column(table).tolist() == ["", ""]
    assert waves.rows(table, "W1")[0] is table and waves.tie_rows(table, "W1") is table


def test_the_dataset_waves_are_every_wave_tables_labels() -> None:
    assert set(waves.WAVE_TABLES) == {name for name, cols in TABLE_COLUMNS.items() if "wave" in cols}
    ds = Dataset(
        people=pd.DataFrame({"person_id": ["p1"]}),
        ties=pd.DataFrame({"source_id": ["p1"], "target_id": ["p1"], "relation": ["advice"], "wave": ["W2"]}),
        trust=pd.DataFrame(
            {"person_id": ["p1", "p1"], "wave": [" W1", "nan"], "item": ["tr1"] * 2, "value": [3] * 2}
        ),
        skills=pd.DataFrame({"person_id": ["p1"], "skill": ["SQL"], "level": [3.0], "wave": ["W3"]}),
    )
    assert ds.waves == waves.dataset_waves(ds) == learning.dataset_waves(ds) == ["W1", "W2", "W3"]


def test_the_old_names_follow_the_one_rule() -> None:
    """Each module's wave function is lib.core.waves over its own table(s), "" included."""
    ds = Dataset(
        people=pd.DataFrame({"person_id": ["p1"]}),
        ties=pd.DataFrame({"source_id": ["p1"], "target_id": ["p1"], "relation": ["advice"], "wave": ["W1"]}),
        trust=pd.DataFrame(
            {"person_id": ["p1"] * 2, "wave": ["W1", "W2"], "item": ["tr1"] * 2, "value": [3] * 2}
        ),
        skills=pd.DataFrame(
            {"person_id": ["p1"] * 2, "skill": ["SQL"] * 2, "level": [3.0] * 2, "wave": ["W1", "W3"]}
        ),
    )
    for wave in (None, ""):
        assert trust.resolve_wave(ds, wave) == "W2"
        assert skills.resolve_wave(ds, wave) == "W3"
        assert wirearchy.resolve_wave(ds, wave) == "W3"  # the dataset's waves
        assert ds.tie_wave(wave) == waves.tie_wave(ds, wave) == "W1"
        assert smn.tie_wave(ds, wave) == "W1"  # skills wave W3 → the ties' last wave before it
        assert learning.rows_for_wave(ds.trust, wave)[1] == "W2"
    assert trust.resolve_wave(ds, "W1") == skills.resolve_wave(ds, "W1") == "W1"
    assert trust.survey_waves(ds) == ["W1", "W2"] and skills.skill_waves(ds) == ["W1", "W3"]


def test_no_module_filters_a_wave_column_itself() -> None:
    """One idea, one place: reading a wave column's labels and blanks is lib.core.waves' job."""
    inline = re.compile(r'\["wave"\]\s*(\.(fillna|astype|isin|str|dropna|unique)\b|[!=]=)')
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("lib", "app_pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "lib" / "core" / "waves.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []


def test_kept_codes_follow_the_column_data() -> None:
    """The codes kept for an Arrow-backed wave column (``waves._coded``) give the same answers as
    an object column of the same cells, and never outlive a change: a cell set in place, a column
    replaced, a filtered copy are new data and are read again."""
    cells = ["2026-Q1", " 2026-Q3", None, "nan", "2026-Q3", "", "2026-Q1"]
    arrow = pd.DataFrame({"wave": pd.Series(cells, dtype="string[pyarrow]")})
    plain = pd.DataFrame({"wave": pd.Series(cells, dtype=object)})
    for _ in range(2):  # the second time from what was kept
        assert waves.labels(arrow) == waves.labels(plain) == ["2026-Q1", "2026-Q3"]
        assert waves.column(arrow).tolist() == waves.column(plain).tolist()
        for w in ["2026-Q1", "2026-Q3", "2027"]:
            assert waves.selected(arrow, w).tolist() == waves.selected(plain, w).tolist()
    arrow.loc[0, "wave"] = "2027"  # in place: the column's Arrow data is replaced
    assert waves.labels(arrow) == ["2026-Q1", "2026-Q3", "2027"]
    assert waves.selected(arrow, "2027").tolist() == [True, False, True, True, False, True, False]
    arrow["wave"] = pd.Series(["2025"] * len(cells), dtype="string[pyarrow]")
    assert waves.labels(arrow) == ["2025"]
    assert waves.labels(arrow.iloc[:0]) == [] and waves.labels(arrow.iloc[2:4]) == ["2025"]
    with pytest.raises(ValueError):  # what is kept cannot be changed by a caller
        waves._coded(arrow["wave"])[0][0] = 5


@pytest.mark.parametrize("distinct", [0, 1, 127, 128, 129, 300])
def test_codes_in_the_narrowest_type_give_every_row_its_wave(distinct: int) -> None:
    """Codes kept as int8 / int16 (as few waves as a table has): every row's label and every
    selection equal an object column's, blank cells and the 128th, 129th and 300th wave included."""
    cells = [f"w{i:03d}" for i in range(distinct)] + ([None, "", None] if distinct else [None, None])
    cells = cells + cells[::-1]
    arrow = pd.DataFrame({"wave": pd.Series(cells, dtype="string[pyarrow]")})
    plain = pd.DataFrame({"wave": pd.Series(cells, dtype=object)})
    assert waves.column(arrow).tolist() == waves.column(plain).tolist()
    assert waves.labels(arrow) == [f"w{i:03d}" for i in range(distinct)]
    for w in {"w000", f"w{max(distinct - 1, 0):03d}", "w127", "w128", "none"}:
        assert waves.selected(arrow, w).tolist() == waves.selected(plain, w).tolist()
