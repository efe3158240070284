"""Live pulse under load: N participants answer at once as real browser sessions against a running
server; nothing may be lost or doubled. Then some change their answer at once: still N, new values.

    .venv/bin/python benchmarks/bench_pulse.py                      # 50 participants, 10 resubmit
    .venv/bin/python benchmarks/bench_pulse.py --participants 20 --resubmit 5

A real ``streamlit run app.py`` (tests.conftest.Server) on a temporary SQLite database (or
``--database-url``, e.g. a throwaway PostgreSQL); the pulse is opened with lib.store.pulse on a workspace
whose roster is a generated 60-person organisation. One headless Chromium with one browser context
per participant (its own Streamlit session). Every participant opens the join link and fills the
form (hours, an adviser picked from the list, three trust answers); when all forms are filled, all
press "Send my answer" at once (tests/pulse_driver.py). Latency: from that press to the
confirmation on the participant's screen; wall time: from the first press to the last confirmation.
Then the database is checked against what each participant sent. Printed per round: participants,
submitted, stored, lost, duplicates, unknown respondents, wrong values, participants in the pulse
wave's tables, wall time and p50/p95/max latency; then any answer the page refused (the driver
fills the form again and resends, as a person would, and the refusal is reported).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.app import pulse_link  # noqa: E402
from lib.intake.sample import generate  # noqa: E402
from lib.store import pulse  # noqa: E402
from lib.store import workspaces as ws  # noqa: E402
from tests.conftest import Server  # noqa: E402
from tests.pulse_driver import Participant, Stored, run_participants, verify  # noqa: E402


def participants(n: int, names: list[str]) -> list[Participant]:
    """Distinct answers: IOL hours = i + 1 tells each participant's row apart."""
    return [
        Participant(
            hours={"IOL": float(i + 1), "GDL": 0.5 * (i % 4), "FSL": 2.0},
            adviser=names[i % len(names)],
            trust=1 + i % 5,
        )
        for i in range(n)
    ]


def show(title: str, stored: Stored, figures: dict[str, float], prefix: str, sent: int) -> None:
    print(f"\n{title}")
    print(f"  participants {stored.participants}   submitted {sent}   stored {stored.stored}")
    print(f"  lost {stored.lost}   duplicates {stored.duplicates}   unknown {stored.unknown}")
    print(
        f"  wrong values {stored.wrong_values}   participants in the wave's tables {stored.wave_participants}"
    )
    print(f"  answers stored over {stored.commit_span_s:.1f} s (first to last, as the database saw them)")
    print(
        f"  wall time {figures[prefix + 'wall_s']:.1f} s   submit latency p50 {figures[prefix + 'p50_s']:.2f} s"
        f"   p95 {figures[prefix + 'p95_s']:.2f} s   max {figures[prefix + 'max_s']:.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--resubmit", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pulse-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'workspaces.db'}"
        os.environ["SLD_DATABASE_URL"] = url  # the server inherits it
        engine = ws.open_database(url)
        name = f"Bench {int(time.time())}"
        ws.import_dataset(engine, name, generate(people=60, seed=8), "roster")
        session = pulse.open_session(engine, name, title="Load test")
        names = [n for _, n in session.roster]
        people = participants(args.participants, names)
        server = Server()
        checks: list[Stored] = []
        try:
            link = pulse_link.join_url(server.url, session.token)
            resubmit = {i: {**people[i].hours, "IOL": 100.0 + i} for i in range(args.resubmit)}
            began = time.perf_counter()
            figures = asyncio.run(
                run_participants(
                    link,
                    people,
                    resubmit,
                    between=lambda: checks.append(verify(engine, session.token, people)),
                )
            )
            total = time.perf_counter() - began
        finally:
            server.stop()
        checks.append(verify(engine, session.token, people, span_of=[people[i] for i in resubmit]))
        if args.database_url:
            ws.delete_workspace(engine, name)
        engine.dispose()

    backend = url.split(":")[0].split("+")[0]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Load average at the end: {load} on {os.cpu_count()} cores (the figures scale with it)")
    print(f"Live pulse load: {args.participants} participants at once, {args.resubmit} resubmit ({backend})")
    show("Round 1: everyone answers at once", checks[0], figures, "round1_", args.participants)
    if args.resubmit:
        show(
            f"Round 2: {args.resubmit} change their answer at once",
            checks[1],
            figures,
            "round2_",
            args.resubmit,
        )
    refused = [(i, m) for i, who in enumerate(people) for m in who.refusals]
    print(
        f"\nRefused and sent again: {len(refused)}" + "".join(f"\n  participant {i}: {m}" for i, m in refused)
    )
    print(f"\nTotal {total:.1f} s (browser start, {args.participants} forms opened and filled, both rounds)")
    ok = all(
        s.lost == 0
        and s.duplicates == 0
        and s.unknown == 0
        and s.wrong_values == 0
        and s.stored == args.participants == s.wave_participants
        for s in checks
    )
    print("OK: nothing lost, nothing doubled" if ok else "FAILED: see the counts above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
