"""Work done meanwhile in a forked child process, for the one-shot command line on a machine with
two cores: the child inherits the parent's data as they are (nothing is copied up front) and sends
its result back pickled.

Only for a process with one thread (a fork copies the calling thread alone: the app's server,
with its threads, never forks; :func:`start` refuses while another thread runs). The child's result is the same function on the same
data, so callers get the same values; when the child fails for any reason, the caller computes
the value itself.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import IO, TypeVar

_T = TypeVar("_T")

#: Above this many people callers do not fork: the child's own memory counts too, and at 100,000
#: people ``analyze`` with its two forks peaked at 3.03 GB (summed PSS of its processes) against
#: 2.88 GB in one process, over the 3 GB target. At 10,000 people the forks add 75-145 MB (455-509
#: against 583-598 MB).
MAX_PEOPLE = 50_000


#: Threads the next :func:`start` waits for (:func:`wait_for`).
_PENDING: list[threading.Thread] = []


def wait_for(thread: threading.Thread) -> None:
    """Make the next :func:`start` wait for ``thread`` to end before it forks: a thread caught
    halfway (importing a module, holding a lock) would leave the child waiting for it forever."""
    _PENDING.append(thread)


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def memory_file(name: str) -> int | None:
    """A new file in memory (Linux ``memfd_create``; ``name`` is what ``/proc`` shows): its
    descriptor, or None where there is none (not Linux, or refused)."""
    if not hasattr(os, "memfd_create"):
        return None
    try:
        return os.memfd_create(name)
    except OSError:
        return None


def _answer_file() -> IO[bytes]:
    """Where a child writes its pickled result: a file in memory (:func:`memory_file`), else a
    temporary file. Not a pipe: the child can write it all and end while the parent is still busy
    (the build child's tables are 26 MB at 10,000 people; through a pipe of 64 KB it waited for the
    parent to read, about 0.1 s on the parent's path), and the parent reads it in one go."""
    fd = memory_file("forked-answer")
    return tempfile.TemporaryFile() if fd is None else os.fdopen(fd, "w+b")


def start(compute: Callable[[], _T]) -> Callable[[], _T | None] | None:
    """Run ``compute()`` in a forked child now; returns the function that waits for the child and
    gives its result (None when the child failed: the caller then computes it itself), or None
    when there is no second core, no ``fork``, or another thread still running after those of
    :func:`wait_for` ended (the caller computes it itself)."""
    if not hasattr(os, "fork") or cores() < 2:
        return None
    while _PENDING:
        thread = _PENDING.pop()
        if thread.ident is not None:  # one never started cannot be halfway through anything
            thread.join()
    if threading.active_count() > 1:
        return None
    answer = _answer_file()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, write the result, leave without cleaning up
        code = 1
        try:
            pickle.dump(compute(), answer, protocol=pickle.HIGHEST_PROTOCOL)
            answer.flush()
            code = 0
        finally:
            os._exit(code)  # no atexit handlers, no flushing of the parent's buffers

    def collect() -> _T | None:
        with answer:
            _, status = os.waitpid(pid, 0)
            if status != 0:
                return None
            answer.seek(0)  # the file's offset is shared with the child, which wrote up to its end
            try:
                result: _T = pickle.load(answer)
            except EOFError:
                return None
        return result

    return collect


_K = TypeVar("_K")

#: The most tasks :func:`share` takes (one byte each in its pipe).
MAX_TASKS = 256


def share(tasks: Sequence[_K], run: Callable[[_K], _T], fork: bool = True) -> dict[_K, _T]:
    """``run(task)`` for every task, the tasks shared between this process and a forked child
    (``fork`` and :func:`start` permitting) as each becomes free: each process takes the next task
    nobody has taken yet, in the given order (the longest first balances best), so the two end
    together however long each task turns out to take on the machine's load. The tasks' numbers
    wait in a pipe both processes read one byte at a time (a read of one byte takes it whole, from
    one reader). Returns every task's result by task (the tasks must be distinct), in the tasks'
    order; the child's come back pickled. When the child cannot start or fails, the tasks it took
    are run here afterwards."""
    if len(tasks) > MAX_TASKS:
        raise ValueError(f"at most {MAX_TASKS} tasks, not {len(tasks)}")
    if len(set(tasks)) != len(tasks):
        raise ValueError("the tasks must be distinct (each one's result is kept under it)")
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, bytes(range(len(tasks))))  # well within a pipe's buffer
    finally:
        os.close(write_end)

    def take() -> dict[int, _T]:
        done: dict[int, _T] = {}
        while number := os.read(read_end, 1):
            done[number[0]] = run(tasks[number[0]])
        return done

    try:
        collect = start(take) if fork and len(tasks) > 1 else None
        here = take()
        theirs = (collect() if collect is not None else None) or {}
    finally:
        os.close(read_end)
    results = {**here, **theirs}
    return {task: results[i] if i in results else run(task) for i, task in enumerate(tasks)}
