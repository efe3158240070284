"""lib.core.textsets.is_in answers what Series.isin answers, for text with blanks and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.core.textsets import is_in, positions


def test_is_in_matches_series_isin() -> None:
    rng = np.random.default_rng(3)
    values = pd.Series([f"p{i}" for i in rng.integers(0, 50, 500)] + ["", None, " p1"], dtype="str")
    allowed = {f"p{i}" for i in range(0, 50, 3)} | {""}
    assert is_in(values, allowed).tolist() == values.isin(allowed).tolist()
    assert is_in(values, pd.Index(sorted(allowed))).tolist() == values.isin(sorted(allowed)).tolist()
    assert is_in(values.to_numpy(dtype=object), ["p3", None]).tolist() == values.isin(["p3", None]).tolist()
    assert is_in(values, []).tolist() == [False] * len(values)
    assert not is_in(pd.Series([" p1"], dtype="str"), ["p1"]).any()  # no trimming: exact text


@pytest.mark.parametrize(
    "values, among",
    [
        (["a", "b", None, "c"], ["b", "c"]),
        (["a", "b", None, "c"], ["b", None]),  # a missing value is among a set holding one
        (["a", "b"], []),
        ([], ["a"]),
    ],
)
def test_is_in_and_positions_agree_with_pandas(values: list[str | None], among: list[str | None]) -> None:
    series = pd.Series(values, dtype="str")
    expected = series.isin(among).to_numpy(dtype=bool)
    assert is_in(series, among).tolist() == expected.tolist()
    assert is_in(series, pd.Series(among, dtype=object)).tolist() == expected.tolist()
    ids = [x for x in among if x is not None]
    assert (
        positions(series, ids).tolist()
        == pd.Index(ids, dtype=object).get_indexer(pd.Index(series.astype(object))).tolist()
    )


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lib.core.textsets import sorted_codes  # noqa: E402


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="aAbé _Z9", max_size=3)), max_size=30),
    st.sampled_from(["str", object]),
)
def test_sorted_codes_are_factorize_sorted(values: list[str | None], dtype: object) -> None:
    series = pd.Series(values, dtype=dtype)
    codes, distinct = sorted_codes(series)
    expected_codes, expected = pd.factorize(series, sort=True, use_na_sentinel=True)
    assert codes.tolist() == expected_codes.tolist()
    assert list(distinct) == list(expected)
    assert distinct.dtype == expected.dtype
