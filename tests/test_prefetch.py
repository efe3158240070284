"""Work ahead of the pages (issue 19): after data is loaded, the Overview's sections are computed on
the background thread (lib.app.ui.prefetch), kept in the session that loaded the data, and the
Overview then reads them instead of computing them again; queued work is taken back by a page that
needs it first, and dropped when the data changes. Nothing is ever computed twice."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import overview
from lib.app import overview_view, ui
from lib.core.dataset import Dataset
from lib.intake.sample import generate
from tests.conftest import ROOT


def open_page(page: str, ds: Dataset) -> AppTest:
    """The app with ``ds`` loaded, its first run on ``page`` (not the Overview, the default)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["dataset"] = ds
    at.session_state["dataset_key"] = f"test-{id(ds)}"
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


SECTIONS = len(overview.FACT_SECTIONS)


@pytest.fixture(scope="module")
def org() -> Dataset:
    return generate(people=120, seed=11)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, str, int]]]:
    """Every facts_section call: (thread name, section, wave, id of the dataset). The background
    is on for the test."""
    seen: list[tuple[str, str, str, int]] = []
    real = overview.facts_section

    @functools.wraps(real)  # the same cache key as the real function (module and name)
    def counting(ds: Dataset, section: str, wave: str | None = None, min_size: int = 5) -> object:
        seen.append((threading.current_thread().name, section, str(wave), id(ds)))
        return real(ds, section, wave, min_size)

    monkeypatch.setattr(overview, "facts_section", counting)
    monkeypatch.setattr(overview_view, "facts_section", counting)
    monkeypatch.setitem(ui.BACKGROUND, "enabled", True)
    yield seen


def _pending(at: AppTest) -> list[Any]:
    """The background futures kept in the session's result cache."""
    results = at.session_state.get("_results", {})
    return [v.future for v in results.values() if hasattr(v, "future")]


def test_loaded_data_gets_its_overview_computed_in_the_background(
    org: Dataset, calls: list[tuple[str, str, str, int]]
) -> None:
    at = open_page("app_pages/skills.py", org)  # any page but the Overview
    futures = _pending(at)
    # every section of the latest wave and the one before, then the wave comparison: what changed
    # (its paired tests), the network test and (named view) who moved most
    assert len(org.waves) > 1 and len(futures) == 2 * SECTIONS + 3
    for future in futures:
        future.result(timeout=120)
    assert len(calls) == 2 * SECTIONS
    assert all("sld-background" in name for name, _, _, _ in calls)  # none on the page's thread
    assert {wave for _, _, wave, _ in calls} == set(org.waves[-2:])

    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(calls) == 2 * SECTIONS, "the Overview read the background's results, computed nothing"
    assert len(at.metric) >= 6  # and shows its tiles from them
    assert _pending(at) == []  # each result is kept as a value once the page has read it


def test_work_still_queued_is_taken_back_by_the_page(
    org: Dataset, calls: list[tuple[str, str, str, int]]
) -> None:
    release = threading.Event()
    blocker = ui.WORKER.submit(release.wait, 120)  # the one background thread is busy
    try:
        at = open_page("app_pages/overview.py", org)  # the Overview is computed on the page ...
        assert len(_pending(at)) == 0
    finally:
        release.set()
        blocker.result(timeout=120)
    ui.WORKER.submit(lambda: None).result(timeout=120)  # whatever was queued has had its turn
    counted = Counter((section, wave) for _, section, wave, _ in calls)
    assert len(counted) == 2 * SECTIONS and set(counted.values()) == {1}, counted  # ... once each
    assert all("sld-background" not in name for name, _, _, _ in calls)


def test_new_data_drops_the_queued_work_of_the_old(
    org: Dataset, calls: list[tuple[str, str, str, int]]
) -> None:
    release = threading.Event()
    blocker = ui.WORKER.submit(release.wait, 120)  # the background thread is busy: work queues
    try:
        at = open_page("app_pages/data.py", org)
        queued = _pending(at)
        assert len(queued) == 2 * SECTIONS + 3 and not any(f.done() for f in queued)
        at.button(key="use-sample").click().run()  # the user switches back to the sample
        assert not at.exception, [e.value for e in at.exception]
        assert all(f.cancelled() for f in queued)  # the upload's queued sections are dropped
    finally:
        release.set()
        blocker.result(timeout=120)
    ui.WORKER.submit(lambda: None).result(timeout=120)
    # the background never worked on the upload; what it may have done after the switch is the sample's
    assert not [c for c in calls if "sld-background" in c[0] and c[3] == id(org)]


def test_background_is_off_unless_the_server_turns_it_on(org: Dataset) -> None:
    assert ui.BACKGROUND["enabled"] is False  # AppTests and scripts: pages compute what they show
    at = open_page("app_pages/skills.py", org)
    assert _pending(at) == []


#: Where the slow function of the next test says which thread ran it.
RAN: list[str] = []


