"""The random-network baselines (lib.analysis.baseline): the in-degree summaries of the random
networks, taken from how many people have each in-degree, are the ones the sorted in-degrees give."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.analysis import baseline


def _sorted_summaries(rand: np.ndarray, share: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The textbook way, one network (row) at a time: sort its in-degrees, then the largest over
    the median, the top ``share``'s part of all names, and the Gini coefficient
    2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n."""
    ratios, shares, ginis = [], [], []
    for row in rand:
        x = np.sort(row)
        n, total = len(x), x.sum()
        k = max(1, math.floor(share * n))
        ratios.append(x[-1] / max(np.median(x), 1.0))
        shares.append(x[-k:].sum() / total if total > 0 else math.nan)
        g = (2.0 * (np.arange(1, n + 1) * x).sum()) / (n * total) - (n + 1) / n if total > 0 else 0.0
        ginis.append(g if n >= 2 else 0.0)
    return np.array(ratios), np.array(shares), np.array(ginis)


def _counts(rand: np.ndarray) -> np.ndarray:
    width = int(rand.max()) + 1
    return np.array([np.bincount(row.astype(np.int64), minlength=width) for row in rand])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), min_size=2, max_size=60), min_size=1, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.sampled_from([0.01, 0.1, 0.25, 0.5]),
)
def test_summaries_from_degree_counts_equal_the_sorted_ones(rows: list[list[int]], share: float) -> None:
    rand = np.array(rows, dtype=float)
    got = baseline._random_summaries(_counts(rand), rand.shape[1], share)
    want = _sorted_summaries(rand, share)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w, equal_nan=True), (g, w)  # bit for bit, not approximately


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 400), st.integers(1, 2000), st.integers(0, 2**32 - 1))
def test_random_degree_counts_are_the_random_in_degrees_counted(n: int, m: int, seed: int) -> None:
    sources = np.random.default_rng(seed).integers(0, n, size=m)
    rand = baseline.random_in_degrees(sources, n, sims=25, seed=seed)
    counts = baseline._random_degree_counts(sources, n, sims=25, seed=seed)
    assert counts.shape[0] == len(rand) == 25
    assert np.array_equal(counts[:, : int(rand.max()) + 1], _counts(rand))
    assert (counts.sum(axis=1) == n).all()
    got = baseline._random_summaries(counts, n)
    assert all(
        np.array_equal(g, w, equal_nan=True) for g, w in zip(got, _sorted_summaries(rand), strict=True)
    )


def test_a_concentration_on_no_ties_is_not_a_number() -> None:
    c = baseline.concentration(np.zeros(5), np.zeros(0, dtype=np.int64))
    assert math.isnan(c.top_ratio_random) and math.isnan(c.gini_high)
