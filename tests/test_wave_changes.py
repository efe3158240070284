"""'What changed' states only changes that pass a paired test at 5%: two waves that differ only by
noise show no change; a planted change is found."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.analysis.overview import paired_change, what_changed
from lib.core.dataset import Dataset

N, DEPTS, NAMES = 60, 4, 5


def _wave(inside: dict[str, float], seed: int, label: str) -> pd.DataFrame:
    """Each person names NAMES colleagues: each one inside their department with probability
    ``inside[department]`` (default 0.25 = a quarter of the organisation), else outside."""
    rng = np.random.default_rng(seed)
    dept = np.arange(N) % DEPTS
    rows = []
    for i in range(N):
        p = inside.get(f"D{dept[i]}", 0.25)
        same = [j for j in range(N) if j != i and dept[j] == dept[i]]
        other = [j for j in range(N) if dept[j] != dept[i]]
        picks: set[int] = set()
        while len(picks) < NAMES:
            pool = same if rng.random() < p else other
            picks.add(int(rng.choice(pool)))
        rows += [(f"p{i}", f"p{j}") for j in sorted(picks)]
    return pd.DataFrame(
        {
            "source_id": [a for a, _ in rows],
            "target_id": [b for _, b in rows],
            "relation": "advice",
            "weight": 1.0,
            "wave": label,
        }
    )


def _org(w1: dict[str, float], w2: dict[str, float], seed: int) -> Dataset:
    ids = [f"p{i}" for i in range(N)]
    people = pd.DataFrame({"person_id": ids, "name": ids, "department": [f"D{i % DEPTS}" for i in range(N)]})
    return Dataset(
        people=people, ties=pd.concat([_wave(w1, seed, "W1"), _wave(w2, seed + 100, "W2")], ignore_index=True)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_waves_that_differ_only_by_noise_show_no_change(seed: int) -> None:
    """D0 asks inside with probability 0.9 in both waves (a silo both times): redrawing the ties
    moves the measured shares a little, and nothing may be stated as a change."""
    lines = what_changed(_org({"D0": 0.9}, {"D0": 0.9}, seed), "W1", "W2")
    stated = [line for line in lines if not line.startswith("Within noise")]
    assert stated == [], stated


def test_a_planted_change_is_found_and_stated_with_its_test() -> None:
    """D0 asks inside with probability 0.95 in wave 1 and 0.25 (chance) in wave 2: the silo goes
    away and D0 opens up, both stated with the paired test on D0's 15 people."""
    lines = what_changed(_org({"D0": 0.95}, {}, 7), "W1", "W2")
    opened = [line for line in lines if line.startswith("D0 opened up")]
    assert (
        len(opened) == 1
        and "paired permutation test on 15 people in both waves, Holm-adjusted p = 0.00" in opened[0]
    )
    assert any(line.startswith("No longer true in W2: D0 asks inside D0") for line in lines)


def test_paired_change_by_hand() -> None:
    """Five people each up by exactly 0.1: mean change 0.1; the sign-flip permutation distribution
    has 2⁵ = 32 equally likely sums, and only 'all up' or 'all down' are as extreme: p = 2/32."""
    before = pd.Series([0.1, 0.2, 0.3, 0.4, 0.5], index=list("abcde"))
    delta, p, n = paired_change(before, before + 0.1)
    assert delta == pytest.approx(0.1) and n == 5
    assert p == pytest.approx(2 / 32)
    _, p_few, n_few = paired_change(before.iloc[:4], before.iloc[:4] + 0.1)
    assert np.isnan(p_few) and n_few == 4


def _exact_sign_flip_p(d: np.ndarray) -> float:
    """The paired permutation test's exact two-sided p-value: every one of the 2ⁿ sign flips."""
    import itertools

    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d.size)))
    return float(np.mean(np.abs(signs @ d) >= abs(d.sum()) - 1e-9))


@pytest.mark.parametrize("n, shift", [(8, 0.0), (10, 0.4), (12, 0.2), (12, 1.0)])
def test_the_sign_flip_draws_give_the_exact_tests_p_value_within_monte_carlo_error(
    n: int, shift: float
) -> None:
    """Above 13 people the paired test draws 9,999 sign flips (a lookup table per eight people);
    on people few enough to enumerate every flip its p-value is the exact one within four standard
    errors of a Monte Carlo estimate."""
    from lib.analysis.overview import _sign_flip_p

    d = np.random.default_rng(n).normal(shift, 1.0, size=n)
    exact = _exact_sign_flip_p(d)
    drawn = _sign_flip_p(d, resamples=9999)
    assert abs(drawn - exact) <= 4 * math.sqrt(exact * (1 - exact) / 9999) + 1e-4, (drawn, exact)


