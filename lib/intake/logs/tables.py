"""Sources the engines read directly, as SQL over a registered view: our own interactions table
(CSV or Parquet, any length), Viva Insights' person-to-person and person queries, and an LMS
completions CSV. Each function returns a SELECT in the DuckDB dialect (transpiled for Spark)."""

from __future__ import annotations

from collections.abc import Sequence

from lib.core.schema import MISSING_VALUE_WORDS, SHEETS_BY_NAME, column_for
from lib.intake.logs.shapes import LMS_COURSE, LMS_DATE, LMS_PERSON, key

__all__ = [
    "VIVA_CHANNELS",
    "interactions_select",
    "lms_select",
    "raw_id",
    "text_id",
    "timestamp",
    "viva_hours_select",
    "viva_pairs_selects",
]

#: A Viva Insights count column → the channel its interactions happened on (first match wins).
VIVA_CHANNELS: tuple[tuple[str, str], ...] = (
    ("meeting", "meeting"),
    ("mail", "email"),
    ("chat", "chat"),
    ("instantmessage", "chat"),
    ("call", "call"),
)
_MISSING = ", ".join("'" + w.replace("'", "''") + "'" for w in MISSING_VALUE_WORDS)


def q(name: str) -> str:
    """A column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def text_id(column: str) -> str:
    """An id column as trimmed text; blank and the missing-value words ("NULL", "N/A") as NULL."""
    c = f"TRIM(CAST({q(column)} AS VARCHAR))"
    return f"CASE WHEN {c} = '' OR LOWER({c}) IN ({_MISSING}) THEN NULL ELSE {c} END"


def raw_id(column: str) -> str:
    """An id column as the source spells it (text): the aggregation tidies the distinct values
    (:func:`text_id`) after counting, rather than every event's."""
    return f"CAST({q(column)} AS VARCHAR)"


def timestamp(column: str) -> str:
    """An ISO date/time, or a US ``M/D/YYYY`` date (Viva Insights writes those), as TIMESTAMP;
    anything else NULL (counted as "no readable time"). Surrounding spaces are allowed; the value
    is trimmed only when it does not read as it is (trimming every value costs more than reading it)."""
    raw = f"CAST({q(column)} AS VARCHAR)"
    c = f"TRIM({raw})"
    us = (
        f"CONCAT(SPLIT_PART({c}, '/', 3), '-', LPAD(SPLIT_PART({c}, '/', 1), 2, '0'), '-', "
        f"LPAD(SPLIT_PART(SPLIT_PART({c}, '/', 2), ' ', 1), 2, '0'))"
    )
    return (
        f"CASE WHEN {raw} LIKE '%/%/%' THEN TRY_CAST({us} AS TIMESTAMP) "
        f"ELSE COALESCE(TRY_CAST({raw} AS TIMESTAMP), TRY_CAST({c} AS TIMESTAMP)) END"
    )


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    for col in columns:
        if key(col) in names:
            return col
    return None


def interactions_select(view: str, columns: Sequence[str]) -> str:
    """Our own interactions table: one event per row, a row without a target is a broadcast."""
    spec = SHEETS_BY_NAME["interactions"]
    found: dict[str, str] = {}
    for col in columns:
        c = column_for(spec, col)
        if c is not None and c.name not in found:
            found[c.name] = col
    target = raw_id(found["target_id"]) if "target_id" in found else "CAST(NULL AS VARCHAR)"
    kind = f"LOWER(TRIM(CAST({q(found['kind'])} AS VARCHAR)))" if "kind" in found else "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT {raw_id(found['source_id'])} AS source_id, {target} AS target_id, "
        f"{timestamp(found['timestamp'])} AS ts, CAST({q(found['channel'])} AS VARCHAR) AS channel, "
        f"{kind} AS kind, CAST(1 AS BIGINT) AS n FROM {q(view)}"
    )


def viva_channel(column: str) -> str:
    """The channel a Viva Insights count column counts (``viva`` when none matches)."""
    name = key(column)
    return next((channel for word, channel in VIVA_CHANNELS if word in name), "viva")


def viva_pairs_selects(view: str, columns: Sequence[str]) -> list[str]:
    """Viva Insights person-to-person rows: each count column (``…count…``) of a row is that many
    interactions from the primary to the secondary collaborator in the row's week, on the
    column's channel; a file without count columns counts each row as one interaction."""
    primary = _find(columns, ("primarycollaboratorpersonid",))
    secondary = _find(columns, ("secondarycollaboratorpersonid",))
    when = _find(columns, ("metricdate",))
    assert primary and secondary and when, "recognised by these columns"
    counts = [c for c in columns if "count" in key(c) and "personid" not in key(c)]
    head = f"SELECT {raw_id(primary)} AS source_id, {raw_id(secondary)} AS target_id, {timestamp(when)} AS ts"
    if not counts:
        return [f"{head}, 'viva' AS channel, 'collaboration' AS kind, CAST(1 AS BIGINT) AS n FROM {q(view)}"]
    selects = []
    for col in counts:
        n = f"CAST(TRY_CAST({q(col)} AS DOUBLE) AS BIGINT)"
        selects.append(
            f"{head}, '{viva_channel(col)}' AS channel, 'collaboration' AS kind, {n} AS n "
            f"FROM {q(view)} WHERE {n} > 0"
        )
    return selects


def viva_hours_select(view: str, columns: Sequence[str]) -> str | None:
    """Viva Insights person query: collaboration hours per person and week (person, ts, hours);
    None when the file has no ``Collaboration_hours`` column."""
    person = _find(columns, ("personid",))
    when = _find(columns, ("metricdate",))
    hours = _find(columns, ("collaborationhours",))
    if not (person and when and hours):
        return None
    return (
        f"SELECT {text_id(person)} AS person, {timestamp(when)} AS ts, "
        f"TRY_CAST({q(hours)} AS DOUBLE) AS hours FROM {q(view)}"
    )


#: LMS duration columns and the hours one unit stands for.
LMS_DURATIONS: tuple[tuple[str, float], ...] = (
    ("durationhours", 1.0),
    ("hours", 1.0),
    ("durationminutes", 1 / 60),
    ("minutes", 1 / 60),
    ("timespentminutes", 1 / 60),
    ("duration", 1.0),
)


def lms_select(view: str, columns: Sequence[str]) -> str:
    """LMS completions: each row is one completed course, its duration formal learning (FSL)
    hours of the person on the completion date (a row without a readable duration counts 0 h)."""
    person = _find(columns, LMS_PERSON)
    when = _find(columns, LMS_DATE)
    assert person and when and _find(columns, LMS_COURSE), "recognised by these columns"
    hours = "CAST(0 AS DOUBLE)"
    for name, factor in LMS_DURATIONS:
        col = _find(columns, (name,))
        if col is not None:
            hours = f"COALESCE(TRY_CAST({q(col)} AS DOUBLE), 0) * {factor!r}"
            break
    return f"SELECT {text_id(person)} AS person, {timestamp(when)} AS ts, {hours} AS hours FROM {q(view)}"
