"""Graph work run in a process of its own, beside the app server's threads.

The server computes a page's sections on two threads (the page's and the background one), which
take turns at the interpreter lock. igraph holds that lock for as long as it runs (python-igraph is
not thread-safe and never releases it), so at 100,000 people the key-person ranking's graph work
(a betweenness screen and some seventy removals: about 2.5 s) held every other section of the
Overview's tiles up while it ran. :func:`run` hands such a function to a worker process, which runs
it on the other core while the threads go on (a thread waiting for the worker holds no lock); the
function's arguments and result travel pickled over the worker's pipes (a
:class:`lib.analysis.network.Graph` as its arcs: :meth:`~lib.analysis.network.Graph.__reduce__`).

One worker, ``python -m lib.core.apart``, started by :func:`enable` (it imports :data:`PRELOAD`
once, about a second) and kept: calls take turns at it. The app server's own process must not
fork (it has threads), hence a process started afresh rather than :mod:`multiprocessing`'s (whose
workers would import the server's main module again). Off unless the app server turns it on;
everywhere else (the tests, the command line, which has processes of its own) :func:`run` calls the
function here. A worker that dies (out of memory, killed) is replaced at the next call, and the
call it was making is made here instead.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any, TypeVar

_T = TypeVar("_T")
_LOG = logging.getLogger(__name__)

#: Networks of more people than this are worked on apart (when enabled): below it the work takes a
#: few tenths of a second, about what sending it to the worker and back costs.
MIN_PEOPLE = 20_000
#: What the worker imports when it starts, so a call finds it loaded.
PRELOAD = ("lib.analysis.roles",)
#: The repository (the worker runs there, with it on its path).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ENABLED = {"on": False}
_WORKER: list[subprocess.Popen[bytes]] = []
_LOCK = threading.Lock()  # one call at a time at the worker


def enable() -> None:
    """Turn working apart on (the app server). The worker starts at the first call, or at
    :func:`start`."""
    ENABLED["on"] = True


def start() -> None:
    """Start the worker now when working apart is on (a large network was loaded), so the first
    call finds its imports done."""
    if ENABLED["on"]:
        with _LOCK:
            _worker()


def disable() -> None:
    """Turn working apart off and stop the worker (tests)."""
    ENABLED["on"] = False
    with _LOCK:
        _stop()


def _worker() -> subprocess.Popen[bytes]:
    """The running worker, started when there is none (call with :data:`_LOCK` held)."""
    if _WORKER and _WORKER[0].poll() is None:
        return _WORKER[0]
    _stop()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib.core.apart"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    _WORKER.append(proc)
    return proc


def _stop() -> None:
    while _WORKER:
        proc = _WORKER.pop()
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def run(fn: Callable[..., _T], *args: Any, big: bool = True) -> _T:
    """``fn(*args)``: in the worker when working apart is on and the work is ``big``, else here.
    ``fn`` must be a module-level function and its arguments picklable. An exception ``fn`` raises
    in the worker is raised here."""
    if not (ENABLED["on"] and big):
        return fn(*args)
    payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
    with _LOCK:
        try:
            proc = _worker()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(len(payload).to_bytes(8, "little"))
            proc.stdin.write(payload)
            proc.stdin.flush()
            ok, result = pickle.load(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            _LOG.warning("the worker process failed; computing %s in the server instead", fn.__name__)
            _stop()
            ok = None
    if ok is None:
        return fn(*args)
    if not ok:
        raise result
    value: _T = result
    return value


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """The worker: each call (its size, then ``(fn, args)`` pickled) answered with ``(True,
    result)`` or ``(False, exception)`` pickled, until its input closes."""
    from lib.core.memory import release_free_memory

    while size := stdin.read(8):
        fn, args = pickle.loads(stdin.read(int.from_bytes(size, "little")))
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:
            answer = (False, exc)
        pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
        del fn, args, answer
        release_free_memory()  # what the call built goes back to the system between calls
    return 0


if __name__ == "__main__":
    import importlib

    # the answers' own channel: anything the work prints goes to stderr, not into an answer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for module in PRELOAD:
        importlib.import_module(module)
    raise SystemExit(_serve(sys.stdin.buffer, answers))
