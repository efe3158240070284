"""Waves: which survey round a row belongs to, and which rows a wave argument stands for.

The one place the wave rules live (issue 13, "one idea, one place"); every module that filters
or chooses a wave calls these functions. ``tests/test_waves.py`` pins the rules in one table.

* **A row's label** is its ``wave`` cell as trimmed text. Blank cells (NaN, None, ``""``,
  whitespace, and the texts ``"nan"``, ``"<NA>"``, ``"None"`` in any case) have no label: such a
  row is *unlabelled* and **counts in every wave**.
* **A table's labels** are its distinct labels, sorted as text (labels like ``2026-Q1`` or
  ``2026-03`` sort in time order). **The dataset's waves** are the labels of every wave table
  (:data:`WAVE_TABLES`).
* **Resolving a wave argument** (:func:`resolve`): ``None`` and ``""`` (any blank) mean the same,
  "no wave chosen", and stand for the **latest** label of the relevant table(s); None when there
  are no labels (then every row counts). Any other value is the label itself, trimmed.
* **The rows of one wave** (:func:`rows`): the rows with that label plus the unlabelled rows; a
  table without labels is returned whole. :func:`select` is the same filter for a label already
  resolved (None: every row).
* **The tie wave** (:func:`tie_wave`), what network functions get, and more generally the wave of
  a table measured less often than the survey (:func:`table_wave`): the chosen wave when the table
  carries it, else the table's latest label *at or before* it (the last measurement carried
  forward), else its earliest label; ``None`` or ``""`` → the latest label; None when the table
  has no labels (every row).
* **Network functions** (:mod:`lib.analysis.network` and everything built on its ties) read their
  ties through :func:`tie_rows`: a label keeps the rows of its tie wave plus the unlabelled rows;
  ``wave=None`` (or ``""``) there means *every* tie, which is what the Network page's "All waves"
  asks for. Callers that mean "the latest" pass :func:`tie_wave` (``ds.tie_wave(None)``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

__all__ = [
    "BLANK_TEXTS",
    "WAVE_TABLES",
    "WaveTables",
    "column",
    "dataset_waves",
    "label",
    "labels",
    "latest",
    "resolve",
    "rows",
    "select",
    "table_wave",
    "tie_rows",
    "tie_wave",
]

#: Texts that mean "no wave" (compared case-insensitively, after trimming).
BLANK_TEXTS = frozenset({"", "nan", "none", "<na>"})
#: The dataset tables that have a ``wave`` column (:data:`lib.core.dataset.TABLE_COLUMNS`).
WAVE_TABLES: tuple[str, ...] = ("ties", "learning", "trust", "work", "skills")


class WaveTables(Protocol):
    """What :func:`dataset_waves` and :func:`tie_wave` read of a dataset (a :class:`lib.core.dataset.Dataset`)."""

    @property
    def ties(self) -> pd.DataFrame: ...
    @property
    def learning(self) -> pd.DataFrame: ...
    @property
    def trust(self) -> pd.DataFrame: ...
    @property
    def work(self) -> pd.DataFrame: ...
    @property
    def skills(self) -> pd.DataFrame: ...


def label(value: object) -> str:
    """The wave label of one cell: trimmed text, ``""`` for a blank (see the module docstring).

    A whole number read as a float (``2026.0``) is the label ``"2026"``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return "" if text.casefold() in BLANK_TEXTS else text


def column(table: pd.DataFrame) -> pd.Series:
    """Each row's wave label (``""`` = unlabelled), on the table's index; all ``""`` without a wave column."""
    if "wave" not in table or not len(table):
        return pd.Series("", index=table.index, dtype=object)
    codes, found = _coded(table["wave"])
    text = np.array([*found, ""], dtype=object)  # code -1 (NA) → the last, ""
    return pd.Series(text[codes], index=table.index, dtype=object)


#: :func:`_coded`'s answers for Arrow-backed columns, by the identity of the column's Arrow data
#: (immutable: a changed column is new data), dropped when that data is freed: (a weak reference
#: to the data, the codes, the labels).
_CODED: dict[int, tuple[weakref.ref[Any], np.ndarray, tuple[str, ...]]] = {}


