"""Columns by kind: each :data:`lib.core.schema.ColumnKind` has one converter in
:data:`CONVERTERS`, which reads a column of a :class:`~lib.intake.table.Table` into typed values and
names every cell it cannot read as written (Excel errors, blanks where a value is required, numbers
out of range, ambiguous dates, tidied ids).

:func:`standard` gives a table's canonical columns, converted, with its meta columns (``_t``,
``_row``) and each row's wave.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from lib.core import waves
from lib.core.schema import (
    MISSING_VALUE_WORDS,
    Column,
    ColumnKind,
)
from lib.intake.cells import (
    ASCII_SPACE,
    BAD,
    BLANK,
    DATE,
    ERROR,
    FIRST_DATE,
    LARGEST_NUMBER,
    LAST_DATE,
    READ,
    WORD,
    TextDates,
    excel_date,
    parse_numbers,
    read_ids,
    text_dates,
    visible,
)
from lib.intake.parsing import (
    ERROR_CODES,
)
from lib.intake.table import Findings, Table, cell_text, column_text, is_csv, member

_TRUE = frozenset({"true", "yes", "y", "1", "x", "t", "ja", "oui", "sí", "si", "✓"})


_FALSE = frozenset({"false", "no", "n", "0", "f", "nein", "non", "-"})


def _range_text(col: Column) -> str:
    lo, hi = col.minimum, col.maximum
    if lo is not None and hi is not None:
        return f"must be between {lo:g} and {hi:g}"
    if lo is not None:
        if col.exclusive_minimum:
            return f"must be greater than {lo:g}"
        return "cannot be negative" if lo == 0 else f"must be at least {lo:g}"
    if hi is not None:
        return f"must be at most {hi:g}"
    return ""


def error_cells(t: Table, base: pd.DataFrame, column: str, text: pd.Series, found: Findings) -> pd.Series:
    """Flag Excel error values (#N/A, #DIV/0!, …); returns the mask."""
    err = member(text, sorted(ERROR_CODES))
    if err.any():
        found.flag(
            "error",
            "Excel error value in this cell",
            base,
            err,
            column,
            text,
            "Fix the formula that produces it, or replace it with a value (or leave the cell blank).",
        )
    return err


def required_blank(
    t: Table, base: pd.DataFrame, column: str, blank: pd.Series, found: Findings, what: str = ""
) -> None:
    if blank.any():
        found.flag(
            "error",
            f"Missing {what or column}",
            base,
            blank,
            column,
            hint=f"Every row needs a {what or column}.",
        )


def _convert_ids(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    raw = t.col(column.name)
    ids, changes = read_ids(raw)
    tidied = changes.ne("")
    if tidied.any():
        found.flag(
            "note",
            f"{column.name} tidied",
            base,
            tidied,
            column.name,
            pd.Series(
                [visible(v.strip(ASCII_SPACE)) if isinstance(v, str) else cell_text(v) for v in raw],
                index=raw.index,
                dtype="str",
            ),
            "Ids are compared after this tidying, in every sheet; fix the source system to stop it.",
            message_for=lambda i: f"{column.name} tidied: {changes.iat[i]}; read as {ids.iat[i]!r}",
        )
    err = error_cells(t, base, column.name, ids, found)
    ids = ids.where(~err, "")
    # each cell's text, for the blank cells and the findings' values: only when there are some
    text = functools.cache(lambda: column_text(raw))
    empty = ids.eq("")
    word = empty & text().str.lower().isin(MISSING_VALUE_WORDS) if empty.any() else empty
    words = ", ".join(MISSING_VALUE_WORDS)
    if column.required:
        blank = ids.eq("") & ~err
        if blank.any():
            found.flag(
                "error",
                f"Blank {column.name}",
                base,
                blank,
                column.name,
                text(),
                "Every row needs an id; fill it in or delete the row.",
                message_for=lambda i: (
                    f"Blank {column.name}: a missing-value word, not an id"
                    if word.iat[i]
                    else f"Blank {column.name}"
                ),
            )
    elif word.any():
        found.flag(
            "warning",
            f"Read as a blank {column.name}: a missing-value word, not an id",
            base,
            word,
            column.name,
            text(),
            f"The words {words} (any case) mean 'no value' in an id column. If it is a real id, change it.",
        )
    return ids


def _convert_text(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    text = column_text(t.col(column.name))
    err = error_cells(t, base, column.name, text, found)
    text = text.where(~err, "")
    if column.required:
        required_blank(t, base, column.name, text.eq("") & ~err, found)
    return text


def _convert_enum(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    """Lower case (learning types upper case: IOL, …); unknown values an error unless the enum is open."""
    upper = column.name == "learning_type"
    text = _convert_text(t, base, column, found)
    lower = text.str.lower()
    if column.choices and not column.open_enum:
        bad = lower.ne("") & ~lower.isin(column.choices)
        if bad.any():
            shown = ", ".join(c.upper() if upper else c for c in column.choices)
            found.flag(
                "error",
                f"Unknown {column.name}; expected one of {shown}",
                base,
                bad,
                column.name,
                text,
                f"Use one of: {shown} (upper or lower case).",
            )
    return lower.str.upper() if upper else lower


def convert_numbers(
    t: Table, base: pd.DataFrame, column: Column, found: Findings, *, whole: bool = False
) -> pd.Series:
    """Floats (NaN for blank); flags non-numbers, dates, Excel errors, out-of-range values."""
    raw = t.col(column.name)
    numbers, c, notes = parse_numbers(raw)
    # each cell's text, for the findings' values: only when a cell is flagged
    text = functools.cache(lambda: column_text(raw))
    blank, bad, date, err, word, read = (
        pd.Series(c == k, index=raw.index) for k in (BLANK, BAD, DATE, ERROR, WORD, READ)
    )
    if word.any():
        found.flag(
            "warning",
            f"Read as a blank {column.name}: a missing-value word, not a number",
            base,
            word,
            column.name,
            text(),
            "Leave the cell blank when there is no value.",
        )
        blank |= word
    if read.any():
        found.flag(
            "warning",
            f"Read as a number in {column.name}",
            base,
            read,
            column.name,
            text(),
            "Type a plain number (digits 0-9, a point as the decimal separator) to be sure.",
            message_for=lambda i: f"{notes[i]} in {column.name}",
        )
    if err.any():
        found.flag(
            "error",
            "Excel error value in this cell",
            base,
            err,
            column.name,
            text(),
            "Fix the formula that produces it, or replace it with a value (or leave the cell blank).",
        )
    if date.any():
        found.flag(
            "error",
            "A date in a number column",
            base,
            date,
            column.name,
            text(),
            f"{column.name} holds numbers: format the column as Number in Excel and retype the value.",
        )
    if bad.any():
        comma = text().str.contains(",", regex=False)
        found.flag(
            "error",
            f"Not a number in {column.name}",
            base,
            bad,
            column.name,
            text(),
            "Type a plain number (use a point as the decimal separator) or leave the cell blank.",
            message_for=lambda i: (
                f"Not a number in {column.name}" + (" (decimal comma?)" if bool(comma.iat[i]) else "")
            ),
        )
    if column.required:
        required_blank(t, base, column.name, blank, found)
    huge = numbers.notna() & ~(numbers.abs() <= LARGEST_NUMBER)
    if huge.any():
        infinite = ~np.isfinite(numbers.to_numpy())
        found.flag(
            "error",
            f"Infinite number in {column.name}",
            base,
            huge,
            column.name,
            text(),
            f"Type a finite number (at most {LARGEST_NUMBER:,.0f}) or leave the cell blank.",
            message_for=lambda i: (
                f"Infinite number in {column.name}"
                if infinite[i]
                else f"Number too large in {column.name} (more than {LARGEST_NUMBER:.0e})"
            ),
        )
        numbers = numbers.where(~huge)
    ok = numbers.notna()
    out = pd.Series(False, index=raw.index)
    if column.minimum is not None:
        out |= ok & ((numbers <= column.minimum) if column.exclusive_minimum else (numbers < column.minimum))
    if column.maximum is not None:
        out |= ok & (numbers > column.maximum)
    if out.any():
        found.flag(
            "error",
            f"Out of range: {column.name} {_range_text(column)}",
            base,
            out,
            column.name,
            text(),
            f"Correct the value: {column.name} {_range_text(column)}.",
        )
    if whole:
        frac = ok & ~out & (numbers != numbers.round())
        if frac.any():
            found.flag(
                "error",
                f"{column.name} must be a whole number",
                base,
                frac,
                column.name,
                text(),
                "Type a whole number.",
            )
        out |= frac
    return numbers.where(~out)


def _convert_bool(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    text = column_text(t.col(column.name))
    err = error_cells(t, base, column.name, text, found)
    lower = text.str.lower().where(~err, "")
    out = pd.Series(pd.NA, index=text.index, dtype="boolean")
    out[lower.isin(_TRUE).to_numpy()] = True
    out[lower.isin(_FALSE).to_numpy()] = False
    bad = lower.ne("") & ~lower.isin(_TRUE | _FALSE)
    if bad.any():
        found.flag(
            "error",
            f"{column.name} must be yes or no",
            base,
            bad,
            column.name,
            text,
            "Type yes or no (or TRUE/FALSE, 1/0), or leave the cell blank.",
        )
    return out


def _convert_dates(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    raw = t.col(column.name)
    text = column_text(raw)
    err = error_cells(t, base, column.name, text, found)
    blank = text.eq("") | err
    if is_csv(raw):
        typed = pd.Series(True, index=raw.index)
        values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    else:  # date cells as written; text cells below, by the same rules as a CSV's
        cells = raw.to_numpy()
        typed = pd.Series([isinstance(v, str) for v in cells], index=raw.index)
        values = pd.Series(
            [None if isinstance(v, str) else excel_date(v) for v in cells],
            index=raw.index,
            dtype="datetime64[us, UTC]",
        )
    read = text_dates(text.where(typed & ~blank, None))
    values = values.where(~(typed & ~blank), read.values)
    _date_order_findings(read, base, column.name, text, found)
    # Dates far in the past or future (9999-12-31 for "no end date", 0001-01-01 for "unknown")
    # do not fit the nanosecond timestamps every analysis uses: an error, never a traceback.
    outside = values.notna() & ((values < FIRST_DATE) | (values > LAST_DATE))
    if outside.any():
        found.flag(
            "error",
            f"Date out of range in {column.name}: dates must fall between {FIRST_DATE:%Y-%m-%d} and "
            f"{LAST_DATE:%Y-%m-%d}",
            base,
            outside,
            column.name,
            text,
            "Dates like 9999-12-31 or 0001-01-01 often stand for 'no date': leave the cell blank instead.",
        )
        values = values.where(~outside)
    values = pd.Series(values.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]"))
    bad = ~blank & values.isna() & ~outside & ~read.word & ~read.contrary
    if bad.any():
        found.flag(
            "error",
            f"Not a date in {column.name}",
            base,
            bad,
            column.name,
            text,
            "Use a date like 2026-03-31 or 2026-03-31 14:05.",
        )
    if column.required:
        required_blank(t, base, column.name, text.eq("") & ~err, found)
    return values


def _date_order_findings(
    read: TextDates, base: pd.DataFrame, column: str, text: pd.Series, found: Findings
) -> None:
    order = "day first" if read.dayfirst else "month first"
    rows = base["_row"].to_numpy()
    if read.evidence is not None:
        shown = f"{order}, as {text.iat[read.evidence]} in row {int(rows[read.evidence])} shows"
    else:
        shown = f"{order}: no date in this column shows the order"
    hint = "Write dates year first (2026-04-03), which no one reads two ways."
    if read.word.any():
        found.flag(
            "error",
            f"Not a date in {column}: a word such as 'today' means another date on each day the file is read",
            base,
            read.word,
            column,
            text,
            "Type the date itself, e.g. 2026-03-31.",
        )
    if read.contrary.any():
        found.flag(
            "error",
            f"Date in the other order: {column} is read {shown}",
            base,
            read.contrary,
            column,
            text,
            "Write every date of the column in one order. " + hint,
        )
    if read.ambiguous.any():
        values = read.values.to_numpy()

        def message(i: int) -> str:
            ts = pd.Timestamp(values[i])
            return f"Ambiguous date read as {ts.day} {ts:%B %Y} ({shown})"

        found.flag(
            "warning",
            f"Ambiguous date read {shown}",
            base,
            read.ambiguous,
            column,
            text,
            hint,
            message_for=message,
        )


def _convert_integers(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    return convert_numbers(t, base, column, found, whole=True).astype("Int64")


#: A column converter: (table, its meta frame, the column, findings) → the column's values.
Converter = Callable[[Table, pd.DataFrame, Column, Findings], pd.Series]

#: One converter per kind of column (:data:`lib.core.schema.ColumnKind`).
CONVERTERS: dict[ColumnKind, Converter] = {
    "id": _convert_ids,
    "text": _convert_text,
    "number": convert_numbers,
    "integer": _convert_integers,
    "bool": _convert_bool,
    "date": _convert_dates,
    "enum": _convert_enum,
}


def convert(t: Table, base: pd.DataFrame, column: Column, found: Findings) -> pd.Series:
    """A column of ``t`` read by its kind's converter, every cell it cannot read named in ``found``."""
    return CONVERTERS[column.kind](t, base, column, found)


def standard(t: Table, found: Findings, names: Sequence[str]) -> pd.DataFrame:
    """The table's canonical columns among ``names`` (absent ones are left out), plus meta."""
    out = t.base()
    for name in names:
        if t.has(name):
            out[name] = convert(t, out, t.spec.column(name), found).array
    if "wave" in names:
        own = waves.column(out)  # each row's label; "" = blank (lib.core.waves), the file's label then
        out["wave"] = own.where(own.ne(""), t.wave).astype("str")
    return out


def fill(frame: pd.DataFrame, name: str, default: object, dtype: str) -> None:
    if name not in frame:
        frame[name] = pd.Series(default, index=frame.index, dtype=dtype)
