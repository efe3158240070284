"""Files into raw tables, safely: size checks before parsing, then parsing in a child process.

Two stages, so that a pathological upload fails alone:

1. :func:`plan` runs in the server process and never builds a DataFrame. It reads magic bytes,
   the zip directory (declared uncompressed sizes and compression ratios: zip bombs) and streams
   each worksheet's XML for its largest cell reference (a stray cell at ``XFD1048576``). Files that
   pass become :class:`Job` records; files that fail become error findings.
2. :func:`parse_isolated` runs the jobs in a child process (``python -m lib.intake.parsing``) with
   ``RLIMIT_AS`` (memory), ``RLIMIT_CPU`` and a wall-clock limit from
   :class:`lib.core.schema.Limits`. The child returns plain tables (:class:`RawSheet`) by pickle; a
   killed or crashed child becomes one clear error finding instead of taking the server down.

Raw tables are grids of cells as written (CSV: text; Excel: the cell's Python value) with the
Excel row number of every kept row; :mod:`lib.intake.loader` finds the header and validates them.
Excel is read with openpyxl in read-only mode (never calamine, which aborts the whole process on
some files); openpyxl parses XML through defusedxml when it is installed, as it is here.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import pickle
import re
import subprocess
import sys
import threading
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Literal

import defusedxml  # imported so openpyxl parses XML through it (openpyxl.xml.DEFUSEDXML)
import defusedxml.ElementTree as SafeET
import numpy as np
import pyarrow as pa

from lib.core.errors import DataError, Finding, reported_as_findings
from lib.core.schema import DEFAULT_LIMITS, LOG_SUMMARY_COLUMNS, SHEETS, Limits, normalise_name, sheet_for
from lib.intake.parser_child import PRESTARTED, answer_file, prestart, take

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where a frame is built (:func:`_pandas`), not here: the parser child reads a
# plain CSV file with Arrow alone and its answer's frames are built by the parent
# (:class:`TextColumns`), so the child starts without pandas (0.14 s against 0.37 s; its start-up
# was most of the wait for the parse on the command line: benchmarks/README.md, twelfth pass).


def _pandas() -> Any:
    import pandas

    return pandas


__all__ = [
    "ERROR_CODES",
    "Blob",
    "CsvJob",
    "Job",
    "OddCell",
    "ParseOutput",
    "ParsedPath",
    "RawSheet",
    "Source",
    "TextColumns",
    "XlsxJob",
    "column_letters",
    "column_number",
    "parse_isolated",
    "parse_jobs",
    "parse_path",
    "path_sources",
    "plan",
    "plan_table",
    "prestart",
    "with_frames",
]

#: Excel error values (openpyxl returns them as these strings).
ERROR_CODES: frozenset[str] = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_ZIP_MEMBERS = 10_000
#: Members smaller than this may compress well (a sheet of blanks) without being a bomb.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024  # workbook.xml and its relationships
_CHUNK = 4 * 1024 * 1024

SAVE_AS_XLSX = "Open it in Excel and use File → Save As → Excel Workbook (.xlsx)."
PROTECTED = "password-protected or old .xls format; save as .xlsx without a password"
XLSB = "it is an Excel Binary Workbook (.xlsb), which this dashboard does not read"
XLSB_HINT = "Open it in Excel and use File → Save As → Excel Workbook (.xlsx)."
STRICT = "it is saved as Strict Open XML Spreadsheet, a variant of .xlsx this dashboard does not read"
STRICT_HINT = (
    "Open it in Excel and use File → Save As → Excel Workbook (.xlsx) (not 'Strict Open XML Spreadsheet')."
)


# --- sources, blobs, jobs -------------------------------------------------------------------


@dataclass(frozen=True)
class Blob:
    """Where a file's bytes are: in memory, on disk, or a member of a zip that is either."""

    data: bytes | None = None
    path: str | None = None
    member: str | None = None

    def open_container(self) -> IO[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open(self.path, "rb")

    def read(self) -> bytes:
        if self.member is None:
            if self.data is not None:
                return self.data
            assert self.path is not None
            with open(self.path, "rb") as fh:
                return fh.read()
        with (
            self.open_container() as container,
            zipfile.ZipFile(container) as zf,
            zf.open(self.member) as member,
        ):
            return member.read()


@dataclass(frozen=True)
class Source:
    """One input file: an upload (name + bytes) or a path."""

    name: str
    blob: Blob
    size: int


@dataclass(frozen=True)
class CsvJob:
    file: str  # as shown to the user, e.g. "export.zip/people.csv"
    sheet: str  # the file stem, which names the sheet
    blob: Blob
    wave: str = ""


@dataclass(frozen=True)
class XlsxJob:
    file: str
    blob: Blob
    sheets: tuple[str, ...]  # sheet titles to read, as written in the workbook
    wave: str = ""


Job = CsvJob | XlsxJob


@dataclass(frozen=True)
class OddCell:
    """A worksheet cell whose value cannot be trusted as read.

    ``kind="formula"``: a formula whose result was never calculated (a workbook written by a
    script, openpyxl or XlsxWriter, and never opened and saved in Excel): the cell reads as blank
    or as the writer's placeholder (0). ``kind="empty"``: a number cell holding nothing (what
    openpyxl writes for NaN and infinity, which a worksheet cannot hold).
    """

    row: int  # as Excel shows it
    column: int  # 1-based
    kind: Literal["formula", "empty"]
    formula: str = ""
    cached: str = ""  # the stored result ("" when none)


@dataclass(frozen=True)
class TextColumns:
    """A plain CSV file's cells as Arrow text columns (positional), as the parser child sends
    them without importing pandas; :meth:`frame` is the frame the parent builds from them."""

    columns: tuple[pa.Array, ...]

    def frame(self) -> pd.DataFrame:
        """The cells as a frame of pandas' ``str`` columns 0, 1, … (the columns' Arrow data, not copied)."""
        pandas = _pandas()
        frame: pd.DataFrame = pandas.DataFrame(
            {i: pandas.Series(c, dtype="str") for i, c in enumerate(self.columns)}
        )
        return frame


@dataclass
class RawSheet:
    """A grid of cells as written, blank rows dropped, with each kept row's Excel row number.

    ``frame`` has positional integer columns; its first row is normally the header (the loader
    decides). CSV cells are text (``""`` = blank); Excel cells are the cell's Python value
    (``None`` = blank; str, int, float, bool, datetime; error cells as ``"#N/A"`` etc.). In the
    parser child's answer a plain CSV file's ``frame`` is its :class:`TextColumns`, made a frame
    on arrival (:func:`parse_isolated`).
    """

    file: str
    sheet: str
    origin: Literal["csv", "xlsx"]
    frame: pd.DataFrame
    rows: np.ndarray
    wave: str = ""
    odd_cells: tuple[OddCell, ...] = ()


@dataclass
class ParseOutput:
    sheets: list[RawSheet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------------


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(number: int) -> str:
    """1 → ``A``, 16384 → ``XFD``."""
    out = ""
    while number > 0:
        number, rem = divmod(number - 1, 26)
        out = chr(65 + rem) + out
    return out


def _error(message: str, file: str, hint: str = "", sheet: str = "", value: str = "") -> Finding:
    return Finding("error", message, file=file, sheet=sheet, value=value, hint=hint)


def _note(
    message: str, file: str, hint: str = "", sheet: str = "", severity: Literal["warning", "note"] = "note"
) -> Finding:
    return Finding(severity, message, file=file, sheet=sheet, hint=hint)


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _stem(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).stem


def _mb(n: float) -> str:
    """A size for people: 512 bytes, 300 KB, 1,024 MB."""
    if n < 1024:
        return f"{n:,.0f} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:,.0f} KB"
    return f"{n / 1024 / 1024:,.0f} MB"


_KNOWN_SHEETS = ", ".join(s.name for s in SHEETS)
_SUMMARY_KEYS = {normalise_name(name) for name in LOG_SUMMARY_COLUMNS}  # read by lib.intake.summaries


# --- stage 1: the plan (server process, no DataFrames) --------------------------------------


def plan(sources: list[Source], limits: Limits) -> tuple[list[Job], list[Finding]]:
    """Check every source against the limits and turn the ones that pass into parse jobs.

    Several workbooks together are one workbook per wave: each file's stem becomes the default
    wave label. CSV files (loose or in a zip) together form one dataset.
    """
    jobs: list[Job] = []
    findings: list[Finding] = []
    workbooks = sum(1 for s in sources if _suffix(s.name) in XLSX_SUFFIXES)
    seen: dict[str, str] = {}
    for src in sources:
        spec = sheet_for(_stem(src.name)) if _suffix(src.name) in CSV_SUFFIXES else None
        if spec is not None and spec.name in seen:
            findings.append(_duplicate_file(src.name, spec.name, seen[spec.name]))
            continue
        if spec is not None:
            seen[spec.name] = src.name
        wave = _stem(src.name) if workbooks > 1 else ""
        j, f = _plan_source(src, limits, wave)
        jobs += j
        findings += f
    return jobs, findings


def plan_table(src: Source, limits: Limits) -> tuple[list[Job], list[Finding]]:
    """Plan one file that is a single table whatever it is called (a survey tool's export, a
    roster): a CSV file, or the first visible sheet of a workbook. The same checks as :func:`plan`."""
    return _plan_source(src, limits, "", single=True)


def _head(blob: Blob, n: int = 8) -> bytes:
    if blob.data is not None:
        return blob.data[:n]
    assert blob.path is not None
    with open(blob.path, "rb") as fh:
        return fh.read(n)


def _plan_source(
    src: Source, limits: Limits, wave: str, single: bool = False
) -> tuple[list[Job], list[Finding]]:
    name, suffix = src.name, _suffix(src.name)
    if src.size == 0:
        return [], [
            _error(
                "The file is empty (0 bytes)", name, "Check that you exported the data, then upload it again."
            )
        ]
    if src.size > limits.max_upload_bytes:
        return [], [
            _error(
                f"The file is {_mb(src.size)}, more than the {_mb(limits.max_upload_bytes)} limit",
                name,
                "Split it into several files, or upload the CSV files as a .zip.",
            )
        ]
    head = _head(src.blob, 1024)
    if head.startswith(OLE_MAGIC):
        return [], [_ole_finding(name, src.blob)]
    disguised = _disguised_text(name, head)
    if disguised is not None:
        return [], [disguised]
    is_zip = head.startswith(ZIP_MAGICS)
    if suffix == ".xlsb":
        return [], [_error(f"The file cannot be read: {XLSB}", name, XLSB_HINT)]
    if suffix in XLSX_SUFFIXES:
        if not is_zip:
            hint = (
                "If it is really a CSV file, rename it to .csv." if _looks_like_text(head) else SAVE_AS_XLSX
            )
            return [], [
                _error("The file is not a valid .xlsx workbook (wrong or unreadable file type)", name, hint)
            ]
        return _plan_workbook(name, src.blob, limits, wave, single)
    if suffix == ".zip":
        if not is_zip:
            return [], [
                _error(
                    "The file is not a valid .zip archive", name, "Create the zip again from the CSV files."
                )
            ]
        return _plan_zip(src, limits)
    if suffix in CSV_SUFFIXES:
        if is_zip:
            return [], [
                _error(
                    "This is an Excel workbook or a zip archive with a .csv name",
                    name,
                    "Rename it to .xlsx (or .zip), or save it again as CSV.",
                )
            ]
        return _plan_csv(name, src.blob, src.size, limits, wave, single)
    if suffix == ".xls":
        return [], [_error(f"The file cannot be read: {PROTECTED}", name, SAVE_AS_XLSX)]
    kinds = {".ods": "an OpenDocument spreadsheet", ".numbers": "a Numbers spreadsheet", ".json": "JSON"}
    what = kinds.get(suffix, f"a {suffix or 'file without extension'}")
    return [], [
        _error(
            f"Wrong file type: {what} cannot be loaded",
            name,
            "Upload an Excel workbook (.xlsx), CSV files (.csv), or a .zip of CSV files.",
        )
    ]


def _ole_finding(name: str, blob: Blob) -> Finding:
    """An OLE compound file is an encrypted workbook (an ``EncryptedPackage`` stream) or an Excel
    97–2003 workbook (BIFF, a ``Workbook`` or ``Book`` stream): say which, with how to convert."""
    try:
        data = blob.read()
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError):
        data = b""

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data or stream.encode("ascii") in data

    if has("EncryptedPackage"):
        return _error(
            "The file cannot be read: it is password-protected (an encrypted workbook)",
            name,
            "Open it in Excel, remove the password (File → Info → Protect Workbook → Encrypt with Password, "
            "clear it), then save it as Excel Workbook (.xlsx).",
        )
    if has("Workbook") or has("Book"):
        return _error(
            "The file cannot be read: it is an Excel 97–2003 workbook (.xls, the old binary format)",
            name,
            SAVE_AS_XLSX + " LibreOffice can convert it too: soffice --headless --convert-to xlsx FILE.",
        )
    return _error(f"The file cannot be read: {PROTECTED}", name, SAVE_AS_XLSX)


def _disguised_text(name: str, head: bytes) -> Finding | None:
    """A web page or an XML Spreadsheet 2003 saved with an Excel name (.xls, .xlsx): what web
    reports and older tools export. Named as what it is, not "corrupt"."""
    if _suffix(name) not in (".xls", *XLSX_SUFFIXES, ".xlsb"):
        return None
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")):
        return _error(
            "The file is a web page (HTML) saved with an Excel name, not a workbook",
            name,
            "Open it in Excel and use File → Save As → Excel Workbook (.xlsx), or export the data "
            "from the source system as CSV.",
        )
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return _error(
            "The file is an XML Spreadsheet 2003, not an .xlsx workbook",
            name,
            SAVE_AS_XLSX,
        )
    return None


def _looks_like_text(head: bytes) -> bool:
    return bool(head) and all(b in b"\t\r\n" or 32 <= b < 127 or b >= 128 for b in head)


def _zip_size_findings(zf: zipfile.ZipFile, file: str, limits: Limits) -> list[Finding]:
    """Declared sizes from the zip directory: total, per-member ratio and member count.

    Python's zipfile stops reading a member at its declared size (and then fails its CRC check),
    so the declared sizes bound what parsing can decompress.
    """
    infos = zf.infolist()
    hint = "The file expands to far more data than a spreadsheet of this size should; save a clean copy."
    if len(infos) > MAX_ZIP_MEMBERS:
        return [
            _error(
                f"The archive holds {len(infos):,} files, more than the {MAX_ZIP_MEMBERS:,} limit", file, hint
            )
        ]
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        return [
            _error(
                f"Uncompressed content is {_mb(total)}, more than the {_mb(limits.max_uncompressed_bytes)} limit "
                "(a zip bomb or an oversized file)",
                file,
                hint,
            )
        ]
    out = []
    for info in infos:
        if info.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                out.append(
                    _error(
                        f"Part {info.filename} expands {ratio:,.0f}× ({_mb(info.compress_size)} → {_mb(info.file_size)}), "
                        f"more than the {limits.max_compression_ratio:,.0f}× limit (a zip bomb?)",
                        file,
                        hint,
                    )
                )
    return out


#: What to do about a damaged file, by what it is (:func:`_corrupt`).
_CORRUPT_HINTS = {
    "workbook": "Download or export it again; if it opens in Excel, save it again as .xlsx.",
    "archive": "Download it again, or zip the CSV files again.",
    "file in the zip": "The zip it came in is damaged: download the zip again, or zip the CSV files again.",
    "file": "Download or export it again.",
}


def _corrupt(file: str, exc: BaseException, what: str = "workbook") -> Finding:
    """A finding for a damaged ``what`` (a key of :data:`_CORRUPT_HINTS`: each gets its own hint)."""
    kind = type(exc).__name__
    return _error(
        f"The {what} is corrupt or truncated and cannot be read ({kind}: {exc})", file, _CORRUPT_HINTS[what]
    )


def _plan_workbook(
    file: str, blob: Blob, limits: Limits, wave: str, single: bool = False
) -> tuple[list[Job], list[Finding]]:
    """The workbook's sheets this dashboard reads (``single``: its first visible sheet, whatever its name)."""
    try:
        with blob.open_container() as fh, zipfile.ZipFile(fh) as zf:
            findings = _zip_size_findings(zf, file, limits)
            if findings:
                return [], findings
            names = set(zf.namelist())
            sheets, findings = _workbook_sheets(zf, file)
            if sheets is None:
                return [], findings
            chosen: list[str] = []
            used: dict[str, str] = {}
            for title, state, part in sheets:
                spec = sheet_for(title)
                if single and state == "visible":
                    if chosen:
                        continue
                    spec = SHEETS[0]  # the one table, whatever the sheet is called
                if state != "visible":
                    findings.append(
                        _note(
                            f"Hidden sheet '{title}' ignored",
                            file,
                            "Unhide it in Excel if it holds data to load.",
                            sheet=title,
                        )
                    )
                    continue
                if spec is None:
                    findings.append(
                        _note(
                            f"Sheet '{title}' is not one this dashboard reads; ignored",
                            file,
                            f"Sheets read: {_KNOWN_SHEETS}.",
                            sheet=title,
                        )
                    )
                    continue
                if spec.name in used:
                    findings.append(
                        _note(
                            f"Sheet '{title}' is a second {spec.name} sheet; only '{used[spec.name]}' is read",
                            file,
                            "Merge the two sheets into one.",
                            sheet=title,
                            severity="warning",
                        )
                    )
                    continue
                if part is None or part not in names:
                    findings.append(
                        _error(
                            f"Sheet '{title}' is missing from the file (corrupt workbook)",
                            file,
                            SAVE_AS_XLSX,
                            sheet=title,
                        )
                    )
                    continue
                problem = _used_range_finding(zf, part, file, title, limits)
                if problem is not None:
                    findings.append(problem)
                    continue
                used[spec.name] = title
                chosen.append(title)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as exc:
        return [], [_corrupt(file, exc)]
    except SafeET.ParseError as exc:
        return [], [_corrupt(file, exc)]
    except defusedxml.DefusedXmlException as exc:
        return [], [_error(f"The workbook contains forbidden XML ({type(exc).__name__})", file, SAVE_AS_XLSX)]
    jobs: list[Job] = [XlsxJob(file, blob, tuple(chosen), wave)] if chosen else []
    return jobs, findings


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise ValueError(f"{name} is {_mb(info.file_size)}")
    return zf.read(name)


def _resolve_target(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (base_dir + "/" + target).split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def _workbook_sheets(
    zf: zipfile.ZipFile, file: str
) -> tuple[list[tuple[str, str, str | None]] | None, list[Finding]]:
    """(title, state, worksheet part) for each sheet, from workbook.xml and its relationships."""
    names = set(zf.namelist())
    main = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in SafeET.fromstring(_read_part(zf, "_rels/.rels")):
            if rel.get("Type", "").endswith("/officeDocument"):
                main = _resolve_target("", rel.get("Target", main))
    if main.endswith(".bin") or "xl/workbook.bin" in names:
        return None, [_error(f"The file cannot be read: {XLSB}", file, XLSB_HINT)]
    if main not in names:
        return None, [
            _error(
                "The file is not an Excel workbook (no workbook part inside; wrong or unreadable file type)",
                file,
                SAVE_AS_XLSX,
            )
        ]
    base = main.rsplit("/", 1)[0] if "/" in main else ""
    rels_name = f"{base}/_rels/{main.rsplit('/', 1)[-1]}.rels" if base else f"_rels/{main}.rels"
    targets: dict[str, tuple[str, str]] = {}
    if rels_name in names:
        for rel in SafeET.fromstring(_read_part(zf, rels_name)):
            targets[rel.get("Id", "")] = (rel.get("Type", ""), _resolve_target(base, rel.get("Target", "")))
    out: list[tuple[str, str, str | None]] = []
    root = SafeET.fromstring(_read_part(zf, main))
    if root.tag.startswith("{http://purl.oclc.org/ooxml/"):
        return None, [_error(f"The file cannot be read: {STRICT}", file, STRICT_HINT)]
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
        rtype, part = targets.get(rid, ("", ""))
        if rtype.endswith("/chartsheet"):
            continue
        out.append((el.get("name", ""), el.get("state", "visible"), part or None))
    return out, []


_COL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})[0-9]')
_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')