def _coded(wave: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's code (-1 for a missing cell) into the wave column's distinct cell values, and
    each distinct value's label (:func:`label`; two values may share one). Every analysis asks
    for the same tables' waves (about 0.1 s a process at 10,000 people, the same ties factorised
    again and again), so for an Arrow-backed column the answer is kept while its data lives; the
    codes are read-only."""
    # the Arrow data itself (not a conversion: that would be new data at every call)
    data = wave.array.__arrow_array__() if isinstance(wave.array, pd.arrays.ArrowExtensionArray) else None
    if data is not None and (kept := _CODED.get(id(data))) is not None and kept[0]() is data:
        return kept[1], kept[2]
    codes, uniques = pd.factorize(wave, use_na_sentinel=True)
    # the narrowest type that holds them: a table has few waves (kept codes at 100,000 people were
    # 60 MB as int64, 8 MB as int8)
    codes = codes.astype(np.min_scalar_type(-max(len(uniques), 1)), copy=False)  # −1: a blank cell
    found = tuple(label(u) for u in uniques)
    if data is not None:
        codes.flags.writeable = False
        key = id(data)

        def forget(_: object) -> None:
            _CODED.pop(key, None)

        _CODED[key] = (weakref.ref(data, forget), codes, found)
    return codes, found


def _distinct(table: pd.DataFrame) -> set[str]:
    if "wave" not in table or not len(table):
        return set()
    return set(_coded(table["wave"])[1]) - {""}


def labels(table: pd.DataFrame) -> list[str]:
    """The table's wave labels, distinct and sorted (time order for labels like ``2026-Q1``)."""
    return sorted(_distinct(table))


def dataset_waves(ds: WaveTables) -> list[str]:
    """The dataset's waves: the labels of every wave table, sorted."""
    found: set[str] = set()
    for name in WAVE_TABLES:
        found |= _distinct(getattr(ds, name))
    return sorted(found)


def latest(found: Sequence[str]) -> str | None:
    """The latest of sorted labels ``found``; None when there are none."""
    return found[-1] if found else None


def resolve(wave: str | None, found: Iterable[str]) -> str | None:
    """The wave a ``wave`` argument stands for, among the labels ``found`` of the relevant table(s).

    ``None`` or a blank (``""``) → the latest label, None when there are none (every row counts);
    any other value → that label, trimmed (even when no row carries it).
    """
    chosen = label(wave)
    if chosen:
        return chosen
    return latest(sorted(set(found)))


def select(table: pd.DataFrame, wave: str | None) -> pd.DataFrame:
    """The rows of the resolved label ``wave`` plus the unlabelled rows; None or blank: every row."""
    if not label(wave) or "wave" not in table or not len(table):
        return table
    return table[selected(table, wave)]


def selected(table: pd.DataFrame, wave: str | None) -> np.ndarray:
    """Which rows :func:`select` keeps, as a bool array over the table's rows."""
    chosen = label(wave)
    if not chosen or "wave" not in table or not len(table):
        return np.ones(len(table), dtype=bool)
    # as column(table) == chosen or "", decided once per distinct cell value
    codes, found = _coded(table["wave"])
    keep = np.array([f in (chosen, "") for f in found] + [True])  # code -1 (NA) → the last
    return np.asarray(keep[codes], dtype=bool)


def rows(table: pd.DataFrame, wave: str | None) -> tuple[pd.DataFrame, str]:
    """The rows of one wave of ``table`` and the label used (:func:`resolve` over the table's labels).

    A table without labels is returned whole with label ``""``.
    """
    chosen = resolve(wave, _distinct(table))
    return select(table, chosen), chosen or ""


def table_wave(table: pd.DataFrame, wave: str | None) -> str | None:
    """The label of ``table`` that the wave ``wave`` stands for, for a table measured less often.

    ``wave`` itself when the table carries it; else the table's latest label at or before it
    (the last measurement carried forward), else its earliest; ``None`` or blank → the latest.
    None when the table has no labels (use every row).
    """
    found = labels(table)
    if not found:
        return None
    chosen = label(wave)
    if not chosen:
        return found[-1]
    if chosen in found:
        return chosen
    before = [w for w in found if w < chosen]
    return before[-1] if before else found[0]


def tie_wave(ds: WaveTables, wave: str | None) -> str | None:
    """What network functions get for the wave ``wave``: :func:`table_wave` of the ties."""
    return table_wave(ds.ties, wave)


def tie_rows(ties: pd.DataFrame, wave: str | None) -> pd.DataFrame:
    """The tie rows network functions use for ``wave``: None or blank → every row; a label → the
    rows of its tie wave (:func:`table_wave`) plus the unlabelled rows."""
    if not label(wave):
        return ties
    return select(ties, table_wave(ties, wave))
