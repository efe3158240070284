"""Survey tools' exports, read as the tools write them, into one :class:`Export` shape.

The tool is recognised from its header signature (:data:`SIGNATURES`), never from the file name:

* **Microsoft Forms** (.xlsx): ``ID, Start time, Completion time, Email, Name``, then one column
  per question headed by its text (a Likert question: one column per statement).
* **Google Forms** (.csv): ``Timestamp``, ``Email Address`` when collected, then one column per
  question; a grid as ``Question [Row]`` columns.
* **Qualtrics** (.csv): three header rows (export tags, question text, ``{"ImportId": ...}``);
  a matrix row's text is ``stem - statement``; ``Finished`` and ``Progress`` for partial responses.
* **SurveyMonkey** (.xlsx or .csv): two header rows, the question text spanning its columns, then
  the option or statement per column ("Response" for a one-column question). *Expanded*: a
  checkbox option per column, holding the option's text when chosen; *condensed*: one column per
  question, the chosen options joined.

Files are planned and parsed by :mod:`lib.intake.parsing` (limits, a child process, UTF-8 with BOM,
UTF-16 and the separator sniffed). The tools' own columns are sorted by :data:`META_COLUMNS`:
what identifies the respondent is kept for matching only; IP addresses, locations and other
system columns are dropped and counted, and never reach the dataset.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from lib.core.errors import Finding
from lib.core.schema import DEFAULT_LIMITS, Limits, normalise_name
from lib.intake.parsing import Blob, ParseOutput, RawSheet, Source, parse_isolated, parse_jobs, plan_table

__all__ = [
    "META_COLUMNS",
    "SIGNATURES",
    "TOOLS",
    "Export",
    "ExportColumn",
    "MetaRole",
    "cell_text",
    "read_export",
    "read_table",
    "recognise",
]

Tool = Literal["Microsoft Forms", "Google Forms", "Qualtrics", "SurveyMonkey"]
TOOLS: tuple[Tool, ...] = ("Microsoft Forms", "Google Forms", "Qualtrics", "SurveyMonkey")

#: What a tool's own (non-question) column holds. ``employee_id``, ``email`` and the name parts
#: serve the respondent match only; ``time`` orders duplicates; the rest are dropped.
MetaRole = Literal[
    "response_id",
    "employee_id",
    "email",
    "name",
    "first_name",
    "last_name",
    "finished",
    "progress",
    "time",
    "ip",
    "location",
    "system",
]

#: tool → normalised header → its role. Headers as each tool writes them (normalised with
#: :func:`lib.core.schema.normalise_name`: case, spaces, dashes and underscores ignored).
META_COLUMNS: dict[Tool, dict[str, MetaRole]] = {
    "Microsoft Forms": {
        "id": "response_id",
        "starttime": "system",
        "completiontime": "time",
        "email": "email",
        "name": "name",
        "lastmodifiedtime": "system",
        "totalpoints": "system",
        "quizfeedback": "system",
        "grade": "system",
    },
    "Google Forms": {
        "timestamp": "time",
        "emailaddress": "email",
        "username": "email",
        "score": "system",
        "totalscore": "system",
    },
    "Qualtrics": {
        "startdate": "system",
        "enddate": "time",
        "status": "system",
        "ipaddress": "ip",
        "progress": "progress",
        "duration(inseconds)": "system",
        "finished": "finished",
        "recordeddate": "system",
        "responseid": "response_id",
        "recipientlastname": "last_name",
        "recipientfirstname": "first_name",
        "recipientemail": "email",
        "externalreference": "employee_id",
        "externaldatareference": "employee_id",
        "locationlatitude": "location",
        "locationlongitude": "location",
        "distributionchannel": "system",
        "userlanguage": "system",
        "qrecaptchascore": "system",
        "qrelevantidduplicate": "system",
        "qrelevantidduplicatescore": "system",
        "qrelevantidfraudscore": "system",
        "qrelevantidlaststartdate": "system",
    },
    "SurveyMonkey": {
        "respondentid": "response_id",
        "collectorid": "system",
        "startdate": "system",
        "enddate": "time",
        "ipaddress": "ip",
        "emailaddress": "email",
        "firstname": "first_name",
        "lastname": "last_name",
        "customdata1": "employee_id",
        "customdata2": "system",
        "customdata3": "system",
        "customdata": "employee_id",
    },
}

#: tool → normalised headers that must all be present (the signature), checked in this order.
SIGNATURES: tuple[tuple[Tool, frozenset[str]], ...] = (
    ("Qualtrics", frozenset({"responseid", "finished"})),
    ("SurveyMonkey", frozenset({"respondentid", "collectorid"})),
    ("Microsoft Forms", frozenset({"id", "starttime", "completiontime"})),
    ("Google Forms", frozenset({"timestamp"})),
)
#: Google Forms' first header in the languages a responses sheet is written in.
GOOGLE_TIMESTAMPS = frozenset(
    {"timestamp", "horodateur", "zeitstempel", "marcatemporal", "tijdstempel", "carimbodedatahora"}
)
#: SurveyMonkey's second-row word for a one-column question.
MONKEY_RESPONSE = frozenset({"response", "openendedresponse", ""})
#: Free text among the choices: dropped (counted), never read as a name or a value.
OTHER_TEXT = re.compile(r"(_TEXT$|other \(please specify\)|^other$|please specify)", re.IGNORECASE)


@dataclass(frozen=True)
class ExportColumn:
    """One answer column of an export: the question's text, the statement or option it holds
    (``""`` when the column is the whole question) and the tool's export tag (Qualtrics)."""

    index: int
    header: str  # as a person reads it: "Question [Row]", "Qn_1", the question text
    question: str
    item: str = ""
    tag: str = ""
    option: bool = False  # SurveyMonkey expanded: the cell holds ``item`` when chosen
    free_text: bool = False  # a text entry ("Other, please specify", a Qualtrics ``_TEXT`` part)

    @property
    def key(self) -> str:
        """A stable name for the column across waves: the tag, else the question and item."""
        if self.tag:
            return self.tag
        return f"{self.question} [{self.item}]" if self.item else self.question


