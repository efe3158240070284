"""Collaboration logs at scale: DuckDB ingest (and pandas, and Spark) on generated events.

Generated with DuckDB itself, in /tmp (deleted afterwards): a roster of ``--people`` people and an
events file in our ``interactions`` shape (CSV: timestamp, source_id, target_id, channel, kind),
each person writing to about 30 regular contacts over 12 weeks, 10 % broadcasts, five channels;
and a Slack-shaped export (users.json, channels.json, one folder per channel of day files) of
``--slack-messages`` messages with replies, mentions and reactions.

Each measured step runs in a fresh child process, so the peak resident memory printed (from
``wait4``) is that step's alone. Printed per step: events, seconds, peak RSS MB, events/s, ties.

    .venv/bin/python benchmarks/bench_ingest.py --events 3000000 --slack-messages 0 --spark-events 0
    .venv/bin/python benchmarks/bench_ingest.py --events 0 --repeat 8     # DuckDB and pandas in turn, medians
    .venv/bin/python benchmarks/bench_ingest.py --events 50000000 --slack-messages 3000000 --spark-events 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHANNELS = ["chat", "email", "meeting", "wiki", "slack"]
KINDS = ["message", "reply", "mention", "comment", "edit"]
WEEKS = 12


def generate_events(path: Path, roster: Path, events: int, people: int, seed: int = 1) -> None:
    """The roster and ``events`` events in our shape, written by DuckDB."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"SELECT setseed({seed / 1000})")
    con.execute(
        f"COPY (SELECT 'p' || i AS person_id, 'p' || i || '@example.org' AS email, 'd' || (i % 40) AS department "
        f"FROM range({people}) t(i)) TO '{roster}' (HEADER)"
    )
    channels = "[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    kinds = "[" + ", ".join(f"'{k}'" for k in KINDS) + "]"
    con.execute(
        f"""COPY (
        SELECT TIMESTAMP '2026-01-05' + to_seconds(CAST(floor(random() * {WEEKS * 7 * 86400}) AS BIGINT)) AS timestamp,
               'p' || s AS source_id,
               CASE WHEN random() < 0.1 THEN NULL ELSE 'p' || ((s + 1 + CAST(floor(random() * 30) AS BIGINT)) % {people}) END
                 AS target_id,
               {channels}[CAST(floor(random() * 5) AS INT) + 1] AS channel,
               {kinds}[CAST(floor(random() * 5) AS INT) + 1] AS kind
        FROM (SELECT CAST(floor(random() * {people}) AS BIGINT) AS s FROM range({events}))
    ) TO '{path}' (HEADER, DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"""
    )
    con.close()


