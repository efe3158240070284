"""Events → ties per pair and period, written once in SQL and run on DuckDB or Spark.

Why sqlglot transpilation rather than Ibis: the aggregation is four GROUP BY statements that
read best as SQL, and DuckDB (the default engine) runs that SQL natively with no translation at
all; sqlglot is one pure-Python package without dependencies that turns the same text into Spark
SQL (``DATE_DIFF`` → ``DATEDIFF``, ``VARCHAR`` → ``STRING``, quoting), and the Spark session runs
it through ``spark.sql``. Ibis would add a second expression language, its own backend packages
pinned to particular DuckDB and PySpark versions, and a layer between the SQL we test and the
SQL that runs. Tests run both engines on the same fixtures and compare the ties.

The rules (the README's "Collaboration logs" section states them for people):

* identities are matched to the roster trimmed and case-insensitively (person id, e-mail and
  user-id columns, see :func:`lib.intake.logs.ingest.roster_keys`); events from or to anyone
  else are counted as unknown and never make a tie;
* a tie is an event with a target where both ends are on the roster and differ; its weight in a
  period is the number of such events (``n`` summed);
* a pair is kept in a period when its weight reaches ``min_interactions`` (default 2 in a
  4-week window: Viva Insights' rule for a network tie);
* events without a target are broadcasts: they count toward their channel's volume only.

Periods: ``all`` (one period), ``month``, ``quarter``, ``4w`` (28-day windows starting on
Mondays, counted from Monday 5 January 1970). The engine returns a period number; its label
(``2026-03``, ``2026-Q1``, ``2026-01-05+4w``) is made here, in Python, on the small table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from lib.intake.logs.tables import text_id

__all__ = [
    "PERIODS",
    "Aggregates",
    "DuckDBEngine",
    "Engine",
    "EngineUnavailable",
    "SparkEngine",
    "aggregate",
    "hours",
    "period_label",
    "require_spark",
]

Period = Literal["all", "month", "quarter", "4w"]
PERIODS: tuple[str, ...] = ("all", "month", "quarter", "4w")
EPOCH_MONDAY = dt.date(1970, 1, 5)

#: The period number of an event's ``ts`` (DuckDB dialect; NULL when ts is NULL).
PERIOD_SQL: dict[str, str] = {
    "all": "CASE WHEN e.ts IS NULL THEN NULL ELSE 0 END",
    "month": "YEAR(e.ts) * 12 + MONTH(e.ts) - 1",
    "quarter": "YEAR(e.ts) * 4 + QUARTER(e.ts) - 1",
    "4w": "CAST(FLOOR(DATE_DIFF('day', DATE '1970-01-05', CAST(e.ts AS DATE)) / 28) AS BIGINT)",
}

EVENT_COLUMNS = "source_id, target_id, ts, channel, kind, n"
#: The event columns the aggregation counts by (``kind`` is read by the sources, not counted).
COUNTED_COLUMNS = "source_id, target_id, ts, channel, n"

#: Every roster person as a number: ``code`` is the person's rank in ``person_id`` order (binary
#: string order, the same in DuckDB, Spark and Python), so the passes below group and join on
#: integers, and ties sorted by code are ties sorted by person id.
CODES_SQL = """
SELECT p.person_id, CAST(ROW_NUMBER() OVER (ORDER BY p.person_id) - 1 AS BIGINT) AS code
FROM (SELECT DISTINCT person_id FROM roster) AS p
"""

#: Pass 1 over the events: every distinct raw identity (source or target, as the source spells
#: it; one scan, two grouping sets), its tidied spelling (``clean``: trimmed, blank and the
#: missing-value words as NULL) and the code of the roster person it names (NULL: not on the
#: roster). String functions run once per distinct identity, not once per event.
IDS_SQL = """
SELECT i.id, i.clean, c.code AS person
FROM (
  SELECT u.id, {clean} AS clean
  FROM (
    SELECT DISTINCT COALESCE(g.source_id, g.target_id) AS id
    FROM (
      SELECT CAST(e.source_id AS VARCHAR) AS source_id, CAST(e.target_id AS VARCHAR) AS target_id
      FROM ({events}) AS e
    ) AS g
    GROUP BY GROUPING SETS ((g.source_id), (g.target_id))
  ) AS u
) AS i
LEFT JOIN roster AS r ON LOWER(i.clean) = r.key
LEFT JOIN codes AS c ON r.person_id = c.person_id
"""

#: Pass 2 over the events, each mapped to its people through ``ids`` (two hash joins on small
#: tables) and grouped two ways at once (GROUPING SETS): per pair and period (ties, counts) and
#: per channel, period, person and unknown identity (the channel summary, how many unknown
#: identities). ``not_*`` flags say which set a row belongs to. Channels are still as the sources
#: spell them (:data:`CHANNELS_SQL` tidies them); people are codes (:data:`CODES_SQL`).
GROUPED_SQL = """
WITH mapped AS (
  SELECT s.person AS source_person,
         t.person AS target_person,
         CASE WHEN s.person IS NULL THEN s.clean END AS unknown_source,
         CASE WHEN t.clean IS NOT NULL AND t.person IS NULL THEN t.clean END AS unknown_target,
         t.clean IS NOT NULL AS addressed,
         COALESCE(s.person <> t.person, FALSE) AS tie,
         e.channel AS channel,
         e.period AS period,
         e.n AS n
  FROM (
    SELECT CAST(e.source_id AS VARCHAR) AS source_id, CAST(e.target_id AS VARCHAR) AS target_id,
           CAST(e.channel AS VARCHAR) AS channel, {period} AS period, e.n AS n
    FROM ({events}) AS e
  ) AS e
  LEFT JOIN ids AS s ON e.source_id = s.id
  LEFT JOIN ids AS t ON e.target_id = t.id
)
SELECT source_person, target_person, period, addressed, channel, tie, unknown_source, unknown_target,
       SUM(n) AS n,
       GROUPING(target_person) AS not_pairs,
       GROUPING(channel) AS not_channels