def _slow_page() -> None:
    import threading
    import time

    import streamlit as st

    from lib.app import ui
    from tests import test_prefetch

    def doubled(ds: object, x: int) -> int:
        test_prefetch.RAN.append(threading.current_thread().name)
        time.sleep(1.6)  # longer than the wait a page sits through without a status box
        return 2 * x

    ui.prefetch(doubled, 21)
    while not test_prefetch.RAN:  # the user arrives once the background has started it
        time.sleep(0.01)
    st.write(f"result {ui.compute(doubled, 21)}")


def test_a_long_wait_on_background_work_gives_its_result_once(
    org: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ui.BACKGROUND, "enabled", True)
    ui.WORKER.submit(lambda: None).result(timeout=120)  # earlier tests' background work is over
    RAN.clear()
    at = AppTest.from_function(_slow_page, default_timeout=60)
    at.session_state["dataset"] = org
    at.session_state["dataset_key"] = "slow"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["result 42"]  # and the status box is gone
    assert len(RAN) == 1 and "sld-background" in RAN[0]  # computed once, in the background


def test_the_overview_shares_its_sections_with_the_background_each_computed_once(
    org: Dataset, calls: list[tuple[str, str, str, int]]
) -> None:
    ui.WORKER.submit(lambda: None).result(timeout=120)
    at = open_page("app_pages/overview.py", org)  # prefetched, then read at once: the work is split
    ui.WORKER.submit(lambda: None).result(timeout=120)
    counted = Counter((section, wave) for _, section, wave, _ in calls)
    assert len(counted) == 2 * SECTIONS and set(counted.values()) == {1}, counted
    assert len(at.metric) >= 6
    assert not [m for m in at.metric if m.value == "…"]  # every tile has its value


def test_the_servers_warm_up_leaves_the_samples_overview_nothing_slow_to_compute() -> None:
    # A fresh server computes the sample's Overview before it listens (lib/app/serve.py): the first
    # visitor's page then reads every section and the wave comparison, and queues nothing on the
    # background thread beside itself (the two share one interpreter lock).
    from lib.app import serve

    ui.forget_sample()
    serve._warm_overview()
    warmed = set(ui._SAMPLE_RESULTS)
    slow = {"facts_section", "what_changed", "network_change", "position_changes"}
    assert {key[1] for key in warmed} == slow
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    added = [key for key in ui._SAMPLE_RESULTS if key not in warmed]
    assert [key for key in added if key[1] in slow] == []
    assert any(t.value == "What changed between waves" for t in at.subheader)  # the comparison was read


#: What the staged page's work did: (name, thread, started, ended), monotonic seconds.
STAGED: list[tuple[str, str, float, float]] = []


def _staged_page() -> None:
    import threading
    import time

    import streamlit as st

    from lib.app import ui
    from tests import test_prefetch

    def work(ds: object, name: str, seconds: float) -> str:
        started = time.monotonic()
        time.sleep(seconds)
        test_prefetch.STAGED.append((name, threading.current_thread().name, started, time.monotonic()))
        return name

    calls = [(work, ("a", 0.8)), (work, ("b", 0.05)), (work, ("c", 0.05))]
    for fn, args in calls:
        ui.prefetch(fn, *args)
    while ui._state(*calls[0]) != "running":  # the user arrives once the background has started "a"
        time.sleep(0.01)
    st.write(" ".join(ui.compute_in_order(calls, stages=(2,))))


def test_the_page_takes_back_work_of_its_stage_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # While "a" runs in the background the page takes back "b" (queued, same stage) but not "c"
    # (the next stage): the stage's last result, "a", is never held up by work the stage does not need.
    monkeypatch.setitem(ui.BACKGROUND, "enabled", True)
    ui.WORKER.submit(lambda: None).result(timeout=120)
    STAGED.clear()
    at = AppTest.from_function(_staged_page, default_timeout=60)
    at.session_state["dataset"] = generate(people=30, seed=2)
    at.session_state["dataset_key"] = "staged"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["a b c"]
    ran = {name: (thread, start, end) for name, thread, start, end in STAGED}
    assert "sld-background" in ran["a"][0] and "sld-background" not in ran["b"][0]
    assert ran["c"][1] >= ran["a"][2], "c started before a, the stage's last result, was done"


def _group_tables_page() -> None:
    import time

    import streamlit as st

    from lib.app import ui

    def group_table(ds: object, by: str) -> str:
        time.sleep(0.01)
        return f"{by} table"

    st.write(ui.compute(group_table, "department"))
    st.write(next(ui.compute_in_order([(group_table, ("team",))])))


