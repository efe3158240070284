"""A dataset's memo stays within its budget of bytes, dropping the least recently used entries, and
what it dropped is computed again identically (lib/core/memo.py, lib/core/sizing.py)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lib.analysis import network
from lib.analysis.overview import facts, network_change, position_changes, what_changed
from lib.core import memo as memo_module
from lib.core.dataset import Dataset
from lib.core.memo import Memo
from lib.core.sizing import nbytes
from lib.intake.sample import generate

MB = 1 << 20


def _block(megabytes: int) -> np.ndarray:
    return np.zeros(megabytes * MB, dtype=np.uint8)


def test_sizes_are_what_the_arrays_hold() -> None:
    a = _block(3)
    assert nbytes(a) == 3 * MB
    assert nbytes(a[: MB // 2]) == 3 * MB  # a view keeps the whole array it reads
    assert nbytes((a, a)) - 3 * MB < 1000  # one array reached twice is counted once
    ids = [f"P{i:06d}" for i in range(MB)]
    frame = pd.DataFrame({"x": np.arange(MB, dtype=np.int64), "id": pd.Series(ids, dtype="str")})
    assert 8 * MB + 11 * MB <= nbytes(frame) <= 8 * MB + 16 * MB + 1000  # 7 characters and an offset per id
    objects = pd.DataFrame({"x": np.arange(MB, dtype=np.int64), "id": pd.Series(ids, dtype=object)})
    assert 8 * MB + 60 * MB <= nbytes(objects) <= 8 * MB + 66 * MB  # a pointer and a Python string per id
    assert nbytes((frame, 1), seen={id(frame)}) < 1000  # a table held anyway is not counted


def test_the_memo_drops_the_least_recently_used_entries_past_its_budget() -> None:
    m = Memo(budget=10 * MB)
    m["a"], m["b"], m["c"] = _block(3), _block(3), _block(3)
    assert m.evicted == 0 and 9 * MB <= m.total <= 10 * MB
    m["a"]  # read: now the most recent
    m["d"] = _block(3)
    assert list(m) == ["c", "a", "d"] and "b" not in m and m.evicted == 1
    assert m.total <= m.budget
    m["big"] = _block(12)  # alone over the budget: kept (the entry just stored is never dropped)
    assert list(m) == ["big"] and m.evicted == 4
    assert m.pop("big") is not None and m.total == 0 and m.pop("big", None) is None
    assert m.recomputed == 0
    m["b"] = _block(3)  # dropped before, stored again
    assert m.recomputed == 1


def test_small_entries_are_kept_past_the_budget() -> None:
    m = Memo(budget=4 * MB)
    m["facts"] = np.zeros(1000)  # a small result, stored first: the least recently used
    m["a"], m["b"] = _block(3), _block(3)
    assert list(m) == ["facts", "b"] and m.evicted == 1


def test_a_held_dataset_is_counted_with_what_its_own_memo_keeps_now() -> None:
    parent, child = generate(people=60, seed=3), generate(people=60, seed=4)
    parent.memo["copy"] = child
    before = parent.memo.entry_bytes("copy")
    child.memo["graph"] = _block(5)  # stored in the child after the child was stored in the parent
    assert parent.memo.entry_bytes("copy") - before == pytest.approx(5 * MB, abs=1000)
    parent.memo["other"] = ("x", parent.ties, parent.people)  # the owner's own tables: not counted
    assert parent.memo.entry_bytes("other") < 1000


def test_copies_start_with_an_empty_memo() -> None:
    ds = generate(people=60, seed=3)
    network.build_graph(ds, wave=ds.tie_wave(ds.waves[-1]))
    assert len(ds.memo)
    for other in (copy.deepcopy(ds), pickle.loads(pickle.dumps(ds))):
        assert len(other.memo) == 0
        network.build_graph(other, wave=other.tie_wave(other.waves[-1]))
        assert len(other.memo) and other.memo.total > 0


def _comparison(ds: Dataset) -> Iterator[object]:
    """Every wave's facts, then the wave comparison's tables."""
    before, after = ds.waves[-2], ds.waves[-1]
    for wave in (after, before):
        yield facts(ds, wave)
    yield what_changed(ds, before, after)
    yield network_change(ds, before, after)
    yield position_changes(ds, before, after)


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    elif hasattr(a, "org"):
        assert a.org.keys() == b.org.keys()
        for key, value in a.org.items():
            other = b.org[key]
            assert value == other or (value != value and other != other), key  # NaN is NaN
        assert a.groups.keys() == b.groups.keys()
        for key, table in a.groups.items():
            pd.testing.assert_frame_equal(table, b.groups[key], check_exact=True)
        pd.testing.assert_frame_equal(a.people, b.people, check_exact=True)
    else:
        assert a == b


def test_dropped_results_are_computed_again_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = list(_comparison(generate(people=250, seed=7)))
    # a budget far below what the Overview keeps: entries are dropped all along (the respondent
    # copies' memos too) and computed again when read
    monkeypatch.setattr(memo_module, "MEMO_BUDGET", 200_000)
    monkeypatch.setattr(memo_module, "KEEP_BELOW", 0)
    ds = generate(people=250, seed=7)
    again = []
    for result in _comparison(ds):
        again.append(result)
        assert ds.memo.total <= ds.memo.budget or len(ds.memo) == 1
    assert ds.memo.evicted > 20 and ds.memo.recomputed > 5
    assert len(again) == len(kept)
    for a, b in zip(kept, again, strict=True):
        _same(a, b)


def test_a_held_datasets_memo_never_holds_its_owner_so_the_locks_nest_one_way() -> None:
    # Memo sizes a held dataset's memo under its own lock (the respondent copy's, at its size of the
    # moment): that is deadlock-free only while no held memo holds its owner back. The Overview's
    # sections store the respondent copy; nothing kept in the copy's memo leads to the owner's.
    ds = generate(people=120, seed=3)
    facts(ds)
    held: list[Any] = []
    for key in list(ds.memo):
        nbytes(ds.memo.get(key), set(), held)
    assert any(m is not ds.memo for m in held)  # the respondent copy's memo is held
    for inner in held:
        for key in list(inner):
            back: list[Any] = []
            nbytes(inner.get(key), set(), back)
            assert all(m is not ds.memo for m in back), key
