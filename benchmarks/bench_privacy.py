"""How long the aggregate view's release plan takes (lib.core.privacy.plan_release), by size.

A synthetic organisation per size: 40 departments, about 50 people per team, 30 locations, 7
levels, 300 roles, and two survey waves where each person answers with probability 0.8. Prints
N, seconds for one family (every breakdown and both waves), and how many groups of each
attribute the plan shows. Run on an idle machine:

    .venv/bin/python benchmarks/bench_privacy.py --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.core import privacy

ATTRIBUTES = ["department", "team", "role", "level", "location"]


def organisation(n: int, seed: int = 1) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    dept = rng.integers(0, 40, n)
    teams_per_dept = max(1, n // 40 // 50)
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n)],
            "department": dept.astype(str),
            "team": (dept * 1000 + rng.integers(0, teams_per_dept, n)).astype(str),
            "location": rng.integers(0, 30, n).astype(str),
            "level": rng.integers(1, 8, n),
            "role": rng.integers(0, 300, n).astype(str),
        }
    )
    ids = people["person_id"].to_numpy()
    waves = {w: ids[rng.random(n) < 0.8].tolist() for w in ("2026-Q1", "2026-Q3")}
    return people, waves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    print(f"{'people':>8}  {'seconds':>8}  groups shown (of each attribute, first wave)")
    for n in (int(x) for x in args.sizes.split(",")):
        people, waves = organisation(n)
        start = time.perf_counter()
        release = privacy.plan_release(people, ATTRIBUTES, waves, privacy.MIN_GROUP_SIZE)
        seconds = time.perf_counter() - start
        shown = {a: f"{len(release.allowed(a, '2026-Q1'))}/{people[a].nunique()}" for a in ATTRIBUTES}
        print(f"{n:>8,}  {seconds:>8.2f}  {shown}")


if __name__ == "__main__":
    main()
