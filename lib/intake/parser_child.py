"""The hardened parser's child process (``python -m lib.intake.parsing``, :func:`lib.intake.parsing.parse_isolated`):
starting it, and starting it ahead of its jobs.

Apart from :mod:`lib.intake.parsing` and without pandas or numpy, so the command line can start
the child first thing, before its own imports of pandas: the child imports them meanwhile, on the
other core.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from lib.core.schema import Limits

#: The repository (the child runs there, with it on its path).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


#: A parser child started ahead of its jobs (:func:`prestart`): (its limits, the process).
PRESTARTED: list[tuple[Limits, subprocess.Popen[bytes]]] = []


def start(limits: Limits) -> subprocess.Popen[bytes]:
    """``python -m lib.intake.parsing`` with ``limits``' memory and CPU caps, waiting for its jobs on stdin."""
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
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    _widen(proc.stdout)
    return proc


#: The pipe of the child's answer, widened from Linux's 64 KB (:func:`_widen`): its answer (66 MB at
#: 10,000 people) then crosses in a sixteenth as many turns between the two processes.
PIPE_BYTES = 1 << 20


def _widen(pipe: IO[bytes] | None) -> None:
    """Give ``pipe`` :data:`PIPE_BYTES` of buffer where the system allows (Linux ``F_SETPIPE_SZ``,
    up to ``/proc/sys/fs/pipe-max-size``, 1 MB by default); elsewhere, or when refused, it keeps its own."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or setsize is None:
        return
    try:
        fcntl.fcntl(pipe.fileno(), setsize, PIPE_BYTES)
    except OSError:
        pass


def prestart(limits: Limits) -> None:
    """Start the parser child of the next :func:`lib.intake.parsing.parse_isolated` with these
    ``limits`` now, so it imports pandas (about half a second) while the caller does other work.
    For a one-shot command line (one load per process); a child left unused ends when this
    process does (its stdin closes)."""
    if not PRESTARTED:
        PRESTARTED.append((limits, start(limits)))


def take(limits: Limits) -> subprocess.Popen[bytes]:
    """The prestarted child when it was started with ``limits`` and is still running, else a new one."""
    while PRESTARTED:
        wanted, proc = PRESTARTED.pop()
        if wanted == limits and proc.poll() is None:
            return proc
        proc.kill()
        proc.wait()
    return start(limits)
