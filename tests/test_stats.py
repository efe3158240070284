"""lib.core.stats' normal and t quantities, average ranks and Spearman's ρ: the very values
scipy.stats gives (they stand in for it so the command line need not import it: 0.4 s)."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from lib.core import stats

ROOT = Path(__file__).resolve().parent.parent


@given(st.floats(min_value=1e-12, max_value=1 - 1e-12))
@settings(max_examples=300, deadline=None)
def test_normal_quantile_is_scipys(p: float) -> None:
    assert stats.normal_quantile(p) == float(scipy_stats.norm.ppf(p))


@given(st.floats(min_value=-40, max_value=40))
@settings(max_examples=300, deadline=None)
def test_normal_density_is_scipys(x: float) -> None:
    assert stats.normal_density(x) == float(scipy_stats.norm.pdf(x))


@given(st.floats(min_value=1e-9, max_value=1 - 1e-9), st.integers(min_value=1, max_value=10_000))
@settings(max_examples=300, deadline=None)
def test_t_quantile_is_scipys(q: float, df: int) -> None:
    assert stats.t_quantile(q, df) == float(scipy_stats.t.ppf(q, df))


def test_percentile_end_error_by_hand() -> None:
    # √(p(1 − p)/R) / φ(z_p), p = 0.025: z = −1.959964, φ(z) = 0.058445
    assert stats.percentile_end_error(1999) == pytest.approx(
        math.sqrt(0.025 * 0.975 / 1999) / 0.0584451, rel=1e-5
    )


values = st.lists(st.integers(min_value=-3, max_value=3), min_size=0, max_size=40)


@given(values)
@settings(max_examples=300, deadline=None)
def test_average_ranks_are_scipys_rankdata(x: list[int]) -> None:
    np.testing.assert_array_equal(stats.average_ranks(np.asarray(x, dtype=float)), scipy_stats.rankdata(x))


@given(
    st.lists(
        st.tuples(
            st.one_of(st.integers(-4, 4).map(float), st.floats(-1e3, 1e3), st.just(math.nan)),
            st.one_of(st.integers(-2, 2).map(float), st.floats(-1e3, 1e3)),
        ),
        min_size=0,
        max_size=60,
    )
)
@settings(max_examples=400, deadline=None)
def test_spearman_is_scipys_spearmanr(pairs: list[tuple[float, float]]) -> None:
    x = np.asarray([a for a, _ in pairs], dtype=float)
    y = np.asarray([b for _, b in pairs], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on constant input; ours returns NaN quietly
        expected = scipy_stats.spearmanr(x, y)
    np.testing.assert_array_equal(stats.spearman(x, y), (float(expected.statistic), float(expected.pvalue)))


def test_spearman_by_hand() -> None:
    # ranks (1, 2, 3, 4) and (1, 3, 2, 4): ρ = 1 − 6 Σd² / (n(n² − 1)) = 1 − 6·2/60 = 0.8
    rho, p = stats.spearman([10, 20, 30, 40], [1, 3, 2, 4])
    assert rho == pytest.approx(0.8)
    t = 0.8 * math.sqrt(2 / (1.8 * 0.2))  # on 2 degrees of freedom: p = 1 − t/√(t² + 2) for df = 2
    assert p == pytest.approx(1 - t / math.sqrt(t * t + 2))


def test_the_analysis_sections_import_without_scipy_stats() -> None:
    # the command line imports every section while the file parses; scipy.stats would add 0.4 s
    code = (
        "import sys; from lib.app import cli; cli._import_igraph_without_pyplot(); cli._import_sections(); "
        "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _scipys_interval(
    x: np.ndarray, fn: object, vectorized: bool, batch: int | None, resamples: int, confidence: float
) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate resamples: NaN ends, which is what is compared
        res = scipy_stats.bootstrap(
            (x,),
            fn,
            vectorized=vectorized,
            batch=batch,
            n_resamples=resamples,
            confidence_level=confidence,
            method="percentile",
            random_state=stats.BOOTSTRAP_SEED,
        )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _spread(s: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.asarray(np.std(s, axis=axis) / np.mean(s, axis=axis))


@given(
    st.lists(st.integers(-5, 5), min_size=2, max_size=30),
    st.sampled_from([1999, 499, 25, 7]),
    st.sampled_from([0.95, 0.9, 0.5]),
    st.sampled_from(["mean", "spread", "median"]),
    st.integers(min_value=1, max_value=40),
)
@settings(max_examples=200, deadline=None)
def test_percentile_bootstrap_is_scipys_bootstrap(
    cells: list[int], resamples: int, confidence: float, kind: str, batch: int
) -> None:
    x = np.asarray(cells, dtype=float) / 2
    fn, vectorized, blocks = {
        "mean": (np.mean, True, None),
        "spread": (_spread, True, batch),  # a vectorised statistic in blocks, NaN or inf on some draws
        "median": (np.median, False, None),  # one resample at a time
    }[kind]
    with np.errstate(all="ignore"):
        ours = stats.percentile_bootstrap(
            x, fn, vectorized, blocks, resamples, confidence, stats.BOOTSTRAP_SEED
        )
        theirs = _scipys_interval(x, fn, vectorized, blocks, resamples, confidence)
    np.testing.assert_array_equal(ours, theirs)


def test_analyze_at_a_thousand_people_needs_no_scipy_stats(tmp_path: Path) -> None:
    # every section of the command line's analysis, the wirearchy index's bootstrap included
    code = (
        "import sys\n"
        "from lib.intake.sample import generate\n"
        "from lib.app import cli\n"
        "cli.analyze(generate(people=1000, seed=7))\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


@given(
    st.integers(min_value=2, max_value=700),
    st.integers(min_value=1, max_value=3),
    st.sampled_from([1999, 499, 40]),
)
@settings(max_examples=40, deadline=None)
def test_resample_counts_one_row_at_a_time_are_the_counts_of_all_at_once(
    n: int, k: int, resamples: int
) -> None:
    x = np.random.default_rng(n).normal(size=(n, k))
    saved = stats._ROW_COUNTS
    try:
        stats._ROW_COUNTS = 10**9  # every size counted over all resamples at once
        at_once = stats._resampled_means(x, resamples, stats.BOOTSTRAP_SEED, {})
        stats._ROW_COUNTS = 1  # every size one resample at a time
        by_row = stats._resampled_means(x, resamples, stats.BOOTSTRAP_SEED, {})
    finally:
        stats._ROW_COUNTS = saved
    np.testing.assert_array_equal(by_row, at_once)
