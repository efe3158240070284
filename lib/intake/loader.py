"""Loading and validation: uploaded files in, a canonical :class:`~lib.core.dataset.Dataset` out.

``load_path`` (a workbook, a CSV, a zip, or a folder) and ``load_files`` (uploaded name + bytes)
collect *every* problem in one pass. Any error raises :class:`lib.core.errors.DataError` carrying all
findings (errors first); otherwise the dataset's ``findings`` hold the warnings and notes.

Stages: :func:`lib.intake.parsing.plan` checks limits without parsing (zip bombs, stray cells at
``XFD1048576``), :func:`lib.intake.parsing.parse_isolated` parses in a memory- and time-limited child
process, and this module maps sheet and column names through :data:`lib.core.schema.SHEETS`, converts
every column by its kind and checks the cross-sheet rules (unknown people, reporting cycles,
duplicates). Checks are vectorised; each check reports at most :data:`MAX_FINDINGS_PER_CHECK`
rows, then one "… and N more rows like this" finding.

Row numbers are what Excel shows (header = row 1 when it is the first row); columns are named as
the user wrote them (``Employee ID``), not by their canonical name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.core import waves
from lib.core.dataset import (
    PEOPLE_COLUMNS,
    TABLE_COLUMNS,
    Dataset,
    builtin_trust_items,
    channel_mode,
    empty_table,
    normalise_id,
)
from lib.core.errors import DataError, Finding, Severity, sort_findings
from lib.core.schema import (
    CHANNEL_MODES,
    DEFAULT_LIMITS,
    LEARNING_TYPE_CODES,
    MISSING_VALUE_WORDS,
    SHEETS_BY_NAME,
    WORK_KINDS,
    Column,
    Limits,
    Sheet,
    column_for,
    normalise_name,
    sheet_for,
)
from lib.intake.parsing import (
    CSV_SUFFIXES,
    ERROR_CODES,
    XLSX_SUFFIXES,
    Blob,
    OddCell,
    RawSheet,
    Source,
    column_letters,
    parse_isolated,
    plan,
)

__all__ = ["HEADER_SEARCH_ROWS", "LARGEST_NUMBER", "MAX_FINDINGS_PER_CHECK", "load_files", "load_path"]

MAX_FINDINGS_PER_CHECK = 50
#: The largest magnitude a number cell may hold. No hours, weight, level or tenure comes near it,
#: and sums of a million such values stay finite (two weights of 1e308 would add up to infinity).
LARGEST_NUMBER = 1e15
#: The header row is looked for among this many first non-blank rows (title blocks above it).
HEADER_SEARCH_ROWS = 30
_TRUE = frozenset({"true", "yes", "y", "1", "x", "t", "ja", "oui", "sí", "si", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "nein", "non", "-"})
_DATE_LIKE = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"


# --- public API -------------------------------------------------------------------------------


def load_path(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> Dataset:
    """Load a workbook (.xlsx), a CSV, a .zip of CSVs (or workbooks), or a folder of CSV files.

    A CSV file's stem names its sheet (``people.csv``, ``Employees.csv``, ``ties.csv``). Raises
    :class:`DataError` with every finding when anything blocks loading.
    """
    path = Path(path).resolve()
    if path.is_dir():
        sources: list[Source] = []
        skipped: list[Finding] = []
        for p in sorted(path.iterdir()):
            if not p.is_file() or p.name.startswith((".", "~$")):
                continue
            if p.suffix.lower() in (*CSV_SUFFIXES, *XLSX_SUFFIXES, ".zip"):
                sources.append(Source(p.name, Blob(path=str(p)), p.stat().st_size))
            else:
                skipped.append(Finding("note", "File ignored (not .csv, .xlsx or .zip)", file=p.name))
        if not sources:
            raise DataError(
                [
                    Finding(
                        "error",
                        "The folder holds no .csv, .xlsx or .zip files",
                        file=str(path),
                        hint="Put people.csv (and ties.csv, …) in it.",
                    )
                ]
            )
        return _load(sources, limits, path.name, skipped)
    if not path.is_file():
        raise DataError([Finding("error", "File not found", file=str(path), hint="Check the path.")])
    return _load([Source(path.name, Blob(path=str(path)), path.stat().st_size)], limits, path.name, [])


def load_files(files: Sequence[tuple[str, bytes]], limits: Limits = DEFAULT_LIMITS) -> Dataset:
    """Load uploaded files (name, bytes): several CSVs form one dataset; several workbooks are
    one workbook per wave (each file's stem labels the rows that have no ``wave``)."""
    if not files:
        raise DataError(
            [Finding("error", "No file was uploaded", hint="Upload a workbook, CSV files or a zip.")]
        )
    sources = [Source(name, Blob(data=bytes(data)), len(data)) for name, data in files]
    return _load(sources, limits, ", ".join(name for name, _ in files), [])


def _load(sources: list[Source], limits: Limits, label: str, findings: list[Finding]) -> Dataset:
    """Every failure, of whatever type, leaves as a :class:`DataError` with findings: callers (the
    Data page, the command line, workspace imports) catch that type only, and a file that trips an
    unforeseen bug is reported like any bad file, the data loaded before staying in use."""
    try:
        return _load_checked(sources, limits, label, findings)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(
            [
                *[f for f in findings if f.severity == "error"],
                Finding(
                    "error",
                    f"The file could not be loaded: an unexpected problem stopped the check "
                    f"({type(exc).__name__}: {str(exc)[:200]})",
                    file=label,
                    hint="Nothing was loaded. Check the file for unusual values near the problem named here, "
                    "and send the file to whoever maintains the dashboard so the check can name it.",
                ),
            ]
        ) from exc


def _load_checked(sources: list[Source], limits: Limits, label: str, findings: list[Finding]) -> Dataset:
    jobs, planned = plan(sources, limits)
    parsed = parse_isolated(jobs, limits)
    found = _Findings([*findings, *planned, *parsed.findings])
    unreadable = any(f.severity == "error" for f in found.items)
    ds = _build(parsed.sheets, found, unreadable)
    ds.source = label
    if any(f.severity == "error" for f in found.items):
        raise DataError(found.items)
    ds.findings = sort_findings(found.items)
    return ds


# --- findings ---------------------------------------------------------------------------------


class _Findings:
    def __init__(self, items: list[Finding]) -> None:
        self.items = items
        self.tables: list[_Table] = []  # by index; frames carry the index in their ``_t`` column

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
                    value="" if vals is None else _cell_text(vals[i]),
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


# --- cells as text ----------------------------------------------------------------------------


def _cell_text(value: object) -> str:
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


def _member(values: pd.Series, allowed: pd.Index | Sequence[str]) -> pd.Series:
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


def _is_csv(s: pd.Series) -> bool:
    return s.dtype != object


def _text(s: pd.Series) -> pd.Series:
    """Stripped text, ``""`` for blank (str dtype)."""
    if _is_csv(s):
        return s.str.strip()
    return pd.Series([_cell_text(v) for v in s.to_numpy()], index=s.index, dtype="str")


def _ids(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ids, what tidying changed): ids normalised as :func:`lib.core.dataset.normalise_id` does
    (vectorised for text), after :func:`tidy_id` on text that is not plain ASCII; "" where
    nothing changed."""
    # ASCII white space only: a no-break space is trimmed by tidy_id, with a note.
    if _is_csv(s):
        text = s.str.strip(_ASCII_SPACE)
    else:
        text = pd.Series(
            [v.strip(_ASCII_SPACE) if isinstance(v, str) else "" for v in s.to_numpy()],
            index=s.index,
            dtype="str",
        )
    changes = pd.Series("", index=s.index, dtype="str")
    odd = np.flatnonzero(text.str.contains(r"[^\x00-\x7f]", regex=True).to_numpy(dtype=bool))
    if len(odd):
        tidied = [tidy_id(v) for v in text.to_numpy()[odd]]
        text.iloc[odd] = pd.Series([t for t, _ in tidied], dtype="str")
        changes.iloc[odd] = pd.Series([what for _, what in tidied], dtype="str")
    if not _is_csv(s):
        cells = s.to_numpy()
        ids = [normalise_id(text.iat[i] if isinstance(v, str) else v) for i, v in enumerate(cells)]
        return pd.Series(ids, index=s.index, dtype="str"), changes
    out = text.where(~text.str.lower().isin(MISSING_VALUE_WORDS), "")
    return out.str.replace(r"^(\d+)\.0$", r"\1", regex=True), changes


_ASCII_SPACE = " \t\r\n\v\f"
#: Characters that show as nothing: zero-width space, non-joiner and joiner, word joiner,
#: byte order mark, soft hyphen, left-to-right and right-to-left marks.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")
#: Spaces that look like a space: no-break, narrow no-break, figure and ideographic spaces.
_ODD_SPACE_RE = re.compile("[\u00a0\u202f\u2007\u3000]")
#: Full-width forms of ASCII (Ｅ００１ → E001), as East Asian input methods type them.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _visible(text: str) -> str:
    """Invisible characters, odd spaces and combining accents shown by their code
    (``E001<U+200B>``, ``E<U+0301>002``), so a finding shows what differs."""
    shown = _ODD_SPACE_RE.sub(_code, _INVISIBLE_RE.sub(_code, text))
    return "".join(f"<U+{ord(ch):04X}>" if unicodedata.combining(ch) else ch for ch in shown)


def _code(m: re.Match[str]) -> str:
    return f"<U+{ord(m.group(0)):04X}>"


def tidy_id(text: str) -> tuple[str, str]:
    """(id, what was changed): the changes that cannot join two different ids and often split one.

    Invisible characters removed, odd spaces made plain spaces and trimmed, accents composed
    (Unicode NFC: an "é" typed as e + accent is the same id as "é"), full-width characters as
    ASCII. Case is kept: "A1" and "a1" may be two people (the loader warns instead).
    """
    steps: list[str] = []
    out = _INVISIBLE_RE.sub("", text)
    if out != text:
        steps.append("invisible characters removed")
    spaced = _ODD_SPACE_RE.sub(" ", out).strip()
    if spaced != out:
        steps.append("non-breaking or other odd spaces made plain")
    composed = unicodedata.normalize("NFC", spaced)
    if composed != spaced:
        steps.append("accents composed (Unicode NFC)")
    narrow = composed.translate(_FULL_WIDTH)
    if narrow != composed:
        steps.append("full-width characters read as ASCII")
    return narrow, "; ".join(steps)


# --- tables -----------------------------------------------------------------------------------


@dataclass
class _Table:
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


def _find_header(raw: RawSheet, spec: Sheet) -> int | None:
    """Position of the header row among the first :data:`HEADER_SEARCH_ROWS` rows: the row naming
    the most required columns, then the most known columns (the first such row on a tie). A title
    cell that happens to be an alias ("Network" above a ties table) names one column; the real
    header names several. None when no row names a required column."""
    required = {c.name for c in spec.columns if c.required} or {c.name for c in spec.columns}
    best: int | None = None
    best_score = (0, 0)
    for i in range(min(len(raw.frame), HEADER_SEARCH_ROWS)):
        texts = (_cell_text(v) for v in raw.frame.iloc[i].to_numpy())
        named = {col.name for text in texts if text and (col := column_for(spec, text)) is not None}
        score = (len(named & required), len(named))
        if score[0] and score > best_score:
            best, best_score = i, score
    return best


def _map_table(raw: RawSheet, spec: Sheet, found: _Findings) -> _Table | None:
    if raw.frame.empty:
        _empty_sheet(raw, spec, found)
        return None
    found_at = _find_header(raw, spec)
    h = found_at or 0
    if h > 0:
        found.add(
            Finding(
                "note",
                f"{h} row(s) above the header row were ignored (rows {raw.rows[0]}–{raw.rows[h - 1]})",
                file=raw.file,
                sheet=raw.sheet,
                row=int(raw.rows[h]),
                hint="The header row should be the first row of the sheet.",
            )
        )
    header_row = int(raw.rows[h])
    data = raw.frame.iloc[h + 1 :].reset_index(drop=True)
    rows = raw.rows[h + 1 :]
    headers: dict[int, str] = {}
    mapping: dict[str, int] = {}
    extras: list[int] = []
    for pos, value in enumerate(raw.frame.iloc[h].to_numpy()):
        text = _cell_text(value)
        if not text:
            if len(data) and _text(data[pos]).ne("").any():
                found.add(
                    Finding(
                        "warning",
                        f"A column without a header was ignored (column {column_letters(pos + 1)})",
                        file=raw.file,
                        sheet=raw.sheet,
                        row=header_row,
                        column=column_letters(pos + 1),
                        hint="Give the column a header if it holds data to load.",
                    )
                )
            continue
        headers[pos] = text
        col = column_for(spec, text)
        if col is None:
            extras.append(pos)
        elif col.name in mapping:
            # Prefer the header that is the canonical name itself (``person_id`` over ``email``).
            kept, ignored = mapping[col.name], pos
            if normalise_name(text) == normalise_name(col.name) != normalise_name(headers[kept]):
                kept, ignored = pos, kept
            mapping[col.name] = kept
            same = normalise_name(headers[ignored]) == normalise_name(headers[kept])
            found.add(
                Finding(
                    "warning",
                    f"Column '{headers[ignored]}' appears twice; only the first is read"
                    if same
                    else f"Column '{headers[ignored]}' also means {col.name}; only '{headers[kept]}' is read",
                    file=raw.file,
                    sheet=raw.sheet,
                    row=header_row,
                    column=headers[ignored],
                    hint="Rename or delete one of the two columns.",
                )
            )
        else:
            mapping[col.name] = pos
    _odd_cell_findings(raw, header_row, headers, mapping, extras, spec, found)
    repeated = _repeated_headers(data, headers, spec)
    if repeated.any():
        key = min(headers)
        for n, i in enumerate(np.flatnonzero(repeated)):
            if n == MAX_FINDINGS_PER_CHECK:
                found.add(
                    Finding(
                        "warning",
                        f"… and {int(repeated.sum()) - n:,} more repeated header rows dropped",
                        file=raw.file,
                        sheet=raw.sheet,
                        row=int(rows[i]),
                    )
                )
                break
            found.add(
                Finding(
                    "warning",
                    f"A repeated header row was dropped (the header of row {header_row} again: files joined by hand?)",
                    file=raw.file,
                    sheet=raw.sheet,
                    row=int(rows[i]),
                    column=headers[key],
                    value=_cell_text(data[key].iat[int(i)]),
                    hint="Delete the repeated header rows, so no one reads them as a person or a value.",
                )
            )
        data = data.loc[~repeated].reset_index(drop=True)
        rows = rows[~repeated]
    table = _Table(
        raw.file, raw.sheet, spec, raw.wave, headers, mapping, extras, data, rows, len(found.tables)
    )
    found.tables.append(table)
    missing = [c for c in spec.columns if c.required and c.name not in mapping]
    for c in missing:
        accepted = ", ".join((c.name, *c.aliases))
        found.add(
            Finding(
                "error",
                f"Missing required column '{c.name}'",
                file=raw.file,
                sheet=raw.sheet,
                row=header_row,
                column=c.name,
                hint=f"Add a column with one of these headers: {accepted}. The header must be in the first row"
                + (
                    ""
                    if found_at is not None
                    else f" (or in one of the first {HEADER_SEARCH_ROWS} rows, under a title block)"
                )
                + ".",
            )
        )
    if missing:
        return None
    if data.empty:
        _empty_sheet(raw, spec, found)
        return None
    for pos in extras:
        if spec.extra_columns == "ignore":
            found.add(
                Finding(
                    "note",
                    f"Column '{headers[pos]}' is not used",
                    file=raw.file,
                    sheet=raw.sheet,
                    row=header_row,
                    column=headers[pos],
                    hint=f"Columns read from {spec.name}: {', '.join(c.name for c in spec.columns)}.",
                )
            )
    return table


def _odd_cell_findings(
    raw: RawSheet,
    header_row: int,
    headers: dict[int, str],
    mapping: dict[str, int],
    extras: list[int],
    spec: Sheet,
    found: _Findings,
) -> None:
    """Formulas never calculated and number cells holding nothing (:class:`OddCell`), each named.

    A formula cell in the header row or in a column the dashboard reads is an error (the column
    vanishes or its values read as blank or 0); elsewhere (above the header, an ignored column)
    a warning."""
    read = set(mapping.values()) | (set(extras) if spec.extra_columns != "ignore" else set())
    counts: dict[str, int] = {}
    for cell in raw.odd_cells:
        pos = cell.column - 1
        used = cell.row == header_row or (cell.row > header_row and pos in read)
        severity: Severity = "error" if cell.kind == "formula" and used else "warning"
        key = f"{cell.kind}{severity}"
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > MAX_FINDINGS_PER_CHECK:
            continue
        column = (
            headers.get(pos, column_letters(cell.column))
            if cell.row > header_row
            else column_letters(cell.column)
        )
        found.add(_odd_cell_finding(raw, cell, severity, column))
    for key, n in counts.items():
        if n > MAX_FINDINGS_PER_CHECK:
            kind = "formulas never calculated" if key.startswith("formula") else "empty number cells"
            found.add(
                Finding(
                    "error" if key.endswith("error") else "warning",
                    f"… and {n - MAX_FINDINGS_PER_CHECK:,} more {kind}",
                    file=raw.file,
                    sheet=raw.sheet,
                    row=header_row,
                )
            )


def _odd_cell_finding(raw: RawSheet, cell: OddCell, severity: Severity, column: str) -> Finding:
    if cell.kind == "empty":
        return Finding(
            "warning",
            "A number cell with no value, read as blank (the program that wrote the file may have had "
            "'not a number' or an infinite value here, which a worksheet cannot hold)",
            file=raw.file,
            sheet=raw.sheet,
            row=cell.row,
            column=column,
            hint="Type the value into the cell, or leave it blank if there is none.",
        )
    reads = f"as {cell.cached.strip()!r} (a placeholder)" if cell.cached.strip() else "as blank"
    return Finding(
        severity,
        "Formula without a calculated value: the workbook was written by a program and never "
        f"calculated, so the cell reads {reads}, not the formula's result"
        + ("" if severity == "error" else " (the column is not read)"),
        file=raw.file,
        sheet=raw.sheet,
        row=cell.row,
        column=column,
        value=f"={cell.formula}" if cell.formula else "(shared formula)",
        hint="Open the file in Excel (or LibreOffice) and save it, so every formula is calculated; "
        "or export the values (Paste Special → Values) instead of the formulas.",
    )


def _repeated_headers(data: pd.DataFrame, headers: dict[int, str], spec: Sheet) -> np.ndarray:
    """Data rows that repeat the header (two exports pasted one under the other): at least half
    of the header cells, and at least two, written again in their columns (an alias counts)."""
    none = np.zeros(len(data), dtype=bool)
    if not len(data) or not headers:
        return none
    known = {pos: column_for(spec, text) for pos, text in headers.items()}

    def same(cell: str, pos: int) -> bool:
        col = known[pos]
        return bool(cell) and (
            normalise_name(cell) == normalise_name(headers[pos])
            or (col is not None and column_for(spec, cell) is col)
        )

    key = min(headers)
    text = _text(data[key])
    hits = [u for u in pd.unique(text) if same(str(u), key)]  # unique values: cheap on big tables
    if not hits:
        return none
    needed = max(min(2, len(headers)), -(-len(headers) // 2))
    out = none.copy()
    for i in np.flatnonzero(_member(text, hits).to_numpy()):
        row = data.iloc[i]
        if sum(same(_cell_text(row[pos]), pos) for pos in headers) >= needed:
            out[i] = True
    return out


def _empty_sheet(raw: RawSheet, spec: Sheet, found: _Findings) -> None:
    severity: Severity = "error" if spec.required else "note"
    found.add(
        Finding(
            severity,
            f"The {spec.name} sheet has no data rows",
            file=raw.file,
            sheet=raw.sheet,
            hint="Fill in one row per record under the header row." if spec.required else "",
        )
    )


# --- column converters ------------------------------------------------------------------------


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


def _error_cells(t: _Table, base: pd.DataFrame, column: str, text: pd.Series, found: _Findings) -> pd.Series:
    """Flag Excel error values (#N/A, #DIV/0!, …); returns the mask."""
    err = _member(text, sorted(ERROR_CODES))
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


def _required_blank(
    t: _Table, base: pd.DataFrame, column: str, blank: pd.Series, found: _Findings, what: str = ""
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


def _convert_ids(t: _Table, base: pd.DataFrame, column: Column, found: _Findings) -> pd.Series:
    raw = t.col(column.name)
    ids, changes = _ids(raw)
    tidied = changes.ne("")
    if tidied.any():
        found.flag(
            "note",
            f"{column.name} tidied",
            base,
            tidied,
            column.name,
            pd.Series(
                [_visible(v.strip(_ASCII_SPACE)) if isinstance(v, str) else _cell_text(v) for v in raw],
                index=raw.index,
                dtype="str",
            ),
            "Ids are compared after this tidying, in every sheet; fix the source system to stop it.",
            message_for=lambda i: f"{column.name} tidied: {changes.iat[i]}; read as {ids.iat[i]!r}",
        )
    err = _error_cells(t, base, column.name, ids, found)
    ids = ids.where(~err, "")
    text = _text(raw)
    word = ids.eq("") & text.str.lower().isin(MISSING_VALUE_WORDS)
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
                text,
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
            text,
            f"The words {words} (any case) mean 'no value' in an id column. If it is a real id, change it.",
        )
    return ids


def _convert_text(t: _Table, base: pd.DataFrame, column: Column, found: _Findings) -> pd.Series:
    text = _text(t.col(column.name))
    err = _error_cells(t, base, column.name, text, found)
    text = text.where(~err, "")
    if column.required:
        _required_blank(t, base, column.name, text.eq("") & ~err, found)
    return text


def _convert_enum(
    t: _Table, base: pd.DataFrame, column: Column, found: _Findings, upper: bool = False
) -> pd.Series:
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


def _convert_numbers(
    t: _Table, base: pd.DataFrame, column: Column, found: _Findings, *, whole: bool = False
) -> pd.Series:
    """Floats (NaN for blank); flags non-numbers, dates, Excel errors, out-of-range values."""
    raw = t.col(column.name)
    numbers, c, notes = _parse_numbers(raw)
    text = _text(raw)
    blank, bad, date, err, word, read = (
        pd.Series(c == k, index=raw.index) for k in (_BLANK, _BAD, _DATE, _ERROR, _WORD, _READ)
    )
    if word.any():
        found.flag(
            "warning",
            f"Read as a blank {column.name}: a missing-value word, not a number",
            base,
            word,
            column.name,
            text,
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
            text,
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
            text,
            "Fix the formula that produces it, or replace it with a value (or leave the cell blank).",
        )
    if date.any():
        found.flag(
            "error",
            "A date in a number column",
            base,
            date,
            column.name,
            text,
            f"{column.name} holds numbers: format the column as Number in Excel and retype the value.",
        )
    if bad.any():
        comma = text.str.contains(",", regex=False)
        found.flag(
            "error",
            f"Not a number in {column.name}",
            base,
            bad,
            column.name,
            text,
            "Type a plain number (use a point as the decimal separator) or leave the cell blank.",
            message_for=lambda i: (
                f"Not a number in {column.name}" + (" (decimal comma?)" if bool(comma.iat[i]) else "")
            ),
        )
    if column.required:
        _required_blank(t, base, column.name, blank, found)
    huge = numbers.notna() & ~(numbers.abs() <= LARGEST_NUMBER)
    if huge.any():
        infinite = ~np.isfinite(numbers.to_numpy())
        found.flag(
            "error",
            f"Infinite number in {column.name}",
            base,
            huge,
            column.name,
            text,
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
            text,
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
                text,
                "Type a whole number.",
            )
        out |= frac
    return numbers.where(~out)


# What a cell in a number column holds (codes of _parse_numbers).
_NUMBER, _BLANK, _BAD, _DATE, _ERROR, _WORD, _READ = range(7)
#: A plain decimal number: ASCII digits, one point, an optional sign and exponent. The one rule
#: for CSV text and Excel text cells alike (Python's float() also takes "1_000", "١٢", "Infinity").
_PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN_RE = re.compile(_PLAIN_NUMBER, re.ASCII)
#: "1.000": a point then three zeros, which a European writer means as one thousand.
_THOUSAND_RE = re.compile(r"[+-]?[1-9][0-9]{0,2}\.000")
_INFINITE_WORDS = frozenset({"inf", "infinity", "+inf", "+infinity", "-inf", "-infinity", "∞", "-∞", "+∞"})


def _parse_numbers(raw: pd.Series) -> tuple[pd.Series, np.ndarray, list[str]]:
    """(floats, codes, notes) for a number column, CSV text or Excel cells.

    Plain decimal text is converted in one vectorised pass; only the rest is looked at cell by
    cell (:func:`_number_cell`). Infinite values come back as ±inf, for the size check to name.
    """
    n = len(raw)
    values = np.full(n, np.nan)
    codes = np.full(n, _BLANK, dtype=np.int8)
    notes = [""] * n
    if _is_csv(raw):
        text = raw.str.strip()
        plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
        plain = plain & ~text.str.fullmatch(_THOUSAND_RE.pattern).fillna(False).to_numpy(dtype=bool)
        if plain.any():
            values[plain] = pd.to_numeric(text[plain], errors="coerce").to_numpy(dtype=float)
            codes[plain] = _NUMBER
        rest = np.flatnonzero(~plain & text.ne("").to_numpy(dtype=bool))
        cells = text.to_numpy()
    else:
        rest = np.arange(n)
        cells = raw.to_numpy()
    for i in rest:
        codes[i], values[i], notes[i] = _number_cell(cells[i])
    return pd.Series(values, index=raw.index, dtype="float64"), codes, notes


def _number_cell(v: object) -> tuple[int, float, str]:
    """(code, value, note) for one cell: an Excel value or a CSV text."""
    if v is None:
        return _BLANK, np.nan, ""
    if isinstance(v, bool | np.bool_):
        return _BAD, np.nan, ""
    if isinstance(v, int | float | np.integer | np.floating):
        number = float(v)
        return (_BLANK, np.nan, "") if np.isnan(number) else (_NUMBER, number, "")
    if isinstance(v, dt.date | dt.time | dt.datetime):
        return _DATE, np.nan, ""
    text = str(v).strip()
    if not text:
        return _BLANK, np.nan, ""
    if text in ERROR_CODES:
        return _ERROR, np.nan, ""
    lower = text.lower()
    if lower in MISSING_VALUE_WORDS:
        return _WORD, np.nan, ""
    if lower in _INFINITE_WORDS:
        return _NUMBER, -np.inf if lower.startswith("-") else np.inf, ""
    if _PLAIN_RE.fullmatch(text):
        number = float(text)
        if _THOUSAND_RE.fullmatch(text):
            return _READ, number, f"Read as {number:g}, though a point before 000 may separate thousands"
        return _NUMBER, number, ""
    ascii_text = _ascii_digits(text)
    if ascii_text != text and _PLAIN_RE.fullmatch(ascii_text):
        number = float(ascii_text)
        return _READ, number, f"Read as {number:g} from digits of another script"
    return (_DATE if re.match(_DATE_LIKE, ascii_text) else _BAD), np.nan, ""


def _ascii_digits(text: str) -> str:
    """Full-width forms (NFKC) and every script's decimal digits (Arabic-Indic ٠-٩, …) as ASCII."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in folded
    )


def _convert_bool(t: _Table, base: pd.DataFrame, column: Column, found: _Findings) -> pd.Series:
    text = _text(t.col(column.name))
    err = _error_cells(t, base, column.name, text, found)
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


def _convert_dates(t: _Table, base: pd.DataFrame, column: Column, found: _Findings) -> pd.Series:
    raw = t.col(column.name)
    text = _text(raw)
    err = _error_cells(t, base, column.name, text, found)
    blank = text.eq("") | err
    if _is_csv(raw):
        typed = pd.Series(True, index=raw.index)
        values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    else:  # date cells as written; text cells below, by the same rules as a CSV's
        cells = raw.to_numpy()
        typed = pd.Series([isinstance(v, str) for v in cells], index=raw.index)
        values = pd.Series(
            [None if isinstance(v, str) else _excel_date(v) for v in cells],
            index=raw.index,
            dtype="datetime64[us, UTC]",
        )
    read = _text_dates(text.where(typed & ~blank, None))
    values = values.where(~(typed & ~blank), read.values)
    _date_order_findings(read, base, column.name, text, found)
    # Dates far in the past or future (9999-12-31 for "no end date", 0001-01-01 for "unknown")
    # do not fit the nanosecond timestamps every analysis uses: an error, never a traceback.
    outside = values.notna() & ((values < _FIRST_DATE) | (values > _LAST_DATE))
    if outside.any():
        found.flag(
            "error",
            f"Date out of range in {column.name}: dates must fall between {_FIRST_DATE:%Y-%m-%d} and "
            f"{_LAST_DATE:%Y-%m-%d}",
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
        _required_blank(t, base, column.name, text.eq("") & ~err, found)
    return values


@dataclass
class _TextDates:
    """Dates read from text, with what the reading had to decide."""

    values: pd.Series  # datetime64[us, UTC]; NaT where unreadable or refused
    word: pd.Series  # refused: a word ("today"), which changes meaning with the day it is read
    ambiguous: pd.Series  # 03/04/2026: read in the column's order (``dayfirst``)
    contrary: pd.Series  # refused: written in the other order than the column's (04/13/2026)
    dayfirst: bool
    evidence: int | None  # position of the first value that shows the column's order


#: Day, month and year in some order (03/04/2026, 3.4.26, 13-04-2026 10:00), not year first.
_DMY_RE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})((?:[ T]+\d.*)?)$"
_RELATIVE_RE = r"(?i)\b(?:today|now|yesterday|tomorrow|heute|aujourd'hui|hoy)\b"


def _text_dates(text: pd.Series) -> _TextDates:
    """Dates from text (None = blank): ISO 8601 first; day/month/year text in one order per
    column, day first or month first as its unambiguous values (13/04/2026) show, day first when
    none does; words refused; anything else (3 April 2026) read by pandas' mixed format."""
    filled = (text.notna() & text.ne("")).astype(bool)
    # Before any parsing: pandas reads "today" and "now" even as ISO 8601.
    word = filled & (~text.str.contains(r"\d", regex=True) | text.str.contains(_RELATIVE_RE, regex=True))
    word = word.fillna(False).astype(bool)
    values = _parse_dates(text.where(~word, None))
    rest = filled & ~word & values.isna()
    none = pd.Series(False, index=text.index)
    if not rest.any():
        return _TextDates(values, word, none, none, True, None)
    parts = text.where(rest & ~word).str.extract(_DMY_RE)
    dmy = parts[0].notna()
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    day_first = dmy & (first > 12) & (second <= 12)
    month_first = dmy & (second > 12) & (first <= 12)
    dayfirst = bool(day_first.sum() >= month_first.sum())
    shows = day_first if dayfirst else month_first
    evidence = int(np.flatnonzero(shows.to_numpy())[0]) if shows.any() else None
    contrary = month_first if dayfirst else day_first
    ambiguous = dmy & (first <= 12) & (second <= 12) & (first != second)
    if dmy.any():
        day, month = (parts[0], parts[1]) if dayfirst else (parts[1], parts[0])
        year = parts[2].where(
            parts[2].str.len() == 4, ("20" + parts[2]).where(parts[2] < "70", "19" + parts[2])
        )
        iso = (
            year
            + "-"
            + month.str.zfill(2)
            + "-"
            + day.str.zfill(2)
            + parts[3].fillna("").str.replace("T", " ")
        )
        take = dmy & ~contrary
        values[take] = _parse_dates(iso[take])
    other = rest & ~word & ~dmy
    if other.any():
        values[other] = _parse_dates(text[other], "mixed")
    return _TextDates(values, word, ambiguous & values.notna(), contrary, dayfirst, evidence)


def _date_order_findings(
    read: _TextDates, base: pd.DataFrame, column: str, text: pd.Series, found: _Findings
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


#: The range of pandas' nanosecond timestamps, to the day.
_FIRST_DATE = pd.Timestamp("1677-09-22", tz="UTC")
_LAST_DATE = pd.Timestamp("2262-04-11", tz="UTC")


def _parse_dates(text: pd.Series, how: str = "ISO8601") -> pd.Series:
    """Text to UTC timestamps in microseconds (wide enough for year 1 to 9999); NaT where unreadable."""
    try:
        values = pd.to_datetime(text, format=how, errors="coerce", utc=True)
    except (ValueError, OverflowError):  # pandas raises on some mixes even with errors="coerce"
        values = pd.Series([_text_date(v) for v in text.to_numpy()], index=text.index)
    return values.astype("datetime64[us, UTC]")


def _text_date(v: object) -> pd.Timestamp | None:
    if not isinstance(v, str):
        return None
    try:
        ts = pd.to_datetime(v, format="mixed", errors="coerce", utc=True)
    except (ValueError, OverflowError):
        return None
    return ts if isinstance(ts, pd.Timestamp) else None


def _excel_date(v: object) -> pd.Timestamp | None:
    """An Excel cell as a UTC timestamp: date cells as written (naive = UTC), text parsed."""
    if isinstance(v, str):
        return _text_date(v)
    if isinstance(v, dt.datetime | dt.date) and not isinstance(v, dt.time):
        try:
            ts = pd.Timestamp(v)
        except (ValueError, OverflowError):
            return None
        return ts.tz_convert("UTC") if ts.tzinfo is not None else ts.tz_localize("UTC")
    return None


def _convert(t: _Table, base: pd.DataFrame, column: Column, found: _Findings) -> pd.Series:
    if column.kind == "id":
        return _convert_ids(t, base, column, found)
    if column.kind == "number":
        return _convert_numbers(t, base, column, found)
    if column.kind == "integer":
        return _convert_numbers(t, base, column, found, whole=True).astype("Int64")
    if column.kind == "bool":
        return _convert_bool(t, base, column, found)
    if column.kind == "date":
        return _convert_dates(t, base, column, found)
    if column.kind == "enum":
        return _convert_enum(t, base, column, found, upper=column.name == "learning_type")
    return _convert_text(t, base, column, found)


def _standard(t: _Table, found: _Findings, names: Sequence[str]) -> pd.DataFrame:
    """The table's canonical columns among ``names`` (absent ones are left out), plus meta."""
    out = t.base()
    for name in names:
        if t.has(name):
            out[name] = _convert(t, out, t.spec.column(name), found).array
    if "wave" in names:
        own = waves.column(out)  # each row's label; "" = blank (lib.core.waves), the file's label then
        out["wave"] = own.where(own.ne(""), t.wave).astype("str")
    return out


def _fill(frame: pd.DataFrame, name: str, default: object, dtype: str) -> None:
    if name not in frame:
        frame[name] = pd.Series(default, index=frame.index, dtype=dtype)


# --- cross-sheet checks -----------------------------------------------------------------------


def _unknown_people(
    frame: pd.DataFrame,
    column: str,
    ids: pd.Index | None,
    found: _Findings,
    severity: Severity = "error",
) -> pd.Series:
    """Rows whose ``column`` names a person not in the people sheet (blank is not unknown)."""
    if ids is None or column not in frame:
        return pd.Series(False, index=frame.index)
    values = frame[column]
    unknown = values.ne("") & ~_member(values, ids)
    if unknown.any():
        folded = dict(zip(ids.str.casefold(), ids, strict=True))
        vals = values.to_numpy()

        def message(i: int) -> str:
            other = folded.get(str(vals[i]).casefold())
            return "Unknown person: no one in the people sheet has this id" + (
                f" (the people sheet has '{other}', which differs only in upper and lower case)"
                if other is not None
                else ""
            )

        found.flag(
            severity,
            "Unknown person: no one in the people sheet has this id",
            frame,
            unknown,
            column,
            values,
            "Add the person to the people sheet, or correct the id (ids must match exactly; 007 and 7 differ, "
            "and so do A1 and a1).",
            message_for=message,
        )
    return unknown


def _case_collisions(people: pd.DataFrame, found: _Findings) -> None:
    """Roster ids that differ only in case ("A1" and "a1"): two people, as written, with a warning."""
    folded = people["person_id"].str.casefold()
    later = folded.duplicated(keep="first")
    if not later.any():
        return
    first = people.groupby(folded, sort=False)["person_id"].transform("first").to_numpy()
    first_row = people.groupby(folded, sort=False)["_row"].transform("first").to_numpy()
    found.flag(
        "warning",
        "person_id differs from another only in upper and lower case; read as two people",
        people,
        later,
        "person_id",
        people["person_id"],
        "If they are the same person, write the id the same way everywhere (and delete the second row).",
        message_for=lambda i: (
            f"person_id differs from '{first[i]}' (row {int(first_row[i])}) only in upper "
            "and lower case; read as two people"
        ),
    )


def _reporting_cycles(people: pd.DataFrame, found: _Findings) -> None:
    """Each cycle in manager_id (a → b → … → a) as one error, found as strong components."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = pd.Index(people["person_id"])
    manager = index.get_indexer(people["manager_id"])
    has = manager >= 0
    self_loop = has & (manager == np.arange(len(people)))
    if self_loop.any():
        found.flag(
            "error",
            "A person cannot be their own manager",
            people,
            self_loop,
            "manager_id",
            people["manager_id"],
            "Leave manager_id blank for the top of the organisation.",
        )
    src, dst = np.flatnonzero(has & ~self_loop), manager[has & ~self_loop]
    if len(src) == 0:
        return
    n = len(people)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    shown = 0
    for label in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(labels == label)
        start = int(members[0])
        chain = [start]
        while (nxt := int(manager[chain[-1]])) != start and len(chain) <= len(members):
            chain.append(nxt)
        ids = [str(people["person_id"].iat[i]) for i in chain]
        shown_ids = " → ".join([*ids[:10], "…"] if len(ids) > 10 else [*ids, ids[0]])
        if shown < MAX_FINDINGS_PER_CHECK:
            t = found.tables[int(people["_t"].to_numpy()[start])]
            found.add(
                Finding(
                    "error",
                    f"Reporting cycle: {shown_ids}",
                    file=t.file,
                    sheet=t.sheet,
                    row=int(people["_row"].to_numpy()[start]),
                    column=t.header("manager_id"),
                    value=str(people["manager_id"].iat[start]),
                    hint="Someone in this chain must report outside it (or be the top, with a blank manager_id).",
                )
            )
        shown += 1
    if shown > MAX_FINDINGS_PER_CHECK:
        found.add(
            Finding(
                "error", f"… and {shown - MAX_FINDINGS_PER_CHECK:,} more reporting cycles", sheet="people"
            )
        )


# --- the sheets -------------------------------------------------------------------------------


def _people(tables: list[_Table], found: _Findings) -> pd.DataFrame:
    spec = SHEETS_BY_NAME["people"]
    frames = []
    for t in tables:
        f = _standard(t, found, [c.name for c in spec.columns])
        f = _attributes(t, f, found)
        blank = f["person_id"].eq("")
        f = f.loc[~blank]
        first_row = f.groupby("person_id", sort=False)["_row"].transform("first")
        dup = f["person_id"].duplicated(keep="first")
        if dup.any():
            found.flag(
                "error",
                "Duplicate person_id",
                f,
                dup,
                "person_id",
                f["person_id"],
                "Each person appears once; delete or correct the repeated row.",
                message_for=_already_used(first_row.to_numpy()),
            )
            f = f.loc[~dup]
        frames.append(f)
    for i in range(1, len(frames)):
        _wave_id_overlap(tables[i - 1], frames[i - 1], tables[i], frames[i], found)
    people = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    if len(frames) > 1:
        people = _merge_waves(people)
    for name, default, dtype in (
        ("name", "", "str"),
        ("team", "", "str"),
        ("department", "", "str"),
        ("role", "", "str"),
        ("level", pd.NA, "Int64"),
        ("manager_id", "", "str"),
        ("location", "", "str"),
        ("tenure_years", np.nan, "float64"),
        ("responded", pd.NA, "boolean"),
    ):
        _fill(people, name, default, dtype)
    _case_collisions(people, found)
    _unknown_people(people, "manager_id", pd.Index(people["person_id"]), found)
    _reporting_cycles(people, found)
    extras = [c for c in people.columns if c not in PEOPLE_COLUMNS and not c.startswith("_")]
    return people[["_t", "_row", *PEOPLE_COLUMNS, *extras]]


#: Two waves' rosters sharing fewer ids than this share of the smaller one look like two id schemes.
_LEAST_SHARED = 0.2


def _wave_id_overlap(ta: _Table, fa: pd.DataFrame, tb: _Table, fb: pd.DataFrame, found: _Findings) -> None:
    """Warn when the people sheets of two waves share almost no ids (E001… in one, e-mail
    addresses in the other): merged, the roster would double and the response rate halve. The
    hint suggests the mapping: a column of one wave that holds the other's ids, or the people
    whose names match."""
    a, b = set(fa["person_id"]), set(fb["person_id"])
    smaller = min(len(a), len(b))
    shared = len(a & b)
    if ta.wave == tb.wave or smaller < 2 or shared >= _LEAST_SHARED * smaller:
        return
    hints = [*_id_columns(ta, b, tb), *_id_columns(tb, a, ta), *_name_matches(fa, fb)]
    found.add(
        Finding(
            "warning",
            f"The people of waves '{ta.wave}' and '{tb.wave}' share only {shared} of their ids "
            f"({len(a):,} and {len(b):,} people): if they are the same people under two id schemes, "
            "each is counted twice (the roster doubles, the response rate halves)",
            file=tb.file,
            sheet=tb.sheet,
            row=int(fb["_row"].to_numpy()[0]),
            column=tb.header("person_id"),
            value=str(fb["person_id"].iat[0]),
            hint=" ".join(hints)
            or "Use one id scheme in every wave (the same person_id for the same person).",
        )
    )


def _id_columns(t: _Table, ids: set[str], other: _Table) -> list[str]:
    """A column of ``t`` (other than its person_id) holding most of another wave's ``ids``."""
    out = []
    for pos, header in t.headers.items():
        if pos == t.mapping.get("person_id"):
            continue
        values = set(_text(t.data[pos]))
        if ids and len(values & ids) >= 0.5 * len(ids):
            out.append(
                f"Column '{header}' of {t.file} holds the ids of wave '{other.wave}': use it as person_id "
                f"there (or add it to wave '{other.wave}' as the id column), so both waves use one scheme."
            )
    return out


def _name_matches(fa: pd.DataFrame, fb: pd.DataFrame) -> list[str]:
    """People of two waves with the same name (ignoring case) and different ids, as a mapping."""
    if "name" not in fa or "name" not in fb:
        return []
    left = fa.loc[fa["name"].ne(""), ["name", "person_id"]].assign(key=lambda f: f["name"].str.casefold())
    right = fb.loc[fb["name"].ne(""), ["name", "person_id"]].assign(key=lambda f: f["name"].str.casefold())
    pairs = left.merge(right, on="key", suffixes=("_a", "_b"))
    pairs = pairs.loc[pairs["person_id_a"].ne(pairs["person_id_b"])].drop_duplicates("key")
    if pairs.empty:
        return []
    shown = ", ".join(f"{r.person_id_a} → {r.person_id_b}" for r in pairs.head(3).itertuples())
    return [
        f"By name, {len(pairs):,} people match across the two waves ({shown}…): map one scheme onto the "
        "other (e.g. a lookup column), then load again."
    ]


def _already_used(first_rows: np.ndarray) -> Callable[[int], str]:
    return lambda i: f"Duplicate person_id: already used in row {int(first_rows[i])}"


def _merge_waves(people: pd.DataFrame) -> pd.DataFrame:
    """One row per person across wave workbooks: the latest non-blank value of each column."""
    text_cols = [c for c in people.columns if pd.api.types.is_string_dtype(people[c]) and c != "person_id"]
    work = people.copy()
    for c in text_cols:
        work[c] = work[c].where(work[c].ne(""), None)
    merged = work.groupby("person_id", sort=False, as_index=False).last()
    first = work.groupby("person_id", sort=False)[["_t", "_row"]].first().reset_index()
    merged = merged.drop(columns=["_t", "_row"]).merge(first, on="person_id", how="left")
    for c in text_cols:
        merged[c] = merged[c].fillna("").astype("str")
    return merged


def _attributes(t: _Table, frame: pd.DataFrame, found: _Findings) -> pd.DataFrame:
    """Extra people columns become custom attributes: numbers when every value is one, else text."""
    for pos in t.extras:
        name = t.headers[pos]
        if name in frame.columns:
            name = f"{name} ({column_letters(pos + 1)})"
        t.mapping.setdefault(name, pos)
        text = _text(t.data[pos])
        err = _error_cells(t, frame, name, text, found)
        text = text.where(~err, "")
        filled = text.ne("")
        parsed, codes, _notes = _parse_numbers(t.data[pos].where(~err.to_numpy(), None))
        huge = pd.Series(codes == _NUMBER, index=text.index) & ~(parsed.abs() <= LARGEST_NUMBER)
        if huge.any():
            found.flag(
                "error",
                f"Infinite or too large number in {name}",
                frame,
                huge,
                name,
                text,
                f"Type a finite number (at most {LARGEST_NUMBER:,.0f}) or leave the cell blank.",
            )
        numbers = parsed.where(~huge)
        numeric = (
            filled.any()
            and bool((codes[filled.to_numpy()] == _NUMBER).all())
            and bool(numbers[filled].notna().all())
            and not text[filled].str.match(r"^0\d").any()
        )
        if numeric and bool((numbers[filled] == numbers[filled].round()).all()):
            frame[name] = numbers.round().astype("Int64").array
        elif numeric:
            frame[name] = numbers.astype("float64").array
        else:
            frame[name] = text.array
    return frame


def _ties(tables: list[_Table], ids: pd.Index | None, found: _Findings) -> pd.DataFrame:
    spec = SHEETS_BY_NAME["ties"]
    frames = [_standard(t, found, [c.name for c in spec.columns]) for t in tables]
    ties = pd.concat(frames, ignore_index=True)
    _fill(ties, "weight", 1.0, "float64")
    ties["weight"] = ties["weight"].fillna(1.0)
    for name in ("learning_type", "mode", "topic"):
        _fill(ties, name, "", "str")
    blank = ties["source_id"].eq("") | ties["target_id"].eq("")
    _unknown_people(ties, "source_id", ids, found)
    _unknown_people(ties, "target_id", ids, found)
    self_tie = ~blank & ties["source_id"].eq(ties["target_id"])
    if self_tie.any():
        found.flag(
            "warning",
            "Self-tie ignored (a person naming themselves)",
            ties,
            self_tie,
            "target_id",
            ties["target_id"],
            "Delete the row; a tie links two different people.",
        )
    if (blank | self_tie).any():
        ties = ties.loc[~blank & ~self_tie]
    key = ["source_id", "target_id", "relation"]
    key += [c for c in ("learning_type", "mode", "topic", "wave") if ties[c].ne("").any()]
    # One factorisation serves both the duplicate test and the weight sums.
    codes = ties.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    later = pd.Series(codes, index=ties.index).duplicated()
    if later.any():
        found.flag(
            "warning",
            "Duplicate tie: its weight is added to the first row with the same people and relation",
            ties,
            later,
            "source_id",
            ties["source_id"],
            "Check whether the tie was entered twice; delete it if so.",
        )
        sums = np.bincount(codes, weights=ties["weight"].to_numpy(dtype=float))
        ties = ties.assign(weight=sums[codes]).loc[~later]
    return ties[["_t", "_row", *TABLE_COLUMNS["ties"]]].reset_index(drop=True)


def _learning(tables: list[_Table], ids: pd.Index | None, found: _Findings) -> pd.DataFrame:
    frames = []
    optional = ["activity", "channel", "date"]
    for t in tables:
        wide = [code for code in LEARNING_TYPE_CODES if t.has(code)]
        long = t.has("learning_type") and t.has("hours")
        if not wide and not long:
            found.add(
                Finding(
                    "error",
                    "The learning sheet needs the columns IOL, GDL, PDL, ASL, FSL (one per type) or learning_type and hours",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Use the template's learning sheet.",
                )
            )
            continue
        if wide:
            base = _standard(t, found, ["person_id", "wave", *wide])
            long_frame = base.melt(
                id_vars=["_t", "_row", "person_id", "wave"],
                value_vars=wide,
                var_name="learning_type",
                value_name="hours",
            )
            long_frame = long_frame.loc[long_frame["hours"].notna()]
            for name in optional:
                _fill(
                    long_frame,
                    name,
                    "" if name != "date" else pd.NaT,
                    "str" if name != "date" else "datetime64[ns]",
                )
            order = long_frame["learning_type"].map({c: i for i, c in enumerate(LEARNING_TYPE_CODES)})
            frames.append(
                long_frame.assign(_order=order).sort_values(["_row", "_order"]).drop(columns="_order")
            )
        else:
            f = _standard(
                t, found, ["person_id", "wave", "learning_type", "hours", *[o for o in optional if t.has(o)]]
            )
            _required_blank(t, f, "learning_type", f["learning_type"].eq(""), found)
            f = f.loc[f["hours"].notna() & f["learning_type"].isin(LEARNING_TYPE_CODES)]
            frames.append(f)
    if not frames:
        return empty_table("learning")
    learning = pd.concat(frames, ignore_index=True)
    _unknown_people(learning.drop_duplicates(["_t", "_row"]), "person_id", ids, found)
    learning["learning_type"] = learning["learning_type"].astype("str")
    present = [o for o in optional if o in learning and _has_values(learning[o])]
    return learning[["_t", "_row", *TABLE_COLUMNS["learning"], *present]].reset_index(drop=True)


def _has_values(s: pd.Series) -> bool:
    return bool(s.notna().any()) and not (pd.api.types.is_string_dtype(s) and not s.ne("").any())


def _interactions(
    tables: list[_Table], ids: pd.Index | None, found: _Findings, modes: dict[str, str]
) -> pd.DataFrame:
    spec = SHEETS_BY_NAME["interactions"]
    frames = [_standard(t, found, [c.name for c in spec.columns]) for t in tables]
    events = pd.concat(frames, ignore_index=True)
    for name in ("target_id", "kind", "topic"):
        _fill(events, name, "", "str")
    # A log often names people outside the roster (guests, bots): leave those events out, with a warning.
    outside = pd.Series(False, index=events.index)
    if ids is not None:
        for column in ("source_id", "target_id"):
            unknown = events[column].ne("") & ~_member(events[column], ids)
            if unknown.any():
                examples = ", ".join(map(str, pd.unique(events.loc[unknown, column])[:5]))
                i = int(np.flatnonzero(unknown.to_numpy())[0])
                t = found.tables[int(events["_t"].to_numpy()[i])]
                found.add(
                    Finding(
                        "warning",
                        f"{int(unknown.sum()):,} events name people who are not in the people sheet ({examples}…); "
                        "they are left out",
                        file=t.file,
                        sheet=t.sheet,
                        row=int(events["_row"].to_numpy()[i]),
                        column=t.header(column),
                        value=str(events[column].iat[i]),
                        hint="Add them to the people sheet if they belong in the analysis.",
                    )
                )
                outside |= unknown
    events = events.loc[~outside & events["source_id"].ne("")]
    channel = events["channel"].str.lower()
    events["mode"] = channel_mode(events["channel"], modes)
    unknown_channels = sorted(set(channel[events["mode"].eq("") & channel.ne("")]))
    if unknown_channels:
        shown = ", ".join(unknown_channels[:20]) + (" …" if len(unknown_channels) > 20 else "")
        found.add(
            Finding(
                "note",
                f"Channels not classed as stock or flow: {shown}",
                file=tables[0].file,
                sheet=tables[0].sheet,
                column=tables[0].header("channel"),
                hint=f"Known channels: {', '.join(sorted(modes))}.",
            )
        )
    return events[["_t", "_row", *TABLE_COLUMNS["interactions"]]].reset_index(drop=True)


def _trust_items(tables: list[_Table], found: _Findings) -> pd.DataFrame:
    bank = builtin_trust_items()
    if not tables:
        return bank
    spec = SHEETS_BY_NAME["trust_items"]
    frames = [_standard(t, found, [c.name for c in spec.columns]) for t in tables]
    custom = pd.concat(frames, ignore_index=True)
    _fill(custom, "reverse", False, "boolean")
    _fill(custom, "wording", "", "str")
    custom["reverse"] = custom["reverse"].fillna(False).astype(bool)
    custom = custom.loc[custom["item"].ne("")].drop_duplicates("item", keep="last")
    overridden = bank["item"].map(normalise_name).isin(custom["item"].map(normalise_name))
    merged = pd.concat([bank.loc[~overridden], custom[TABLE_COLUMNS["trust_items"]]], ignore_index=True)
    merged["reverse"] = merged["reverse"].astype(bool)
    return merged


def _trust(tables: list[_Table], ids: pd.Index | None, items: pd.DataFrame, found: _Findings) -> pd.DataFrame:
    known = {normalise_name(i): str(i) for i in items["item"]}
    frames = []
    likert = Column("value", "number", minimum=1, maximum=5)
    for t in tables:
        base = _standard(t, found, ["person_id", "wave"])
        item_cols: list[str] = []
        for pos in t.extras:
            header = t.headers[pos]
            text = _text(t.data[pos])
            filled = text.ne("") & ~text.isin(ERROR_CODES)
            if filled.any() and pd.to_numeric(text[filled], errors="coerce").isna().all():
                found.add(
                    Finding(
                        "note",
                        f"Column '{header}' holds no numbers, so it is not read as a trust item",
                        file=t.file,
                        sheet=t.sheet,
                        column=header,
                    )
                )
                continue
            item = known.get(normalise_name(header), header)
            if normalise_name(header) not in known:
                found.add(
                    Finding(
                        "warning",
                        f"Trust item '{header}' is not in the built-in bank or a trust_items sheet; it counts under no dimension",
                        file=t.file,
                        sheet=t.sheet,
                        column=header,
                        hint="Add it to a trust_items sheet with its wirearchy dimension, or rename it to a bank item (ks1, tr1, …).",
                    )
                )
            t.mapping[item] = pos
            t.headers[pos] = header
            values = _convert_numbers(
                t, base, Column(item, "number", minimum=likert.minimum, maximum=likert.maximum), found
            )
            base[item] = values.array
            item_cols.append(item)
        if not item_cols:
            found.add(
                Finding(
                    "error",
                    "The trust sheet has no item columns (answers 1–5)",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Add one column per item, e.g. ks1, tr1 (see the template).",
                )
            )
            continue
        long = base.melt(
            id_vars=["_t", "_row", "person_id", "wave"],
            value_vars=item_cols,
            var_name="item",
            value_name="value",
        )
        frames.append(long.loc[long["value"].notna()].sort_values(["_row"], kind="stable"))
    if not frames:
        return empty_table("trust")
    trust = pd.concat(frames, ignore_index=True)
    _unknown_people(trust.drop_duplicates(["_t", "_row"]), "person_id", ids, found)
    trust["item"] = trust["item"].astype("str")
    return trust[["_t", "_row", *TABLE_COLUMNS["trust"]]]


def _work(tables: list[_Table], ids: pd.Index | None, found: _Findings) -> pd.DataFrame:
    frames = []
    for t in tables:
        if not any(t.has(k) for k in WORK_KINDS):
            found.add(
                Finding(
                    "error",
                    "The work sheet needs at least one of the columns simple, complicated, complex, chaotic",
                    file=t.file,
                    sheet=t.sheet,
                    hint="Use the template's work sheet.",
                )
            )
            continue
        frames.append(_standard(t, found, ["person_id", "wave", *WORK_KINDS]))
    if not frames:
        return empty_table("work")
    work = pd.concat(frames, ignore_index=True)
    for k in WORK_KINDS:
        _fill(work, k, np.nan, "float64")
    _unknown_people(work, "person_id", ids, found)
    return work[["_t", "_row", *TABLE_COLUMNS["work"]]]


def _skills(tables: list[_Table], ids: pd.Index | None, found: _Findings) -> pd.DataFrame:
    spec = SHEETS_BY_NAME["skills"]
    skills = pd.concat(
        [_standard(t, found, [c.name for c in spec.columns]) for t in tables], ignore_index=True
    )
    _fill(skills, "source", "", "str")
    _unknown_people(skills, "person_id", ids, found)
    return skills[["_t", "_row", *TABLE_COLUMNS["skills"]]]


def _role_skills(tables: list[_Table], found: _Findings) -> pd.DataFrame:
    spec = SHEETS_BY_NAME["role_skills"]
    frame = pd.concat(
        [_standard(t, found, [c.name for c in spec.columns]) for t in tables], ignore_index=True
    )
    return frame[["_t", "_row", *TABLE_COLUMNS["role_skills"]]]


# --- assembling the dataset -------------------------------------------------------------------


def _build(raws: list[RawSheet], found: _Findings, unreadable: bool) -> Dataset:
    tables: list[_Table] = []
    by_sheet: dict[str, list[_Table]] = {}
    for raw in raws:
        spec = sheet_for(raw.sheet)
        if spec is None:  # plan() only sends known sheets; kept for safety
            continue
        table = _map_table(raw, spec, found)
        if table is None:
            continue
        tables.append(table)
        by_sheet.setdefault(spec.name, []).append(table)

    def strip(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=["_t", "_row"], errors="ignore").reset_index(drop=True)
        for c in out.columns:  # tables from several files may not share every text column
            if (out[c].dtype == object or pd.api.types.is_string_dtype(out[c])) and out[c].isna().any():
                out[c] = out[c].fillna("").astype("str")
        return out

    people_tables = by_sheet.get("people", [])
    if people_tables:
        people = _people(people_tables, found)
        ids: pd.Index | None = pd.Index(people["person_id"])
    else:
        people, ids = empty_table("people"), None
        # Not when the people sheet (or a whole file) already failed with its own error.
        people_failed = any(
            f.severity == "error" and f.sheet and sheet_for(f.sheet) == SHEETS_BY_NAME["people"]
            for f in found.items
        )
        if not unreadable and not people_failed:
            found.add(
                Finding(
                    "error",
                    "Missing required sheet 'people'",
                    sheet="people",
                    hint="Add a sheet (or a people.csv file) with one row per person and a person_id column.",
                )
            )
    ds = Dataset(people=strip(people), channel_modes=dict(CHANNEL_MODES))
    if "ties" in by_sheet:
        ds.ties = strip(_ties(by_sheet["ties"], ids, found))
    if "learning" in by_sheet:
        ds.learning = strip(_learning(by_sheet["learning"], ids, found))
    if "interactions" in by_sheet:
        ds.interactions = strip(_interactions(by_sheet["interactions"], ids, found, ds.channel_modes))
    ds.trust_items = _trust_items(by_sheet.get("trust_items", []), found)
    if "trust" in by_sheet:
        ds.trust = strip(_trust(by_sheet["trust"], ids, ds.trust_items, found))
    if "work" in by_sheet:
        ds.work = strip(_work(by_sheet["work"], ids, found))
    if "skills" in by_sheet:
        ds.skills = strip(_skills(by_sheet["skills"], ids, found))
    if "role_skills" in by_sheet:
        ds.role_skills = strip(_role_skills(by_sheet["role_skills"], found))
    return ds
