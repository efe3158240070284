"""The normalised event stream every log reader produces, its staging on disk, and the report.

One event: ``source_id`` (who acted: an e-mail address or a user id, as the source names
them), ``target_id`` (to whom; ``None`` for a broadcast), ``ts`` (UTC, naive), ``channel`` (the
tool: slack, email, meeting, …; classed stock or flow by :data:`lib.core.schema.CHANNEL_MODES`),
``kind`` (reply, mention, reaction, message, meeting, …) and ``n`` (how many interactions the
row stands for: 1, except for pre-counted sources such as Viva Insights' weekly pair counts).

Readers written in Python (JSON, mbox, meeting reports) never build a DataFrame: they yield
events that :class:`EventSink` writes to a Parquet file in batches, so memory stays bounded
whatever the size of the export; the engines then read that file like any other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "EVENT_SCHEMA",
    "HOURS_SCHEMA",
    "Event",
    "Hours",
    "IngestReport",
    "ParquetSink",
    "parse_when",
    "stage",
]

EVENT_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("target_id", pa.string()),
        ("ts", pa.timestamp("us")),
        ("channel", pa.string()),
        ("kind", pa.string()),
        ("n", pa.int64()),
    ]
)
#: Learning (or collaboration) hours of one person at one time: xAPI completions, LMS rows.
HOURS_SCHEMA = pa.schema([("person", pa.string()), ("ts", pa.timestamp("us")), ("hours", pa.float64())])
BATCH_ROWS = 100_000


class Event(NamedTuple):
    source_id: str
    target_id: str | None
    ts: dt.datetime
    channel: str
    kind: str
    n: int = 1


class Hours(NamedTuple):
    person: str
    ts: dt.datetime
    hours: float


#: Date/time spellings of meeting reports and mail headers besides ISO 8601 (US order first:
#: Zoom and Teams write month/day).
WHEN_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y",
    "%m/%d/%y",
)


def parse_when(text: str) -> dt.datetime | None:
    """A date/time as naive UTC (an offset is applied, then dropped); None when unreadable."""
    value = text.strip().replace("\u202f", " ")
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
        for fmt in WHEN_FORMATS:
            try:
                when = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


@dataclass
class IngestReport:
    """What was read, what was skipped and why, with counts (printed by the CLI, shown on the page).

    ``read``: events or records read per source file; ``skipped``: reason → count (bots,
    phone dial-ins, over-cap mails, unreadable rows …); ``notes``: one line each."""

    read: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count

    def lines(self) -> list[str]:
        """The report as text lines: read per file, then skipped per reason, then notes."""
        out = [f"read {n:,} from {name}" for name, n in self.read.items()]
        out += [f"skipped {n:,}: {reason}" for reason, n in sorted(self.skipped.items()) if n]
        return out + self.notes


class ParquetSink:
    """Writes rows (tuples in ``schema``'s order) to one Parquet file in batches of
    :data:`BATCH_ROWS` rows; no file at all when nothing is added."""

    def __init__(self, path: Path, schema: pa.Schema = EVENT_SCHEMA) -> None:
        self.path = path
        self.schema = schema
        self.count = 0
        self._rows: list[tuple[object, ...]] = []
        self._writer: pq.ParquetWriter | None = None

    def add(self, row: tuple[object, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows, strict=True))
        batch = pa.record_batch(
            [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)],
            schema=self.schema,
        )
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema)
        self._writer.write_batch(batch)
        self.count += len(self._rows)
        self._rows = []

    def close(self) -> int:
        """Flush and close; the number of events written (0: no file is written)."""
        self._flush()
        if self._writer is not None:
            self._writer.close()
        return self.count


def stage(events: Iterable[Event], path: Path) -> int:
    """Write ``events`` to the Parquet file ``path``; the number written (0: no file)."""
    sink = ParquetSink(path)
    for event in events:
        sink.add(event)
    return sink.close()
