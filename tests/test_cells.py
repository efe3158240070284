"""lib.intake.cells: the vectorised readers of CSV text columns give, cell for cell, what the
one-cell rules give (:func:`lib.core.dataset.normalise_id`, ``_number_cell``), on columns that take
each fast path (no cell to tidy, to un-".0", or like "1.000") and on columns that do not."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.core.dataset import normalise_id
from lib.intake import cells

ID_COLUMNS = [
    ["P01", "P02", " P03 ", ""],  # nothing to tidy, no ".0": the fast path
    ["12.0", "7", "n/a", "NULL", "nan", "12.00", "0.0", "1.05"],
    ["P01", "Pé", "P\u00a002", "\u200bP03", "12.0"],  # not plain ASCII: tidied one by one
    [],
]


@pytest.mark.parametrize("values", ID_COLUMNS)
def test_read_ids_of_text_is_normalise_id_per_cell(values: list[str]) -> None:
    ids, changes = cells.read_ids(pd.Series(values, dtype="str"))
    expected = [normalise_id(cells.tidy_id(v.strip(cells.ASCII_SPACE))[0]) for v in values]
    assert ids.tolist() == expected
    assert ids.dtype == "str" and changes.dtype == "str"
    assert [bool(c) for c in changes] == [cells.tidy_id(v.strip(cells.ASCII_SPACE))[1] != "" for v in values]


def test_read_ids_blank_cell_is_not_tidied() -> None:
    ids, changes = cells.read_ids(pd.Series(["P01", np.nan, "Pé"], dtype="str"))
    assert changes.tolist() == ["", "", cells.tidy_id("Pé")[1]]
    assert ids.iloc[0] == "P01"


NUMBER_COLUMNS = [
    ["1", "2.5", " 3 ", "-4", ".5"],  # every cell plain: one cast
    ["1.000", "2", "1,5", ""],  # a cell like "1.000" (a thousands separator?) and a comma
    ["3", "x", "", "1e3", "inf"],
    ["12345678901234567", "2"],  # too long for the short cast
    [],
]


@pytest.mark.parametrize("values", NUMBER_COLUMNS)
def test_parse_numbers_of_text_is_number_cell_per_cell(values: list[str]) -> None:
    numbers, codes, notes = cells.parse_numbers(pd.Series(values, dtype="str"))
    for i, v in enumerate(values):
        text = v.strip()
        want = (cells.BLANK, math.nan, "") if text == "" else cells._number_cell(text)
        assert (codes[i], notes[i]) == (want[0], want[2]), v
        assert numbers.iloc[i] == want[1] or (math.isnan(numbers.iloc[i]) and math.isnan(want[1])), v
    assert numbers.dtype == "float64" and len(numbers) == len(values)
