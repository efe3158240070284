"""Live pulse under load: N participants answer at once; nothing may be lost or doubled. Then some
change their answer at once: still N, new values.

    .venv/bin/python benchmarks/bench_pulse.py --threads                  # 200 participants, server side
    .venv/bin/python benchmarks/bench_pulse.py                            # 50 in real browser sessions
    .venv/bin/python benchmarks/bench_pulse.py --participants 20 --resubmit 5

Both on a temporary SQLite database (or ``--database-url``, e.g. a throwaway PostgreSQL); the pulse
is opened with lib.store.pulse on a workspace whose roster is a generated 60-person organisation.

``--threads`` (the server's side): the participants are threads of this process, as a Streamlit
server runs each browser session's script in a thread of its own. Each holds its own device token
(:func:`lib.store.pulse.issue_device`, as the page issues one) and a distinct answer; all press send
at once (a barrier), and each then does what the pulse page does on "Send my answer": reads the
session (:func:`lib.store.pulse.get_session`) and submits (:func:`lib.store.pulse.submit`). Meanwhile
a facilitator thread refreshes the live view every two seconds (:func:`lib.store.pulse.live_summary`,
which takes the snapshot and rebuilds the wave when due), as ``app_pages/pulse_live.py`` does.
*Store*: from the press to ``submit`` returning, the answer committed; *confirmation*: from the
press to the page's reply being ready (the session read, the submit, the result). Round 2: the
first ``--resubmit`` participants send a changed answer twice at once (a double click).

Without ``--threads``: a real ``streamlit run app.py`` (tests.conftest.Server), one headless Chromium
with one browser context per participant (its own Streamlit session). Every participant opens the
join link and fills the form (hours, an adviser picked from the list, three trust answers); when
all forms are filled, all press "Send my answer" at once (tests/pulse_driver.py). Latency: from that
press to the confirmation on the participant's screen; wall time: from the first press to the last
confirmation.

Then the database is checked against what each participant sent. Printed per round: participants,
submitted, stored, lost, duplicates, unknown respondents, wrong values, participants in the pulse
wave's tables, wall time and p50/p95/max latency; the CPU the benchmark's client used (the
participant threads' harness, or Chromium) and the server's, as shares of the machine, next to how
busy the whole machine was (other jobs included); then any answer the page refused.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.app import pulse_link  # noqa: E402
from lib.intake.sample import generate  # noqa: E402
from lib.store import pulse  # noqa: E402
from lib.store import workspaces as ws  # noqa: E402
from tests.conftest import Server  # noqa: E402
from tests.pulse_driver import Participant, Stored, run_participants, verify  # noqa: E402

LIVE_VIEW_EVERY_S = 2.0  # app_pages/pulse_live.py: st.fragment(run_every="2s")


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


@dataclass(frozen=True)
class Machine:
    """CPU seconds over a stretch of wall time: the client's, the server's, the whole machine's."""

    wall_s: float
    client_s: float
    server_s: float
    busy_s: float  # every process on the machine, this benchmark included

    def line(self, client: str, server: str) -> str:
        capacity = self.wall_s * (os.cpu_count() or 1)

        def share(seconds: float) -> str:
            return f"{100 * seconds / capacity:.0f}%" if capacity else "—"

        return (
            f"  CPU over {self.wall_s:.1f} s on {os.cpu_count()} cores: the client ({client}) "
            f"{share(self.client_s)} of the machine, the server ({server}) {share(self.server_s)}, "
            f"the machine as a whole {share(self.busy_s)} busy (the rest of that: other jobs)"
        )