def test_paired_change_is_exact_for_few_people_and_drawn_for_many() -> None:
    """Up to 13 people (2ⁿ ≤ 9,999) every swap is enumerated, as scipy's exact test; above, the
    draws agree with scipy's own Monte Carlo test within Monte Carlo error, and take no 9,999 × n
    array (16 GB at 85,000 people)."""
    from scipy import stats

    rng = np.random.default_rng(5)
    few = pd.Series(rng.normal(size=11), index=[f"p{i}" for i in range(11)])
    later = few + rng.normal(0.4, 1.0, size=11)
    _, p_few, _ = paired_change(few, later)
    assert p_few == pytest.approx(_exact_sign_flip_p((later - few).to_numpy()))
    before = pd.Series(rng.normal(size=1000), index=[f"p{i}" for i in range(1000)])
    after = before + rng.normal(0.05, 1.0, size=1000)
    delta, p, n = paired_change(before, after)
    scipy_p = stats.permutation_test(
        (after.to_numpy(), before.to_numpy()),
        lambda a, b, axis: np.mean(a - b, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=9999,
        random_state=1,
    ).pvalue
    assert n == 1000 and delta == pytest.approx(float((after - before).mean()))
    assert 0 < p < 1 and abs(p - scipy_p) <= 4 * math.sqrt(2 * scipy_p * (1 - scipy_p) / 9999), (p, scipy_p)


# --- a network's change across waves: QAP graph correlation and the paired test of ties ---------


def _same_network_with_noise(seed: int, keep: float = 0.85, extra: int = 0) -> Dataset:
    """One advice network (each of 60 people names 5) reported twice: each tie is reported with
    probability ``keep`` in each wave, independently (measurement noise), plus ``extra`` new ties
    per person in wave 2 (a planted real change)."""
    rng = np.random.default_rng(seed)
    base = _wave({"D0": 0.9}, seed, "")
    frames = []
    for label, more in (("W1", 0), ("W2", extra)):
        w = base[rng.random(len(base)) < keep].assign(wave=label)
        if more:
            new = [(f"p{i}", f"p{j}") for i in range(N) for j in rng.choice(N, more, replace=False) if j != i]
            w = pd.concat(
                [
                    w,
                    pd.DataFrame(new, columns=["source_id", "target_id"]).assign(
                        relation="advice", weight=1.0, wave=label
                    ),
                ]
            )
        frames.append(w)
    ids = [f"p{i}" for i in range(N)]
    people = pd.DataFrame({"person_id": ids, "name": ids, "department": [f"D{i % DEPTS}" for i in range(N)]})
    return Dataset(people=people, ties=pd.concat(frames, ignore_index=True))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_network_measured_twice_with_noise_states_no_network_change(seed: int) -> None:
    from lib.analysis.overview import network_change, network_change_lines

    table = network_change(_same_network_with_noise(seed), "W1", "W2")
    row = table.set_index("relation").loc["advice"]
    assert row["people"] == N and row["gained"] > 0 and row["lost"] > 0  # ties did move
    assert row["graph_correlation"] > 0.5 and row["qap_p"] < 0.01  # the same network, twice
    assert not row["stated"]
    lines = network_change_lines(table, "W1", "W2")
    assert len(lines) == 1 and lines[0].startswith("Within noise"), lines


def test_a_planted_network_change_is_found() -> None:
    """Wave 2: every person names 4 more people at random: advice ties rise, stated with the test."""
    from lib.analysis.overview import network_change, network_change_lines

    table = network_change(_same_network_with_noise(5, extra=4), "W1", "W2")
    row = table.set_index("relation").loc["advice"]
    assert row["stated"] and row["ties_after"] > row["ties_before"] + 150
    assert row["qap_p"] < 0.01  # still the same network underneath, plus new ties
    (line,) = network_change_lines(table, "W1", "W2")
    assert line.startswith("Advice ties rose among the 60 people") and "Holm-adjusted p = 0.000" in line


def test_a_rebuilt_network_is_no_more_alike_than_chance() -> None:
    """Two independent random draws (_org without a silo): r near 0, QAP says not alike."""
    from lib.analysis.overview import network_change, network_change_lines

    table = network_change(_org({}, {}, 4), "W1", "W2")
    row = table.set_index("relation").loc["advice"]
    assert abs(row["graph_correlation"]) < 0.1 and row["qap_p"] >= 0.05
    assert "no more alike than chance" in network_change_lines(table, "W1", "W2")[0]


def test_only_people_who_named_someone_in_both_waves_are_matched() -> None:
    from lib.analysis.overview import network_change

    ds = _same_network_with_noise(1)
    silent = ds.ties[~((ds.ties["wave"] == "W2") & ds.ties["source_id"].isin(["p0", "p1"]))]
    table = network_change(Dataset(people=ds.people, ties=silent), "W1", "W2")
    assert table.loc[0, "people"] == N - 2  # p0 and p1 did not answer in W2: unknown, not tie-less