FROM mapped
GROUP BY GROUPING SETS (
  (source_person, target_person, period, addressed),
  (channel, period, source_person, addressed, tie, unknown_source, unknown_target)
)
"""

PAIRS = """not_pairs = 0 AND source_person IS NOT NULL AND target_person IS NOT NULL
  AND source_person <> target_person AND period IS NOT NULL"""

TIES_SQL = (
    """
SELECT source_person AS source_id, target_person AS target_id, period, SUM(n) AS weight
FROM grouped
WHERE """
    + PAIRS
    + """
GROUP BY source_person, target_person, period
HAVING SUM(n) >= {minimum}
ORDER BY source_person, target_person, period
"""
)

CHANNELS_SQL = """
SELECT LOWER(TRIM(channel)) AS channel, period,
       SUM(n) AS events,
       SUM(CASE WHEN tie THEN n ELSE 0 END) AS interactions,
       SUM(CASE WHEN addressed THEN 0 ELSE n END) AS broadcasts,
       COUNT(DISTINCT source_person) AS people
FROM grouped
WHERE not_channels = 0 AND source_person IS NOT NULL AND period IS NOT NULL
GROUP BY LOWER(TRIM(channel)), period
"""

COUNTS_SQL = """
SELECT COALESCE(SUM(CASE WHEN not_pairs = 0 THEN n ELSE 0 END), 0) AS events,
       COALESCE(SUM(CASE WHEN not_pairs = 0 AND period IS NULL THEN n ELSE 0 END), 0) AS no_time,
       COALESCE(SUM(CASE WHEN not_pairs = 0 AND source_person IS NULL THEN n ELSE 0 END), 0)
           AS unknown_source_events,
       COALESCE(SUM(CASE WHEN not_pairs = 0 AND addressed AND target_person IS NULL THEN n ELSE 0 END), 0)
           AS unknown_target_events,
       COALESCE(SUM(CASE WHEN not_pairs = 0 AND source_person = target_person THEN n ELSE 0 END), 0)
           AS self_events,
       COUNT(DISTINCT CASE WHEN not_channels = 0 THEN unknown_source END) AS unknown_sources,
       COUNT(DISTINCT CASE WHEN not_channels = 0 THEN unknown_target END) AS unknown_targets
FROM grouped
"""

BELOW_SQL = (
    """
SELECT COUNT(*) AS pairs FROM (
  SELECT source_person, target_person, period FROM grouped
  WHERE """
    + PAIRS
    + """
  GROUP BY source_person, target_person, period
  HAVING SUM(n) < {minimum}
) AS below
"""
)


class Engine(Protocol):
    """Where the SQL runs: sources registered as views, results back as small DataFrames."""

    def register(self, name: str, paths: Sequence[Path], fmt: Literal["csv", "parquet"]) -> None: ...

    def register_frame(self, name: str, frame: pd.DataFrame) -> None: ...

    def columns(self, name: str) -> list[str]: ...

    def materialise(self, name: str, sql: str) -> None: ...

    def query(self, sql: str) -> pd.DataFrame: ...

    def close(self) -> None: ...


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBEngine:
    """DuckDB in this process: views over the files, a memory limit, spilling to ``temp_dir``."""

    def __init__(self, temp_dir: Path, memory_limit: str = "1GB", threads: int = 2) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute(f"SET temp_directory = {_quote(temp_dir)}")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET TimeZone = 'UTC'")

    def register(self, name: str, paths: Sequence[Path], fmt: Literal["csv", "parquet"]) -> None:
        files = "[" + ", ".join(_quote(p) for p in paths) + "]"
        reader = (
            f"read_csv({files}, header = true, all_varchar = true, union_by_name = true)"
            if fmt == "csv"
            else f"read_parquet({files}, union_by_name = true)"
        )
        self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM {reader}')

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(f"{name}_frame", frame)
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM "{name}_frame"')
        self.con.unregister(f"{name}_frame")

    def columns(self, name: str) -> list[str]:
        return [str(r[0]) for r in self.con.execute(f'DESCRIBE "{name}"').fetchall()]

    def materialise(self, name: str, sql: str) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self) -> None:
        self.con.close()


SPARK_MISSING = (
    "--engine spark needs pyspark, which is not installed: "
    "pip install pyspark==4.3.0 (and a Java runtime), or use the default --engine duckdb"
)


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (its package is not installed); the message is one line."""