def generate_slack(folder: Path, messages: int, people: int, seed: int = 2) -> None:
    """A Slack-shaped export: 20 channels, one day file per channel and day over 12 weeks."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    users: list[dict[str, object]] = [
        {"id": f"U{i}", "profile": {"email": f"p{i}@example.org"}} for i in range(people)
    ]
    users.append({"id": "UBOT", "is_bot": True, "profile": {}})
    (folder / "users.json").write_text(json.dumps(users))
    names = [f"channel-{c}" for c in range(20)]
    (folder / "channels.json").write_text(
        json.dumps([{"id": f"C{c}", "name": n} for c, n in enumerate(names)])
    )
    days = WEEKS * 7
    per_file = max(1, messages // (len(names) * days))
    t0 = 1767571200  # 2026-01-05 00:00 UTC
    written = 0
    for name in names:
        (folder / name).mkdir()
        for day in range(days):
            batch, root = [], None
            for k in range(per_file):
                u = rng.randrange(people)
                ts = f"{t0 + day * 86400 + k * 0.5:.6f}"
                m: dict[str, object] = {"type": "message", "user": f"U{u}", "text": "update", "ts": ts}
                r = rng.random()
                if r < 0.3 and root is not None:
                    m.update(thread_ts=root[0], parent_user_id=root[1])
                elif r < 0.45:
                    m["text"] = f"<@U{(u + rng.randrange(1, 30)) % people}> see this"
                elif r < 0.55:
                    m["reactions"] = [
                        {"name": "+1", "users": [f"U{(u + rng.randrange(1, 30)) % people}"], "count": 1}
                    ]
                elif r < 0.57:
                    m = {
                        "type": "message",
                        "subtype": "bot_message",
                        "bot_id": "B1",
                        "text": "build",
                        "ts": ts,
                    }
                elif r < 0.65:
                    m["reply_count"] = 1
                    root = (ts, f"U{u}")
                batch.append(m)
            (folder / name / f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}.json").write_text(
                json.dumps(batch)
            )
            written += len(batch)
    print(f"  generated a Slack export of {written:,} messages", flush=True)


# --- measured steps (each in a child process) ---------------------------------------------


def step_duckdb(source: str, roster: str) -> dict[str, object]:
    import duckdb  # noqa: F401  (imported before the clock starts, as pandas is for the pandas steps)

    from lib.intake.logs.ingest import IngestOptions, ingest, read_roster

    people = read_roster(Path(roster))
    start, cpu = time.perf_counter(), _cpu()
    result = ingest([Path(source)], people, IngestOptions())
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    events = int(result.channels["events"].sum()) if len(result.channels) else 0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "ties": len(result.ties),
        "events": events,
        "digest": _digest(result.ties),
    }


def step_duckdb_streamed(source: str, roster: str) -> dict[str, object]:
    """DuckDB with every source streamed twice (as sources above ``STAGE_BYTES`` are), not staged."""
    from lib.intake.logs import aggregate

    aggregate.STAGE_BYTES = -1
    return step_duckdb(source, roster)


def step_spark(source: str, roster: str) -> dict[str, object]:
    from lib.intake.logs.ingest import IngestOptions, ingest, read_roster

    people = read_roster(Path(roster))
    start, cpu = time.perf_counter(), _cpu()
    result = ingest([Path(source)], people, IngestOptions(engine="spark"))
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    events = int(result.channels["events"].sum()) if len(result.channels) else 0
    return {
        "seconds": seconds,
        "cpu": cpu,
        "ties": len(result.ties),
        "events": events,
        "digest": _digest(result.ties),
    }


def step_pandas(source: str, roster: str) -> dict[str, object]:
    """pandas: read_csv, map people, group pairs per 4-week window, keep those with ≥ 2."""
    import pandas as pd

    start, cpu = time.perf_counter(), _cpu()
    ids = set(pd.read_csv(roster, usecols=["person_id"])["person_id"])
    ev = pd.read_csv(source, usecols=["timestamp", "source_id", "target_id"], parse_dates=["timestamp"])
    rows = len(ev)
    ev = ev[ev["source_id"].isin(ids) & ev["target_id"].isin(ids) & (ev["source_id"] != ev["target_id"])]
    window = (ev["timestamp"] - pd.Timestamp("1970-01-05")).dt.days // 28
    ties = ev.groupby([ev["source_id"], ev["target_id"], window]).size()
    ties = ties[ties >= 2]
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu() - cpu,
        "ties": len(ties),
        "events": rows,
        "digest": "",
    }


def step_pandas_rules(source: str, roster: str) -> dict[str, object]:
    """pandas doing what the DuckDB step does, for our own events table: identities trimmed and
    matched to the roster by person id or e-mail (case-insensitively), self and unknown ends left
    out, ties per pair and 4-week window kept at 2 or more, and the per-channel summary. Its ties
    must equal DuckDB's (the digest is printed); reading, cleaning and counting are timed."""
    import pandas as pd

    from lib.core.schema import MISSING_VALUE_WORDS
    from lib.intake.logs.aggregate import period_label
    from lib.intake.logs.ingest import RELATION, read_roster, roster_keys

    people = read_roster(Path(roster))
    start, cpu = time.perf_counter(), _cpu()
    keys = roster_keys(people)
    to_person = dict(zip(keys["key"], keys["person_id"], strict=True))
    ev = pd.read_csv(source, dtype=str, keep_default_na=False)
    rows = len(ev)
    missing = {w.lower() for w in MISSING_VALUE_WORDS} | {""}

    def person(column: pd.Series) -> tuple[pd.Series, pd.Series]:
        values = pd.Series(column.unique())
        clean = values.str.strip()
        clean = clean.where(~clean.str.lower().isin(missing))
        found = dict(zip(values, clean.str.lower().map(to_person), strict=True))
        named = dict(zip(values, clean, strict=True))
        return column.map(found), column.map(named)

    source_person, _ = person(ev["source_id"])
    target_person, target_clean = person(ev["target_id"])
    when = pd.to_datetime(ev["timestamp"].str.strip(), errors="coerce", format="ISO8601")
    window = (when - pd.Timestamp("1970-01-05")).dt.days // 28
    tie = source_person.notna() & target_person.notna() & (source_person != target_person) & window.notna()
    counted = (
        pd.DataFrame({"s": source_person[tie], "t": target_person[tie], "w": window[tie].astype("int64")})
        .groupby(["s", "t", "w"], sort=True)
        .size()
    )
    pairs: pd.DataFrame = counted[counted >= 2].reset_index(name="weight")
    channel = ev["channel"].str.strip().str.lower()
    known = source_person.notna() & window.notna()
    summary = (
        pd.DataFrame(
            {
                "channel": channel[known],
                "w": window[known],
                "interactions": tie[known],
                "broadcasts": target_clean[known].isna(),
                "person": source_person[known],
            }
        )
        .groupby(["channel", "w"])
        .agg(
            events=("person", "size"),
            interactions=("interactions", "sum"),
            broadcasts=("broadcasts", "sum"),
            people=("person", "nunique"),
        )
    )
    labels = {w: period_label("4w", int(w)) for w in pairs["w"].unique()}
    ties = pd.DataFrame(
        {
            "source_id": pairs["s"].astype(str),
            "target_id": pairs["t"].astype(str),
            "relation": RELATION,
            "weight": pairs["weight"].astype("int64"),
            "wave": pairs["w"].map(labels).astype(str),
        }
    )
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu() - cpu,
        "ties": len(ties),
        "events": rows,
        "channels": len(summary),
        "digest": _digest(ties),
    }