def used_range(zf: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column) of the cells actually present in a worksheet's XML.

    Streams the part in chunks, so the check costs the memory of one chunk whatever the sheet's
    size. The ``<dimension ref>`` element is not trusted (writers get it wrong both ways); openpyxl
    is told to ignore it too (``reset_dimensions``), so rows are never padded to a bogus width.
    Rows without an ``r`` attribute are counted instead.
    """
    max_row = max_col = row_tags = 0
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            row_tags += chunk.count(b"<row ") + chunk.count(b"<row>")
            rows = _ROW_RE.findall(data)
            if rows:
                max_row = max(max_row, max(map(int, rows)))
            for letters in set(_COL_RE.findall(data)):
                max_col = max(max_col, column_number(letters.decode()))
            tail = data[-256:]
    return max(max_row, row_tags), max_col


def _used_range_finding(
    zf: zipfile.ZipFile, part: str, file: str, title: str, limits: Limits
) -> Finding | None:
    last_row, last_col = used_range(zf, part)
    if last_row <= limits.max_rows and last_col <= limits.max_columns:
        return None
    ref = f"{column_letters(max(last_col, 1))}{max(last_row, 1)}"
    return Finding(
        "error",
        f"Sheet '{title}' uses cells up to {ref} ({last_col:,} columns × {last_row:,} rows), more than the limit "
        f"of {limits.max_columns:,} columns × {limits.max_rows:,} rows; it was not read",
        file=file,
        sheet=title,
        value=ref,
        hint="Delete the stray cells beyond your data (Ctrl+End in Excel jumps to the last used cell), "
        "or copy the data into a new sheet.",
    )


def _plan_zip(src: Source, limits: Limits) -> tuple[list[Job], list[Finding]]:
    file = src.name
    jobs: list[Job] = []
    findings: list[Finding] = []
    try:
        with src.blob.open_container() as fh, zipfile.ZipFile(fh) as zf:
            findings = _zip_size_findings(zf, file, limits)
            if findings:
                return [], findings
            names = set(zf.namelist())
            if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
                # A workbook with a .zip name: read it as a workbook.
                return _plan_workbook(file, src.blob, limits, "")
            members = [
                i
                for i in zf.infolist()
                if not i.is_dir()
                and not i.filename.startswith("__MACOSX/")
                and not PurePosixPath(i.filename).name.startswith((".", "~$"))
            ]
            workbooks = [i for i in members if _suffix(i.filename) in XLSX_SUFFIXES]
            folder_waves, note = _folder_waves(file, members)
            findings += note
            seen: dict[tuple[str, str], str] = {}
            for info in sorted(members, key=lambda i: i.filename):
                inner = f"{file}/{info.filename}"
                suffix = _suffix(info.filename)
                if suffix in CSV_SUFFIXES:
                    blob = Blob(data=src.blob.data, path=src.blob.path, member=info.filename)
                    spec = sheet_for(_stem(info.filename))
                    wave = folder_waves.get(_folder(info.filename), "")
                    if spec is not None and (wave, spec.name) in seen:
                        findings.append(_duplicate_file(inner, spec.name, seen[(wave, spec.name)]))
                        continue
                    if spec is not None:
                        seen[(wave, spec.name)] = inner
                    j, f = _plan_csv(inner, blob, info.file_size, limits, wave)
                elif suffix in XLSX_SUFFIXES:
                    data = zf.read(info.filename)
                    wave = _stem(info.filename) if len(workbooks) > 1 else ""
                    j, f = _plan_source(Source(inner, Blob(data=data), len(data)), limits, wave)
                else:
                    j, f = [], [_note("File ignored (not .csv or .xlsx)", inner)]
                jobs += j
                findings += f
            if not members:
                findings.append(
                    _error(
                        "The archive is empty", file, "Put the CSV files in the zip, then upload it again."
                    )
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as exc:
        return [], [_corrupt(file, exc, "archive")]
    return jobs, findings


def _folder(name: str) -> str:
    parent = str(PurePosixPath(name.replace("\\", "/")).parent)
    return "" if parent == "." else parent


def _folder_waves(file: str, members: list[zipfile.ZipInfo]) -> tuple[dict[str, str], list[Finding]]:
    """Folder → wave label when the CSV files of a zip sit in two or more folders (one export per
    survey wave): each folder is read as its wave, labelled by its name, instead of one folder
    hiding the others. Files at the top of the zip then count in every wave."""
    folders = sorted(
        {
            _folder(i.filename)
            for i in members
            if _suffix(i.filename) in CSV_SUFFIXES and sheet_for(_stem(i.filename)) is not None
        }
        - {""}
    )
    if len(folders) < 2:
        return {}, []
    names = [PurePosixPath(f).name for f in folders]
    labels = names if len(set(names)) == len(names) else folders
    shown = ", ".join(f"{f}/ as wave '{label}'" for f, label in zip(folders, labels, strict=True))
    return dict(zip(folders, labels, strict=True)), [
        _note(
            f"The archive holds CSV files in {len(folders)} folders; each folder is read as one wave: {shown}",
            file,
            "If the folders are not survey waves, upload one folder at a time.",
        )
    ]


def _duplicate_file(file: str, sheet: str, first: str) -> Finding:
    return Finding(
        "warning",
        f"A second file for the {sheet} sheet; only {first} is read",
        file=file,
        sheet=sheet,
        hint="Merge the two files into one.",
    )


def _plan_csv(
    file: str, blob: Blob, size: int, limits: Limits, wave: str, single: bool = False
) -> tuple[list[Job], list[Finding]]:
    stem = _stem(file)
    if sheet_for(stem) is None and not single and normalise_name(stem) in _SUMMARY_KEYS:
        return [], []  # read by lib.intake.summaries, not as a sheet
    if sheet_for(stem) is None and not single:
        return [], [
            _note(
                f"File '{PurePosixPath(file).name}' does not name a sheet this dashboard reads; ignored",
                file,
                f"Name each CSV file after its sheet: {_KNOWN_SHEETS} (e.g. people.csv).",
            )
        ]
    if size == 0:
        return [], [
            _error(
                "The file is empty (0 bytes)", file, "Check that you exported the data, then upload it again."
            )
        ]
    if size > limits.max_uncompressed_bytes:
        return [], [
            _error(f"The file is {_mb(size)}, more than the {_mb(limits.max_uncompressed_bytes)} limit", file)
        ]
    # its lines are counted by the parser child, which reads the file anyway (:func:`_too_long`)
    return [CsvJob(file, stem, blob, wave)], []


# --- stage 2: parsing (child process) -------------------------------------------------------


def _damaged(job: Job) -> str:
    """What a job whose bytes cannot be read is, for :func:`_corrupt`'s hint: a workbook, a CSV
    file inside a zip (the zip is what is damaged), or a file."""
    if isinstance(job, XlsxJob):
        return "workbook"
    return "file in the zip" if job.blob.member else "file"


def parse_jobs(jobs: list[Job], limits: Limits, frames: bool = True) -> ParseOutput:
    """Parse every job into raw sheets; each file's failure becomes a finding, the rest go on.
    ``frames=False`` (the parser child): plain CSV files' sheets keep their :class:`TextColumns`
    (:func:`with_frames` makes them frames)."""
    out = ParseOutput()
    for job in jobs:
        try:
            if isinstance(job, CsvJob):
                _parse_csv(job, limits, out)
            else:
                _parse_xlsx(job, limits, out)
        except MemoryError:
            out.findings.append(_memory_finding(job.file, limits))
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
            out.findings.append(_corrupt(job.file, exc, _damaged(job)))
        except Exception as exc:  # the parser's other failures (openpyxl raises many kinds)
            if _is_parser_error(exc):
                out.findings.append(_csv_split_finding(job, exc))
                continue
            out.findings.append(
                _error(
                    f"The file cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
                    job.file,
                    SAVE_AS_XLSX if isinstance(job, XlsxJob) else "Save it again as CSV UTF-8.",
                    sheet=job.sheet if isinstance(job, CsvJob) else "",
                )
            )
    return with_frames(out) if frames else out


def with_frames(out: ParseOutput) -> ParseOutput:
    """``out`` with every sheet's :class:`TextColumns` made its frame (in place)."""
    for sheet in out.sheets:
        if isinstance(sheet.frame, TextColumns):
            sheet.frame = sheet.frame.frame()
    return out