def require_spark() -> None:
    """Raise :class:`EngineUnavailable` (one line, how to install it) when pyspark cannot be imported."""
    try:
        import pyspark  # noqa: F401
    except ImportError as err:
        raise EngineUnavailable(SPARK_MISSING) from err


class SparkEngine:
    """A Spark session (``local[*]`` by default, or the one given): the same SQL, transpiled by sqlglot."""

    def __init__(self, master: str = "local[2]", session: object | None = None, partitions: int = 4) -> None:
        if session is None:
            require_spark()
            from pyspark.sql import SparkSession

            session = (
                SparkSession.builder.master(master)
                .appName("sld-ingest")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", str(partitions))
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .getOrCreate()
            )
            session.sparkContext.setLogLevel("ERROR")
        self.spark = session
        self._cached: list[object] = []

    @staticmethod
    def to_spark(sql: str) -> str:
        """The DuckDB-dialect SQL of this module in Spark SQL (sqlglot)."""
        import sqlglot

        return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])

    def register(self, name: str, paths: Sequence[Path], fmt: Literal["csv", "parquet"]) -> None:
        reader = self.spark.read  # type: ignore[attr-defined]
        files = [str(p) for p in paths]
        frame = reader.option("header", True).csv(files) if fmt == "csv" else reader.parquet(*files)
        frame.createOrReplaceTempView(name)

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        schema = ", ".join(f"`{c}` STRING" for c in frame.columns)
        rows = table.to_pylist()
        self.spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)  # type: ignore[attr-defined]

    def columns(self, name: str) -> list[str]:
        return [str(c) for c in self.spark.table(name).columns]  # type: ignore[attr-defined]

    def materialise(self, name: str, sql: str) -> None:
        frame = self.spark.sql(self.to_spark(sql)).cache()  # type: ignore[attr-defined]
        frame.count()
        frame.createOrReplaceTempView(name)
        self._cached.append(frame)

    def query(self, sql: str) -> pd.DataFrame:
        result: pd.DataFrame = self.spark.sql(self.to_spark(sql)).toPandas()  # type: ignore[attr-defined]
        return result

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()  # type: ignore[attr-defined]
        self._cached = []


@dataclass(frozen=True)
class Aggregates:
    """What comes back from an engine: small tables only.

    ``ties``: source_id, target_id, period (label), weight; ``channels``: channel, period,
    events, interactions, broadcasts, people; ``counts``: event totals by reason (no time,
    unknown source or target, self) and the distinct unknown identities; ``below``: pair-periods
    that had interactions but fewer than the minimum."""

    ties: pd.DataFrame
    channels: pd.DataFrame
    counts: dict[str, int]
    below: int


def period_label(period: str, number: int) -> str:
    """The wave label of period ``number`` (as :data:`PERIOD_SQL` numbers them)."""
    if period == "all":
        return "all"
    if period == "month":
        return f"{number // 12:04d}-{number % 12 + 1:02d}"
    if period == "quarter":
        return f"{number // 4:04d}-Q{number % 4 + 1}"
    start = EPOCH_MONDAY + dt.timedelta(days=28 * number)
    return f"{start.isoformat()}+4w"


