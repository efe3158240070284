"""Header mapping: a raw sheet's header row found (:func:`find_header`, under any title block),
its columns mapped to the schema through aliases (:func:`map_table`), repeated header rows
dropped and cells whose value cannot be trusted (formulas never calculated) named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from lib.core.errors import Finding, Severity
from lib.core.schema import (
    Sheet,
    column_for,
    normalise_name,
)
from lib.intake.parsing import (
    OddCell,
    RawSheet,
    column_letters,
)
from lib.intake.table import MAX_FINDINGS_PER_CHECK, Findings, Table, cell_text, column_text, member

#: The header row is looked for among this many first non-blank rows (title blocks above it).
HEADER_SEARCH_ROWS = 30


def find_header(raw: RawSheet, spec: Sheet) -> int | None:
    """Position of the header row among the first :data:`HEADER_SEARCH_ROWS` rows: the row naming
    the most required columns, then the most known columns (the first such row on a tie). A title
    cell that happens to be an alias ("Network" above a ties table) names one column; the real
    header names several. None when no row names a required column."""
    required = {c.name for c in spec.columns if c.required} or {c.name for c in spec.columns}
    best: int | None = None
    best_score = (0, 0)
    for i in range(min(len(raw.frame), HEADER_SEARCH_ROWS)):
        texts = (cell_text(v) for v in raw.frame.iloc[i].to_numpy())
        named = {col.name for text in texts if text and (col := column_for(spec, text)) is not None}
        score = (len(named & required), len(named))
        if score[0] and score > best_score:
            best, best_score = i, score
    return best


def map_table(raw: RawSheet, spec: Sheet, found: Findings) -> Table | None:
    if raw.frame.empty:
        _empty_sheet(raw, spec, found)
        return None
    found_at = find_header(raw, spec)
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
        text = cell_text(value)
        if not text:
            if len(data) and column_text(data[pos]).ne("").any():
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
                    value=cell_text(data[key].iat[int(i)]),
                    hint="Delete the repeated header rows, so no one reads them as a person or a value.",
                )
            )
        data = data.loc[~repeated].reset_index(drop=True)
        rows = rows[~repeated]
    table = Table(
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
    found: Findings,
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
    own = {pos: normalise_name(text) for pos, text in headers.items()}
    # The names that may stand for each header's column: column_for (a loop over every column)
    # runs only for a cell whose name is one of them, not for each of 100k distinct ids.
    names = {
        pos: {normalise_name(n) for n in (col.name, *col.aliases)} if col is not None else set()
        for pos, col in known.items()
    }

    def same(cell: str, pos: int) -> bool:
        if not cell:
            return False
        key = normalise_name(cell)
        return key == own[pos] or (key in names[pos] and column_for(spec, cell) is known[pos])

    key = min(headers)
    text = column_text(data[key])
    uniques = pd.unique(text)  # unique values: cheap on big tables
    maybe = _may_normalise_to(uniques, {own[key], *names[key]})
    hits = [u for u in uniques[maybe] if same(str(u), key)]
    if not hits:
        return none
    needed = max(min(2, len(headers)), -(-len(headers) // 2))
    out = none.copy()
    for i in np.flatnonzero(member(text, hits).to_numpy()):
        row = data.iloc[i]
        if sum(same(cell_text(row[pos]), pos) for pos in headers) >= needed:
            out[i] = True
    return out


#: What :func:`lib.core.schema.normalise_name` removes, among ASCII characters (Python's ``\s``
#: there: space, \t \n \v \f \r and \x1c–\x1f), for Arrow's RE2, whose ``\s`` is narrower.
_ASCII_REMOVED = r"[\t\n\v\f\r \x1c-\x1f\-_]+"


def _may_normalise_to(values: np.ndarray | ExtensionArray, names: set[str]) -> np.ndarray:
    """Which of ``values`` (text) may normalise to one of ``names``: for ASCII text exactly
    ``normalise_name(v) in names``, computed by Arrow for all values at once; every other value
    (non-ASCII, missing) is kept for the caller's own check. A value left out cannot match."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return np.ones(len(values), dtype=bool)
    norm = pc.utf8_lower(pc.replace_substring_regex(arr, _ASCII_REMOVED, ""))
    ascii_match = pc.and_(pc.string_is_ascii(arr), pc.is_in(norm, value_set=pa.array(sorted(names))))
    keep = pc.or_(pc.invert(pc.string_is_ascii(arr)), ascii_match)
    return np.asarray(pc.fill_null(keep, True).to_numpy(zero_copy_only=False), dtype=bool)


def _empty_sheet(raw: RawSheet, spec: Sheet, found: Findings) -> None:
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
