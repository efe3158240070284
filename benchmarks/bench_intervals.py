"""Seconds for the learning-share intervals (bootstrap over respondents) and the QAP test of a
network's change across two waves, at 10,000 people.

    .venv/bin/python benchmarks/bench_intervals.py [--people 10000]

Prints the time of ``learning.mix_intervals`` for the organisation and per department (1,999
resamples each, lib.core.stats.bootstrap_mean_intervals), beside ``overall_mix`` / ``group_mix``
alone, so the interval's own cost is the difference; then ``overview.network_change`` (every
relation: graph correlation, 999 QAP relabellings, the paired test of ties out) between the two
waves. Figures, not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.analysis import learning, overview
from lib.intake.sample import generate


def _time(label: str, fn: object, *args: object) -> None:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    print(f"{label:<45} {time.perf_counter() - start:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    people = parser.parse_args().people
    ds = generate(people=people, seed=1, waves=2)
    print(f"{people} people, {len(ds.learning)} learning rows")
    _time("overall_mix (includes the informal-share interval)", learning.overall_mix, ds)
    _time("mix_intervals, organisation", learning.mix_intervals, ds, None)
    _time("group_mix by department", learning.group_mix, ds, "department")
    _time("mix_intervals by department", learning.mix_intervals, ds, "department")
    before, after = ds.waves[0], ds.waves[-1]
    print(f"{len(ds.ties)} tie rows, waves {before} and {after}")
    _time("network_change (QAP, every relation)", overview.network_change, ds, before, after)


if __name__ == "__main__":
    main()
