"""Sources → ties, learning hours and a channel summary → a zip of contract CSVs.

:func:`ingest` recognises each source by its shape (:mod:`lib.intake.logs.shapes`), reads the
Python-read ones (Slack, mail, meetings, xAPI) into a staged Parquet file, registers the rest
(our own table, Viva Insights, LMS CSVs) as views the engine reads directly, and runs the
aggregation (:mod:`lib.intake.logs.aggregate`) on DuckDB or Spark. :func:`write_zip` writes the
result as the data contract the loader, ``analyze``, ``import`` and the app read.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from lib.core.dataset import Dataset
from lib.core.schema import CHANNEL_MODES
from lib.intake.logs import aggregate as agg
from lib.intake.logs import learning, mail, meetings, slack
from lib.intake.logs.events import HOURS_SCHEMA, Event, Hours, IngestReport, ParquetSink
from lib.intake.logs.learning import read_xapi
from lib.intake.logs.mail import read_mbox
from lib.intake.logs.meetings import read_teams, read_zoom
from lib.intake.logs.shapes import SHAPE_LABELS, Shape, key, recognise, zip_bomb
from lib.intake.logs.slack import read_slack
from lib.intake.logs.tables import interactions_select, lms_select, viva_hours_select, viva_pairs_selects

__all__ = [
    "COUNTING_RULES",
    "IDENTITY_COLUMNS",
    "RELATION",
    "IngestOptions",
    "IngestResult",
    "expand_sources",
    "ingest",
    "read_roster",
    "roster_keys",
    "with_logs",
    "write_zip",
]

RELATION = "interactions"
#: People columns whose values also identify a person in logs (matched after the person id),
#: by a word in their normalised name: e-mail, UPN, user names and tool ids.
IDENTITY_COLUMNS: tuple[str, ...] = ("mail", "upn", "userid", "username", "login", "slack", "zoom", "viva")
ENGINES: tuple[str, ...] = ("duckdb", "spark")

#: The counting rules, as the README and the Data page state them (each reader owns its rule).
COUNTING_RULES: tuple[str, ...] = (
    *slack.RULES,
    mail.RULE,
    meetings.RULE,
    "Learning records: an xAPI 'completed' statement with a duration, and an LMS completion row with "
    "its duration, are formal learning (FSL) hours of the person in the period; "
    + ", ".join(learning.INTERACTION_VERBS)
    + " statements are interactions (to the person addressed, else broadcasts); other verbs are skipped.",
    "Viva Insights: each count column of a person-to-person row (emails, meetings, chats, calls) is that "
    "many interactions from the primary to the secondary collaborator in the row's week; the person "
    "query's collaboration hours are summed per person and period.",
    "Our own interactions table: a row with a target_id is one interaction from source to target, whatever "
    "its channel; a row without one is a broadcast.",
    "Identities are matched to the roster by person id, e-mail or user-id column, ignoring case; people "
    "not on the roster are counted as unknown and never make a tie; self-interactions never count.",
    "Ties per pair and period (--period all, month, quarter or 4w): a pair is a tie in a period when it "
    "has at least --min-interactions interactions (default: 2 in a 4-week window, Viva Insights' rule); "
    "the weight is the count. Channels are classed stock or flow by the channel mapping.",
)


@dataclass(frozen=True)
class IngestOptions:
    engine: Literal["duckdb", "spark"] = "duckdb"
    period: str = "4w"
    min_interactions: int = 2
    max_recipients: int = 25
    memory_limit: str = "1GB"


@dataclass
class IngestResult:
    """Everything :func:`write_zip` writes, and the report of what was read and skipped."""

    people: pd.DataFrame
    ties: pd.DataFrame
    learning: pd.DataFrame
    channels: pd.DataFrame
    collaboration_hours: pd.DataFrame
    report: IngestReport = field(default_factory=IngestReport)


def roster_keys(people: pd.DataFrame) -> pd.DataFrame:
    """``key`` (trimmed, lower case) → ``person_id``: every person id, then the values of the
    identity columns (:data:`IDENTITY_COLUMNS`). A key already taken keeps its first person, so
    a join never doubles an event."""
    frames = [pd.DataFrame({"key": people["person_id"], "person_id": people["person_id"]})]
    for col in people.columns:
        if col != "person_id" and any(w in key(col) for w in IDENTITY_COLUMNS):
            frames.append(pd.DataFrame({"key": people[col], "person_id": people["person_id"]}))
    keys = pd.concat(frames, ignore_index=True).dropna()
    keys = keys.astype({"key": "str", "person_id": "str"})
    keys["key"] = keys["key"].str.strip().str.lower()
    keys = keys[keys["key"] != ""]
    return keys.drop_duplicates("key", ignore_index=True)


def _raw_people(path: Path) -> pd.DataFrame:
    """The roster's people table as text, every column kept (the loader reads a column named
    ``email`` as the person id when there is no ``person_id``, and drops it when there is)."""
    from lib.core.schema import sheet_for

    people = sheet_for("people")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return pd.read_csv(path, dtype=str)
    if suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.lower().endswith(".csv") and sheet_for(Path(name).stem) is people:
                    with zf.open(name) as fh:
                        return pd.read_csv(fh, dtype=str)
        return pd.DataFrame()
    if suffix in (".xlsx", ".xlsm"):
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        return next((f for n, f in sheets.items() if sheet_for(str(n)) is people), pd.DataFrame())
    return pd.DataFrame()


def read_roster(path: Path) -> pd.DataFrame:
    """The people of the roster at ``path`` as the loader reads them (a DataError when it does
    not load), with the roster's identity columns (:data:`IDENTITY_COLUMNS`) added back: e-mail
    and user-id columns the loader does not keep, matched through the column holding the ids."""
    from lib.intake.loader import load_path

    people = load_path(path).people
    try:
        raw = _raw_people(path)
    except (OSError, ValueError, zipfile.BadZipFile):
        return people
    ids = set(people["person_id"].astype(str))
    by_overlap = sorted(raw.columns, key=lambda c: -raw[c].dropna().str.strip().isin(ids).sum())
    if raw.empty or not by_overlap:
        return people
    id_col = by_overlap[0]
    extra = [
        c
        for c in raw.columns
        if c != id_col and c not in people.columns and any(w in key(c) for w in IDENTITY_COLUMNS)
    ]
    if not extra:
        return people
    identities = raw[[id_col, *extra]].rename(columns={id_col: "person_id"})
    identities["person_id"] = identities["person_id"].str.strip()
    identities = identities.drop_duplicates("person_id")
    return people.merge(
        identities.add_prefix("roster_").rename(columns={"roster_person_id": "person_id"}),
        on="person_id",
        how="left",
    )


def expand_sources(paths: Sequence[Path], work: Path, report: IngestReport) -> Iterator[tuple[Path, Shape]]:
    """Each source file with its shape: a folder is its files (unless it is a Slack export), a
    zip that is not a Slack export is its members; what no rule recognises is skipped, counted."""
    for path in paths:
        if not path.exists():
            report.notes.append(f"not found: {path}")
            continue
        shape = recognise(path)
        if shape is not None:
            yield path, shape
        elif path.is_dir():
            yield from expand_sources(sorted(p for p in path.iterdir() if p.is_file()), work, report)
        elif path.suffix.lower() == ".zip":
            target = work / f"unzipped-{len(list(work.iterdir()))}"
            with zipfile.ZipFile(path) as zf:
                if why := zip_bomb(zf):
                    report.skip("zips not unpacked (compression beyond the limit)")
                    report.notes.append(f"not unpacked: {path.name}: {why}")
                    continue
                zf.extractall(target)
            yield from expand_sources(sorted(p for p in target.rglob("*") if p.is_file()), work, report)
        else:
            report.skip("files not recognised as any log source")
            report.notes.append(f"not recognised: {path.name}")


def _engine(options: IngestOptions, work: Path) -> agg.Engine:
    if options.engine == "spark":
        return agg.SparkEngine()
    return agg.DuckDBEngine(work, memory_limit=options.memory_limit)


def ingest(
    sources: Sequence[Path],
    people: pd.DataFrame,
    options: IngestOptions = IngestOptions(),
    engine: agg.Engine | None = None,
) -> IngestResult:
    """Read ``sources`` against the roster ``people`` and aggregate them (see the module docstring).

    ``engine`` overrides the one ``options`` names (tests share one Spark session)."""
    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="sld-ingest-") as tmp:
        work = Path(tmp)
        run = engine if engine is not None else _engine(options, work)
        try:
            run.register_frame("roster", roster_keys(people))
            events, records, collab = _sources(run, sources, work, options, report)
            small = _bytes(sources) <= agg.STAGE_BYTES
            result = agg.aggregate(run, events, options.period, options.min_interactions, stage=small)
            learning, learning_out = agg.hours(run, records, options.period)
            collaboration, collab_out = agg.hours(run, collab, options.period)
        finally:
            if engine is None:
                run.close()
    _report_counts(report, result, options, learning_out + collab_out)
    ties = result.ties.assign(relation=RELATION, wave=_wave(result.ties["period"]))
    ties = ties[["source_id", "target_id", "relation", "weight", "wave"]]
    learning = learning.assign(learning_type="FSL", wave=_wave(learning["period"]))
    learning = learning[["person_id", "learning_type", "hours", "wave"]]
    modes = {k.lower(): v for k, v in CHANNEL_MODES.items()}
    channels = result.channels.assign(mode=result.channels["channel"].map(modes).fillna(""))
    channels = channels[["channel", "mode", "period", "events", "interactions", "broadcasts", "people"]]
    return IngestResult(people, ties, learning, channels, collaboration, report)


def _bytes(sources: Sequence[Path]) -> int:
    """The size on disk of ``sources`` (a folder: every file in it)."""
    total = 0
    for path in sources:
        if path.is_dir():
            total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        elif path.exists():
            total += path.stat().st_size
    return total


def _wave(periods: pd.Series) -> pd.Series:
    """A period label as a wave: ``all`` (one period) is no wave, so ties count in every wave."""
    return periods.where(periods != "all", "")


def _sources(
    engine: agg.Engine, sources: Sequence[Path], work: Path, options: IngestOptions, report: IngestReport
) -> tuple[list[str], list[str], list[str]]:
    """Register every source with the engine: (event selects, learning-hour selects, collaboration-hour selects)."""
    events: list[str] = []
    records: list[str] = []
    collab: list[str] = []
    staged = ParquetSink(work / "events.parquet")
    hours = ParquetSink(work / "hours.parquet", HOURS_SCHEMA)
    for i, (path, shape) in enumerate(expand_sources(sources, work, report)):
        view = f"source_{i}"
        report.notes.append(f"{path.name}: recognised as {SHAPE_LABELS[shape]}")
        if shape in ("slack", "mbox", "zoom", "teams", "xapi"):
            for item in _python_reader(path, shape, report, options.max_recipients):
                (hours if isinstance(item, Hours) else staged).add(tuple(item))
            continue
        fmt: Literal["csv", "parquet"] = "parquet" if path.suffix.lower() == ".parquet" else "csv"
        engine.register(view, [path], fmt)
        columns = engine.columns(view)
        if shape == "interactions":
            events.append(interactions_select(view, columns))
        elif shape == "viva_pairs":
            events.extend(viva_pairs_selects(view, columns))
        elif shape == "viva_person":
            select = viva_hours_select(view, columns)
            if select is None:
                report.notes.append(f"{path.name}: no Collaboration_hours column; nothing read")
            else:
                collab.append(select)
        elif shape == "lms":
            records.append(lms_select(view, columns))
    if staged.close():
        engine.register("staged_events", [staged.path], "parquet")
        events.append(f"SELECT {agg.EVENT_COLUMNS} FROM staged_events")
    if hours.close():
        engine.register("staged_hours", [hours.path], "parquet")
        records.append("SELECT person, ts, hours FROM staged_hours")
    return events, records, collab


def _python_reader(
    path: Path, shape: Shape, report: IngestReport, max_recipients: int
) -> Iterator[Event | Hours]:
    if shape == "slack":
        yield from read_slack(path, report)
    elif shape == "mbox":
        yield from read_mbox(path, report, max_recipients)
    elif shape == "zoom":
        yield from read_zoom(path, report, max_recipients)
    elif shape == "teams":
        yield from read_teams(path, report, max_recipients)
    else:
        yield from read_xapi(path, report)


def _report_counts(
    report: IngestReport, result: agg.Aggregates, options: IngestOptions, hours_out: int
) -> None:
    c = result.counts
    report.notes.append(f"{c['events']:,} interactions and broadcasts aggregated ({options.engine})")
    report.skip("events without a readable time", c["no_time"])
    report.skip(
        f"events from people not on the roster ({c['unknown_sources']:,} identities)",
        c["unknown_source_events"],
    )
    report.skip(
        f"events to people not on the roster ({c['unknown_targets']:,} identities)",
        c["unknown_target_events"],
    )
    report.skip("self-interactions", c["self_events"])
    report.skip(f"pair-periods under --min-interactions ({options.min_interactions})", result.below)
    report.skip(
        "learning or collaboration-hour records of people not on the roster, or without a time", hours_out
    )
    report.notes.append(f"{len(result.ties):,} ties (pair and period) kept")


def with_logs(ds: Dataset, result: IngestResult) -> Dataset:
    """``ds`` with the ingested ties (relation ``interactions``, replacing any of that relation)
    and FSL learning hours added: the logs next to a workbook's survey data."""
    from dataclasses import replace

    ties = result.ties.assign(weight=result.ties["weight"].astype(float), learning_type="", mode="", topic="")
    kept = ds.ties[ds.ties["relation"] != RELATION] if len(ds.ties) else ds.ties
    ties = pd.concat([kept, ties[list(ds.ties.columns)]], ignore_index=True) if len(kept) else ties
    frames = [
        f for f in (ds.learning, result.learning[["person_id", "wave", "learning_type", "hours"]]) if len(f)
    ]
    learned = pd.concat(frames, ignore_index=True) if frames else ds.learning
    return replace(ds, ties=ties[list(ds.ties.columns)], learning=learned, source=f"{ds.source} + logs")


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def write_zip(result: IngestResult, out: Path) -> Path:
    """The data-contract zip: people.csv, ties.csv, learning.csv (when there are learning
    records), plus channels.csv and collaboration_hours.csv (log summaries: lib.intake.summaries reads them)
    and ingest_report.txt."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("people.csv", _csv(result.people))
        zf.writestr("ties.csv", _csv(result.ties))
        if len(result.learning):
            zf.writestr("learning.csv", _csv(result.learning))
        zf.writestr("channels.csv", _csv(result.channels))
        if len(result.collaboration_hours):
            zf.writestr("collaboration_hours.csv", _csv(result.collaboration_hours))
        zf.writestr("ingest_report.txt", "\n".join(result.report.lines()) + "\n")
    return out
