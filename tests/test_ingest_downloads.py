"""The Data page's ingest download zips: one per session folder, replaced when the logs are read
again, and folders of sessions untouched for the lifetime deleted (lib/app/logs_ui.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from lib.app.logs_ui import sweep, zip_path


def test_reading_again_replaces_the_sessions_zip(tmp_path: Path) -> None:
    state: dict[str, Any] = {}
    first = zip_path(state, tmp_path)
    first.write_bytes(b"first")
    second = zip_path(state, tmp_path)
    second.write_bytes(b"second")
    assert second.parent == first.parent == Path(state["logs_tmp"])
    assert not first.exists() and list(second.parent.iterdir()) == [second]


def test_sessions_have_their_own_folders(tmp_path: Path) -> None:
    one: dict[str, Any] = {}
    other: dict[str, Any] = {}
    mine = zip_path(one, tmp_path)
    mine.write_bytes(b"x")
    theirs = zip_path(other, tmp_path)
    assert theirs.parent != mine.parent and mine.exists()  # the other session's zip is not touched


def test_folders_past_their_lifetime_are_deleted(tmp_path: Path) -> None:
    old: dict[str, Any] = {}
    stale = zip_path(old, tmp_path)
    stale.write_bytes(b"x")
    hours_ago = time.time() - 2 * 3600
    os.utime(stale.parent, (hours_ago, hours_ago))
    recent: dict[str, Any] = {}
    kept = zip_path(recent, tmp_path)  # anyone reading logs sweeps the expired folders
    kept.write_bytes(b"y")
    assert not stale.parent.exists() and kept.exists()
    assert sweep(tmp_path, lifetime_s=3600) == 0  # the recent one stays
    again = zip_path(old, tmp_path)  # the expired session gets a new folder
    assert again.parent.is_dir() and again.parent != stale.parent