def _is_parser_error(exc: Exception) -> bool:
    """Whether ``exc`` is pandas' CSV ``ParserError`` (never when pandas was not imported)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(exc, pandas.errors.ParserError)


_QUOTE_ROW_RE = re.compile(r"starting at row (\d+)")


def _csv_split_finding(job: Job, exc: Exception, offset: int = 0) -> Finding:
    """pandas names the record where an unclosed quote starts counting from 0; people count rows
    from 1 (the header is row 1), as Excel and every text editor do."""
    text = str(exc)
    m = _QUOTE_ROW_RE.search(text)
    row = int(m.group(1)) + 1 + offset if m else None
    if m:
        text = _QUOTE_ROW_RE.sub(f"starting at row {row}", text)
    return Finding(
        "error",
        f"The CSV file cannot be split into columns ({text[:200]})",
        file=job.file,
        sheet=job.sheet if isinstance(job, CsvJob) else "",
        row=row,
        hint='A double quote (") opens a value in this row that never closes: close it or remove it.',
    )


def _memory_finding(file: str, limits: Limits) -> Finding:
    return _error(
        f"Reading the file needed more than the {_mb(limits.parse_memory_bytes)} memory limit",
        file,
        "Check the file for stray data far below or right of your table; split very large files.",
    )


# CSV -----------------------------------------------------------------------------------------

_SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def decode_csv(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 (BOM, or NULs), then Windows-1252/latin-1."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sample = raw[:4096]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_separator(text: str) -> str:
    """The separator among , ; tab | that splits the first lines into the most consistent columns."""
    lines = [ln for ln in text[:65536].splitlines()[:30] if ln.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    best, best_score = ",", (0, 0.0)
    for sep in _SEPARATORS:
        rows = list(csv.reader(lines, delimiter=sep))
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agree = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (1 if agree >= 0.8 else 0, agree * width)
        if score > best_score:
            best, best_score = sep, score
    return best


_BAD_LINE_RE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def _parse_csv(job: CsvJob, limits: Limits, out: ParseOutput) -> None:
    raw = job.blob.read()
    if _too_long(job, raw, limits, out):
        return
    text, encoding = decode_csv(raw)
    del raw
    if encoding in ("cp1252", "latin-1"):
        out.findings.append(
            _note(
                f"The file is not UTF-8; it was read as {'Windows-1252' if encoding == 'cp1252' else 'latin-1'}",
                job.file,
                "Check accented names; in Excel save as 'CSV UTF-8' to be sure.",
                sheet=job.sheet,
            )
        )
    # Leading blank lines are skipped but counted, so row numbers stay what Excel would show.
    stripped = text.lstrip("\r\n\t ")
    offset = text[: len(text) - len(stripped)].count("\n")
    if not stripped.strip():
        out.findings.append(
            _error(
                "The file is empty (no header row)",
                job.file,
                "Export the data again with a header row.",
                sheet=job.sheet,
            )
        )
        return
    sep = sniff_separator(stripped)
    if sep != ",":
        out.findings.append(_note(f"Columns are separated by {_SEP_NAMES[sep]}s", job.file, sheet=job.sheet))
    data = stripped.encode("utf-8")
    del text, stripped
    plain = _read_plain_columns(data, sep)
    if plain is not None:
        _add_csv_columns(job, plain, np.arange(1, len(plain.columns[0]) + 1) + offset, limits, out)
        return
    pd = _pandas()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.BytesIO(data),
                sep=sep,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="warn",
                encoding="utf-8",
                engine="c",
            )
        except pd.errors.ParserError as exc:
            out.findings.append(_csv_split_finding(job, exc, offset))
            return
    del data
    bad: list[int] = []
    for w in caught:
        for m in _BAD_LINE_RE.finditer(str(w.message)):
            line, expected, saw = (int(g) for g in m.groups())
            bad.append(line)
            if len(bad) <= 50:
                out.findings.append(
                    Finding(
                        "error",
                        f"This row has {saw} fields but the header has {expected}",
                        file=job.file,
                        sheet=job.sheet,
                        row=line + offset,
                        value=f"{saw} fields",
                        hint="A value probably contains the separator: put it in double quotes, or remove the extra field.",
                    )
                )
    if len(bad) > 50:
        out.findings.append(
            Finding(
                "error",
                f"… and {len(bad) - 50:,} more rows with too many fields",
                file=job.file,
                sheet=job.sheet,
                row=sorted(bad)[50] + offset,
            )
        )
    records = np.arange(1, len(frame) + len(bad) + 1)
    if bad:
        records = np.delete(records, np.asarray(sorted(set(bad))) - 1)
    _add_csv_frame(job, frame, records[: len(frame)] + offset, limits, out)


def _too_long(job: CsvJob, raw: bytes, limits: Limits, out: ParseOutput) -> bool:
    """Whether the file's bytes ``raw`` hold more lines than ``limits`` allow rows (then its error
    is added). Counted here, in the child that reads the file anyway, rather than by the plan:
    that read every file once more, decompressing a zip's members, in the calling process (at
    10,000 people 0.09 s before anything else could start)."""
    lines = raw.count(b"\n")
    if lines <= limits.max_rows + 1:
        return False
    out.findings.append(
        _error(
            f"The file has {lines:,} lines, more than the limit of {limits.max_rows:,} rows; it was not read",
            job.file,
            "Split it, or filter it to the people and period you need.",
            sheet=job.sheet,
        )
    )
    return True


def _too_wide(job: CsvJob, width: int, limits: Limits, out: ParseOutput) -> bool:
    """Whether a file of ``width`` columns has more than ``limits`` allow (then its error is added)."""
    if width <= limits.max_columns:
        return False
    out.findings.append(
        _error(
            f"The file has {width:,} columns, more than the {limits.max_columns:,} limit",
            job.file,
            sheet=job.sheet,
        )
    )
    return True


def _add_csv_frame(
    job: CsvJob, frame: pd.DataFrame, rows: np.ndarray, limits: Limits, out: ParseOutput
) -> None:
    """``frame`` (every cell text, ``rows`` its rows as Excel numbers them) as the job's raw sheet,
    without its blank rows; or an error when it has more columns than ``limits`` allow."""
    if _too_wide(job, frame.shape[1], limits, out):
        return
    frame = frame.fillna("")
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        candidates = np.flatnonzero(blank)
        if not len(candidates):
            break  # a row with one non-blank cell is not blank: the other columns cannot change that
        cells = frame[col] if len(candidates) == len(frame) else frame[col].iloc[candidates]
        blank[candidates] = (cells.str.strip() == "").to_numpy()
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    out.sheets.append(RawSheet(job.file, job.sheet, "csv", frame, rows, job.wave))


def _add_csv_columns(
    job: CsvJob, plain: TextColumns, rows: np.ndarray, limits: Limits, out: ParseOutput
) -> None:
    """:func:`_add_csv_frame` for a plain file's :class:`TextColumns`, in Arrow: the same rows are
    blank (every cell empty once pandas' ``str.strip`` has stripped it, which is Arrow's
    ``utf8_trim_whitespace``) and the same sheet results once the columns are made a frame."""
    import pyarrow.compute as pc

    columns = plain.columns
    if _too_wide(job, len(columns), limits, out):
        return
    # In Arrow throughout, with no Python value converted and nothing made a numpy array: pyarrow
    # does those through its pandas checks, which import pandas (a fifth of a second).
    blank: pa.Array | None = None  # per row: every cell so far empty once stripped
    for column in columns:
        empty = pc.invert(pc.cast(pc.binary_length(pc.utf8_trim_whitespace(column)), pa.bool_()))
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            break  # a row with one non-blank cell is not blank: the other columns cannot change that
    if blank is not None and pc.any(blank).as_py():
        kept = pc.invert(blank)
        plain = TextColumns(tuple(c.filter(kept) for c in columns))
        at = pc.indices_nonzero(kept)  # uint64, no nulls: its values buffer, read in place
        rows = rows[np.frombuffer(at.buffers()[1], dtype=np.uint64, count=len(at), offset=at.offset * 8)]
    frame: Any = plain  # in the child's answer; a frame on arrival (with_frames)
    out.sheets.append(RawSheet(job.file, job.sheet, "csv", frame, rows, job.wave))


#: Bytes that send a CSV file to pandas' parser: quotes (quoted values, doubled quotes, separators
#: and line breaks inside values), carriage returns (Windows and old Mac line ends) and NULs.
_NOT_PLAIN = (b'"', b"\r", b"\x00")


def _read_plain_csv(data: bytes, sep: str) -> pd.DataFrame | None:
    """The cells of a *plain* CSV file (UTF-8, no quote, no carriage return, no NUL, at least two
    columns, every line as many fields as the first, no blank line) read by Arrow's CSV reader:
    the frame pandas' ``read_csv(header=None, dtype=str, na_filter=False)`` gives for such a file
    (columns 0, 1, …, every cell text), in about a third of its time. None for any other file:
    pandas reads those, and reports the lines that do not split into the header's fields."""
    plain = _read_plain_columns(data, sep)
    return None if plain is None else plain.frame()


