"""``analyze`` with its second process (``parallel=True``, what ``lib.cli analyze`` uses) gives the
same document as computing every section in one process, in the same section order, and falls
back to computing the second process's sections itself when that process fails; the loader's
forked build (``fork=True``, the command line's) gives the same dataset and findings."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from lib.app import cli
from lib.core import forked
from lib.core.errors import DataError
from lib.intake.loader import load_path
from lib.intake.sample import generate, write_dataset


@pytest.fixture
def two_cores_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cores, and the threads earlier tests left in this process (the app's background thread,
    servers' log readers: idle, holding no lock) not counted, so :func:`forked.start` sees the
    command line's situation, one thread, plus whatever the test itself starts."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    left = threading.active_count() - 1
    real = threading.active_count
    monkeypatch.setattr(forked.threading, "active_count", lambda: real() - left)


def _document(result: dict[str, object]) -> str:
    out = io.StringIO()
    cli.write_analysis_json(result, out)
    return out.getvalue()


@pytest.mark.parametrize("people", [False, True])
def test_parallel_analyze_equals_one_process(two_cores_one_thread: None, people: bool) -> None:
    """With ``people`` the records include the relations the second process computed (their
    per-person frames come back from it); those compare to 1e-12, relative: PageRank and
    eigenvector centrality differ in their last digits between two runs in one process too."""
    ds = generate(people=60, seed=3)
    alone = _document(cli.analyze(generate(people=60, seed=3), people=people))
    forked = cli.analyze(ds, people=people, parallel=True)
    assert list(forked) == list(json.loads(alone))[:-1]  # the same keys in the same order
    network = [t for t in cli._tasks(ds) if t[0].startswith(cli._RELATION)]
    assert len(network) == 1 and len(network[0]) == len(ds.relations) + 1  # one task, "all" first
    assert network[0][0] == cli._RELATION + "all"
    if not people:
        assert _document(forked) == alone
        return
    ours, theirs = json.loads(_document(forked)), json.loads(alone)
    assert _same(ours, theirs)
    assert all(f"{rel}.pagerank" in theirs["people"][0] for rel in ds.relations)


def _same(a: object, b: object) -> bool:
    """Equal JSON values, floats to 1e-12 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return type(a) is type(b) and a == b


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_failed_second_process_falls_back(
    monkeypatch: pytest.MonkeyPatch, two_cores_one_thread: None
) -> None:
    ds = generate(people=60, seed=3)
    expected = _document(cli.analyze(generate(people=60, seed=3)))
    parent = os.getpid()
    real = cli._section
    calls: list[str] = []

    def failing_in_child(d: object, spec: str, people: bool) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        calls.append(spec)
        return real(d, spec, people)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_section", failing_in_child)
    from lib.analysis import network

    real_parts = network.relation_parts
    relations_here: list[str] = []

    def parts_recorded(d: object, relations: list[str], people: bool = True) -> object:
        if os.getpid() == parent:
            relations_here.extend(relations)
        return real_parts(d, relations, people)  # type: ignore[arg-type]

    monkeypatch.setattr(network, "relation_parts", parts_recorded)
    started: list[bool] = []
    start = forked.start

    def recorded(compute: Callable[[], object]) -> Callable[[], object] | None:
        collect = start(compute)
        started.append(collect is not None)
        return collect

    monkeypatch.setattr(forked, "start", recorded)
    assert _document(cli.analyze(ds, parallel=True)) == expected
    assert started == [True]  # a second process was started (and failed)
    # the child's sections computed here after all, and the network's relations it had (the
    # network section itself is put together from its relations' parts, not through _section)
    assert sorted(calls) == sorted(s for k, s in cli.ANALYSIS_SECTIONS.items() if k != "_network")
    assert sorted(relations_here) == sorted([*ds.relations, "all"])


