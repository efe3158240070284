"""Peak memory of the Overview's whole run in one process, no browser.

    .venv/bin/python benchmarks/bench_memory.py --people 100000
    .venv/bin/python benchmarks/bench_memory.py --people 100000 --memo   # + the largest memo entries

The organisation is ``bench_overview.cached_org`` (a Parquet copy of ``generate(people=N, seed=7)``).
The work is the page's, in its order (``app_pages/overview.py``): every section of the latest wave
(``lib.app.overview_view.SECTION_ORDER``), the department map, every section of the wave before, then
the wave comparison (what changed, the wording note, the network change, the facts side by side and
who moved), with :func:`lib.core.memory.release_free_memory` where the page calls it. Printed after
each step: seconds, the process's resident memory (VmRSS) and its peak so far (VmHWM), in GB; with
``--memo``, the memo's size after each phase and its largest entries.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_overview import cached_org  # noqa: E402

from lib.analysis import netmap  # noqa: E402
from lib.analysis.learning import wording_note  # noqa: E402
from lib.analysis.overview import (  # noqa: E402
    FACT_SECTIONS,
    compare_facts,
    facts_section,
    merge_facts,
    network_change,
    position_changes,
    wave_and_previous,
    what_changed,
)
from lib.app.overview_view import SECTION_ORDER  # noqa: E402
from lib.core import memo  # noqa: E402
from lib.core.dataset import Dataset  # noqa: E402
from lib.core.memory import release_free_memory  # noqa: E402
from lib.report import charts  # noqa: E402

GB = 1 << 30


def status() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in GB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return tuple(int(fields[k].split()[0]) * 1024 / GB for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def show_memo(ds: Dataset, top: int) -> None:
    """The memo's estimated size (:attr:`lib.core.memo.Memo.total`) and its largest entries."""
    held = ds.memo
    sizes = sorted(((held.entry_bytes(k), repr(k)[:110]) for k in held), reverse=True)
    print(
        f"    memo: {len(sizes)} entries, {held.total / GB:.3f} GB "
        f"(budget {held.budget / GB:.2f} GB, {held.evicted} dropped so far, {held.recomputed} of them computed again)"
    )
    for size, key in sizes[:top]:
        print(f"      {size / GB:7.3f} GB  {key}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench_overview"))
    parser.add_argument("--memo", action="store_true", help="size the memo's entries after each phase")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument(
        "--budget", type=float, help="the memo's budget in GB (default: lib.core.memo.MEMO_BUDGET)"
    )
    args = parser.parse_args()
    if args.budget is not None:
        memo.MEMO_BUDGET = int(args.budget * GB)
    began = time.perf_counter()
    ds = cached_org(args.people, args.cache)
    release_free_memory()
    rss, hwm = status()
    print(
        f"{args.people:>7,} people  loaded             {time.perf_counter() - began:6.1f} s  rss {rss:5.2f}  peak {hwm:5.2f} GB"
    )
    shown, previous = wave_and_previous(ds, None)
    total = 0.0

    def step(label: str, fn: Callable[[], Any]) -> Any:
        nonlocal total
        started = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - started
        total += seconds
        rss, hwm = status()
        print(
            f"{args.people:>7,} people  {label:<28} {seconds:6.2f} s  rss {rss:5.2f}  peak {hwm:5.2f} GB",
            flush=True,
        )
        return out

    def wave_facts(label: str) -> Any:
        return merge_facts([facts_section(ds, name, label, 5) for name in FACT_SECTIONS])

    def department_map(wave: str) -> bytes:
        rel = ds.advice_relations()
        return charts.group_map_thumbnail(
            ds,
            netmap.default_colour_attribute(ds),
            relations=None if rel is None else tuple(rel),
            wave=ds.tie_wave(wave),
            min_group_size=5,
            complementary=False,
        )

    for wave in [shown] if previous is None else [shown, previous]:
        for name in SECTION_ORDER:
            step(f"{wave} {name}", functools.partial(facts_section, ds, name, wave, 5))
        release_free_memory()
        if wave == shown:
            step(f"{wave} map", functools.partial(department_map, wave))
        if args.memo:
            show_memo(ds, args.top)
    if previous is not None:
        before, after = previous, shown
        step("what_changed", lambda: what_changed(ds, before, after, 5))
        step("wording_note", lambda: wording_note(ds, before, after))
        step("network_change", lambda: network_change(ds, before, after))
        step("compare_facts", lambda: compare_facts(before, wave_facts(before), after, wave_facts(after)))
        step("position_changes", lambda: position_changes(ds, before, after))
        if args.memo:
            show_memo(ds, args.top)
    rss, hwm = status()
    print(f"{args.people:>7,} people  the whole run  {total:7.2f} s  peak {hwm:5.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