def _read_plain_columns(data: bytes, sep: str) -> TextColumns | None:
    """:func:`_read_plain_csv`'s cells as :class:`TextColumns`, without pandas."""
    if any(b in data for b in _NOT_PLAIN):
        return None
    end = data.find(b"\n")
    width = data[: end if end >= 0 else len(data)].count(sep.encode("utf-8")) + 1
    if width < 2:
        return None
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, ValueError):  # a line with another number of fields, a blank line, …
        return None
    return TextColumns(tuple(table.column(i).combine_chunks() for i in range(width)))


# Excel ---------------------------------------------------------------------------------------

_strict_number: Any = float


def _lenient_number(value: str) -> Any:
    """openpyxl's reading of a numeric cell, but a cell it cannot read (``<v>INF</v>``, written by
    some tools) stays text for the loader to name with its row and column, instead of failing the
    whole workbook without a location."""
    try:
        return _strict_number(value)
    except (ValueError, TypeError):
        return value


def _parse_xlsx(job: XlsxJob, limits: Limits, out: ParseOutput) -> None:
    import openpyxl
    import openpyxl.worksheet._reader as sheet_reader

    global _strict_number
    if sheet_reader._cast_number is not _lenient_number:
        _strict_number = sheet_reader._cast_number
        sheet_reader._cast_number = _lenient_number

    odd = _odd_cells(job)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions, styles, …
        with job.blob.open_container() as fh:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            try:
                for title in job.sheets:
                    ws = wb[title]
                    ws.reset_dimensions()  # ignore <dimension>: no padding to a bogus width
                    frame, rows = _grid(ws.iter_rows(values_only=True), limits)
                    out.sheets.append(
                        RawSheet(job.file, title, "xlsx", frame, rows, job.wave, odd.get(title, ()))
                    )
            finally:
                wb.close()