@dataclass
class Export:
    """An export as read: answer columns, one row per response, and per response what the tool
    knows of the respondent (kept for matching only) and whether it was finished."""

    tool: Tool
    variant: str
    file: str
    columns: list[ExportColumn]
    answers: pd.DataFrame  # one column per ExportColumn.index; text cells, "" = blank
    rows: list[int]  # the Excel row of each response
    respondent: pd.DataFrame  # response_id, employee_id, email, name, finished (bool), progress, time
    dropped: dict[str, int] = field(default_factory=dict)  # what was dropped → how many columns
    findings: list[Finding] = field(default_factory=list)


def cell_text(value: object) -> str:
    """A cell as text: blank for None/NaN, ``3`` for 3.0, ISO for dates, trimmed."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(
    name: str, data: bytes, limits: Limits = DEFAULT_LIMITS, isolated: bool = True
) -> tuple[RawSheet | None, list[Finding]]:
    """The one table in ``data`` (a CSV file, or a workbook's first visible sheet), as raw cells.

    ``isolated`` parses in a limited child process (uploads); tests may parse in process."""
    jobs, findings = plan_table(Source(name, Blob(data=data), len(data)), limits)
    if any(f.severity == "error" for f in findings) or not jobs:
        return None, findings
    out: ParseOutput = parse_isolated(jobs, limits) if isolated else parse_jobs(jobs, limits)
    findings += out.findings
    if not out.sheets or any(f.severity == "error" for f in findings):
        return None, findings
    return out.sheets[0], findings


def recognise(header: list[str], third_row: list[str] | None = None) -> Tool | None:
    """The tool whose header signature ``header`` (the first row) carries, or None."""
    keys = {normalise_name(h) for h in header}
    for tool, signature in SIGNATURES:
        if signature <= keys:
            return tool
    if header and normalise_name(header[0]) in GOOGLE_TIMESTAMPS:
        return "Google Forms"
    if third_row and any(c.startswith('{"ImportId"') for c in third_row):
        return "Qualtrics"
    return None


def read_export(
    name: str, data: bytes, limits: Limits = DEFAULT_LIMITS, isolated: bool = True
) -> tuple[Export | None, list[Finding]]:
    """Read a survey tool's export (.csv or .xlsx) as the tool wrote it.

    Returns (None, findings with an error) when the file cannot be read or no tool is recognised."""
    raw, findings = read_table(name, data, limits, isolated)
    if raw is None:
        return None, findings
    grid = [[cell_text(v) for v in row] for row in raw.frame.itertuples(index=False)]
    rows = [int(r) for r in raw.rows]
    if not grid:
        return None, [*findings, Finding("error", "The export is empty", file=name)]
    third = grid[2] if len(grid) > 2 else None
    tool = recognise(grid[0], third)
    if tool is None:
        return None, [
            *findings,
            Finding(
                "error",
                "The export's header is not one of Microsoft Forms, Google Forms, Qualtrics or SurveyMonkey",
                file=name,
                row=rows[0],
                value=", ".join(grid[0][:5]),
                hint="Upload the export exactly as the survey tool gave it (the first rows unchanged).",
            ),
        ]
    reader = {
        "Microsoft Forms": _one_header,
        "Google Forms": _one_header,
        "Qualtrics": _qualtrics,
        "SurveyMonkey": _surveymonkey,
    }[tool]
    export = reader(tool, name, grid, rows)
    export.findings = findings + export.findings
    return export, export.findings


# --- the layouts --------------------------------------------------------------------------------

_GRID = re.compile(r"^(?P<q>.*\S)\s*\[(?P<item>[^\[\]]*)\]$")


def _split_grid(text: str) -> tuple[str, str]:
    """``Question [Row]`` → (question, row); other text → (text, "")."""
    m = _GRID.match(text)
    return (m.group("q"), m.group("item").strip()) if m else (text, "")


_MS_LIKERT = re.compile(r"^(?P<q>.*\?)\.(?P<item>\S.*)$", re.DOTALL)


def _ms_split(text: str) -> tuple[str, str]:
    """Microsoft Forms heads a Likert statement's column ``Question?.Statement`` (or the
    statement alone: then the statement is the column's question)."""
    m = _MS_LIKERT.match(text)
    return (m.group("q").strip(), m.group("item").strip()) if m else _split_grid(text)


def _one_header(tool: Tool, file: str, grid: list[list[str]], rows: list[int]) -> Export:
    """Microsoft Forms and Google Forms: one header row, then one row per response."""
    header = grid[0]
    meta = META_COLUMNS[tool]
    columns: list[ExportColumn] = []
    roles: dict[int, MetaRole] = {}
    for j, text in enumerate(header):
        key = normalise_name(text)
        if key in meta and j < 8:  # the tools put their own columns first
            roles[j] = meta[key]
            continue
        question, item = _split_grid(text) if tool == "Google Forms" else _ms_split(text)
        columns.append(ExportColumn(j, text, question, item))
    variant = "responses sheet (.csv)" if tool == "Google Forms" else "responses (.xlsx)"
    return _assemble(tool, variant, file, columns, roles, grid[1:], rows[1:])


def _qualtrics(tool: Tool, file: str, grid: list[list[str]], rows: list[int]) -> Export:
    """Qualtrics: export tags, question text, ``{"ImportId": ...}``; then the responses."""
    tags, texts = grid[0], grid[1] if len(grid) > 1 else []
    has_import = len(grid) > 2 and any(c.startswith("{") for c in grid[2])
    body = 3 if has_import else 2
    meta = META_COLUMNS[tool]
    columns: list[ExportColumn] = []
    roles: dict[int, MetaRole] = {}
    for j, tag in enumerate(tags):
        key = normalise_name(tag)
        if key in meta:
            roles[j] = meta[key]
            continue
        text = texts[j] if j < len(texts) else tag
        question, item = text, ""
        if re.search(r"_\d+$", tag) and " - " in text:
            question, _, item = text.rpartition(" - ")
        import_id = _import_id(grid[2][j]) if has_import and j < len(grid[2]) else ""
        free = bool(OTHER_TEXT.search(import_id) or OTHER_TEXT.search(tag))
        columns.append(ExportColumn(j, tag, question.strip(), item.strip(), tag=tag, free_text=free))
    numeric = _looks_numeric(grid[body:], columns)
    variant = "numeric values" if numeric else "choice text"
    return _assemble(tool, variant, file, columns, roles, grid[body:], rows[body:])


def _import_id(cell: str) -> str:
    try:
        value = json.loads(cell)
    except ValueError:
        return ""
    return str(value.get("ImportId", "")) if isinstance(value, dict) else ""


def _looks_numeric(body: list[list[str]], columns: list[ExportColumn]) -> bool:
    """Qualtrics' numeric export: every choice cell a whole number or comma-joined whole numbers
    (text-entry columns aside)."""
    cells = [r[c.index] for r in body for c in columns if c.index < len(r) and r[c.index] and not c.free_text]
    numeric = sum(1 for v in cells if re.fullmatch(r"\d+(,\d+)*", v))
    return bool(cells) and numeric > len(cells) / 2


_HTML_TAG = re.compile(r"<[^<>]*>")


def _plain(text: str) -> str:
    """Header text without the survey's rich-text formatting: SurveyMonkey exports a question's
    HTML (``<strong>Who …</strong>``, entities such as ``&amp;``) as it was written."""
    if "<" not in text and "&" not in text:
        return text
    return " ".join(html.unescape(_HTML_TAG.sub(" ", text)).split())


def _surveymonkey(tool: Tool, file: str, grid: list[list[str]], rows: list[int]) -> Export:
    """SurveyMonkey: the question text over its columns, then the option or statement per column.

    As real exports lay it out: the nine leading columns (``Respondent ID`` … ``Custom Data 1``)
    have a blank second-row cell; a question's text heads its first column only; the second row
    reads ``Response`` or ``Open-Ended Response`` for a one-column question, else the option,
    statement or sub-field. A checkbox column holds its option's text when chosen, so a question
    with such columns is a checkbox question and its never-chosen (empty) columns are options too.
    """
    top = [_plain(c) for c in grid[0]]
    second = [_plain(c) for c in grid[1]] if len(grid) > 1 else []
    meta = META_COLUMNS[tool]
    columns: list[ExportColumn] = []
    roles: dict[int, MetaRole] = {}
    question = ""
    for j, text in enumerate(top):
        key = normalise_name(text)
        sub = second[j] if j < len(second) else ""
        if key in meta and normalise_name(sub) in MONKEY_RESPONSE:
            roles[j] = meta[key]
            question = ""
            continue
        question = text or question
        item = "" if normalise_name(sub) in MONKEY_RESPONSE else sub
        columns.append(ExportColumn(j, f"{question} [{item}]" if item else question, question, item))
    body = grid[2:]
    values = {c.index: {r[c.index] for r in body if c.index < len(r) and r[c.index]} for c in columns}
    chosen = {c.index for c in columns if c.item and values[c.index] == {c.item}}
    checkbox = {c.question for c in columns if c.index in chosen}
    marked = []
    for c in columns:
        unchosen = bool(c.item) and not values[c.index] and c.question in checkbox
        option = (c.index in chosen or unchosen) and not OTHER_TEXT.search(c.item)
        marked.append(ExportColumn(c.index, c.header, c.question, c.item, option=option))
    expanded = any(c.option for c in marked) or _spanned(marked)
    variant = "expanded" if expanded else "condensed"
    return _assemble(tool, variant, file, marked, roles, body, rows[2:])


def _spanned(columns: list[ExportColumn]) -> bool:
    """A question spanning several columns with options (not statements) marks the expanded form."""
    seen: dict[str, int] = {}
    for c in columns:
        seen[c.question] = seen.get(c.question, 0) + 1
    return any(n > 1 and any(c.option for c in columns if c.question == q) for q, n in seen.items())


def _assemble(
    tool: Tool,
    variant: str,
    file: str,
    columns: list[ExportColumn],
    roles: dict[int, MetaRole],
    body: list[list[str]],
    rows: list[int],
) -> Export:
    """The export's answers and respondent columns from the header analysis; drops what must go."""
    width = max([len(r) for r in body] + [c.index + 1 for c in columns] + [max(roles, default=-1) + 1])
    padded = [r + [""] * (width - len(r)) for r in body]
    frame = pd.DataFrame(padded, columns=range(width), dtype=object) if padded else pd.DataFrame()
    kept = [c for c in columns if not c.free_text and not OTHER_TEXT.search(c.item)]
    dropped: dict[str, int] = {}
    free = len(columns) - len(kept)
    if free:
        dropped["free-text ('Other') answers"] = free
    for role in roles.values():
        if role in ("ip", "location", "system"):
            what = {"ip": "IP addresses", "location": "locations", "system": "the tool's system columns"}[
                role
            ]
            dropped[what] = dropped.get(what, 0) + 1
    respondent = pd.DataFrame(
        {
            "response_id": _role(frame, roles, "response_id"),
            "employee_id": _role(frame, roles, "employee_id"),
            "email": _role(frame, roles, "email"),
            "name": _names(frame, roles),
            "finished": _finished(frame, roles),
            "progress": _role(frame, roles, "progress"),
            "time": _role(frame, roles, "time"),
        }
    )
    answers = (
        frame[[c.index for c in kept]].copy() if len(frame) else pd.DataFrame(columns=[c.index for c in kept])
    )
    return Export(tool, variant, file, kept, answers, rows, respondent, dropped)


def _role(frame: pd.DataFrame, roles: dict[int, MetaRole], role: MetaRole) -> list[str]:
    cols = [j for j, r in roles.items() if r == role]
    if not cols or frame.empty:
        return [""] * len(frame)
    return [str(v) for v in frame[cols[0]]]


def _names(frame: pd.DataFrame, roles: dict[int, MetaRole]) -> list[str]:
    full = _role(frame, roles, "name")
    first, last = _role(frame, roles, "first_name"), _role(frame, roles, "last_name")
    return [n or " ".join(p for p in (f, la) if p) for n, f, la in zip(full, first, last, strict=True)]


def _finished(frame: pd.DataFrame, roles: dict[int, MetaRole]) -> list[bool]:
    """Qualtrics ``Finished`` (True/False or 1/0); every other tool records finished responses only."""
    return [v.strip().lower() not in ("false", "0", "no") for v in _role(frame, roles, "finished")]