def _busy() -> float:
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def percentiles(values: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(values)
    return {
        f"{prefix}p50_s": statistics.median(ordered),
        f"{prefix}p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        f"{prefix}max_s": ordered[-1],
    }


# --- the server's side: participant threads -------------------------------------------------------


class _ServerClock:
    """CPU seconds spent in the server's code (what a page run does), summed over threads; the rest
    of this process's CPU is the harness, the client's own share."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds = 0.0

    def add(self, since: float) -> None:
        with self._lock:
            self.seconds += time.thread_time() - since


def _press_all(
    engine: Any, token: str, people: list[Participant], who: list[int], times: int, clock: _ServerClock
) -> tuple[dict[str, float], float]:
    """Each participant in ``who`` presses send ``times`` times at once (threads released by one
    barrier); return store/confirmation percentiles (each participant's last press) and the wall
    seconds from the release to the last reply."""
    presses = [(i, k) for i in who for k in range(times)]
    store: dict[tuple[int, int], float] = {}
    confirm: dict[tuple[int, int], float] = {}
    ends: list[float] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(len(presses) + 1)

    def press(i: int, k: int) -> None:
        who_ = people[i]
        gate.wait()
        pressed, cpu = time.perf_counter(), time.thread_time()
        try:  # what app_pages/pulse.py does with a press of "Send my answer"
            session = pulse.get_session(engine, token)
            assert session is not None and session.is_open
            trust = dict.fromkeys(session.trust_items, who_.trust)
            picked = [p for p, name in session.roster if name == who_.adviser][:1]  # the list's first
            answer = pulse.Response(hours=who_.hours, advisers=picked, trust=trust)
            result = pulse.submit(engine, token, who_.device, answer)
            stored = time.perf_counter()
            reply = "Your earlier answer was replaced" if result.replaced else "Thank you: your answer is in"
            done = time.perf_counter()
        except BaseException as err:  # reported below
            errors.append(err)
            return
        finally:
            clock.add(cpu)
        assert reply
        store[(i, k)], confirm[(i, k)] = stored - pressed, done - pressed
        ends.append(done)

    threads = [threading.Thread(target=press, args=p) for p in presses]
    for t in threads:
        t.start()
    gate.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    last = [(i, times - 1) for i in who]
    figures = {
        **percentiles([store[p] for p in last], "store_"),
        **percentiles([confirm[p] for p in last], "confirm_"),
    }
    return figures, max(ends) - start


def _facilitator(engine: Any, token: str, stop: threading.Event, clock: _ServerClock) -> None:
    """The live view: refreshes now and every two seconds until told to stop."""
    while True:
        cpu = time.thread_time()
        pulse.live_summary(engine, token, 5)
        clock.add(cpu)
        if stop.wait(LIVE_VIEW_EVERY_S):
            return


def run_threads(
    engine: Any, session: pulse.PulseSession, people: list[Participant], resubmit: int
) -> tuple[list[tuple[str, Stored, dict[str, float], float, Machine]], float]:
    """Both rounds on the server's side; per round (title, checks, figures, wall, machine)."""
    for person in people:
        person.device = pulse.issue_device(session)  # the page issues one on the first visit
    rounds = [
        (f"Round 1: {len(people)} answer at once", list(range(len(people))), 1),
        (
            f"Round 2: {resubmit} change their answer at once, each pressing send twice",
            list(range(resubmit)),
            2,
        ),
    ]
    out = []
    began = time.perf_counter()
    for title, who, times in rounds:
        if not who:
            continue
        if times == 2:
            for i in who:
                people[i].hours = {**people[i].hours, "IOL": 100.0 + i}
        clock = _ServerClock()
        stop = threading.Event()
        viewer = threading.Thread(target=_facilitator, args=(engine, session.token, stop, clock))
        cpu0, busy0, wall0 = time.process_time(), _busy(), time.perf_counter()
        viewer.start()
        figures, wall = _press_all(engine, session.token, people, who, times, clock)
        stop.set()
        viewer.join()
        cpu, busy, elapsed = time.process_time() - cpu0, _busy() - busy0, time.perf_counter() - wall0
        machine = Machine(elapsed, cpu - clock.seconds, clock.seconds, busy)
        checks = verify(engine, session.token, people, span_of=[people[i] for i in who])
        out.append((title, checks, figures, wall, machine))
    return out, time.perf_counter() - began


def show_threads(
    title: str, stored: Stored, figures: dict[str, float], wall: float, machine: Machine
) -> None:
    print(f"\n{title}")
    print(f"  participants {stored.participants}   stored {stored.stored}   lost {stored.lost}")
    print(f"  duplicates {stored.duplicates}   unknown {stored.unknown}   wrong values {stored.wrong_values}")
    print(f"  participants in the wave's tables {stored.wave_participants} (after opening the wave)")
    print(f"  wall time {wall:.2f} s (the press to the last reply)")
    for name, key in (("store (press → committed)", "store_"), ("confirmation (press → reply)", "confirm_")):
        print(
            f"  {name:30} p50 {figures[key + 'p50_s']:.3f} s   p95 {figures[key + 'p95_s']:.3f} s"
            f"   max {figures[key + 'max_s']:.3f} s"
        )
    print(machine.line("the harness: threads, barrier", "the page's work and the live view, same process"))


# --- real browser sessions ----------------------------------------------------------------------


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_browsers(
    engine: Any, session: pulse.PulseSession, people: list[Participant], resubmit: int
) -> tuple[dict[str, float], list[Stored], float, Machine]:
    server = Server()
    checks: list[Stored] = []
    try:
        link = pulse_link.join_url(server.url, session.token)
        again = {i: {**people[i].hours, "IOL": 100.0 + i} for i in range(resubmit)}
        serving = psutil.Process(server.proc.pid)
        server0, self0, kids0, busy0 = (
            sum(serving.cpu_times()[:2]),
            time.process_time(),
            _children_cpu(),
            _busy(),
        )
        began = time.perf_counter()
        check: Callable[[], None] = lambda: checks.append(verify(engine, session.token, people))  # noqa: E731
        figures = asyncio.run(run_participants(link, people, again, between=check))
        total = time.perf_counter() - began
        # Chromium and Playwright's driver are children of this process, reaped once the browser closed
        client = time.process_time() - self0 + _children_cpu() - kids0
        machine = Machine(total, client, sum(serving.cpu_times()[:2]) - server0, _busy() - busy0)
    finally:
        server.stop()
    checks.append(verify(engine, session.token, people, span_of=[people[i] for i in range(resubmit)]))
    return figures, checks, total, machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--threads", action="store_true", help="the server's side: participant threads, no browser"
    )
    parser.add_argument("--participants", type=int, default=0, help="default 200 with --threads, else 50")
    parser.add_argument("--resubmit", type=int, default=10)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    n = args.participants or (200 if args.threads else 50)

    with tempfile.TemporaryDirectory(prefix="bench-pulse-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'workspaces.db'}"
        os.environ["SLD_DATABASE_URL"] = url  # the server inherits it
        engine = ws.open_database(url)
        name = f"Bench {int(time.time())}"
        ws.import_dataset(engine, name, generate(people=60, seed=8), "roster")
        session = pulse.open_session(engine, name, title="Load test")
        names = [n for _, n in session.roster]
        people = participants(n, names)
        if args.threads:
            rounds, total = run_threads(engine, session, people, args.resubmit)
            checks = [c for _, c, _, _, _ in rounds]
        else:
            figures, checks, total, machine = run_browsers(engine, session, people, args.resubmit)
        if args.database_url:
            ws.delete_workspace(engine, name)
        engine.dispose()

    backend = url.split(":")[0].split("+")[0]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Load average at the end: {load} on {os.cpu_count()} cores (the figures scale with it)")
    mode = "participant threads, the server's side" if args.threads else "real browser sessions"
    print(f"Live pulse load: {n} participants at once, {args.resubmit} resubmit ({backend}; {mode})")
    if args.threads:
        for title, stored, figs, wall, machine in rounds:
            show_threads(title, stored, figs, wall, machine)
        print(f"\nTotal {total:.1f} s (both rounds)")
    else:
        show("Round 1: everyone answers at once", checks[0], figures, "round1_", n)
        if args.resubmit:
            show(
                f"Round 2: {args.resubmit} change their answer at once",
                checks[1],
                figures,
                "round2_",
                args.resubmit,
            )
        print("\n" + machine.line("Chromium, Playwright and this script", "streamlit run app.py").strip())
        refused = [(i, m) for i, who in enumerate(people) for m in who.refusals]
        print(
            f"\nRefused and sent again: {len(refused)}"
            + "".join(f"\n  participant {i}: {m}" for i, m in refused)
        )
        print(f"\nTotal {total:.1f} s (browser start, {n} forms opened and filled, both rounds)")
    ok = all(
        s.lost == 0
        and s.duplicates == 0
        and s.unknown == 0
        and s.wrong_values == 0
        and s.stored == n == s.wave_participants
        for s in checks
    )
    print("OK: nothing lost, nothing doubled" if ok else "FAILED: see the counts above")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
