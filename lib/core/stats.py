"""Small statistics shared by several modules (each with its textbook formula)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values (0 = perfectly even, → 1 = one holds all).

    G = Σ_i Σ_j |x_i − x_j| / (2 n² x̄), computed in O(n log n) from the sorted values as
    G = (2 Σ_i i·x_(i)) / (n Σ x) − (n + 1) / n with ranks i = 1..n (Dorfman 1979).
    Defined as 0.0 for fewer than two values or when all values are zero.
    """
    x = np.sort(np.asarray(list(values), dtype=float))
    n = x.size
    total = x.sum()
    if n < 2 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * np.sum(ranks * x)) / (n * total) - (n + 1) / n)
