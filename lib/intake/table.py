"""The loader's working parts: a sheet mapped to the schema (:class:`Table`), the findings
collector (:class:`Findings`, at most :data:`MAX_FINDINGS_PER_CHECK` rows per check) and cells as
the user reads them (:func:`cell_text`, :func:`column_text`).

Part of :mod:`lib.intake.loader`'s pipeline: ``headers`` → ``convert`` → ``sheets`` →
``crosscheck``; every other part imports this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lib.core.errors import Finding, Severity
from lib.core.schema import (
    Sheet,
)

MAX_FINDINGS_PER_CHECK = 50


class Findings:
    """Every finding of one load, and the mapped tables they point into (by ``_t``)."""

    def __init__(self, items: list[Finding]) -> None:
        self.items = items
        self.tables: list[Table] = []  # by index; frames carry the index in their ``_t`` column

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def flag(
        self,
        severity: Severity,
        message: str,
        frame: pd.DataFrame,
        mask: Any,
        column: str,
        values: pd.Series | None = None,
        hint: str = "",
        message_for: Callable[[int], str] | None = None,
    ) -> int:
        """One finding per row where ``mask`` holds (at most :data:`MAX_FINDINGS_PER_CHECK`)."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        shown = idx[:MAX_FINDINGS_PER_CHECK]
        t_col, row_col = frame["_t"].to_numpy(), frame["_row"].to_numpy()
        vals = values.to_numpy() if values is not None else None
        for i in shown:
            t = self.tables[int(t_col[i])]
            self.add(
                Finding(
                    severity,
                    message_for(int(i)) if message_for else message,
                    file=t.file,
                    sheet=t.sheet,
                    row=int(row_col[i]),
                    column=t.header(column),
                    value="" if vals is None else cell_text(vals[i]),
                    hint=hint,
                )
            )
        if len(idx) > len(shown):
            i = idx[len(shown)]
            t = self.tables[int(t_col[i])]
            self.add(
                Finding(
                    severity,
                    f"… and {len(idx) - len(shown):,} more rows like this: {message}",
                    file=t.file,
                    sheet=t.sheet,
                    row=int(row_col[i]),
                    column=t.header(column),
                    hint=hint,
                )
            )
        return len(idx)


def cell_text(value: object) -> str:
    """A cell as the user would read it: 4.0 → "4", a date → 2024-01-31, None → ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value).strip()


def member(values: pd.Series, allowed: pd.Index | Sequence[str]) -> pd.Series:
    """``values.isin(allowed)`` computed by Arrow (pandas' isin on Arrow strings boxes every
    allowed value into a Python object: seconds for 100k ids)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        mask = pc.is_in(
            pa.array(values),
            value_set=pa.array(
                list(allowed) if not isinstance(allowed, pd.Index) else allowed, type=pa.string()
            ),
        )
        return pd.Series(mask.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return values.isin(list(allowed))


def is_csv(s: pd.Series) -> bool:
    return s.dtype != object


def column_text(s: pd.Series) -> pd.Series:
    """Stripped text, ``""`` for blank (str dtype)."""
    if is_csv(s):
        return s.str.strip()
    return pd.Series([cell_text(v) for v in s.to_numpy()], index=s.index, dtype="str")


@dataclass
class Table:
    """A raw sheet with its header found and its columns mapped to the schema."""

    file: str
    sheet: str
    spec: Sheet
    wave: str
    headers: dict[int, str]  # position → header as written
    mapping: dict[str, int]  # canonical column → position
    extras: list[int]  # positions of columns the schema does not name
    data: pd.DataFrame  # data rows only, positional columns
    rows: np.ndarray  # Excel row number of each data row
    index: int = 0

    def header(self, column: str) -> str:
        """The header as the user wrote it for a canonical column (or the name itself)."""
        if column in self.mapping:
            return self.headers[self.mapping[column]]
        return column

    def has(self, column: str) -> bool:
        return column in self.mapping

    def col(self, column: str) -> pd.Series:
        return self.data[self.mapping[column]]

    def base(self) -> pd.DataFrame:
        return pd.DataFrame({"_t": np.full(len(self.data), self.index, dtype=np.int64), "_row": self.rows})
