"""Start the app the way ``./dev.sh app`` and the browser tests do: ``python -m lib.app.serve [streamlit options]``.

Streamlit runs no code of ours before the first visitor arrives, so whoever opens the app first on a
fresh server used to wait for every import the Overview needs (igraph, which pulls in matplotlib;
scipy.stats; Altair; pandas; our analysis modules: 6 s of a 8–16 s first screen, measured in
benchmarks/README.md). This launcher imports them once, in the server's own process, *before* it
starts listening, then hands over to ``streamlit run app.py`` in the same process: the pages'
``import`` statements then find the modules already loaded, and the first visitor waits only for
the page itself. The bundled sample's fast-loading copy is built here too
(:mod:`lib.intake.sample_cache`), so its first read is the quick one; the sample's Overview is
computed, and then the first screen is run once headless, so that the first visitor's page only
reads what is ready.

Nothing here changes what a page computes: only when the interpreter loads the code.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lib.core.memory import libc

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
    "lib.app.network_view",
    # app.py's page icon is checked against every emoji: one regex of them all, compiled on import
    "streamlit.emojis",
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


def _warm_overview() -> float:
    """The sample's Overview (every section of its two latest waves and the wave comparison, default
    settings: :func:`lib.app.overview_view.ahead_calls`), computed into the process-wide sample
    cache before the server listens: the first visitor's page reads it, and nothing is left for
    the background thread to compute beside that page (it slowed the page down: the two share one
    interpreter lock). A failure only costs speed. Returns the seconds it took."""
    from lib.app import overview_view, ui

    started = time.perf_counter()
    try:
        ui.warm_sample(lambda ds: overview_view.ahead_calls(ds, ui.MIN_GROUP_SIZE, individuals_visible=True))
    except Exception:
        log.warning("could not compute the sample's Overview ahead", exc_info=True)
    return time.perf_counter() - started


def _warm_first_screen() -> float:
    """Run the app's first screen (app.py on the sample's Overview) once, headless, before the server
    listens, through Streamlit's own script runner for tests (``AppTest``, its runtime a stand-in
    that it removes after the run). What the first visitor's run would otherwise build while their
    browser is loading is then ready: the Overview's chart specs and its map thumbnail (kept
    process-wide for the sample), and Altair's and Streamlit's first-use costs; about 1 s of
    the first visit's server time, which competed with the browser for the cores. Nothing of that
    run's session is kept. A failure only costs speed. Returns the seconds it took."""
    from streamlit.testing.v1 import AppTest

    started = time.perf_counter()
    try:
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        if at.exception:
            log.warning("the first screen's warm-up run raised: %s", at.exception[0].value)
    except Exception:
        log.warning("could not run the first screen ahead", exc_info=True)
    return time.perf_counter() - started


def freeze_heap() -> int:
    """Move every object alive now (the modules, the sample's results, Altair's and Streamlit's
    first-use state) to the collector's permanent generation, after one full collection (so no
    garbage is kept there). Streamlit collects fully after every script run of every session
    (``runner.postScriptGC``): with the ~350,000 objects the first screen has loaded, each of those
    collections held the interpreter lock 0.4 s (measured), time in which the server answered
    nothing else. Afterwards a collection scans only what was made since (under 1 ms). Objects
    made later are collected as before. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _warm_database() -> None:
    """Open the workspaces database once (its migrations run, the migration tool's modules load),
    so the first visitor's sidebar does not; a failure is left for the page to report."""
    from lib.store.db import database_url
    from lib.store.workspaces import open_database

    try:
        open_database(database_url()).dispose()
    except Exception:
        log.warning("could not open the workspaces database ahead", exc_info=True)


#: Malloc arenas for the server process (:func:`limit_malloc_arenas`).
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` (what ``MALLOC_ARENA_MAX`` does), unless that variable is set.

    glibc gives threads that allocate at once arenas of their own, up to eight per core, and each keeps
    the memory freed in it for its own thread. In this server the script threads of each session, the
    background thread and Streamlit's workers all build large tables, so freed memory piled up per
    thread. With two arenas the server's peak at 100,000 people fell by 0.3–0.6 GB
    (``benchmarks/bench_pages.py --sizes 100000``; figures in benchmarks/README.md, sixth pass).
    Must run before the server starts its threads. Returns whether the cap was set (False on a C
    library without ``mallopt``, or when the environment already chose)."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = getattr(libc(), "mallopt", None)
    return bool(mallopt(_M_ARENA_MAX, arenas)) if mallopt is not None else False


_M_ARENA_MAX = -8  # glibc's malloc.h


def skip_repl_check() -> None:
    """Streamlit asks once per process, on the first element any page sends, whether it runs in a
    Python REPL (to print "use streamlit run"), by ``inspect.stack()``, which reads the source file
    of every frame of the page's deep stack: 0.2–0.5 s of the first visitor's first screen, measured
    with py-spy. Under ``streamlit run`` the answer is known (no): mark it given."""
    import streamlit.delta_generator as dg

    dg._use_warning_has_been_displayed = True


def quiet_chart_checks() -> None:
    """Charts are checked against the Vega-Lite schema as they are built (Altair's debug mode):
    worth it in tests (they run with Altair's default, the check on: tests/test_charts.py), not on every
    page run of a served app, where it is a third of each chart's cost."""
    import altair as alt

    alt.utils.schemapi.disable_debug_mode()


def send_without_delay() -> bool:
    """Make the server send each reply at once: ``TCP_NODELAY`` on its listening socket, which
    Linux passes on to every connection it accepts.

    Streamlit binds that socket itself (``starlette_server._bind_socket``: ``socket.socket(family)``,
    protocol 0), and asyncio sets ``TCP_NODELAY`` on accepted connections only when the socket's
    protocol is ``IPPROTO_TCP``. Without it, Nagle's algorithm holds each reply's second write
    (uvicorn writes the headers and the body apart, and every websocket message is a write of
    its own) until the browser acknowledges the first, which it delays by up to 40 ms: every
    request took 44 ms on this machine, whatever its size (the health check, each of the 61
    scripts the page loads at start, each lazily loaded element's code). Returns whether it
    applied (False when this Streamlit binds its socket some other way)."""
    import socket

    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        return False
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None or getattr(bind, "sends_without_delay", False):
        return bind is not None

    def bind_without_delay(*args: Any, **kwargs: Any) -> socket.socket:
        sock: socket.socket = bind(*args, **kwargs)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    bind_without_delay.sends_without_delay = True  # type: ignore[attr-defined]
    starlette_server._bind_socket = bind_without_delay
    return True


def main(argv: Sequence[str] | None = None) -> None:
    """Preload, then run ``streamlit run app.py`` with ``argv`` (streamlit's own options) in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    limit_malloc_arenas()  # first: before any thread starts
    seconds = preload()
    _warm_sample()
    _warm_database()
    quiet_chart_checks()
    skip_repl_check()
    send_without_delay()
    from lib.app import ui

    ui.BACKGROUND["enabled"] = True  # work ahead of the pages (ui.prefetch) in this server
    warmed = _warm_overview()
    drawn = _warm_first_screen()
    frozen = freeze_heap()  # last: what the warm-up loaded is never scanned again
    ui.FIRST_LOOK["enabled"] = True  # visitors' first looks come in two steps (the warm-up drew it whole)
    print(
        f"Preloaded the first screen's code in {seconds:.1f} s; the sample's Overview in {warmed:.1f} s; "
        f"ran the first screen once in {drawn:.1f} s; froze {frozen:,} objects.",
        flush=True,
    )
    from streamlit.web import cli

    cli.main(["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
