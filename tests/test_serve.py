"""The launcher (lib/app/serve.py) loads, before the server listens, every module the first screen imports."""

from __future__ import annotations

import ast
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_SCREEN = [ROOT / "app.py", ROOT / "app_pages" / "overview.py"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from lib.app import ui`: ui is a module of its own
            names.update(
                f"{node.module}.{alias.name}" for alias in node.names if node.module.startswith("lib")
            )
    return names


def _loaded_after_preload() -> set[str]:
    code = (
        "import json, sys; from lib.app import serve; serve.preload(); print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_preload_covers_every_module_the_first_screen_imports() -> None:
    loaded = _loaded_after_preload()
    wanted = set().union(*(_imports(p) for p in FIRST_SCREEN))
    wanted = {name for name in wanted if name.split(".")[0] in {"lib", "streamlit", "pandas"}}
    # names imported from a module that are functions, not modules (`from lib.analysis.overview import facts`)
    modules = {
        name
        for name in wanted
        if name.split(".")[0] != "lib"
        or (ROOT / name.replace(".", "/")).with_suffix(".py").exists()
        or (ROOT / name.replace(".", "/")).is_dir()
    }
    assert {"lib.analysis.overview", "lib.app.overview_view", "lib.app.auth"} <= modules  # the scan works
    assert modules <= loaded, sorted(modules - loaded)
    # the heavy libraries the analysis pulls in are loaded too
    assert {"igraph", "scipy.stats", "altair"} <= loaded


def test_the_launcher_answers_streamlits_once_per_process_repl_check() -> None:
    # Streamlit's first element per process runs inspect.stack() to tell a REPL from `streamlit run`
    # unless this flag is set; the launcher sets it. A Streamlit that renamed the flag fails here.
    import streamlit.delta_generator as dg

    from lib.app import serve

    assert hasattr(dg, "_use_warning_has_been_displayed")
    code = (
        "import streamlit.delta_generator as dg; from lib.app import serve; "
        "before = dg._use_warning_has_been_displayed; serve.skip_repl_check(); "
        "print(before, dg._use_warning_has_been_displayed)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert "streamlit.emojis" in serve.PRELOAD


def test_the_launcher_caps_malloc_arenas_unless_the_environment_chose() -> None:
    # glibc's mallopt(M_ARENA_MAX) is set before the server's threads start; an operator's own
    # MALLOC_ARENA_MAX is left alone.
    import os

    code = "from lib.app import serve; print(serve.limit_malloc_arenas())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**env, **extra},
    ).stdout.split()
    assert run({}) == ["True"]
    assert run({"MALLOC_ARENA_MAX": "4"}) == ["False"]


def test_the_launcher_runs_the_first_screen_once_so_the_first_visit_builds_nothing() -> None:
    # Before it listens the launcher computes the sample's Overview, then runs the first screen once
    # headless: the Overview's chart specs and map thumbnail are then in the process-wide sample
    # caches, and the first visitor's run builds none of them again.
    from streamlit.testing.v1 import AppTest

    from lib.app import serve, ui

    ui.forget_sample()
    ui._SAMPLE_CHARTS.clear()
    serve._warm_overview()
    assert not ui._SAMPLE_CHARTS  # the sections alone draw nothing
    serve._warm_first_screen()
    charts, results = dict(ui._SAMPLE_CHARTS), set(ui._SAMPLE_RESULTS)
    assert len(charts) >= 5  # sparklines, the learning mix, the shifts, the gaps, findings' evidence
    assert any(key[1] == "group_map_thumbnail" for key in results)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()  # the first visitor
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.metric) >= 7
    assert dict(ui._SAMPLE_CHARTS) == charts and set(ui._SAMPLE_RESULTS) == results


def test_the_launcher_freezes_what_it_loaded_so_each_runs_collection_skips_it() -> None:
    # Streamlit collects fully after every script run; the launcher moves what its warm-up loaded
    # to the collector's permanent generation first. Objects made afterwards are still collected.
    code = (
        "import gc, json; from lib.app import serve; serve.preload(); gc.collect(); "
        "before = len(gc.get_objects()); frozen = serve.freeze_heap(); after = len(gc.get_objects())\n"
        "class Loop: pass\n"
        "a = Loop(); a.me = a; del a\n"
        "print(json.dumps([before, frozen, after, gc.collect()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    before, frozen, after, collected = json.loads(out.stdout.strip().splitlines()[-1])
    assert before > 100_000  # igraph, scipy, pandas, Altair and the app's modules
    assert frozen >= before and after < before // 100  # gc.get_objects() leaves out the frozen
    assert collected >= 1  # the loop made after the freeze is garbage collected as before


def test_the_launcher_freezes_after_its_warm_up_and_before_it_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.web import cli

    from lib.app import serve, ui

    order: list[str] = []
    monkeypatch.setitem(ui.BACKGROUND, "enabled", ui.BACKGROUND["enabled"])  # main turns it on
    for name in ("limit_malloc_arenas", "quiet_chart_checks", "skip_repl_check"):
        monkeypatch.setattr(serve, name, lambda: None)  # what they do is tested above
    monkeypatch.setitem(ui.FIRST_LOOK, "enabled", False)  # main turns it on after the warm-up
    for name in ("preload", "_warm_sample", "_warm_database", "_warm_overview"):
        monkeypatch.setattr(serve, name, lambda name=name: order.append(name) or 0.0)
    # the warm-up run draws the whole first screen (no first look), the visitors' runs get first looks
    monkeypatch.setattr(
        serve,
        "_warm_first_screen",
        lambda: order.append(f"_warm_first_screen first_look={ui.FIRST_LOOK['enabled']}") or 0.0,
    )
    monkeypatch.setattr(serve, "freeze_heap", lambda: order.append("freeze_heap") or 0)
    monkeypatch.setattr(serve, "send_without_delay", lambda: order.append("send_without_delay") or True)
    monkeypatch.setattr(
        cli, "main", lambda *a, **k: order.append(f"serve first_look={ui.FIRST_LOOK['enabled']}")
    )
    serve.main([])
    assert order[-3:] == ["_warm_first_screen first_look=False", "freeze_heap", "serve first_look=True"]
    assert "send_without_delay" in order  # before it serves (tested above)


def _accepted_nodelay(bind: Any) -> int:
    """TCP_NODELAY on a connection accepted from a socket ``bind`` made (Streamlit's listening socket)."""
    listener = bind("127.0.0.1", 0, 8)
    try:
        listener.setblocking(True)
        with socket.create_connection(listener.getsockname()[:2]):
            conn, _ = listener.accept()
            with conn:
                return int(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        listener.close()


def test_the_server_sends_each_reply_without_waiting_for_the_browsers_acknowledgement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.web.server.starlette import starlette_server

    from lib.app import serve

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # restored after
    # Streamlit's own socket leaves Nagle's algorithm on for the connections it accepts (the 44 ms per
    # request measured in benchmarks/README.md): the premise of the launcher's fix
    assert _accepted_nodelay(starlette_server._bind_socket) == 0
    assert serve.send_without_delay()
    assert serve.send_without_delay()  # a second call does not wrap the socket twice
    assert getattr(starlette_server._bind_socket, "sends_without_delay", False)
    assert _accepted_nodelay(starlette_server._bind_socket) != 0