def test_a_computation_on_the_page_names_itself_in_a_spinner(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never a blank wait: what a page computes itself is wrapped in a spinner naming it (Streamlit
    # shows it after half a second, with the seconds taken); a cached result asks for none, and
    # the Overview's sections (compute_in_order) have their own progress box instead.
    import contextlib

    import streamlit as st

    asked: list[str] = []

    @contextlib.contextmanager
    def spinner(text: str, **kwargs: Any) -> Iterator[None]:
        if text.startswith("Computing"):  # (loading the sample has a spinner of its own)
            asked.append(text if kwargs.get("show_time") else f"{text} (no time shown)")
        yield

    monkeypatch.setattr(st, "spinner", spinner)
    at = AppTest.from_function(_group_tables_page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown] == ["department table", "team table"]
    assert asked == ["Computing group table…"]  # department on the page; team inside compute_in_order
    at.run()
    assert asked == ["Computing group table…"]  # the rerun read both from the session's cache


def test_the_network_pages_default_layout_is_computed_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    # Between 500 and 1,500 people the Network page opens on the person map, laid out on the server
    # (1-2 s at 1,000 people): the background thread lays it out ahead, and the page reads it.
    from lib.analysis import netmap

    monkeypatch.setitem(ui.BACKGROUND, "enabled", True)
    ui.WORKER.submit(lambda: None).result(timeout=120)  # earlier tests' background work is over
    threads: list[str] = []
    real = netmap.layout_positions

    def counting(ds: Dataset, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(ds, *args, **kwargs)

    monkeypatch.setattr(netmap, "layout_positions", counting)
    ds = generate(people=700, seed=2)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["dataset"] = ds
    at.session_state["dataset_key"] = f"test-{id(ds)}"
    at.run()
    ui.WORKER.submit(lambda: None).result(timeout=300)  # the queue ahead of this is done
    assert len(threads) == 1 and threads[0].startswith("sld-background"), threads
    at.switch_page("app_pages/network.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(threads) == 1  # the page drew the map from the layout computed ahead
    assert any("people" in c.value and "ties" in c.value for c in at.caption)  # the map's summary


def test_an_overview_with_every_section_at_hand_draws_each_place_once(
    org: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first visit computes the sections and fills the board as each is ready; a rerun (every
    # section now in the session's cache) draws the board and the findings once, in the same final
    # state, without a progress box.
    draws: Counter[str] = Counter()
    board, findings = overview_view.Board.draw, overview_view.Board.draw_findings

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            draws[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(overview_view.Board, "draw", counted("board", board))
    monkeypatch.setattr(overview_view.Board, "draw_findings", counted("findings", findings))
    statuses: list[str] = []
    real_progress = ui.progress

    def progress(title: str, shown: bool = True) -> Any:
        statuses.append(f"{title} shown={shown}")
        return real_progress(title, shown)

    monkeypatch.setattr(ui, "progress", progress)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["dataset"] = org
    at.session_state["dataset_key"] = f"test-{id(org)}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(org.waves) == 2  # the tiles' change and sparklines are drawn too
    first, shown = Counter(draws), [(m.label, m.value) for m in at.metric]
    assert first["board"] == len(overview_view.SECTION_ORDER) + 1  # after each section, then the change
    assert statuses == ["Computing the overview shown=True"]
    draws.clear()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert draws == Counter({"board": 1, "findings": 1})
    assert statuses[-1] == "Computing the overview shown=False"
    assert [(m.label, m.value) for m in at.metric] == shown and len(shown) >= 7


def test_a_sessions_first_look_sends_the_numbers_then_the_browser_asks_for_the_page(
    org: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every section at hand (a first run computed them): with first looks on (the server's), the
    # session's first look at the Overview draws the seven number tiles, final, and a line saying the
    # charts and findings follow, nothing else; its run ends with a fragment whose timer brings the
    # browser back. The next run draws the whole page with the same numbers; no first look again.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["dataset"] = org
    at.session_state["dataset_key"] = f"test-{id(org)}"
    at.run()  # computes every section (first looks off: the whole page)
    assert not at.exception, [e.value for e in at.exception]
    whole = [(m.label, m.value) for m in at.metric]
    assert (
        len(whole) == 7
        and at.subheader
        and not any(overview_view.FIRST_LOOK_NOTE in c.value for c in at.caption)
    )

    monkeypatch.setitem(ui.FIRST_LOOK, "enabled", True)
    at.session_state["_first_look_overview"] = False  # as a new session would have it
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [(m.label, m.value) for m in at.metric] == whole
    assert [c.value for c in at.caption if c.value == overview_view.FIRST_LOOK_NOTE]
    assert not at.subheader  # no findings, no exports, no wave comparison yet
    assert at.session_state["_first_look_again"] is True  # the fragment ran once: its timer's run reruns

    at.run()  # the browser's return (a full run, as the fragment's st.rerun asks)
    assert not at.exception, [e.value for e in at.exception]
    assert [(m.label, m.value) for m in at.metric] == whole
    assert not any(overview_view.FIRST_LOOK_NOTE in c.value for c in at.caption)
    assert "Findings" in [h.value for h in at.subheader]
