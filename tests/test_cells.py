"""lib.intake.cells: the vectorised readers of CSV text columns give, cell for cell, what the
one-cell rules give (:func:`lib.core.dataset.normalise_id`, ``_number_cell``), on columns that take
each fast path (no cell to tidy, to un-".0", or like "1.000") and on columns that do not."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


_NUMBER_TEXTS = [
    "1",
    " 2 ",
    "3.5",
    "-0",
    "+4",
    ".5",
    "1.000",
    "2,5",
    "1e3",
    "inf",
    "-Infinity",
    "nan",
    "N/A",
    "",
    " ",
    "abc",
    "12345678901234567",
    "0.1000000000000000055511151231257827",
    "1 000",
    "#DIV/0!",
]


@settings(max_examples=40, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(_NUMBER_TEXTS)), min_size=1, max_size=40),
    copies=st.integers(1, 300),
)
def test_numbers_read_per_distinct_text_equal_each_cell_read(picks: list[int], copies: int) -> None:
    # a long CSV column of few distinct texts is read once per text (cells._by_distinct): the same
    # floats, codes and notes as reading every cell (index len(_NUMBER_TEXTS) = a missing cell)
    texts = [None if i == len(_NUMBER_TEXTS) else _NUMBER_TEXTS[i] for i in picks] * copies
    raw = pd.Series(texts, dtype="str", index=pd.RangeIndex(3, 3 + len(texts)))
    distinct = cells._by_distinct(raw)
    assert (distinct is None) == (len(set(picks)) > cells._DISTINCT_SHARE * len(texts))
    if distinct is None:
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cells, "_DISTINCT_FROM", 10**12)
        values, codes, notes = cells.parse_numbers(raw)
    pd.testing.assert_series_equal(distinct[0], values)
    np.testing.assert_array_equal(distinct[1], codes)
    assert distinct[2] == notes
    # and parse_numbers takes that path from _DISTINCT_FROM cells on
    if len(texts) >= cells._DISTINCT_FROM:
        pd.testing.assert_series_equal(cells.parse_numbers(raw)[0], values)
