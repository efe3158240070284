"""Counting rules of each collaboration-log source, on hand-made fixtures (tests/ingest_fixtures.py),
aggregated by DuckDB: ties per pair, what was skipped and why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lib.intake.logs import aggregate
from lib.intake.logs.events import IngestReport
from lib.intake.logs.ingest import IngestOptions, IngestResult, ingest, roster_keys
from lib.intake.logs.learning import iso_hours
from lib.intake.logs.shapes import recognise
from tests import ingest_fixtures as fx

EVERY_PAIR = IngestOptions(period="all", min_interactions=1)


def run(paths: list[Path], options: IngestOptions = EVERY_PAIR) -> IngestResult:
    return ingest(paths, fx.ROSTER, options)


def ties(result: IngestResult) -> dict[tuple[str, str], int]:
    return {(r.source_id, r.target_id): int(r.weight) for r in result.ties.itertuples()}


def skipped(result: IngestResult, words: str) -> int:
    return sum(n for reason, n in result.report.skipped.items() if words in reason)


def test_slack_threads_mentions_reactions_bots_guests_and_self(tmp_path: Path) -> None:
    result = run([fx.slack_export(tmp_path)])
    assert ties(result) == {("p2", "p1"): 1, ("p3", "p1"): 1, ("p2", "p3"): 2, ("p1", "p3"): 1}
    assert skipped(result, "Slack bot messages") == 1
    assert skipped(result, "with a bot") == 1  # the bot's reaction
    assert skipped(result, "from people not on the roster") == 1  # the guest's mention
    assert skipped(result, "self-interactions") == 1
    assert skipped(result, "system messages") == 1
    slack = result.channels.set_index("channel").loc["slack"]
    assert (slack["broadcasts"], slack["mode"]) == (1, "flow")  # "hello all"


def test_slack_folder_reads_like_the_zip(tmp_path: Path) -> None:
    import zipfile

    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(fx.slack_export(tmp_path)) as zf:
        zf.extractall(folder)
    assert recognise(folder / "Acme Slack export") == "slack"
    assert ties(run([folder / "Acme Slack export"])) == ties(run([tmp_path / "slack.zip"]))


def test_mail_counts_each_distinct_recipient_and_caps_broadcasts(tmp_path: Path) -> None:
    result = run([fx.mbox(tmp_path)])
    assert ties(result) == {("p1", "p2"): 1, ("p1", "p3"): 1}  # body lines To: d, Cc: e are not read
    assert skipped(result, "mails over --max-recipients (25)") == 1
    assert skipped(result, "to people not on the roster (1 identities)") == 1
    email = result.channels.set_index("channel").loc["email"]
    assert email["broadcasts"] == 1


def test_mail_cap_is_an_option(tmp_path: Path) -> None:
    result = run([fx.mbox(tmp_path)], IngestOptions(period="all", min_interactions=1, max_recipients=30))
    assert ties(result)[("p2", "p1")] == 1  # the 30-recipient mail now counts
    assert skipped(result, "mails over") == 0


def test_zoom_meeting_pairs_once_and_phone_dial_in_skipped(tmp_path: Path) -> None:
    result = run([fx.zoom(tmp_path)])
    people = ["p1", "p2", "p3"]
    assert ties(result) == {(a, b): 1 for a in people for b in people if a != b}  # Ana joined twice
    assert skipped(result, "phone dial-ins") == 1
    assert skipped(result, "meetings over --max-recipients") == 1  # the 30-person all-hands
    meeting = result.channels.set_index("channel").loc["meeting"]
    assert meeting["broadcasts"] == 2  # d and e attended the all-hands


def test_teams_report_utf16_with_dial_in(tmp_path: Path) -> None:
    path = fx.teams(tmp_path)
    assert recognise(path) == "teams"
    result = run([path])
    assert ties(result) == {("p4", "p5"): 1, ("p5", "p4"): 1}  # Ed by UPN; the activities section ignored
    assert skipped(result, "phone dial-ins") == 1


def test_xapi_verbs_and_completion_hours(tmp_path: Path) -> None:
    result = run([fx.xapi(tmp_path)])
    assert ties(result) == {("p4", "p3"): 1, ("p5", "p1"): 1}  # answered → asker; commented → agent
    hours = dict(zip(result.learning["person_id"], result.learning["hours"], strict=True))
    assert hours == {"p1": 1.5, "p2": 2.0}  # "passed" does not count the course again
    assert set(result.learning["learning_type"]) == {"FSL"}
    assert skipped(result, "other verbs (passed)") == skipped(result, "other verbs (viewed)") == 1
    assert result.channels.set_index("channel").loc["forum", "broadcasts"] == 1  # shared to nobody


def test_lms_durations_add_to_xapi_hours(tmp_path: Path) -> None:
    result = run([fx.lms(tmp_path), fx.xapi(tmp_path)])
    hours = dict(zip(result.learning["person_id"], result.learning["hours"], strict=True))
    assert hours == pytest.approx({"p1": 2.0, "p2": 2.0, "p3": 1.5})
    assert skipped(result, "records of people not on the roster") == 1


@pytest.mark.parametrize(
    ("text", "hours"),
    [("PT1H30M", 1.5), ("PT45M", 0.75), ("P1DT2H", 26.0), ("PT90S", 0.025), ("PT", None), ("1h", None)],
)
def test_iso_durations(text: str, hours: float | None) -> None:
    assert iso_hours(text) == (pytest.approx(hours) if hours is not None else None)


def test_viva_pairs_sum_count_columns_and_person_hours(tmp_path: Path) -> None:
    pairs, person = fx.viva(tmp_path)
    result = run([pairs, person])
    assert ties(result) == {("p4", "p5"): 3}  # p9 is not on the roster
    assert set(result.channels["channel"]) == {"email", "meeting"}
    assert result.collaboration_hours["hours"].tolist() == [22.5]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_own_table_targets_broadcasts_and_periods(tmp_path: Path, fmt: str) -> None:
    path = fx.own_table(tmp_path, fmt)
    assert ties(run([path])) == {("p1", "p2"): 2, ("p1", "p3"): 2}
    four_weeks = run([path], IngestOptions())  # default: at least 2 in a 4-week window
    assert ties(four_weeks) == {("p1", "p2"): 2}
    assert skipped(four_weeks, "under --min-interactions (2)") == 2  # p1→p3 once in two windows
    quarters = run([path], IngestOptions(period="quarter", min_interactions=1))
    assert sorted(quarters.ties["wave"]) == ["2026-Q1", "2026-Q1"]
    months = run([path], IngestOptions(period="month", min_interactions=1))
    assert sorted(months.ties["wave"]) == ["2026-01", "2026-01", "2026-03"]
    result = run([path])
    assert skipped(result, "without a readable time") == 1
    assert result.channels.set_index("channel")["broadcasts"].sum() == 2  # blank and N/A targets


def test_folder_of_tables_and_unrecognised_files(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    fx.own_table(folder, "csv")
    (folder / "notes.txt").write_text("nothing to see", encoding="utf-8")
    result = run([folder])
    assert ties(result) == {("p1", "p2"): 2, ("p1", "p3"): 2}
    assert skipped(result, "not recognised") == 1


def test_roster_keys_match_ids_and_emails_case_insensitively() -> None:
    keys = roster_keys(fx.ROSTER).set_index("key")["person_id"]
    assert keys["b@x.org"] == "p2" and keys["p2"] == "p2"
    clash = pd.DataFrame({"person_id": ["x", "y"], "email": ["y", "x@x"]})
    assert roster_keys(clash).set_index("key").loc["y", "person_id"] == "y"  # an id keeps its person


@pytest.mark.parametrize(
    ("period", "when", "label"),
    [
        ("month", dt.date(2026, 3, 31), "2026-03"),
        ("quarter", dt.date(2026, 10, 1), "2026-Q4"),
        ("4w", dt.date(2026, 1, 5), "2025-12-22+4w"),
        ("4w", dt.date(2026, 1, 18), "2025-12-22+4w"),
        ("4w", dt.date(2026, 1, 19), "2026-01-19+4w"),
    ],
)
def test_period_labels(tmp_path: Path, period: str, when: dt.date, label: str) -> None:
    rows = pd.DataFrame(
        {"timestamp": [f"{when} 12:00:00"], "source_id": ["p1"], "target_id": ["p2"], "channel": ["chat"]}
    )
    rows.to_csv(tmp_path / "events.csv", index=False)
    result = run([tmp_path / "events.csv"], IngestOptions(period=period, min_interactions=1))
    assert result.ties["wave"].tolist() == [label]


def test_nothing_recognised_gives_empty_tables(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run([tmp_path / "x.csv", tmp_path / "missing.csv"])
    assert result.ties.empty and result.learning.empty and len(result.people) == 5
    assert any("not found" in n for n in result.report.notes)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="period must be one of"):
        aggregate.aggregate(aggregate.DuckDBEngine(Path("/tmp")), [], "week", 2)
    assert IngestReport().lines() == []


def test_a_zip_bomb_is_not_unpacked(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("interactions.csv", "timestamp,source_id,channel\n" + "0" * 50_000_000)
    result = run([path])
    assert skipped(result, "zips not unpacked") == 1
    assert not list(tmp_path.glob("unzipped-*"))
