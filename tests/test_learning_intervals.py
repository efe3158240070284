"""Intervals for every learning-type share: the vectorised bootstrap, per organisation and per shown group."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest

from lib.analysis import learning
from lib.core.dataset import Dataset
from lib.core.schema import LEARNING_TYPE_CODES
from lib.core.stats import bootstrap_interval, bootstrap_mean_intervals, bootstrap_mean_intervals_by_group

TYPES = list(LEARNING_TYPE_CODES)


def test_mean_intervals_match_the_normal_interval_per_column() -> None:
    """900 rows, columns with sd 1 and 3: 95% interval of each mean ≈ mean ± 1.96 sd / 30."""
    rng = np.random.default_rng(4)
    x = np.column_stack([rng.normal(0.0, 1.0, 900), rng.normal(5.0, 3.0, 900)])
    ends = bootstrap_mean_intervals(x)
    half = 1.96 * x.std(axis=0, ddof=1) / 30
    assert ends[0] == pytest.approx(x.mean(axis=0) - half, abs=0.2 * half.max())
    assert ends[1] == pytest.approx(x.mean(axis=0) + half, abs=0.2 * half.max())


def test_mean_intervals_agree_with_scipy_bootstrap_of_one_column() -> None:
    x = np.random.default_rng(5).exponential(1.0, 300)
    ours = bootstrap_mean_intervals(x)[:, 0]
    theirs = bootstrap_interval(x)
    assert ours == pytest.approx(theirs, abs=0.02)  # both percentile, 1,999 resamples: Monte Carlo error only


def test_mean_intervals_cover_the_true_mean_about_95_times_in_100() -> None:
    """300 samples of 80 shares u / (u + 1), u ~ U(0, 2), true mean 1 − ln 3 / 2: coverage near 95%
    (percentile intervals run a little short at n = 80; 0.89–0.99 holds the binomial noise too)."""
    truth = 1 - math.log(3) / 2
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(300):
        u = rng.uniform(0, 2, 80)
        lo, hi = bootstrap_mean_intervals(u / (u + 1), resamples=999, seed=int(rng.integers(1 << 30)))[:, 0]
        hits += lo < truth < hi
    assert 0.89 <= hits / 300 <= 0.99


def test_mean_intervals_edge_cases() -> None:
    flat = bootstrap_mean_intervals(np.column_stack([np.full(10, 0.2), np.arange(10.0)]))
    assert math.isnan(flat[0, 0]) and math.isnan(flat[1, 0])  # no spread: undefined
    assert flat[0, 1] < 4.5 < flat[1, 1]
    assert np.isnan(bootstrap_mean_intervals(np.ones((1, 3)))).all()  # one person
    assert (
        bootstrap_mean_intervals(np.arange(20.0)).tolist()
        == bootstrap_mean_intervals(np.arange(20.0)).tolist()
    )


def test_grouped_intervals_are_each_group_alone() -> None:
    """One call for many groups gives each group exactly its own call's interval: groups of one,
    repeated sizes (shared resamples), a NaN row, a flat column and a group above one block."""
    rng = np.random.default_rng(11)
    sizes = [1, 2, 7, 7, 9, 65, 65, 2100]
    x = rng.random((sum(sizes), 3))
    x[4, 1] = np.nan
    x[:, 2] = 0.25
    bounds = np.cumsum([0, *sizes])
    groups = [np.arange(a, b) for a, b in itertools.pairwise(bounds)]
    together = bootstrap_mean_intervals_by_group(x, groups)
    for rows, ends in zip(groups, together, strict=True):
        assert np.array_equal(ends, bootstrap_mean_intervals(x[rows]), equal_nan=True)
    assert np.isnan(together[0]).all() and np.isnan(together[3][:, 2]).all()
    assert not np.isnan(together[3][:, :2]).any()


def _make(teams: dict[str, str], hours: dict[str, dict[str, float]]) -> Dataset:
    people = pd.DataFrame({"person_id": list(teams), "team": list(teams.values()), "department": "D"})
    rows = [
        {"person_id": p, "wave": "", "learning_type": t, "hours": h}
        for p, mix in hours.items()
        for t, h in mix.items()
    ]
    return Dataset(people=people, learning=pd.DataFrame(rows))


def grouped() -> Dataset:
    """Team A: 6 people, IOL share 0, .2, … 1, the rest FSL; B: 4 (hidden), C: 5 (hidden, complementary)."""
    teams = {
        **{f"a{i}": "A" for i in range(6)},
        **{f"b{i}": "B" for i in range(4)},
        **{f"c{i}": "C" for i in range(5)},
    }
    hours = {f"a{i}": {"IOL": 2.0 * i, "FSL": 10.0 - 2 * i} for i in range(6)}
    hours |= {f"b{i}": {"GDL": 1.0} for i in range(4)} | {f"c{i}": {"PDL": 1.0} for i in range(5)}
    return _make(teams, hours)


def test_group_intervals_only_for_shown_groups_and_by_hand() -> None:
    table = learning.mix_intervals(grouped(), "team")
    assert set(table["team"]) == {"A"}  # B is below 5, C would reveal B: neither gets an interval
    a = table.set_index("learning_type")
    assert a.loc["IOL", "share"] == pytest.approx(0.5) and a.loc["IOL", "respondents"] == 6
    assert a.loc["IOL", "share_low"] < 0.5 < a.loc["IOL", "share_high"]
    # FSL = 1 − IOL for every person, and both come from the same resamples: mirrored ends
    assert a.loc["FSL", "share_low"] == pytest.approx(1 - a.loc["IOL", "share_high"])
    assert a.loc["FSL", "share_high"] == pytest.approx(1 - a.loc["IOL", "share_low"])
    assert math.isnan(a.loc["GDL", "share_low"])  # nobody in A has GDL: no spread, no interval


def test_organisation_interval_and_withheld_organisation() -> None:
    org = learning.mix_intervals(grouped(), None).set_index("learning_type")
    summary = learning.overall_mix(grouped())
    for t in TYPES:
        assert org.loc[t, "share"] == pytest.approx(summary.shares[t])
    assert org.loc["GDL", "share_low"] < summary.shares["GDL"] < org.loc["GDL", "share_high"]
    lo, hi = summary.informal_share_ci  # 1 − FSL: the FSL interval mirrored
    assert (lo, hi) == pytest.approx((1 - org.loc["FSL", "share_high"], 1 - org.loc["FSL", "share_low"]))
    few = _make({f"p{i}": "A" for i in range(4)}, {f"p{i}": {"IOL": 1.0, "FSL": float(i)} for i in range(4)})
    assert learning.mix_intervals(few, None).empty  # 4 respondents: no mix, so no interval either


def test_intervals_cover_the_truth_on_a_sample_of_known_shares() -> None:
    """400 people with IOL hours ~ U(0, 2) and FSL hours 1: the interval of the mean IOL share holds the
    population value E[u / (u + 1)] = 1 − ln 3 / 2 ≈ 0.4507 (a 95% interval misses it 1 time in 20; seed fixed)."""
    rng = np.random.default_rng(12)
    u = rng.uniform(0, 2, 400)
    ids = [f"p{i}" for i in range(400)]
    ds = _make(
        dict.fromkeys(ids, "A"), {p: {"IOL": float(h), "FSL": 1.0} for p, h in zip(ids, u, strict=True)}
    )
    iol = learning.mix_intervals(ds, None).set_index("learning_type").loc["IOL"]
    assert iol["share_low"] < 1 - math.log(3) / 2 < iol["share_high"]
    assert iol["share_high"] - iol["share_low"] < 0.05


def test_analysis_json_carries_intervals() -> None:
    from lib.intake.sample import generate

    out = learning.analysis_json(generate(people=150, seed=3))
    json.dumps(out)
    ci = out["shares_ci"]
    assert isinstance(ci, dict) and set(ci) == set(TYPES)
    shares = out["shares"]
    assert isinstance(shares, dict)
    for t in TYPES:
        assert ci[t][0] <= shares[t] <= ci[t][1]
    departments = out["per_department"]
    assert isinstance(departments, list)
    shown = [d for d in departments if not d["suppressed"]]
    assert shown and all(set(d["shares_ci"]) == set(TYPES) for d in shown)
    assert all(d["shares_ci"] == {} for d in departments if d["suppressed"])


def test_large_samples_draw_fewer_resamples_and_say_so() -> None:
    """Above 5,000 rows the bootstrap draws 499 resamples (a draw per row each): the interval is
    still the normal one within its Monte Carlo error, and the organisation's mix states it."""
    from lib.core.stats import bootstrap_resamples, percentile_end_error

    assert (bootstrap_resamples(5_000), bootstrap_resamples(5_001)) == (1999, 499)
    assert percentile_end_error(1999) == pytest.approx(0.060, abs=0.002)
    assert percentile_end_error(499) == pytest.approx(0.120, abs=0.003)
    rng = np.random.default_rng(8)
    x = rng.beta(2.0, 5.0, size=(25_000, 2))
    ends = bootstrap_mean_intervals(x)
    se = x.std(axis=0, ddof=1) / math.sqrt(len(x))
    # each end within 4 of its Monte Carlo errors (0.12 se) of the normal interval's
    assert np.abs(ends[0] - (x.mean(axis=0) - 1.96 * se)).max() < 4 * 0.12 * se.max()
    assert np.abs(ends[1] - (x.mean(axis=0) + 1.96 * se)).max() < 4 * 0.12 * se.max()
    n = 5_001
    people = pd.DataFrame({"person_id": [f"p{i}" for i in range(n)], "name": "x", "team": "t"})
    hours = rng.integers(1, 10, size=(n, 2)).astype(float)
    rows = pd.DataFrame(
        {
            "person_id": np.repeat(people["person_id"].to_numpy(), 2),
            "wave": "",
            "learning_type": np.tile(["FSL", "IOL"], n),
            "hours": hours.ravel(),
        }
    )
    big = learning.overall_mix(Dataset(people=people, learning=rows), across=False)
    assert big.respondents == n and big.resamples == 499
    assert "499 bootstrap resamples" in big.interval_note and big.as_dict()["interval_resamples"] == 499
    low, high = big.shares_ci["FSL"]
    assert low < big.shares["FSL"] < high
    small = learning.overall_mix(Dataset(people=people.head(50), learning=rows.head(100)), across=False)
    assert (
        small.resamples == 1999 and small.interval_note == "" and "interval_resamples" not in small.as_dict()
    )