def _cpu() -> float:
    """CPU seconds (user + system, every thread) this process has used: on a shared machine the
    wall-clock seconds depend on the other jobs, the CPU seconds much less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _digest(ties: object) -> str:
    import hashlib

    import pandas as pd

    assert isinstance(ties, pd.DataFrame)
    return hashlib.sha256(ties.to_csv(index=False).encode()).hexdigest()[:16]


STEPS = {
    "duckdb": step_duckdb,
    "duckdb-streamed": step_duckdb_streamed,
    "spark": step_spark,
    "pandas": step_pandas,
    "pandas-rules": step_pandas_rules,
}


def measure(step: str, source: Path, roster: Path, memory_limit_gb: float = 0) -> dict[str, object]:
    """Run ``step`` in a child process; its result with the child's peak RSS (MB)."""
    cmd = [sys.executable, __file__, "--step", step, "--source", str(source), "--roster", str(roster)]
    if memory_limit_gb:
        cmd += ["--limit-gb", str(memory_limit_gb)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # reaped here, so the usage is this child's alone
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    peak = usage.ru_maxrss / 1024
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": last[:160], "peak_mb": peak}
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    result["peak_mb"] = peak
    return result


def show(label: str, r: dict[str, object]) -> None:
    if "failed" in r:
        print(f"{label:<44} FAILED ({r['failed']}), peak RSS {r['peak_mb']:.0f} MB", flush=True)
        return
    seconds, events = float(str(r["seconds"])), int(str(r["events"]))
    rate = events / seconds if seconds else 0
    print(
        f"{label:<44} {events:>12,} events {seconds:8.1f} s ({float(str(r['cpu'])):6.1f} s CPU)  "
        f"peak RSS {r['peak_mb']:6.0f} MB  "
        f"{rate:>11,.0f} events/s  {int(str(r['ties'])):>9,} ties",
        flush=True,
    )


def alternate(steps: Sequence[str], source: Path, roster: Path, repeat: int) -> None:
    """Run ``steps`` in turn ``repeat`` times (each in a fresh process, so none is favoured by
    what ran before it) and print each step's median, fastest and slowest wall-clock seconds."""
    seconds: dict[str, list[float]] = {step: [] for step in steps}
    for _ in range(repeat):
        for step in steps:
            r = measure(step, source, roster)
            if "failed" in r:
                print(f"{step}: FAILED ({r['failed']})", flush=True)
                return
            seconds[step].append(float(str(r["seconds"])))
    for step, values in seconds.items():
        print(
            f"{step:<16} median {statistics.median(values):5.2f} s  fastest {min(values):5.2f} s  "
            f"slowest {max(values):5.2f} s  ({repeat} runs, alternating)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--pandas-events", type=int, default=3_000_000)
    parser.add_argument("--slack-messages", type=int, default=0)
    parser.add_argument("--spark-events", type=int, default=0)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument(
        "--pandas-limit-gb", type=float, default=4.0, help="address-space limit for pandas at full size"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="then run DuckDB (staged and streamed) and pandas in turn this many times on the "
        "--pandas-events file and print medians",
    )
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--source")
    parser.add_argument("--roster")
    parser.add_argument("--limit-gb", type=float, default=0)
    args = parser.parse_args()
    if args.step:
        if args.limit_gb:
            limit = int(args.limit_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        print(json.dumps(STEPS[args.step](args.source, args.roster)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir="/tmp"))
    try:
        roster = tmp / "people.csv"
        small = tmp / "events_small.csv"
        t = time.perf_counter()
        generate_events(small, roster, args.pandas_events, args.people)
        print(
            f"generated {args.pandas_events:,} events in {time.perf_counter() - t:.0f} s ({small.stat().st_size / 1e6:,.0f} MB)"
        )
        show(f"DuckDB, {args.pandas_events:,} events (CSV)", measure("duckdb", small, roster))
        duck = measure("duckdb", small, roster)
        show(f"DuckDB, {args.pandas_events:,} events (CSV), again", duck)
        show(f"pandas read_csv+groupby, {args.pandas_events:,}", measure("pandas", small, roster))
        rules = measure("pandas-rules", small, roster)
        show(f"pandas, the same rules, {args.pandas_events:,}", rules)
        print(
            f"pandas (same rules) and DuckDB ties identical: {rules.get('digest') == duck.get('digest')} "
            f"({rules.get('digest')} / {duck.get('digest')})",
            flush=True,
        )
        if args.repeat:
            alternate(("duckdb", "duckdb-streamed", "pandas"), small, roster, args.repeat)
        if args.spark_events:
            spark_file = tmp / "events_spark.csv"
            generate_events(spark_file, roster, args.spark_events, args.people, seed=3)
            duck = measure("duckdb", spark_file, roster)
            lake = measure("spark", spark_file, roster)
            show(f"DuckDB, {args.spark_events:,} events", duck)
            show(f"Spark local[2], {args.spark_events:,} events", lake)
            same = duck.get("digest") == lake.get("digest") and "digest" in duck
            print(
                f"Spark and DuckDB ties identical: {same} ({duck.get('digest')} / {lake.get('digest')})",
                flush=True,
            )
            spark_file.unlink()
        small.unlink()
        if args.events > args.pandas_events:
            big = tmp / "events_big.csv"
            t = time.perf_counter()
            generate_events(big, roster, args.events, args.people, seed=4)
            size = big.stat().st_size / 1e9
            print(
                f"generated {args.events:,} events in {time.perf_counter() - t:.0f} s ({size:.1f} GB)",
                flush=True,
            )
            show(f"DuckDB, {args.events:,} events (CSV)", measure("duckdb", big, roster))
            label = f"pandas, {args.events:,} (limit {args.pandas_limit_gb:g} GB)"
            show(label, measure("pandas", big, roster, args.pandas_limit_gb))
            big.unlink()
        if args.slack_messages:
            export = tmp / "slack"
            t = time.perf_counter()
            generate_slack(export, args.slack_messages, args.people)
            print(f"  in {time.perf_counter() - t:.0f} s", flush=True)
            show(
                f"DuckDB, Slack export of {args.slack_messages:,} messages", measure("duckdb", export, roster)
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
