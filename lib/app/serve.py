"""Start the app the way ``./dev.sh app`` and the browser tests do: ``python -m lib.app.serve [streamlit options]``.

Streamlit runs no code of ours before the first visitor arrives, so whoever opens the app first on a
fresh server used to wait for every import the Overview needs (igraph, which pulls in matplotlib;
scipy.stats; Altair; pandas; our analysis modules: 6 s of a 8–16 s first screen, measured in
benchmarks/README.md). This launcher imports them once, in the server's own process, *before* it
starts listening, then hands over to ``streamlit run app.py`` in the same process: the pages'
``import`` statements then find the modules already loaded, and the first visitor waits only for
the page itself. The bundled sample's fast-loading copy is built here too
(:mod:`lib.intake.sample_cache`), so its first read is the quick one.

Nothing here changes what a page computes: only when the interpreter loads the code.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"

#: What the first screen (app.py's sidebar and the Overview) imports, heaviest first.
PRELOAD: tuple[str, ...] = (
    "igraph",
    "scipy.stats",
    "altair",
    "pandas",
    "lib.analysis.overview",
    "lib.analysis.netmap",
    "lib.analysis.baseline",
    "lib.report.charts",
    "lib.intake.loader",
    "lib.store.workspaces",
    "lib.app.auth",
    "lib.app.pulse_link",
    "lib.app.ui",
    "lib.app.tables",
    "lib.app.overview_view",
)

log = logging.getLogger(__name__)


def preload(modules: Sequence[str] = PRELOAD) -> float:
    """Import ``modules`` (already imported ones cost nothing); return the seconds it took."""
    started = time.perf_counter()
    for name in modules:
        importlib.import_module(name)
    return time.perf_counter() - started


def _warm_sample() -> None:
    """Build the sample's fast-loading copy when it is missing or stale; a failure only costs speed."""
    from lib.intake import sample_cache

    try:
        sample_cache.main([])
    except Exception:  # the page reads the workbook itself if the copy cannot be made
        log.warning("could not prepare the sample's fast-loading copy", exc_info=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Preload, then run ``streamlit run app.py`` with ``argv`` (streamlit's own options) in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    seconds = preload()
    _warm_sample()
    print(f"Preloaded the first screen's code in {seconds:.1f} s.", flush=True)
    from streamlit.web import cli

    cli.main(["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