_INTEREST_RE = re.compile(rb"<(?:\w+:)?f\b|<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</")
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE_RE = re.compile(rb'\st="(\w+)"')
_F_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_V_RE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)


def _odd_cells(job: XlsxJob) -> dict[str, tuple[OddCell, ...]]:
    """Each chosen sheet's cells whose value cannot be trusted (:class:`OddCell`), from the XML.

    openpyxl's ``data_only`` reading cannot tell a formula without a calculated result from a
    blank cell, so the worksheet XML is streamed once more, in chunks; chunks without a formula
    or an empty value cost one regular-expression search.
    """
    with job.blob.open_container() as fh, zipfile.ZipFile(fh) as zf:
        sheets, _ = _workbook_sheets(zf, job.file)
        never_calculated = _full_calc_on_load(zf)
        parts = {title: part for title, _state, part in sheets or [] if part is not None}
        return {
            title: tuple(_scan_part(zf, parts[title], never_calculated))
            for title in job.sheets
            if title in parts
        }


def _full_calc_on_load(zf: zipfile.ZipFile) -> bool:
    """Whether the workbook asks to be recalculated when opened (``<calcPr fullCalcOnLoad="1">``):
    what openpyxl and XlsxWriter write, whose stored formula results are placeholders. Excel
    drops the flag when it saves the calculated workbook."""
    try:
        main = _read_part(zf, "xl/workbook.xml")
    except (KeyError, ValueError):
        return False
    return re.search(rb"<(?:\w+:)?calcPr\b[^>]*\sfullCalcOnLoad=\"(?:1|true)\"", main) is not None


