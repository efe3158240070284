"""How many bytes a computed result holds: what :attr:`lib.core.dataset.Dataset.memo` keeps, sized
to bound it (:meth:`lib.core.dataset.Dataset.remember`).

An estimate of the memory only this value keeps alive, read from what the containers report (numpy's
``nbytes``, pandas' ``memory_usage``, igraph's vertex and edge counts), not a walk of every Python
object: a text column of Python strings is counted by a sample of its strings, an igraph graph
by its counts. Objects reached twice (or listed in ``seen`` beforehand, e.g. a dataset's own tables
that a result keeps a reference to) are counted once.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from typing import Any

import numpy as np
import pandas as pd

#: Bytes igraph keeps per vertex and per edge (its edge lists and indexes: 8-byte integers), and per
#: value of an attribute (a pointer in its list and, for a number, the Python float).
_IGRAPH_VERTEX = 16
_IGRAPH_EDGE = 32
_IGRAPH_VALUE = 32
#: Strings sampled to estimate a column of Python strings.
_SAMPLE = 200


class Live:
    """A container counted at its size of the moment, not when the value holding it is sized (a
    dataset's :class:`lib.core.memo.Memo`, which grows after its dataset is stored)."""


def nbytes(value: object, seen: set[int] | None = None, memos: list[Any] | None = None) -> int:
    """An estimate of the bytes ``value`` holds (see the module's note); ``seen``: ids of objects
    already counted (updated). A :class:`Live` container inside (a dataset's memo) is not counted but
    appended to ``memos``, for a caller that counts it at its size of the moment."""
    return _size(value, set() if seen is None else seen, [] if memos is None else memos)


def _size(value: Any, seen: set[int], memos: list[Any]) -> int:
    if value is None or isinstance(value, (bool, int, float)):
        return 0
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, Live):
        memos.append(value)
        return 0
    if isinstance(value, (str, bytes)):
        return sys.getsizeof(value)
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else None
        if base is not None:  # a view: the array it reads is what is held
            return _size(base, seen, memos)
        return int(value.nbytes) + (_objects(value) if value.dtype == object else 0)
    if isinstance(value, pd.DataFrame):
        return _frame(value, seen)
    if isinstance(value, pd.Series):
        return _frame(value.to_frame(), seen)
    if isinstance(value, pd.Index):
        return int(value.memory_usage(deep=False)) + (
            _objects(value.to_numpy()) if value.dtype == object else 0
        )
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(
            _size(k, seen, memos) + _size(v, seen, memos) for k, v in value.items()
        )
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + _items(value, seen, memos)
    size = _special(value, seen)
    if size is not None:
        return size
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return sys.getsizeof(value) + sum(_size(getattr(value, f.name), seen, memos) for f in fields)
    if hasattr(value, "__dict__"):
        return sys.getsizeof(value) + _size(vars(value), seen, memos)
    return sys.getsizeof(value)


def _special(value: Any, seen: set[int]) -> int | None:
    """igraph graphs and scipy sparse matrices (None for anything else)."""
    module = type(value).__module__
    if module.startswith("igraph"):
        if hasattr(value, "vcount") and hasattr(value, "ecount"):
            v, e = int(value.vcount()), int(value.ecount())
            attributes = len(value.vs.attributes()) * v + len(value.es.attributes()) * e
            size: int = v * _IGRAPH_VERTEX + e * _IGRAPH_EDGE + attributes * _IGRAPH_VALUE
            return size
        return sys.getsizeof(value)
    if module.startswith("scipy.sparse"):
        parts = [
            getattr(value, name, None) for name in ("data", "indices", "indptr", "row", "col", "offsets")
        ]
        return sum(_size(p, seen, []) for p in parts if isinstance(p, np.ndarray))
    return None


def _items(
    values: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any], seen: set[int], memos: list[Any]
) -> int:
    """A container's items; a long one (a list of ids) estimated from its first ``_SAMPLE`` items."""
    n = len(values)
    if n <= 2 * _SAMPLE:
        return sum(_size(v, seen, memos) for v in values)
    sample = list(itertools.islice(values, _SAMPLE))
    return int(sum(_size(v, seen, memos) for v in sample) * n / _SAMPLE)


def _frame(frame: pd.DataFrame, seen: set[int]) -> int:
    """A frame's columns: numbers and pyarrow strings as pandas counts them; Python strings by a sample."""
    total = int(frame.index.memory_usage(deep=False))
    for _, column in frame.items():
        total += int(column.memory_usage(index=False, deep=False))
        if column.dtype == object:
            total += _objects(column.to_numpy())
    return total


def _objects(values: np.ndarray) -> int:
    """The Python objects of an object array, estimated from an even sample of at most ``_SAMPLE``."""
    n = values.size
    if not n:
        return 0
    flat = values.ravel()
    step = max(1, n // _SAMPLE)
    sample = flat[::step][:_SAMPLE]
    each = sum(sys.getsizeof(v) for v in sample if not isinstance(v, (bool, int, float)) or v is None)
    return int(each * n / len(sample))
