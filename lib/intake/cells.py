"""Single values: how one cell's text is read as an id, a number or a date, with no findings.

One rule for CSV text and Excel text cells alike: :func:`read_ids` (ids tidied by
:func:`tidy_id`), :func:`parse_numbers` (plain decimal numbers; codes say what else a cell held),
:func:`text_dates` (ISO 8601, day/month/year in one order per column, words refused). The column
converters of :mod:`lib.intake.convert` turn what these report into findings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.dataset import (
    normalise_id,
)
from lib.core.schema import (
    MISSING_VALUE_WORDS,
)
from lib.intake.parsing import (
    ERROR_CODES,
)
from lib.intake.table import is_csv

#: The largest magnitude a number cell may hold. No hours, weight, level or tenure comes near it,
#: and sums of a million such values stay finite (two weights of 1e308 would add up to infinity).
LARGEST_NUMBER = 1e15


_DATE_LIKE = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"


def read_ids(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ids, what tidying changed): ids normalised as :func:`lib.core.dataset.normalise_id` does
    (vectorised for text), after :func:`tidy_id` on text that is not plain ASCII; "" where
    nothing changed."""
    # ASCII white space only: a no-break space is trimmed by tidy_id, with a note.
    if is_csv(s):
        text = s.str.strip(ASCII_SPACE)
    else:
        text = pd.Series(
            [v.strip(ASCII_SPACE) if isinstance(v, str) else "" for v in s.to_numpy()],
            index=s.index,
            dtype="str",
        )
    changes = pd.Series("", index=s.index, dtype="str")
    # not plain ASCII (what the pattern [^\x00-\x7f] finds; Arrow's check, without a regex)
    odd = np.flatnonzero((~text.str.isascii() & text.notna()).to_numpy(dtype=bool))
    if len(odd):
        tidied = [tidy_id(v) for v in text.to_numpy()[odd]]
        text.iloc[odd] = pd.Series([t for t, _ in tidied], dtype="str")
        changes.iloc[odd] = pd.Series([what for _, what in tidied], dtype="str")
    if not is_csv(s):
        cells = s.to_numpy()
        ids = [normalise_id(text.iat[i] if isinstance(v, str) else v) for i, v in enumerate(cells)]
        return pd.Series(ids, index=s.index, dtype="str"), changes
    out = text.where(~text.str.lower().isin(MISSING_VALUE_WORDS), "")
    if not out.str.endswith(".0").to_numpy(dtype=bool).any():  # nothing the pattern below changes
        return out, changes
    return out.str.replace(r"^(\d+)\.0$", r"\1", regex=True), changes


ASCII_SPACE = " \t\r\n\v\f"


#: Characters that show as nothing: zero-width space, non-joiner and joiner, word joiner,
#: byte order mark, soft hyphen, left-to-right and right-to-left marks.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")


#: Spaces that look like a space: no-break, narrow no-break, figure and ideographic spaces.
_ODD_SPACE_RE = re.compile("[\u00a0\u202f\u2007\u3000]")


#: Full-width forms of ASCII (Ｅ００１ → E001), as East Asian input methods type them.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def visible(text: str) -> str:
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


# What a cell in a number column holds (codes of parse_numbers).
NUMBER, BLANK, BAD, DATE, ERROR, WORD, READ = range(7)


#: A plain decimal number: ASCII digits, one point, an optional sign and exponent. The one rule
#: for CSV text and Excel text cells alike (Python's float() also takes "1_000", "١٢", "Infinity").
_PLAIN_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


_PLAIN_RE = re.compile(_PLAIN_NUMBER, re.ASCII)


#: "1.000": a point then three zeros, which a European writer means as one thousand.
_THOUSAND_RE = re.compile(r"[+-]?[1-9][0-9]{0,2}\.000")


_INFINITE_WORDS = frozenset({"inf", "infinity", "+inf", "+infinity", "-inf", "-infinity", "∞", "-∞", "+∞"})


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, np.ndarray, list[str]]:
    """(floats, codes, notes) for a number column, CSV text or Excel cells.

    Plain decimal text is converted in one vectorised pass; only the rest is looked at cell by
    cell (:func:`_number_cell`). Infinite values come back as ±inf, for the size check to name.
    A long CSV column of few distinct texts (a rating scale, a weight) is read once per distinct
    text (:func:`_by_distinct`): each cell's result depends on its own text alone.
    """
    n = len(raw)
    if is_csv(raw) and n >= _DISTINCT_FROM:
        distinct = _by_distinct(raw)
        if distinct is not None:
            return distinct
    values = np.full(n, np.nan)
    codes = np.full(n, BLANK, dtype=np.int8)
    notes = [""] * n
    if is_csv(raw):
        text = raw.str.strip()
        plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
        if text.str.endswith(".000").to_numpy(dtype=bool).any():  # else no cell is like "1.000"
            plain = plain & ~text.str.fullmatch(_THOUSAND_RE.pattern).fillna(False).to_numpy(dtype=bool)
        if n and plain.all():
            values[:] = _plain_floats(text)
            codes[:] = NUMBER
        elif plain.any():
            values[plain] = _plain_floats(text[plain])
            codes[plain] = NUMBER
        rest = np.flatnonzero(~plain & text.ne("").to_numpy(dtype=bool))
        cells = text.iloc[rest].to_numpy() if len(rest) else np.empty(0, dtype=object)
        rest_at = np.arange(len(rest))
    else:
        rest = np.arange(n)
        cells = raw.to_numpy()
        rest_at = rest
    for i, at in zip(rest, rest_at, strict=True):  # the cells left: one by one
        codes[i], values[i], notes[i] = _number_cell(cells[at])
    return pd.Series(values, index=raw.index, dtype="float64"), codes, notes


