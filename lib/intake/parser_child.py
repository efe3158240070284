"""The hardened parser's child process (``python -m lib.intake.parsing``, :func:`lib.intake.parsing.parse_isolated`):
starting it, and starting it ahead of its jobs.

Apart from :mod:`lib.intake.parsing` and without pandas or numpy, so the command line can start
the child first thing, before its own imports of pandas: the child imports them meanwhile, on the
other core.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from lib.core.forked import memory_file
from lib.core.schema import Limits

#: The repository (the child runs there, with it on its path).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


#: A parser child started ahead of its jobs (:func:`prestart`): (its limits, the process).
PRESTARTED: list[tuple[Limits, subprocess.Popen[bytes]]] = []


#: Each running child's file in memory for its answer (:func:`start` with ``answer_in_memory``),
#: by process id; :func:`answer_file` hands it over once.
_ANSWER_FILES: dict[int, int] = {}


def start(limits: Limits, answer_in_memory: bool = False) -> subprocess.Popen[bytes]:
    """``python -m lib.intake.parsing`` with ``limits``' memory and CPU caps, waiting for its jobs on stdin.

    ``answer_in_memory`` (Linux; the one-shot command line): the child writes its answer to a file
    in memory (``memfd_create``) and only a note that it did to its stdout; the caller reads the
    file in one go (:func:`answer_file`). Through the pipe the answer crossed 1 MB at a time, each
    turn waiting for the other process: 0.16–0.19 s for the 66 MB of 10,000 people, against
    0.05 s. Not for the app's server, whose peak would briefly hold the answer twice (the file and
    its tables), 0.7 GB more at 100,000 people."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
    # Arrow's default allocator reserves address space up front; the system one keeps RLIMIT_AS honest.
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    cmd = [
        sys.executable,
        "-m",
        "lib.intake.parsing",
        str(limits.parse_memory_bytes),
        str(limits.parse_seconds),
    ]
    answer = memory_file("parser-answer") if answer_in_memory else None
    if answer is not None:
        cmd.append(str(answer))
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            pass_fds=() if answer is None else (answer,),
        )
    except BaseException:
        if answer is not None:
            os.close(answer)
        raise
    if answer is not None:
        _ANSWER_FILES[proc.pid] = answer
    _widen(proc.stdout)
    return proc


def answer_file(proc: subprocess.Popen[bytes]) -> int | None:
    """The descriptor of ``proc``'s file in memory (:func:`start`), now the caller's to read and
    close; None when it has none."""
    return _ANSWER_FILES.pop(proc.pid, None)


def discard(proc: subprocess.Popen[bytes]) -> None:
    """Stop ``proc`` and close its file in memory, if any."""
    proc.kill()
    proc.wait()
    answer = answer_file(proc)
    if answer is not None:
        os.close(answer)


#: The pipe of the child's answer, widened from Linux's 64 KB (:func:`_widen`): its answer (66 MB at
#: 10,000 people) then crosses in a sixteenth as many turns between the two processes.
PIPE_BYTES = 1 << 20


def _widen(pipe: IO[bytes] | None) -> None:
    """Give ``pipe`` :data:`PIPE_BYTES` of buffer where the system allows (Linux ``F_SETPIPE_SZ``,
    up to ``/proc/sys/fs/pipe-max-size``, 1 MB by default); elsewhere, or when refused, it keeps its own."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or setsize is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), setsize, PIPE_BYTES)


def prestart(limits: Limits) -> None:
    """Start the parser child of the next :func:`lib.intake.parsing.parse_isolated` with these
    ``limits`` now, so it imports pandas (about half a second) while the caller does other work.
    For a one-shot command line (one load per process); a child left unused ends when this
    process does (its stdin closes)."""
    if not PRESTARTED:
        PRESTARTED.append((limits, start(limits, answer_in_memory=True)))


def take(limits: Limits) -> subprocess.Popen[bytes]:
    """The prestarted child when it was started with ``limits`` and is still running, else a new one."""
    while PRESTARTED:
        wanted, proc = PRESTARTED.pop()
        if wanted == limits and proc.poll() is None:
            return proc
        discard(proc)
    return start(limits)
