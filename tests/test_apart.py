"""Graph work in a worker process (lib/core/apart.py): the same results as here, errors raised
here, a dead worker replaced; a Graph pickled as its arcs; the Overview's background order."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator

import numpy as np
import pytest

from lib.analysis import roles
from lib.analysis.network import build_graph
from lib.analysis.response import respondent_dataset
from lib.core import apart
from lib.intake.sample import generate


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Working apart on, for networks of any size; the worker stopped afterwards."""
    monkeypatch.setattr(apart, "MIN_PEOPLE", 0)
    apart.enable()
    yield
    apart.disable()


def _pid(_: object) -> int:
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _die_unless_in(pid: int) -> int:
    if os.getpid() != pid:
        os._exit(3)  # the worker dies mid-call
    return pid


def test_run_is_here_unless_enabled_and_big(worker: None) -> None:
    assert apart.run(_pid, None, big=False) == os.getpid()
    there = apart.run(_pid, None)
    assert there != os.getpid()
    assert apart.run(_pid, None) == there  # one worker, kept between calls
    apart.disable()
    assert apart.run(_pid, None) == os.getpid()


def test_an_error_in_the_worker_is_raised_here(worker: None) -> None:
    with pytest.raises(ValueError, match="no such team"):
        apart.run(_fail, "no such team")
    assert apart.run(_pid, None) != os.getpid()  # the worker goes on


def test_a_dead_worker_is_replaced_and_the_call_made_here(worker: None) -> None:
    first = apart.run(_pid, None)
    assert apart.run(_die_unless_in, os.getpid()) == os.getpid()  # made here after the worker died
    second = apart.run(_pid, None)
    assert second not in (first, os.getpid())


def test_a_graph_pickles_as_its_arcs_and_comes_back_the_same() -> None:
    ds = generate(people=120, seed=5)
    graph = build_graph(ds)
    copy = pickle.loads(pickle.dumps(graph))
    assert copy.ids == graph.ids and copy.relations == graph.relations and copy.wave == graph.wave
    assert copy.g.get_edgelist() == graph.g.get_edgelist()  # the same arcs in the same order
    assert copy.g.es["weight"] == graph.g.es["weight"]
    assert copy.g.is_directed() and copy.n == graph.n
    for ours, theirs in zip(copy.edges(), graph.edges(), strict=True):
        assert np.array_equal(ours, theirs)


def test_key_people_ranked_apart_equal_those_ranked_here(worker: None) -> None:
    ds = generate(people=300, seed=11)
    apart.ENABLED["on"] = False
    here = roles.rank_key_people_among_respondents(generate(people=300, seed=11))
    apart.ENABLED["on"] = True
    calls: list[str] = []
    real = apart.run

    def recorded(fn: object, *args: object, big: bool = True) -> object:
        calls.append(f"{getattr(fn, '__name__', fn)} {big}")
        return real(fn, *args, big=big)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(apart, "run", recorded)
        there = roles.rank_key_people_among_respondents(ds)
    assert calls == ["_ranked_rows True"]
    assert len(here) > 0 and here.equals(there)
    assert list(there.columns)[:2] == ["rank", "person_id"]
    # the rows as rank_key_people always gave them: by reach lost, highest first
    lost = there["reach_lost"].to_numpy()
    assert (np.diff(lost) <= 0).all()
    assert roles.rank_key_people(respondent_dataset(ds), top=5).equals(
        roles.rank_key_people(respondent_dataset(generate(people=300, seed=11)), top=5)
    )


def test_overview_starts_the_worked_apart_sections_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from lib.app import overview_view

    ds = generate(people=60, seed=3)
    assert len(ds.waves) == 2
    plain = overview_view.ahead_calls(ds, 5, individuals_visible=False)
    monkeypatch.setattr(apart, "MIN_PEOPLE", 10)
    monkeypatch.setitem(apart.ENABLED, "on", True)
    ordered = overview_view.ahead_calls(ds, 5, individuals_visible=False)
    shown = ds.waves[-1]
    assert [args for _, args in ordered[:1]] == [("key_people", shown, 5)]
    assert sorted(map(str, ordered)) == sorted(map(str, plain))  # the same calls, another order
    assert [a for _, a in ordered[1:]] == [a for _, a in plain if a != ("key_people", shown, 5)]
    monkeypatch.setattr(apart, "MIN_PEOPLE", 1_000)  # a small network: its order as it was
    assert overview_view.ahead_calls(ds, 5, individuals_visible=False) == plain
