"""Seconds per Learning-page computation (what ``lib/app/learning_view.py`` asks ``ui.compute``
for, in the page's order, with its default choices), no browser.

    .venv/bin/python benchmarks/bench_learning.py                    # 10,000 people
    .venv/bin/python benchmarks/bench_learning.py --people 1000

The organisation is ``generate(people=N, seed=7)`` kept as a Parquet copy in ``--cache`` (as
``bench_overview.py``), read with the interaction relation as the app reads it. Every call runs on
one dataset object (what ``ds.memo`` shares counts where it is first computed). Printed: seconds
per call and the sum.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.analysis import flows, learning, shifts  # noqa: E402
from lib.analysis.overview import wave_and_previous  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_overview import cached_org  # noqa: E402


def page_calls(
    by: str, k: int, hide: bool, wave: str, before: str | None
) -> list[tuple[str, Callable[..., Any], tuple[Any, ...]]]:
    """The Learning page's computations: (label, function, arguments after the dataset)."""
    calls: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
        ("overall_mix", learning.overall_mix, (wave, k, hide)),
    ]
    if before:
        calls += [("overall_mix (before)", learning.overall_mix, (before, k, hide))]
        calls += [("wording_note", learning.wording_note, (before, wave))]
    calls += [
        ("group_mix", learning.group_mix, (by, wave, k, hide)),
        ("mix_intervals", learning.mix_intervals, (by, wave, k, hide)),
        ("group_spread", learning.group_spread, (by, wave, k, hide)),
        ("network_learning_mix", learning.network_learning_mix, (wave,)),
        ("learning_hubs", learning.learning_hubs, (wave,)),
        ("flow_share", flows.flow_share, (wave,)),
    ]
    if before:
        calls += [("flow_share (before)", flows.flow_share, (before,))]
    calls += [
        ("flow_share_by_group", flows.flow_share_by_group, (by, k, hide)),
        ("neglected_stock", flows.neglected_stock, ()),
        ("stock_producers", flows.stock_producers, (15,)),
        ("conversation_hubs", flows.conversation_hubs, (15,)),
        ("scorecard", shifts.scorecard, (wave, k)),
    ]
    if before:
        calls += [("scorecard (before)", shifts.scorecard, (before, k))]
    calls += [("scorecard_table", shifts.scorecard_table, (wave, k))]
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench_overview"))
    args = parser.parse_args()
    ds = cached_org(args.people, args.cache)
    wave, before = wave_and_previous(ds, None)
    by = ds.attributes[0] if ds.attributes else "wave"
    total = 0.0
    for label, fn, call_args in page_calls(by, 5, True, wave, before):
        started = time.perf_counter()
        fn(ds, *call_args)
        seconds = time.perf_counter() - started
        total += seconds
        print(f"{args.people:>7,} people  {label:<22} {seconds:7.2f} s", flush=True)
    print(f"{args.people:>7,} people  the Learning page's computations  {total:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
