"""lib.core.textsets.is_in answers what Series.isin answers, for text with blanks and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.core.textsets import is_in


def test_is_in_matches_series_isin() -> None:
    rng = np.random.default_rng(3)
    values = pd.Series([f"p{i}" for i in rng.integers(0, 50, 500)] + ["", None, " p1"], dtype="str")
    allowed = {f"p{i}" for i in range(0, 50, 3)} | {""}
    assert is_in(values, allowed).tolist() == values.isin(allowed).tolist()
    assert is_in(values, pd.Index(sorted(allowed))).tolist() == values.isin(sorted(allowed)).tolist()
    assert is_in(values.to_numpy(dtype=object), ["p3", None]).tolist() == values.isin(["p3", None]).tolist()
    assert is_in(values, []).tolist() == [False] * len(values)
    assert not is_in(pd.Series([" p1"], dtype="str"), ["p1"]).any()  # no trimming: exact text
