"""Which source a file is, recognised by its shape (names inside a zip, JSON keys, CSV headers),
never by its file name alone. One table of rules (:data:`HEADER_RULES`), read top to bottom."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Literal

from lib.core.schema import DEFAULT_LIMITS, SHEETS_BY_NAME, column_for

__all__ = ["SHAPE_LABELS", "Shape", "csv_header", "key", "open_text", "recognise", "zip_bomb"]

Shape = Literal["slack", "viva_pairs", "viva_person", "zoom", "teams", "mbox", "xapi", "lms", "interactions"]

SHAPE_LABELS: dict[str, str] = {
    "slack": "Slack export",
    "viva_pairs": "Viva Insights person-to-person query",
    "viva_person": "Viva Insights person query (collaboration hours)",
    "zoom": "Zoom participants report",
    "teams": "Teams attendance report",
    "mbox": "e-mail headers (.mbox)",
    "xapi": "xAPI statements",
    "lms": "LMS completions",
    "interactions": "interactions table",
}


def key(name: object) -> str:
    """A header as the rules below spell it: lower case letters and digits only
    (``Name (Original Name)`` → ``nameoriginalname``, ``PersonId`` → ``personid``)."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


#: CSV shapes: (shape, headers that must all be present, as :func:`key` spells them).
HEADER_RULES: tuple[tuple[Shape, tuple[str, ...]], ...] = (
    ("viva_pairs", ("primarycollaboratorpersonid", "secondarycollaboratorpersonid")),
    ("viva_person", ("personid", "metricdate")),
    ("teams", ("firstjoin",)),
    ("teams", ("joinedatdatetime",)),
    ("zoom", ("nameoriginalname",)),
    ("zoom", ("meetingid", "useremail", "jointime")),
    ("zoom", ("useremail", "jointime")),
)
#: LMS completions: a person, a course and a completion date (any of these spellings).
LMS_PERSON = ("personid", "email", "useremail", "learnerid", "learneremail", "userid", "employeeid")
LMS_COURSE = ("course", "coursename", "coursetitle", "courseid", "activity", "module")
LMS_DATE = ("completiondate", "completedon", "completedat", "completed", "dateofcompletion")


def open_text(data: bytes) -> str:
    """Bytes as text: UTF-16 when it starts with a UTF-16 byte-order mark (Teams writes that),
    else UTF-8 (a BOM dropped), else Latin-1."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def csv_header(head: str) -> list[str]:
    """The header row of CSV (or tab-separated) text: the first row with at least two cells."""
    for line in head.splitlines()[:60]:
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        if sum(1 for c in cells if c.strip()) >= 2:
            return [c.strip() for c in cells]
    return []


def _headers_anywhere(head: str) -> set[str]:
    """Every cell of the first lines, normalised (report files put their header below a summary)."""
    cells: set[str] = set()
    for line in head.splitlines()[:60]:
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        for row in csv.reader(io.StringIO(line), delimiter=delimiter):
            cells |= {key(c) for c in row if c.strip()}
    return cells


def _csv_shape(head: str) -> Shape | None:
    cells = _headers_anywhere(head)
    for shape, needed in HEADER_RULES:
        if all(n in cells for n in needed):
            return shape
    has = (any(k in cells for k in keys) for keys in (LMS_PERSON, LMS_COURSE, LMS_DATE))
    if all(has):
        return "lms"
    spec = SHEETS_BY_NAME["interactions"]
    found = {c.name for h in csv_header(head) if (c := column_for(spec, h)) is not None}
    if {"timestamp", "source_id", "channel"} <= found:
        return "interactions"
    return None


def _json_shape(head: str) -> Shape | None:
    text = head.lstrip()
    if text.startswith(("{", "[")) and '"actor"' in text and '"verb"' in text:
        return "xapi"
    return None


def zip_bomb(zf: zipfile.ZipFile) -> str:
    """Why the zip may not be unpacked (a member compressed beyond
    :attr:`lib.core.schema.Limits.max_compression_ratio`), or "" when it may."""
    for info in zf.infolist():
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > DEFAULT_LIMITS.max_compression_ratio:
            return f"{info.filename} is compressed {ratio:,.0f} to 1 (more than {DEFAULT_LIMITS.max_compression_ratio:g})"
    return ""


def recognise(path: Path) -> Shape | None:
    """The shape of the file or folder at ``path``, or None when it is none of the known ones."""
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        return "slack" if {"users.json", "channels.json"} <= names else None
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            if zip_bomb(zf):
                return None
            names = {Path(n).name for n in zf.namelist() if n.count("/") <= 1}
        return "slack" if {"users.json", "channels.json"} <= names else None
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        spec = SHEETS_BY_NAME["interactions"]
        found = {c.name for h in pq.read_schema(path).names if (c := column_for(spec, h)) is not None}
        return "interactions" if {"timestamp", "source_id", "channel"} <= found else None
    with path.open("rb") as fh:
        raw = fh.read(64 * 1024)
    if raw.startswith(b"From "):
        return "mbox"
    head = open_text(raw)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json_shape(head)
    shape = _json_shape(head)
    return shape if shape is not None else _csv_shape(head)
