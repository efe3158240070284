"""Loading and validation: uploaded files in, a canonical :class:`~lib.core.dataset.Dataset` out.

``load_path`` (a workbook, a CSV, a zip, or a folder) and ``load_files`` (uploaded name + bytes)
collect *every* problem in one pass. Any error raises :class:`lib.core.errors.DataError` carrying all
findings (errors first); otherwise the dataset's ``findings`` hold the warnings and notes.

Stages, one module each; this one runs them in order:

1. :func:`lib.intake.parsing.plan` checks limits without parsing (zip bombs, stray cells at
   ``XFD1048576``) and :func:`lib.intake.parsing.parse_isolated` parses in a memory- and
   time-limited child process (raw grids of cells);
2. :mod:`lib.intake.headers` finds each sheet's header row and maps its columns through
   :data:`lib.core.schema.SHEETS` (a :class:`lib.intake.table.Table`);
3. :mod:`lib.intake.convert` converts every column by its kind (one converter per kind, reading
   single values through :mod:`lib.intake.cells`);
4. :mod:`lib.intake.sheets` assembles each sheet's table by its rules, and
   :mod:`lib.intake.crosscheck` checks across rows and sheets (unknown people, reporting cycles,
   two id schemes).

Checks are vectorised; each check reports at most :data:`MAX_FINDINGS_PER_CHECK` rows, then one
"… and N more rows like this" finding.

Row numbers are what Excel shows (header = row 1 when it is the first row); columns are named as
the user wrote them (``Employee ID``), not by their canonical name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from lib.core import forked
from lib.core.dataset import (
    Dataset,
    empty_table,
)
from lib.core.errors import DataError, Finding, reported_as_findings, sort_findings
from lib.core.schema import (
    CHANNEL_MODES,
    DEFAULT_LIMITS,
    SHEETS_BY_NAME,
    Limits,
    sheet_for,
)
from lib.intake.cells import LARGEST_NUMBER
from lib.intake.headers import HEADER_SEARCH_ROWS, map_table
from lib.intake.parsing import (
    Blob,
    ParsedPath,
    ParseOutput,
    RawSheet,
    Source,
    parse_isolated,
    parse_path,
    plan,
)
from lib.intake.sheets import (
    interactions_table,
    learning_table,
    people_table,
    role_skills_table,
    skills_table,
    ties_table,
    trust_items_table,
    trust_table,
    work_table,
)
from lib.intake.summaries import read_summaries
from lib.intake.table import MAX_FINDINGS_PER_CHECK, Findings, Table

__all__ = [
    "HEADER_SEARCH_ROWS",
    "LARGEST_NUMBER",
    "MAX_FINDINGS_PER_CHECK",
    "load_files",
    "load_parsed",
    "load_path",
]


def load_path(
    path: Path | str,
    limits: Limits = DEFAULT_LIMITS,
    fork: bool = False,
) -> Dataset:
    """Load a workbook (.xlsx), a CSV, a .zip of CSVs (or workbooks), or a folder of CSV files.

    A CSV file's stem names its sheet (``people.csv``, ``Employees.csv``, ``ties.csv``). Raises
    :class:`DataError` with every finding when anything blocks loading. ``fork`` (the one-shot
    command line only: :mod:`lib.core.forked`): the sheets after people, ties and interactions are
    built in a forked child meanwhile (:data:`FORKED_SHEETS`; up to :data:`lib.core.forked.MAX_PEOPLE`
    people); the same dataset and findings. (The command line's ``analyze`` calls the two stages
    itself, :func:`lib.intake.parsing.parse_path` then :func:`load_parsed`, to import pandas and
    the analysis while the file parses.)
    """
    return load_parsed(parse_path(path, limits), fork)


def load_parsed(parsed: ParsedPath, fork: bool = False) -> Dataset:
    """The dataset of a path already planned and parsed (:func:`lib.intake.parsing.parse_path`):
    what :func:`load_path` gives. ``fork`` as there."""
    with reported_as_findings(parsed.label, parsed.findings):
        return _from_parsed(parsed.parsed, parsed.sources, parsed.label, parsed.findings, fork)


def _no_step(name: str) -> None:
    """What a load reports of its steps when nobody shows them: nothing."""


def load_files(
    files: Sequence[tuple[str, bytes]],
    limits: Limits = DEFAULT_LIMITS,
    step: Callable[[str], None] = _no_step,
) -> Dataset:
    """Load uploaded files (name, bytes): several CSVs form one dataset; several workbooks are
    one workbook per wave (each file's stem labels the rows that have no ``wave``). ``step(name)``
    is called as each step starts (the Data page's progress box: at 100,000 people a load takes
    about 20 s): :data:`LOAD_STEPS`, in that order, those the files need."""
    if not files:
        raise DataError(
            [Finding("error", "No file was uploaded", hint="Upload a workbook, CSV files or a zip.")]
        )
    sources = [Source(name, Blob(data=bytes(data)), len(data)) for name, data in files]
    return _load(sources, limits, ", ".join(name for name, _ in files), step)


#: The steps of a load, as :func:`load_files` names them to its ``step``.
LOAD_STEPS = (
    "looking inside the files",
    "reading the sheets",
    "checking the people",
    "checking the ties",
    "checking the interactions",
    "checking the other sheets",
    "reading the collaboration summaries",
)


def _load(
    sources: list[Source], limits: Limits, label: str, step: Callable[[str], None] = _no_step
) -> Dataset:
    """Plan, parse and build ``sources``; any failure leaves as a :class:`DataError`
    (:func:`lib.core.errors.reported_as_findings`)."""
    with reported_as_findings(label):
        step(LOAD_STEPS[0])
        jobs, plan_findings = plan(sources, limits)
        step(LOAD_STEPS[1])
        parsed = parse_isolated(jobs, limits)
        return _from_parsed(parsed, sources, label, plan_findings, step=step)


def _from_parsed(
    parsed: ParseOutput,
    sources: list[Source],
    label: str,
    findings: list[Finding],
    fork: bool = False,
    step: Callable[[str], None] = _no_step,
) -> Dataset:
    found = Findings([*findings, *parsed.findings])
    unreadable = any(f.severity == "error" for f in found.items)
    ds = _build(parsed.sheets, found, unreadable, fork, step)
    ds.source = label
    ids = pd.Index(ds.people["person_id"]) if len(ds.people) else None
    step(LOAD_STEPS[6])
    ds.channels, ds.collaboration_hours, summary_findings = read_summaries(sources, ids, ds.channel_modes)
    for finding in summary_findings:
        found.add(finding)
    if any(f.severity == "error" for f in found.items):
        raise DataError(found.items)
    ds.findings = sort_findings(found.items)
    return ds


#: The sheets :func:`_build` hands to a forked child when asked (``fork``), built there while this
#: process builds the ties and interactions (about half of the work each at 10,000 people).
FORKED_SHEETS = ("learning", "trust_items", "trust", "work", "skills", "role_skills")


def _strip(frame: pd.DataFrame) -> pd.DataFrame:
    """A built table as the dataset holds it: without the loader's ``_t`` and ``_row`` columns,
    blanks of text columns as "" (tables from several files may not share every text column)."""
    out = frame.drop(columns=["_t", "_row"], errors="ignore").reset_index(drop=True)
    for c in out.columns:
        if (out[c].dtype == object or pd.api.types.is_string_dtype(out[c])) and out[c].isna().any():
            out[c] = out[c].fillna("").astype("str")
    return out


def _build(
    raws: list[RawSheet],
    found: Findings,
    unreadable: bool,
    fork: bool = False,
    step: Callable[[str], None] = _no_step,
) -> Dataset:
    step(LOAD_STEPS[2])
    tables: list[Table] = []
    by_sheet: dict[str, list[Table]] = {}
    for raw in raws:
        spec = sheet_for(raw.sheet)
        if spec is None:  # plan() only sends known sheets; kept for safety
            continue
        table = map_table(raw, spec, found)
        if table is None:
            continue
        tables.append(table)
        by_sheet.setdefault(spec.name, []).append(table)

    people_tables = by_sheet.get("people", [])
    if people_tables:
        people = people_table(people_tables, found)
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
    ds = Dataset(people=_strip(people), channel_modes=dict(CHANNEL_MODES))
    fork = fork and len(people) <= forked.MAX_PEOPLE
    collect = forked.start(lambda: _other_tables(by_sheet, ids, found, len(found.items))) if fork else None
    if "ties" in by_sheet:
        step(LOAD_STEPS[3])
        ds.ties = _strip(ties_table(by_sheet["ties"], ids, found))
    if "interactions" in by_sheet:
        step(LOAD_STEPS[4])
        ds.interactions = _strip(interactions_table(by_sheet["interactions"], ids, found, ds.channel_modes))
    step(LOAD_STEPS[5])
    others = collect() if collect is not None else None
    if others is None:
        others = _other_tables(by_sheet, ids, found, len(found.items))
    else:
        for finding in others[1]:
            found.add(finding)
    for name, frame in others[0].items():
        setattr(ds, name, frame)
    return ds


def _other_tables(
    by_sheet: dict[str, list[Table]], ids: pd.Index | None, found: Findings, first: int
) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """The :data:`FORKED_SHEETS` tables that have a sheet (trust items always: the built-in bank by
    default), and the findings added to ``found`` from its ``first`` on."""
    tables: dict[str, pd.DataFrame] = {}
    if "learning" in by_sheet:
        tables["learning"] = _strip(learning_table(by_sheet["learning"], ids, found))
    tables["trust_items"] = trust_items = trust_items_table(by_sheet.get("trust_items", []), found)
    if "trust" in by_sheet:
        tables["trust"] = _strip(trust_table(by_sheet["trust"], ids, trust_items, found))
    if "work" in by_sheet:
        tables["work"] = _strip(work_table(by_sheet["work"], ids, found))
    if "skills" in by_sheet:
        tables["skills"] = _strip(skills_table(by_sheet["skills"], ids, found))
    if "role_skills" in by_sheet:
        tables["role_skills"] = _strip(role_skills_table(by_sheet["role_skills"], found))
    return tables, found.items[first:]
