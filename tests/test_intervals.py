"""Intervals and reliability: bootstrap intervals over respondents, McDonald's omega beside alpha."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.analysis import trust
from lib.core.stats import bootstrap_interval


def test_bootstrap_interval_of_a_mean_matches_the_normal_interval_on_a_large_sample() -> None:
    """400 values with sd 1: the 95% interval of the mean is about mean ± 1.96 / 20 = ± 0.098."""
    x = np.random.default_rng(0).normal(3.0, 1.0, 400)
    low, high = bootstrap_interval(x)
    half = 1.96 * x.std(ddof=1) / 20
    assert low == pytest.approx(x.mean() - half, abs=0.02)
    assert high == pytest.approx(x.mean() + half, abs=0.02)
    assert all(math.isnan(v) for v in bootstrap_interval(np.full(10, 2.0)))  # no spread: undefined
    assert all(math.isnan(v) for v in bootstrap_interval([1.0]))


@pytest.mark.parametrize(("n", "resamples"), [(5_000, 1999), (5_001, 499)])
def test_bootstrap_interval_draws_fewer_resamples_above_five_thousand_values(n: int, resamples: int) -> None:
    """Above :data:`lib.core.stats.BOOTSTRAP_LARGE_ROWS` values the interval is scipy's from 499
    resamples (the same seed), as the bootstrap of means does (:func:`bootstrap_resamples`)."""
    from scipy import stats

    from lib.core.stats import BOOTSTRAP_SEED

    x = np.random.default_rng(1).normal(3.0, 1.0, n)
    res = stats.bootstrap(
        (x,), np.mean, n_resamples=resamples, method="percentile", random_state=BOOTSTRAP_SEED
    )
    ci = res.confidence_interval
    assert bootstrap_interval(x) == pytest.approx((ci.low, ci.high), rel=1e-12)


def _one_factor(loadings: list[float], n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    items = {
        f"i{j}": lam * f + rng.normal(scale=math.sqrt(1 - lam**2), size=n) for j, lam in enumerate(loadings)
    }
    return pd.DataFrame(items)


def test_omega_by_hand_on_a_one_factor_model() -> None:
    """Loadings 0.8, 0.7, 0.6, 0.5 with unit variances: ω = (2.6)² / ((2.6)² + Σ(1 − λ²)) =
    6.76 / (6.76 + 2.26) ≈ 0.749; alpha of these unequal loadings is lower (about 0.74 or less)."""
    data = _one_factor([0.8, 0.7, 0.6, 0.5], 4000, 1)
    expected = 2.6**2 / (2.6**2 + sum(1 - x**2 for x in (0.8, 0.7, 0.6, 0.5)))
    omega = trust.mcdonald_omega(data)
    assert omega == pytest.approx(expected, abs=0.02)
    assert trust.cronbach_alpha(data).alpha <= omega + 0.005
    assert math.isnan(trust.mcdonald_omega(data.iloc[:2]))


def test_dimension_summary_gives_intervals_and_omega() -> None:
    from lib.intake.sample import generate

    dims = trust.dimension_summary(generate(people=120, seed=2))
    for row in dims.itertuples():
        assert row.mean_low < row.mean < row.mean_high
        assert row.alpha_low < row.alpha < row.alpha_high
        assert 0 < row.omega < 1


def test_random_network_baseline_by_hand_and_a_random_network_inside_it() -> None:
    """200 people naming 5 others at random: density d = 5/199; the chance a name is returned is
    about d, so expected arc reciprocity ≈ 0.025; transitivity of the undirected graph is about its
    density 2d ≈ 0.05. The measured values of such a network fall inside the 95% intervals."""
    from lib.analysis import network
    from lib.core.dataset import Dataset

    n, k = 200, 5
    rng = np.random.default_rng(4)
    ids = [f"q{i}" for i in range(n)]
    pairs = [
        (ids[i], ids[j])
        for i in range(n)
        for j in rng.choice([x for x in range(n) if x != i], k, replace=False)
    ]
    ties = pd.DataFrame(
        {"source_id": [a for a, _ in pairs], "target_id": [b for _, b in pairs], "relation": "advice"}
    )
    ds = Dataset(people=pd.DataFrame({"person_id": ids, "name": ids}), ties=ties)
    chance = network.random_baseline(ds, ["advice"])
    d = k / (n - 1)
    assert chance["reciprocity_arc"][0] == pytest.approx(d, abs=0.01)
    assert chance["transitivity"][0] == pytest.approx(2 * d, abs=0.015)
    summary = network.network_measures(ds, ["advice"])
    for key in ("reciprocity_arc", "transitivity", "gini_in_degree"):
        _, low, high = chance[key]
        assert low <= getattr(summary, key) <= high, key


def test_the_learning_page_gives_the_interval_and_marks_the_wording_change() -> None:
    from tests.conftest import open_page

    at = open_page("app_pages/learning.py")
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Informal share") and "95% bootstrap interval" in c for c in captions)
    # the sample's waves carry no wording column and end before the kit's change: read from the date
    assert any(
        c.startswith("Learning questions in this wave: the kit's earlier wording") and "wave's date" in c
        for c in captions
    )
    assert any(
        "70:20:10: experience : others : formal" in c and "not of how time is spent" in c for c in captions
    )


@pytest.mark.parametrize("people, items", [(30, 3), (700, 5)])
def test_alphas_interval_from_counts_is_the_bootstrap_of_cronbachs_formula(people: int, items: int) -> None:
    # The alpha interval resamples people in blocks and gets each resample's variances from how
    # often each person is drawn; it is scipy's bootstrap of the textbook per-resample alpha.
    import math

    from scipy import stats

    from lib.core.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED

    rng = np.random.default_rng(people)
    values = np.clip(np.round(3 + rng.normal(size=(people, 1)) + rng.normal(size=(people, items))), 1, 5)

    def alpha(rows: np.ndarray) -> float:
        sample = values[rows.astype(int)]
        total = sample.sum(axis=1).var(ddof=1)
        return items / (items - 1) * (1 - sample.var(axis=0, ddof=1).sum() / total) if total > 0 else math.nan

    plain = stats.bootstrap(
        (np.arange(people, dtype=float),),
        lambda s: alpha(s),
        vectorized=False,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        random_state=BOOTSTRAP_SEED,
    ).confidence_interval
    low, high = trust._alpha_interval(pd.DataFrame(values))
    assert low == pytest.approx(plain.low, abs=1e-9) and high == pytest.approx(plain.high, abs=1e-9)
    assert low < trust.cronbach_alpha(pd.DataFrame(values)).alpha < high