def _frames(ds: object) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in vars(ds).items() if isinstance(v, pd.DataFrame)}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_build_gives_the_same_dataset_and_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores_one_thread: None
) -> None:
    from_child: list[bool] = []  # per forked build: whether the child's tables were used
    start = forked.start

    def recorded(compute: Callable[[], object]) -> Callable[[], object] | None:
        collect = start(compute)
        assert collect is not None

        def wait() -> object:
            result = collect()
            from_child.append(result is not None)
            return result

        return wait

    monkeypatch.setattr(forked, "start", recorded)
    write_dataset(generate(people=60, seed=3), tmp_path / "org.zip")
    with zipfile.ZipFile(tmp_path / "org.zip") as z:
        members = {n: z.read(n).decode() for n in z.namelist()}
    # findings in both halves: an unknown person in the ties (this process), a word for a number
    # in the learning hours and an unknown person in the trust answers (the forked child)
    members["ties.csv"] += "P99999,P01001,advice,1.0,,,2026-Q1\n"
    learning = members["learning.csv"].splitlines()
    learning[2] = ",".join([*learning[2].split(",")[:2], "lots", *learning[2].split(",")[3:]])
    members["learning.csv"] = "\n".join(learning) + "\n"
    trust = members["trust.csv"].splitlines()
    members["trust.csv"] += "P99998," + ",".join(trust[1].split(",")[1:]) + "\n"
    bad = tmp_path / "bad"
    bad.mkdir()
    for name, text in members.items():
        (bad / name).write_text(text)
    with pytest.raises(DataError) as alone_error:
        load_path(bad)
    with pytest.raises(DataError) as forked_error:
        load_path(bad, fork=True)
    assert {f.sheet for f in alone_error.value.findings} >= {"ties", "learning", "trust"}
    assert forked_error.value.findings == alone_error.value.findings
    alone, split = load_path(tmp_path / "org.zip"), load_path(tmp_path / "org.zip", fork=True)
    assert _frames(split).keys() == _frames(alone).keys()
    for name, frame in _frames(alone).items():
        pd.testing.assert_frame_equal(_frames(split)[name], frame, check_exact=True)
    assert split.findings == alone.findings
    assert from_child == [True, True]  # both forked builds took the child's tables


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_no_fork_while_another_thread_runs_and_the_awaited_one_is_joined(two_cores_one_thread: None) -> None:
    release = threading.Event()
    busy = threading.Thread(target=release.wait)
    busy.start()
    try:
        assert forked.start(lambda: 1) is None  # another thread could hold a lock the child needs
    finally:
        release.set()
        busy.join()
    done = threading.Event()

    def slow() -> None:
        time.sleep(0.2)
        done.set()

    awaited = threading.Thread(target=slow)
    awaited.start()
    forked.wait_for(awaited)
    collect = forked.start(lambda: done.is_set())
    assert collect is not None and collect() is True  # forked after the awaited thread had finished


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_share_runs_every_task_once_in_both_processes(two_cores_one_thread: None) -> None:
    # twenty tasks of about 20 ms: the child, started at once, takes some of them, and every
    # task's result comes back, in the tasks' order
    tasks = [0.02 + i * 1e-6 for i in range(20)]
    results = forked.share(tasks, _pid_after)
    assert list(results) == tasks
    assert os.getpid() in results.values()
    assert len(set(results.values())) == 2  # a second process did some


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_share_runs_here_what_a_failed_child_took(two_cores_one_thread: None) -> None:
    parent = os.getpid()
    ran_here: list[int] = []

    def run(task: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        ran_here.append(task)
        time.sleep(0.01)
        return task * task

    assert forked.share(list(range(12)), run) == {i: i * i for i in range(12)}
    assert sorted(ran_here) == list(range(12))


def test_share_without_fork_runs_everything_here() -> None:
    assert forked.share(["a", "b"], str.upper, fork=False) == {"a": "A", "b": "B"}
    with pytest.raises(ValueError, match="distinct"):
        forked.share(["a", "a"], str.upper, fork=False)


def test_analyze_called_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    # the tuning of `analyze` (no automatic collection, …) is for a process of its own only
    import gc

    path = write_dataset(generate(people=40, seed=3), tmp_path / "org.zip")
    assert gc.isenabled()
    assert cli.main(["analyze", str(path), "--json", str(tmp_path / "out.json")]) == 0
    assert gc.isenabled()
