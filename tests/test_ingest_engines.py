"""DuckDB and Spark give identical results on the same fixtures: the aggregation is written once
(DuckDB SQL, transpiled by sqlglot). One local Spark session (local[1]) for the module: it is
slow to start. Spark needs Java: ``./dev.sh test`` installs Debian's JRE; without it these tests
skip, and fail when ``CI`` is set."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from lib.intake.logs.aggregate import SparkEngine
from lib.intake.logs.ingest import IngestOptions, ingest
from tests import ingest_fixtures as fx


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    reason = ""
    if shutil.which("java") is None:
        reason = "no Java runtime (./dev.sh test installs Debian's default-jre-headless)"
    else:
        try:
            import pyspark  # noqa: F401
        except ImportError:
            reason = "pyspark is not installed (requirements-dev.txt)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Spark tests must run in CI: {reason}")
        pytest.skip(reason)
    engine = SparkEngine(master="local[1]", partitions=1)
    yield engine
    engine.close()
    engine.spark.stop()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "options",
    [IngestOptions(), IngestOptions(period="month", min_interactions=1)],
    ids=["4w-min2", "month-min1"],
)
def test_duckdb_and_spark_agree_on_every_source(
    tmp_path: Path, spark: SparkEngine, options: IngestOptions
) -> None:
    sources = fx.all_sources(tmp_path)
    duck = ingest(sources, fx.ROSTER, options)
    lake = ingest(sources, fx.ROSTER, options, engine=spark)
    assert len(duck.ties) >= 6 and len(duck.learning) >= 3  # the fixtures hold ties and learning
    pd.testing.assert_frame_equal(duck.ties, lake.ties)
    pd.testing.assert_frame_equal(duck.learning, lake.learning)
    pd.testing.assert_frame_equal(duck.channels, lake.channels)
    pd.testing.assert_frame_equal(duck.collaboration_hours, lake.collaboration_hours)
    assert duck.report.skipped == lake.report.skipped


@pytest.mark.parametrize(
    "options",
    [IngestOptions(), IngestOptions(period="quarter", min_interactions=1)],
    ids=["4w-min2", "quarter-min1"],
)
def test_streamed_and_staged_events_give_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: IngestOptions
) -> None:
    """Small sources are read once into the engine, large ones streamed twice (STAGE_BYTES): the
    two paths count the same ties, channels, hours and skips."""
    from lib.intake.logs import aggregate

    sources = fx.all_sources(tmp_path)
    staged = ingest(sources, fx.ROSTER, options)
    monkeypatch.setattr(aggregate, "STAGE_BYTES", -1)  # every source counts as large
    streamed = ingest(sources, fx.ROSTER, options)
    assert len(staged.ties) >= 3
    pd.testing.assert_frame_equal(staged.ties, streamed.ties)
    pd.testing.assert_frame_equal(staged.channels, streamed.channels)
    pd.testing.assert_frame_equal(staged.learning, streamed.learning)
    assert staged.report.skipped == streamed.report.skipped and staged.report.notes == streamed.report.notes
