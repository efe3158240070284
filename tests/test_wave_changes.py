"""'What changed' states only changes that pass a paired test at 5%: two waves that differ only by
noise show no change; a planted change is found."""

from __future__ import annotations

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