#: From this many cells a CSV number column is read per distinct text when those are few
#: (:data:`_DISTINCT_SHARE` of the cells at most).
_DISTINCT_FROM = 4096
_DISTINCT_SHARE = 0.25


def _by_distinct(raw: pd.Series) -> tuple[pd.Series, np.ndarray, list[str]] | None:
    """:func:`parse_numbers` of CSV text ``raw`` computed on its distinct texts (a missing cell is
    one of them) and taken back at each cell's text (each cell's result depends on its own text
    alone); None when the texts are not few (:data:`_DISTINCT_SHARE`)."""
    at, uniques = pd.factorize(raw, use_na_sentinel=False)
    if len(uniques) > _DISTINCT_SHARE * len(raw):
        return None
    values, codes, notes = parse_numbers(pd.Series(uniques, dtype=raw.dtype))
    cell_notes = [notes[i] for i in at.tolist()] if any(notes) else [""] * len(raw)
    return pd.Series(values.to_numpy()[at], index=raw.index, dtype="float64"), codes[at], cell_notes


#: Plain numbers this short without an exponent have at most 15 digits and a power of ten below
#: 10**15: every correctly rounding reader gives the same float for them (Clinger's exact case).
_SHORT_PLAIN = 15


def _plain_floats(text: pd.Series) -> np.ndarray:
    """The floats of text cells that are all plain decimal numbers (:data:`_PLAIN_NUMBER`). Arrow's
    cast reads them when every one is short (:data:`_SHORT_PLAIN` characters, no exponent), where
    it gives exactly what :func:`pandas.to_numeric` gives, about twenty times faster; otherwise,
    or if Arrow refuses one, :func:`pandas.to_numeric`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        cells = pa.array(text.array)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        cells = None
    if cells is not None and (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
        longest = pc.max(pc.utf8_length(cells)).as_py()
        exponent = pc.any(pc.or_(pc.match_substring(cells, "e"), pc.match_substring(cells, "E"))).as_py()
        if longest is not None and longest <= _SHORT_PLAIN and not exponent:
            try:
                return np.asarray(pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _number_cell(v: object) -> tuple[int, float, str]:
    """(code, value, note) for one cell: an Excel value or a CSV text."""
    if v is None:
        return BLANK, np.nan, ""
    if isinstance(v, bool | np.bool_):
        return BAD, np.nan, ""
    if isinstance(v, int | float | np.integer | np.floating):
        number = float(v)
        return (BLANK, np.nan, "") if np.isnan(number) else (NUMBER, number, "")
    if isinstance(v, dt.date | dt.time | dt.datetime):
        return DATE, np.nan, ""
    text = str(v).strip()
    if not text:
        return BLANK, np.nan, ""
    if text in ERROR_CODES:
        return ERROR, np.nan, ""
    lower = text.lower()
    if lower in MISSING_VALUE_WORDS:
        return WORD, np.nan, ""
    if lower in _INFINITE_WORDS:
        return NUMBER, -np.inf if lower.startswith("-") else np.inf, ""
    if _PLAIN_RE.fullmatch(text):
        number = float(text)
        if _THOUSAND_RE.fullmatch(text):
            return READ, number, f"Read as {number:g}, though a point before 000 may separate thousands"
        return NUMBER, number, ""
    ascii_text = _ascii_digits(text)
    if ascii_text != text and _PLAIN_RE.fullmatch(ascii_text):
        number = float(ascii_text)
        return READ, number, f"Read as {number:g} from digits of another script"
    return (DATE if re.match(_DATE_LIKE, ascii_text) else BAD), np.nan, ""


def _ascii_digits(text: str) -> str:
    """Full-width forms (NFKC) and every script's decimal digits (Arabic-Indic ٠-٩, …) as ASCII."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in folded
    )


@dataclass
class TextDates:
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


def text_dates(text: pd.Series) -> TextDates:
    """Dates from text (None = blank): ISO 8601 first; day/month/year text in one order per
    column, day first or month first as its unambiguous values (13/04/2026) show, day first when
    none does; words refused; anything else (3 April 2026) read by pandas' mixed format."""
    filled = (text.notna() & text.ne("")).astype(bool)
    # Before any parsing: pandas reads "today" and "now" even as ISO 8601.
    word = filled & (~text.str.contains(r"\d", regex=True) | text.str.contains(_RELATIVE_RE, regex=True))
    word = word.fillna(False).astype(bool)
    values = parse_dates(text.where(~word, None))
    rest = filled & ~word & values.isna()
    none = pd.Series(False, index=text.index)
    if not rest.any():
        return TextDates(values, word, none, none, True, None)
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
        values[take] = parse_dates(iso[take])
    other = rest & ~word & ~dmy
    if other.any():
        values[other] = parse_dates(text[other], "mixed")
    return TextDates(values, word, ambiguous & values.notna(), contrary, dayfirst, evidence)


#: The range of pandas' nanosecond timestamps, to the day.
FIRST_DATE = pd.Timestamp("1677-09-22", tz="UTC")


LAST_DATE = pd.Timestamp("2262-04-11", tz="UTC")


def parse_dates(text: pd.Series, how: str = "ISO8601") -> pd.Series:
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


def excel_date(v: object) -> pd.Timestamp | None:
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
