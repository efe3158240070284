"""QAP test of a graph correlation (sna ``qaptest(…, gcor)`` semantics) against hand and brute-force computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lib.core.stats import qap_correlation


def _dense(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    m = np.zeros((n, n))
    for i, j in edges:
        m[i, j] = 1
    return m


def _gcor(a: np.ndarray, b: np.ndarray) -> float:
    """sna gcor(diag=FALSE): Pearson correlation of the off-diagonal cells."""
    off = ~np.eye(len(a), dtype=bool)
    return float(np.corrcoef(a[off], b[off])[0, 1])


def _split(edges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([i for i, _ in edges]), np.array([j for _, j in edges])


A = [(0, 1), (1, 2), (2, 0), (2, 3)]
B = [(0, 1), (1, 2), (3, 0)]


def test_correlation_by_hand() -> None:
    """n = 4: m = 12 cells, k_a = 4, k_b = 3, c = 2 shared: r = (12·2 − 12) / √(4·8·3·9) = 12 / √864."""
    res = qap_correlation(4, _split(A), _split(B))
    assert res.r == pytest.approx(12 / math.sqrt(864))
    assert res.r == pytest.approx(_gcor(_dense(4, A), _dense(4, B)))


def test_p_values_match_the_exact_distribution_over_all_relabellings() -> None:
    """All 4! = 24 relabellings of B, by brute force on dense matrices: the exact pgreq and pleeq; the
    Monte Carlo p-values with 20,000 draws fall within 0.01 of them."""
    a, b = _dense(4, A), _dense(4, B)
    r0 = _gcor(a, b)
    dist = [_gcor(a, b[np.ix_(p, p)]) for p in map(list, itertools.permutations(range(4)))]
    exact_ge = np.mean([d >= r0 - 1e-12 for d in dist])
    exact_le = np.mean([d <= r0 + 1e-12 for d in dist])
    res = qap_correlation(4, _split(A), _split(B), reps=20_000)
    assert res.p_greater == pytest.approx(exact_ge, abs=0.01)
    assert res.p_less == pytest.approx(exact_le, abs=0.01)
    assert 0 < exact_ge < 1  # the case is not degenerate


def test_a_network_and_its_noisy_copy_are_related_and_two_random_ones_are_not() -> None:
    rng = np.random.default_rng(3)
    n = 80
    base = {(int(i), int(j)) for i, j in rng.integers(0, n, (400, 2)) if i != j}
    noisy = {e for e in base if rng.random() < 0.8} | {
        (int(i), int(j)) for i, j in rng.integers(0, n, (80, 2)) if i != j
    }
    other = {(int(i), int(j)) for i, j in rng.integers(0, n, (400, 2)) if i != j}
    related = qap_correlation(n, _split(sorted(base)), _split(sorted(noisy)))
    assert related.r > 0.5 and related.p_greater < 0.01
    unrelated = qap_correlation(n, _split(sorted(base)), _split(sorted(other)))
    assert abs(unrelated.r) < 0.1 and unrelated.p_greater > 0.05


def test_degenerate_networks_have_no_correlation() -> None:
    assert math.isnan(qap_correlation(4, _split(A), _split([])).r)
    everything = [(i, j) for i in range(3) for j in range(3) if i != j]
    assert math.isnan(qap_correlation(3, _split(everything), _split(A[:2])).p_greater)
    loops = qap_correlation(4, _split([*A, (1, 1), (0, 1)]), _split(B))  # loops and repeats ignored
    assert loops.r == pytest.approx(qap_correlation(4, _split(A), _split(B)).r)


@pytest.mark.parametrize("bitmap_bytes", [64, 4096])
def test_a_network_too_large_for_a_cell_bitmap_gets_the_same_test(
    bitmap_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above about 23,000 people the n² cells do not fit the bitmap: lookups go through a bitmap of
    # the cells' hashes, then a binary search for the few it lets through. Forced here on 300
    # people (a tiny bitmap: many hash collisions to check), the test gives the same r, p-values and
    # draws as the cell bitmap.
    from lib.core import stats

    rng = np.random.default_rng(9)
    n = 300
    a = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    keep = rng.random(3000) < 0.7
    b = (
        np.concatenate([a[0][keep], rng.integers(0, n, 600)]),
        np.concatenate([a[1][keep], rng.integers(0, n, 600)]),
    )
    whole = qap_correlation(n, a, b, reps=199)
    monkeypatch.setattr(stats, "_BITMAP_BYTES", bitmap_bytes)
    assert n * n > 8 * stats._BITMAP_BYTES  # the hashed path
    hashed = qap_correlation(n, a, b, reps=199)
    assert hashed == whole and 0.3 < whole.r < 1
    codes = stats.edge_codes(n, *b)
    cells = rng.integers(0, n * n, size=(7, 5000))
    cells[:, :100] = codes[:100]
    assert np.array_equal(stats._membership(codes, n)(cells), np.isin(cells, codes))
