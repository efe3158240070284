"""``lib.cli analyze`` against a hand-written networkx script on the same file, side by side in one
run (prints figures; not a test).

    .venv/bin/python benchmarks/bench_analyze.py                       # 10,000 people
    .venv/bin/python benchmarks/bench_analyze.py --sizes 1000,10000 --people
    .venv/bin/python benchmarks/bench_analyze.py --repeat 5           # alternated five times, medians

First ``python -m compileall lib``, so that both sides run with their bytecode cached (see ``main``).
For each size: ``lib.intake.sample.generate(people=N, seed=7)`` written as a zip of CSVs; then, each
in a fresh subprocess (wall time and the child's peak RSS):

* ``analyze``: ``python -m lib.cli analyze FILE --json OUT`` (every section; ``--people`` adds the
  per-person records), loading the file included;
* ``networkx``: reads the zip's ties with pandas and, on the advice relation alone, computes degree,
  PageRank, betweenness sampled from 256 sources, Louvain communities, Burt's constraint,
  reciprocity, transitivity and weak/strong components (networkx 3, pure Python).

The issue's target: analyze ≤ 0.2 × networkx's time at 10,000 people. ``--repeat N``: the two
run alternately N times (this machine's speed drifts by a fifth within minutes), each run printed,
then the medians and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NX_SCRIPT = r"""
import sys, zipfile, io
import pandas as pd, networkx as nx
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.lower().endswith("ties.csv"))
    ties = pd.read_csv(io.BytesIO(z.read(name)), dtype=str)
ties = ties[ties["relation"] == "advice"]
g = nx.DiGraph()
g.add_edges_from(zip(ties["source_id"], ties["target_id"]))
g.remove_edges_from(nx.selfloop_edges(g))
u = g.to_undirected()
nx.in_degree_centrality(g); nx.out_degree_centrality(g)
nx.pagerank(g)
nx.betweenness_centrality(g, k=min(256, len(g)), seed=1)
nx.community.louvain_communities(u, seed=1)
nx.constraint(u)
nx.reciprocity(g)
nx.transitivity(u)
nx.number_weakly_connected_components(g); nx.number_strongly_connected_components(g)
"""


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of ``python cmd…``: the process's or its largest child's
    (the loader parses in one), from ``wait4`` (Linux: the larger of the process's own peak and its
    reaped children's; ``analyze`` ends with ``os._exit``, so the peak is not printed from inside)."""
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, *cmd], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} ended with {code}:\n{err.read().decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--people", action="store_true", help="analyze with per-person records")
    parser.add_argument("--skip-networkx", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="run both alternately N times; print medians")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from lib.intake.sample import generate, write_dataset

    # Both sides with their bytecode cached: networkx's was compiled when pip installed it, and a
    # user's Python writes lib's on the first run. This sandbox sets PYTHONDONTWRITEBYTECODE=1,
    # under which every run of analyze would compile each lib module changed since the cache was
    # last written (about 0.1-0.2 s), a cost no user pays twice.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "lib"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )

    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = write_dataset(generate(people=n, seed=7), Path(tmp) / f"org{n}.zip")
            out = Path(tmp) / "out.json"
            cmd = ["-m", "lib.cli", "analyze", str(path), "--json", str(out)]
            script = Path(tmp) / "nx_script.py"
            script.write_text(NX_SCRIPT)
            ours: list[float] = []
            theirs: list[float] = []
            for _ in range(max(1, args.repeat)):
                seconds, peak = _run(cmd + (["--people"] if args.people else []))
                ours.append(seconds)
                size = out.stat().st_size / 1e6
                flag = " --people" if args.people else ""
                print(
                    f"{n:>7,} people  analyze{flag:<9} {seconds:8.1f} s  peak {peak:7,.0f} MB  JSON {size:.1f} MB"
                )
                if not args.skip_networkx:
                    nx_seconds, nx_peak = _run([str(script), str(path)])
                    theirs.append(nx_seconds)
                    print(f"{n:>7,} people  networkx script  {nx_seconds:8.1f} s  peak {nx_peak:7,.0f} MB")
                    print(
                        f"{n:>7,} people  ratio analyze / networkx = {seconds / nx_seconds:.3f} (target ≤ 0.2)"
                    )
                sys.stdout.flush()
            if len(ours) > 1 and theirs:
                a, b = statistics.median(ours), statistics.median(theirs)
                print(
                    f"{n:>7,} people  medians of {len(ours)}: analyze {a:.2f} s, networkx {b:.2f} s, "
                    f"ratio {a / b:.3f} (target ≤ 0.2)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
