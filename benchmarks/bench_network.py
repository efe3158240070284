"""Network-measure speed and memory on generated organisations (prints figures; not a test).

    .venv/bin/python benchmarks/bench_network.py                      # 1,000 and 10,000 people
    .venv/bin/python benchmarks/bench_network.py --sizes 1000,10000,100000

For each size, one fresh subprocess generates the organisation (``lib.intake.sample.generate``, one wave,
about 20 ties per person) and writes it as a zip of CSVs; a second fresh subprocess loads that
file and times the measures, so the peak RSS printed is that of loading + measuring alone.

Steps (seconds are wall clock; peak RSS is the process high-water mark *so far*):

* ``load``: ``lib.intake.loader.load_path`` on the zip (pandas ``read_csv`` fallback while the loader is
  missing: the step is then called ``load (pandas)``).
* core measures (all sizes): graph build, degree, PageRank, communities (Leiden), strong/weak
  components, dyad census / reciprocity, E-I index by department.
* full set (up to 20,000 people, or ``--full``): ``person_measures`` (betweenness sampled from 256
  sources above 5,000 people) and ``network_measures``, as the Network page calls them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_LIMIT = 20_000


def _rss_mb() -> float:
    """Peak RSS of this process plus the largest child (the loader parses in a child process).

    Adding the two is conservative: the child has exited before the measures start.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024.0  # Linux: KiB


class Timer:
    def __init__(self, n: int) -> None:
        self.n = n
        self.rows: list[dict[str, Any]] = []
        self.ties = 0

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
        self.rows.append(
            {"n": self.n, "ties": self.ties, "step": name, "seconds": seconds, "rss_mb": _rss_mb()}
        )
        return result


def _generate(n: int, seed: int, ties_per_person: float, out: Path) -> None:
    from lib.intake.sample import generate, write_dataset

    timer = Timer(n)
    ds = timer.step(
        "generate", lambda: generate(people=n, seed=seed, waves=1, ties_per_person=ties_per_person)
    )
    timer.ties = len(ds.ties)
    timer.step("write zip", lambda: write_dataset(ds, out))
    print(json.dumps(timer.rows))


def _load(path: Path) -> tuple[Any, str]:
    try:
        from lib.intake.loader import load_path
    except ImportError:
        import pandas as pd

        from lib.core.dataset import Dataset

        with zipfile.ZipFile(path) as zf:
            people = pd.read_csv(zf.open("people.csv"), dtype=str)
            ties = pd.read_csv(
                zf.open("ties.csv"), dtype={"source_id": str, "target_id": str, "relation": str}
            )
        ties["weight"] = pd.to_numeric(ties.get("weight", 1.0)).fillna(1.0)
        ties["wave"] = ties.get("wave", "").fillna("")
        return Dataset(people=people, ties=ties), "load (pandas)"
    return load_path(path), "load"


def _measure(path: Path, full: bool) -> None:
    import numpy as np

    from lib.analysis import network as nw

    n_people = 0
    timer = Timer(0)
    t0 = time.perf_counter()
    ds, label = _load(path)
    timer.n = n_people = len(ds.people)
    timer.ties = len(ds.ties)
    timer.rows.append(
        {
            "n": n_people,
            "ties": timer.ties,
            "step": label,
            "seconds": time.perf_counter() - t0,
            "rss_mb": _rss_mb(),
        }
    )
    core_start = time.perf_counter()
    graph = timer.step("build graph (all relations)", lambda: nw.build_graph(ds))
    timer.step(
        "degree + strength", lambda: (nw.in_degree(graph), nw.out_degree(graph), nw.in_strength(graph))
    )
    timer.step("pagerank", lambda: nw.pagerank(graph))
    timer.step("communities (Leiden)", lambda: nw.communities(graph))
    timer.step(
        "components strong + weak",
        lambda: (graph.g.connected_components("strong"), graph.g.connected_components("weak")),
    )
    timer.step("dyad census / reciprocity", lambda: graph.g.dyad_census())
    codes, labels = nw.group_codes(ds, "department", graph.ids)
    timer.step("E-I by department", lambda: nw._ei_on(graph, codes, labels, "department"))
    timer.rows.append(
        {
            "n": n_people,
            "ties": timer.ties,
            "step": "= load + core measures",
            "seconds": time.perf_counter() - core_start + timer.rows[0]["seconds"],
            "rss_mb": _rss_mb(),
        }
    )
    if full:
        full_start = time.perf_counter()
        timer.step("betweenness", lambda: nw.betweenness(graph))
        timer.step("harmonic closeness", lambda: nw.harmonic_closeness(graph))
        timer.step("constraint", lambda: nw.constraint(graph))
        timer.step(
            "effective size + coreness + eigenvector",
            lambda: (nw.effective_size(graph), nw.coreness(graph), nw.eigenvector(graph)),
        )
        timer.step("brokerage (Gould-Fernandez)", lambda: nw.brokerage(graph, codes))
        timer.step("closure", lambda: nw._closure(graph))
        timer.step("connectedness", lambda: nw.reachable_pairs(graph.g))
        timer.step("average distance", lambda: nw._average_distance(graph))
        timer.rows.append(
            {
                "n": n_people,
                "ties": timer.ties,
                "step": "(sum of the parts above)",
                "seconds": time.perf_counter() - full_start,
                "rss_mb": _rss_mb(),
            }
        )
        t1 = time.perf_counter()
        pm = nw.person_measures(ds)
        summary = nw.network_measures(ds)
        timer.rows.append(
            {
                "n": n_people,
                "ties": timer.ties,
                "step": "= person_measures + network_measures",
                "seconds": time.perf_counter() - t1,
                "rss_mb": _rss_mb(),
            }
        )
        assert len(pm) == n_people and summary.people == n_people
        assert bool(np.isfinite(pm["pagerank"]).all())
    print(json.dumps(timer.rows))


def _child(args: list[str]) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark step failed: {' '.join(args)}")
    rows: list[dict[str, Any]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated people counts")
    parser.add_argument("--ties-per-person", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--full", action="store_true", help=f"full set of measures above {FULL_LIMIT:,} people too"
    )
    parser.add_argument("--generate", nargs=2, metavar=("N", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--with-full", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        _generate(int(args.generate[0]), args.seed, args.ties_per_person, Path(args.generate[1]))
        return
    if args.measure:
        _measure(Path(args.measure), args.with_full)
        return
    import platform

    import psutil

    print(
        f"# {platform.python_version()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    )
    print(f"{'N':>8} {'ties':>10}  {'step':<40} {'seconds':>8} {'peak RSS MB':>12}")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"org_{n}.zip"
            rows = _child(
                [
                    "--seed",
                    str(args.seed),
                    "--ties-per-person",
                    str(args.ties_per_person),
                    "--generate",
                    str(n),
                    str(out),
                ]
            )
            extra = ["--with-full"] if (args.full or n <= FULL_LIMIT) else []
            rows += _child(["--measure", str(out), *extra])
        for r in rows:
            print(f"{r['n']:>8,} {r['ties']:>10,}  {r['step']:<40} {r['seconds']:>8.2f} {r['rss_mb']:>12.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
