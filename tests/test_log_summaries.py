"""The log summaries of an ingest zip (channels.csv, collaboration_hours.csv) are read by the
loader into the dataset, bad rows left out with findings naming file, row, column and value; the
channel summary feeds the stocks-and-flows share and collaboration hours appear in ``analyze``."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lib.analysis.flows import collaboration_hours_json, flow_share
from lib.app.cli import analyze
from lib.intake.loader import load_path

PEOPLE = "person_id,team\n" + "".join(f"p{i},t{i % 2}\n" for i in range(1, 7))
TIES = "source_id,target_id,relation,weight,wave\np1,p2,interactions,3,2026-01\n"
CHANNELS = (
    "channel,mode,period,events,interactions,broadcasts,people\n"
    "Slack,flow,2026-01,30,20,10,6\n"  # upper case: read as slack
    "wiki,,2026-01,10,0,10,3\n"  # no mode in the file: the channel mapping says stock
    "email,flow,2026-01,lots,1,0,2\n"  # row 4: not a number
    "chat,flow,2026-02,8,8,0,2\n"
)
HOURS = (
    "person_id,period,hours\n"
    + "".join(f"p{i},2026-01,{i}.5\n" for i in range(1, 6))  # five people in January
    + "p9,2026-01,4\n"  # row 7: not on the roster
    + "p1,2026-02,-2\n"  # row 8: negative
    + "p2,2026-02,3\n"  # February: one person only
)


def zipped(tmp_path: Path, members: dict[str, str]) -> Path:
    out = tmp_path / "logs.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return out


@pytest.fixture
def loaded(tmp_path: Path):  # type: ignore[no-untyped-def]
    members = {"people.csv": PEOPLE, "ties.csv": TIES, "channels.csv": CHANNELS}
    members["collaboration_hours.csv"] = HOURS
    return load_path(zipped(tmp_path, members))


def test_loader_reads_both_summaries_and_reports_bad_rows(loaded) -> None:  # type: ignore[no-untyped-def]
    ds = loaded
    assert ds.channels[["channel", "mode", "events"]].values.tolist() == [
        ["slack", "flow", 30],
        ["wiki", "stock", 10],
        ["chat", "flow", 8],
    ]
    assert ds.collaboration_hours["person_id"].tolist() == ["p1", "p2", "p3", "p4", "p5", "p2"]
    bad = {(f.file, f.row, f.column, f.value) for f in ds.findings if f.severity == "warning"}
    assert ("channels.csv", 4, "events", "lots") in bad
    assert ("collaboration_hours.csv", 7, "person_id", "p9") in bad
    assert ("collaboration_hours.csv", 8, "hours", "-2") in bad
    assert not any("ignored" in f.message and "channels" in f.message for f in ds.findings)


def test_channel_summary_feeds_the_flow_share(loaded) -> None:  # type: ignore[no-untyped-def]
    overall = flow_share(loaded)
    assert (overall.source, overall.stock, overall.flow) == ("channels", 10.0, 38.0)
    january = flow_share(loaded, "2026-01")
    assert (january.wave, january.stock, january.flow) == ("2026-01", 10.0, 30.0)


def test_collaboration_hours_in_analyze_with_small_periods_suppressed(loaded) -> None:  # type: ignore[no-untyped-def]
    section = analyze(loaded)["collaboration_hours"]
    assert section == collaboration_hours_json(loaded)
    january, february = section
    assert (january["period"], january["people"], january["hours"]) == ("2026-01", 5, 17.5)  # 1.5 + … + 5.5
    assert january["mean_hours"] == 3.5
    assert february == {
        "period": "2026-02",
        "people": None,
        "suppressed": True,
        "hours": None,
        "mean_hours": None,
    }


def test_summary_without_its_columns_is_left_out_with_one_warning(tmp_path: Path) -> None:
    ds = load_path(zipped(tmp_path, {"people.csv": PEOPLE, "channels.csv": "name,count\nslack,3\n"}))
    assert ds.channels.empty
    assert [f.message for f in ds.findings if f.file == "channels.csv"] == [
        "channels.csv left out: no column channel, events"
    ]
