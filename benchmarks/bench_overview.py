"""Seconds per Overview section (lib.analysis.overview.facts_section), no browser.

    .venv/bin/python benchmarks/bench_overview.py                    # 10,000 people
    .venv/bin/python benchmarks/bench_overview.py --people 1000 --sections trust,wirearchy

The organisation is ``generate(people=N, seed=7)`` (two waves, as ``bench_pages.py`` uploads),
kept as a Parquet copy in ``--cache`` (``lib.intake.sample_cache.write_copy``) so a second run
skips generating it. Each section of the latest wave, then of the wave before (the tiles' change),
is timed in the order the page computes them (``lib.app.overview_view.SECTION_ORDER``, or
``--sections``), on one dataset object (what ``ds.memo`` shares between sections counts where it is
first computed). Printed: wave, section, seconds; the sum of the sections the seven number tiles
read in the latest wave (what the page waits for before its tiles are complete); the sum of all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.analysis.flows import with_interaction_relation  # noqa: E402
from lib.analysis.overview import TILE_SECTIONS, facts_section, wave_and_previous  # noqa: E402
from lib.app.overview_view import SECTION_ORDER  # noqa: E402

#: The sections the seven number tiles read (the skill gaps and the shifts are pictures).
NUMBER_TILE_SECTIONS = {TILE_SECTIONS[k] for k in TILE_SECTIONS if k not in ("top_gaps", "shifts")}
from lib.core.dataset import Dataset  # noqa: E402
from lib.intake import sample_cache  # noqa: E402
from lib.intake.sample import generate  # noqa: E402


def cached_org(people: int, cache: Path) -> Dataset:
    """``generate(people=people, seed=7)`` with the interactions as a relation, read from a
    Parquet copy in ``cache`` (written the first time)."""
    folder = cache / f"org{people}"
    if not (folder / "meta.json").is_file():
        sample_cache.write_copy(generate(people=people, seed=7), folder)
    return with_interaction_relation(sample_cache.read_copy(folder))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--sections", default=",".join(SECTION_ORDER))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/bench_overview"))
    args = parser.parse_args()
    ds = cached_org(args.people, args.cache)
    shown, previous = wave_and_previous(ds, None)
    total = tiles = 0.0
    for wave in [shown] if previous is None else [shown, previous]:
        for name in args.sections.split(","):
            started = time.perf_counter()
            facts_section(ds, name, wave, 5)
            seconds = time.perf_counter() - started
            total += seconds
            tiles += seconds if wave == shown and name in NUMBER_TILE_SECTIONS else 0.0
            print(f"{args.people:>7,} people  {wave:<10} {name:<12} {seconds:7.2f} s", flush=True)
    print(f"{args.people:>7,} people  the number tiles' sections, latest wave  {tiles:7.2f} s")
    print(f"{args.people:>7,} people  every section, both waves  {total:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