def _scan_part(zf: zipfile.ZipFile, part: str, never_calculated: bool) -> Iterator[OddCell]:
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"row>") + 4  # scan whole rows; the rest waits for the next chunk
            if cut < 4:
                tail = data
                continue
            body, tail = data[:cut], data[cut:]
            if _INTEREST_RE.search(body):
                yield from _odd_in(body, never_calculated)
        if _INTEREST_RE.search(tail):
            yield from _odd_in(tail, never_calculated)


def _odd_in(body: bytes, never_calculated: bool) -> Iterator[OddCell]:
    for m in _CELL_RE.finditer(body):
        ref = _REF_RE.search(m.group(1))
        inner = m.group(2)
        if ref is None or inner is None:
            continue
        kind = _TYPE_RE.search(m.group(1))
        text_cell = kind is not None and kind.group(1) in (b"str", b"inlineStr", b"s")
        f, v = _F_RE.search(inner), _V_RE.search(inner)
        cached = (v.group(1) or b"") if v else b""
        row, column = int(ref.group(2)), column_number(ref.group(1).decode())
        if f is not None:
            # A formula whose result is an empty text is stored as <v></v> with t="str".
            missing = v is None or (not cached.strip() and not text_cell)
            if missing or never_calculated:
                formula = (f.group(1) or b"").decode("utf-8", "replace")
                yield OddCell(row, column, "formula", formula, cached.decode("utf-8", "replace"))
        elif v is not None and not cached.strip() and not text_cell:
            yield OddCell(row, column, "empty")


