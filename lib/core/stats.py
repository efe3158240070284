"""Small statistics shared by several modules (each with its textbook formula)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable

import numpy as np
from scipy import stats


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


#: Resamples and seed of every bootstrap interval, so intervals repeat exactly.
BOOTSTRAP_RESAMPLES = 1999
BOOTSTRAP_SEED = 20_261_206


def bootstrap_interval(
    values: Iterable[float],
    statistic: Callable[[np.ndarray], float] | None = None,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """A ``confidence`` interval of ``statistic`` (default: the mean) of ``values`` by bootstrap over
    the values (people): :func:`scipy.stats.bootstrap`, percentile method, 1,999 resamples, a
    fixed seed. For a statistic of rows (alpha of a people × items table) pass row indices as
    ``values`` and a statistic that takes them. (NaN, NaN) with fewer than two values or when
    every value is the same."""
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2 or np.all(x == x[0]):
        return math.nan, math.nan
    with warnings.catch_warnings():
        # a statistic undefined on some resamples (alpha with no variance) gives NaN ends, not a warning
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        return _interval(x, statistic, confidence)


def _interval(
    x: np.ndarray, statistic: Callable[[np.ndarray], float] | None, confidence: float
) -> tuple[float, float]:
    if statistic is None:
        res = stats.bootstrap(
            (x,),
            np.mean,
            n_resamples=BOOTSTRAP_RESAMPLES,
            confidence_level=confidence,
            method="percentile",
            random_state=BOOTSTRAP_SEED,
        )
    else:
        stat = statistic
        res = stats.bootstrap(
            (x,),
            lambda s: stat(s),
            vectorized=False,
            n_resamples=BOOTSTRAP_RESAMPLES,
            confidence_level=confidence,
            method="percentile",
            random_state=BOOTSTRAP_SEED,
        )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)
