"""``analyze`` with its second process (``parallel=True``, what ``lib.cli analyze`` uses) gives the
same document as computing every section in one process, in the same section order, and falls
back to computing the second process's sections itself when that process fails."""

from __future__ import annotations

import io
import json
import os

import pytest

from lib.app import cli
from lib.intake.sample import generate


def _document(result: dict[str, object]) -> str:
    out = io.StringIO()
    cli.write_analysis_json(result, out)
    return out.getvalue()


def test_parallel_analyze_equals_one_process() -> None:
    ds = generate(people=60, seed=3)
    alone = _document(cli.analyze(generate(people=60, seed=3)))
    forked = cli.analyze(ds, parallel=True)
    assert list(forked) == list(json.loads(alone))[:-1]  # the same keys in the same order
    assert _document(forked) == alone


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_failed_second_process_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    ds = generate(people=60, seed=3)
    expected = _document(cli.analyze(generate(people=60, seed=3)))
    parent = os.getpid()
    real = cli._section
    calls: list[str] = []

    def failing_in_child(d: object, spec: str, people: bool) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        calls.append(spec)
        return real(d, spec, people)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_section", failing_in_child)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})  # two cores, whatever runs the test
    assert _document(cli.analyze(ds, parallel=True)) == expected
    assert len(calls) == len(cli.ANALYSIS_SECTIONS)  # the child's sections computed here after all