def _grid(rows_iter: Iterator[tuple[Any, ...]], limits: Limits) -> tuple[pd.DataFrame, np.ndarray]:
    kept: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    width = 0
    for number, row in enumerate(rows_iter, start=1):
        if not row:
            continue
        cells = tuple(None if isinstance(v, str) and not v.strip() else v for v in row)
        last = len(cells)
        while last and cells[last - 1] is None:
            last -= 1
        if last == 0:
            continue
        if last > limits.max_columns:
            raise ValueError(f"row {number} has {last} columns (limit {limits.max_columns})")
        kept.append(cells[:last])
        numbers.append(number)
        width = max(width, last)
    pd = _pandas()
    frame = pd.DataFrame([r + (None,) * (width - len(r)) for r in kept], columns=range(width), dtype=object)
    return frame, np.asarray(numbers, dtype=np.int64)


# --- a path, planned and parsed -------------------------------------------------------------


@dataclass
class ParsedPath:
    """A path's files planned and parsed (:func:`parse_path`), what the loader builds a dataset from:
    its label (the file's or folder's name), its sources, the findings so far (files skipped in a
    folder, the plan's) and the parser's answer."""

    label: str
    sources: list[Source]
    findings: list[Finding]
    parsed: ParseOutput


def path_sources(path: Path) -> tuple[list[Source], list[Finding]]:
    """The files to read at ``path`` (a workbook, a CSV, a .zip, or a folder of those) and a note
    per other file in a folder; a :class:`DataError` when there is none or no such path."""
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
        return sources, skipped
    if not path.is_file():
        raise DataError([Finding("error", "File not found", file=str(path), hint="Check the path.")])
    return [Source(path.name, Blob(path=str(path)), path.stat().st_size)], []


def parse_path(
    path: Path | str, limits: Limits = DEFAULT_LIMITS, started: Callable[[], None] | None = None
) -> ParsedPath:
    """The files at ``path`` (:func:`path_sources`) planned (:func:`plan`) and parsed in the child
    process (:func:`parse_isolated`; ``started`` as there), without pandas in this process: the
    command line parses before it imports pandas and the analysis (``lib.app.cli``), then builds the
    dataset (:func:`lib.intake.loader.load_parsed`). Any failure leaves as a :class:`DataError`
    (:func:`lib.core.errors.reported_as_findings`)."""
    path = Path(path).resolve()
    with reported_as_findings(path.name):
        sources, skipped = path_sources(path)
    with reported_as_findings(path.name, skipped):
        jobs, plan_findings = plan(sources, limits)
        parsed = parse_isolated(jobs, limits, started=started)
    return ParsedPath(path.name, sources, [*skipped, *plan_findings], parsed)