def _labelled(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    out = frame.copy()
    labels = {p: period_label(period, int(p)) for p in out["period"].unique()}
    out["period"] = out["period"].map(labels).astype("str")
    return out


#: Sources up to this many bytes on disk are read once into the engine (``stage``): both passes
#: then read the engine's own copy instead of parsing the files twice (at 3M events, 133 MB of
#: CSV: 0.2 s of 1.2 s). Larger ones are streamed twice, so memory stays bounded as they grow.
STAGE_BYTES = 512 * 1024**2


def aggregate(
    engine: Engine, event_selects: Sequence[str], period: str, min_interactions: int, stage: bool = False
) -> Aggregates:
    """Run the aggregation over the union of ``event_selects`` (each a SELECT of
    :data:`EVENT_COLUMNS` over registered views; a ``roster(key, person_id)`` table registered).

    With ``stage``, the events are first read into the engine (``events``) and both passes read
    that copy (:data:`STAGE_BYTES`). Roster people are numbered (``codes``: :data:`CODES_SQL`). A first pass over the events
    collects the distinct raw identities, tidies them and matches them to the roster (``ids``:
    :data:`IDS_SQL`); a second maps every event to its people through ``ids`` and groups by pair
    and period, by channel, period and person, and by unknown identity (``grouped``:
    :data:`GROUPED_SQL`, kept in the engine); the ties, the channel summary and the counts are
    read from that. Ties come back sorted (source, target, period), by code, which is the order
    of the person ids, so two engines compare row by row."""
    if period not in PERIOD_SQL:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if min_interactions < 1:
        raise ValueError("min_interactions must be at least 1")
    union = (
        " UNION ALL ".join(
            f"SELECT {COUNTED_COLUMNS} FROM ({s}) AS s{i}" for i, s in enumerate(event_selects)
        )
        if event_selects
        else (
            "SELECT CAST(NULL AS VARCHAR) AS source_id, CAST(NULL AS VARCHAR) AS target_id, "
            "CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS VARCHAR) AS channel, "
            "CAST(1 AS BIGINT) AS n WHERE 1 = 0"
        )
    )
    if stage:  # one read of the files into the engine (the small event columns only)
        engine.materialise("events", f"SELECT {COUNTED_COLUMNS} FROM ({union}) AS u")
        union = f"SELECT {COUNTED_COLUMNS} FROM events"
    engine.materialise("codes", CODES_SQL)
    engine.materialise("ids", IDS_SQL.format(clean=text_id("id"), events=union))
    engine.materialise("grouped", GROUPED_SQL.format(period=PERIOD_SQL[period], events=union))
    codes = engine.query("SELECT person_id, code FROM codes")
    names = np.empty(len(codes), dtype=object)
    names[codes["code"].to_numpy(dtype="int64")] = codes["person_id"].astype(str).to_numpy()
    found = engine.query(TIES_SQL.format(minimum=int(min_interactions)))
    ties = pd.DataFrame(
        {
            "source_id": names[found["source_id"].to_numpy(dtype="int64")],
            "target_id": names[found["target_id"].to_numpy(dtype="int64")],
            "period": found["period"].to_numpy(dtype="int64"),
            "weight": found["weight"].to_numpy(dtype="int64"),
        }
    )
    channels = engine.query(CHANNELS_SQL)
    channels = channels.astype(
        {
            "period": "int64",
            "events": "int64",
            "interactions": "int64",
            "broadcasts": "int64",
            "people": "int64",
        }
    ).sort_values(["period", "channel"], ignore_index=True)
    row = engine.query(COUNTS_SQL).iloc[0]
    counts = {str(k): int(v) for k, v in row.items()}
    below = int(engine.query(BELOW_SQL.format(minimum=int(min_interactions))).iloc[0]["pairs"])
    return Aggregates(_labelled(ties, period), _labelled(channels, period), counts, below)


HOURS_SQL = """
SELECT r.person_id AS person_id, {period} AS period, SUM(e.hours) AS hours
FROM ({records}) AS e
JOIN roster AS r ON LOWER(TRIM(e.person)) = r.key
WHERE e.ts IS NOT NULL AND e.hours IS NOT NULL
GROUP BY 1, 2
"""

HOURS_UNKNOWN_SQL = """
SELECT COUNT(*) AS records FROM ({records}) AS e
LEFT JOIN roster AS r ON LOWER(TRIM(e.person)) = r.key
WHERE r.person_id IS NULL OR e.ts IS NULL
"""


def hours(engine: Engine, record_selects: Sequence[str], period: str) -> tuple[pd.DataFrame, int]:
    """Hours per roster person and period (person_id, period label, hours) from the union of
    ``record_selects`` (each a SELECT of person, ts, hours), and how many records were left out
    (person not on the roster, or no readable time)."""
    if not record_selects:
        return pd.DataFrame({"person_id": [], "period": [], "hours": []}), 0
    records = " UNION ALL ".join(
        f"SELECT person, ts, hours FROM ({s}) AS h{i}" for i, s in enumerate(record_selects)
    )
    frame = engine.query(HOURS_SQL.format(period=PERIOD_SQL[period], records=records))
    frame = frame.astype({"person_id": "str", "period": "int64", "hours": "float64"})
    frame = frame.sort_values(["person_id", "period"], ignore_index=True)
    left_out = int(engine.query(HOURS_UNKNOWN_SQL.format(records=records)).iloc[0]["records"])
    return _labelled(frame, period), left_out