# --- isolation --------------------------------------------------------------------------------

#: A parser child started ahead of its jobs: :data:`lib.intake.parser_child.PRESTARTED`.
_PRESTARTED = PRESTARTED


def _exchange(
    proc: subprocess.Popen[bytes],
    payload: bytes,
    seconds: float,
    started: Callable[[], None] | None = None,
) -> tuple[object, bytes, bool]:
    """Send ``payload`` to the child and read its answer, killing it after ``seconds``: (the
    unpickled answer or None, its stderr, whether the time limit stopped it).

    The answer is unpickled as it streams from the pipe (:func:`pickle.load`), never held whole as
    bytes: at 100,000 people it is about 670 MB of tables, and ``communicate`` held it once in
    chunks and once joined before unpickling, so an upload's peak memory was three copies of it.
    The payload is written and stderr read on threads of their own (either pipe filling up would
    stall the child); the time limit is a timer that kills the child. ``started``: called once the
    payload is being written, before the answer is awaited."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    stdin, stdout, stderr = proc.stdin, proc.stdout, proc.stderr
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        proc.kill()

    def feed() -> None:
        try:
            stdin.write(payload)
            stdin.close()
        except OSError:  # the child ended before reading it all: its exit code says why
            pass

    errors: list[bytes] = []
    timer = threading.Timer(seconds, stop)
    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True),
    ]
    timer.start()
    for t in threads:
        t.start()
    if started is not None:
        started()
    result: object = None
    answer = answer_file(proc)
    try:
        result = pickle.load(stdout)
        if result == ANSWER_IN_FILE and answer is not None:
            with os.fdopen(answer, "rb") as file:
                answer = None  # closed with the file
                file.seek(0)  # the child wrote through the same offset: it stands at the end
                result = pickle.load(file)
    except Exception:  # a crash or a kill mid-answer: the exit code and stderr say why
        result = None
    finally:
        if answer is not None:
            os.close(answer)
        stdout.close()
        proc.wait()
        timer.cancel()
        for t in [timer, *threads]:  # none left running (the command line forks after loading)
            t.join()
    return result, b"".join(errors), stopped.is_set()


def parse_isolated(jobs: list[Job], limits: Limits, started: Callable[[], None] | None = None) -> ParseOutput:
    """:func:`parse_jobs` in a child process with a memory (``RLIMIT_AS``) and a time limit.

    The child is ``python -m lib.intake.parsing`` (a fresh interpreter, not a multiprocessing fork or
    spawn: those re-run the caller's main script in the child, which breaks callers without an
    ``if __name__ == "__main__"`` guard and costs a Streamlit import per upload). Jobs go in and
    raw tables come back by pickle over the pipes. A child that runs out of memory, crashes or
    overruns the time limit is killed and becomes one error finding naming the file(s); the
    calling process is never at risk. Start-up costs about half a second (importing pandas), paid
    ahead when the caller started the child with :func:`prestart` (:mod:`lib.intake.parser_child`).
    ``started``: called once the jobs are on their way to the child (or at once when there are
    none), before waiting for its answer.
    """
    if not jobs:
        if started is not None:
            started()
        return ParseOutput()
    files = ", ".join(dict.fromkeys(j.file for j in jobs))
    began = time.monotonic()
    proc = take(limits)
    result, err, timed_out = _exchange(
        proc, pickle.dumps((jobs, limits), protocol=5), limits.parse_seconds, started
    )
    if timed_out:
        return ParseOutput(
            findings=[
                _error(
                    f"Reading the file took longer than the {limits.parse_seconds} s limit and was stopped",
                    files,
                    "Very large workbooks read slowly: upload the sheets as CSV files (or a .zip of them).",
                )
            ]
        )
    if proc.returncode == 0 and isinstance(result, ParseOutput):
        return with_frames(result)
    code = proc.returncode
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    last = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
    memory = code < 0 or any("MemoryError" in line for line in last)
    return ParseOutput(
        findings=[
            _error(
                f"Reading the file stopped unexpectedly ({how} after {time.monotonic() - began:.1f} s)"
                + (
                    f"; it probably needed more than the {_mb(limits.parse_memory_bytes)} memory limit"
                    if memory
                    else ""
                ),
                files,
                "Check the file for stray data far below or right of your table; split very large files.",
                value=last[0][:200] if last else "",
            )
        ]
    )


#: What the child writes to stdout when its answer is in the file in memory the parent gave it
#: (:func:`lib.intake.parser_child.start`).
ANSWER_IN_FILE = "the answer is in the file"


def _worker(argv: list[str]) -> int:
    """The child: cap memory and CPU time first, then read jobs from stdin, write the result."""
    import resource

    memory, seconds = int(argv[0]), int(argv[1])
    answer_fd = int(argv[2]) if len(argv) > 2 else None  # a file in memory for the answer
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 5, seconds + 10))
    except (ValueError, OSError):
        pass
    try:
        jobs, limits = pickle.load(sys.stdin.buffer)
    except EOFError:  # a prestarted child whose parent needed no parsing after all
        return 0
    try:
        result = parse_jobs(jobs, limits, frames=False)  # the parent builds the frames
    except MemoryError:
        result = ParseOutput(findings=[_memory_finding(", ".join(j.file for j in jobs), limits)])
    # streamed, not made whole first (66 MB at 10,000 people: its pages faulted in, then copied);
    # into the file in memory when the parent gave one (then only ANSWER_IN_FILE on stdout), else
    # to stdout, which the parent unpickles as it arrives. A failure midway is a broken answer,
    # which the parent reports with the exit code and the last line of stderr (a MemoryError: the limit).
    reply: object = result
    if answer_fd is not None:
        with os.fdopen(answer_fd, "wb") as answer:
            pickle.dump(result, answer, protocol=5)
        reply = ANSWER_IN_FILE
    pickle.dump(reply, sys.stdout.buffer, protocol=5)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    # Run the worker from the imported module, so pickled classes are lib.intake.parsing's, not __main__'s.
    from lib.intake.parsing import _worker as worker

    code = worker(sys.argv[1:])
    # the answer is written and flushed: end without freeing the parsed tables object by object,
    # which the parent would wait for (about 0.05 s at 10,000 people, 0.5 s at 100,000)
    sys.stderr.flush()
    os._exit(code)
