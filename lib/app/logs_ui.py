"""The Data page's collaboration-logs block: the counting rules, an upload of log exports (read
from temporary files on disk, never kept in the session), the read/skip report, and the ties and
learning hours added to the loaded data (or downloaded as a zip for ``import``).

The download zip lives in the session's own temporary folder (:func:`zip_path`): reading the logs
again replaces it, and folders untouched for :data:`DOWNLOAD_LIFETIME_S` (sessions that ended) are
deleted the next time anyone reads logs."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import streamlit as st

from lib.app import ui
from lib.core.errors import DataError
from lib.intake.logs.aggregate import PERIODS
from lib.intake.logs.ingest import COUNTING_RULES, IngestOptions, ingest, read_roster, with_logs, write_zip

__all__ = ["DOWNLOAD_LIFETIME_S", "logs_section", "sweep", "zip_path"]

LOG_TYPES = ["zip", "csv", "tsv", "txt", "json", "jsonl", "ndjson", "mbox", "parquet"]
#: How long a session's download folder outlives its last use (seconds).
DOWNLOAD_LIFETIME_S = 3600.0
SESSION_FOLDER_KEY = "logs_tmp"


class SessionState(Protocol):
    """What :func:`zip_path` uses of ``st.session_state`` (a dict in tests)."""

    def get(self, key: str, /) -> Any: ...

    def __setitem__(self, key: str, value: Any, /) -> None: ...


def download_root() -> Path:
    """Where the sessions' download folders live (in the system's temporary folder)."""
    return Path(tempfile.gettempdir()) / "sld-logs-downloads"


def sweep(root: Path, lifetime_s: float = DOWNLOAD_LIFETIME_S, now: float | None = None) -> int:
    """Delete the session folders under ``root`` not touched for ``lifetime_s`` seconds; how many."""
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    gone = 0
    for folder in root.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > lifetime_s:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def zip_path(state: SessionState, root: Path, lifetime_s: float = DOWNLOAD_LIFETIME_S) -> Path:
    """Where this session's next download zip goes: in its own folder under ``root`` (made, or
    made again when it expired), the session's earlier zips deleted, expired folders swept."""
    sweep(root, lifetime_s)
    saved = state.get(SESSION_FOLDER_KEY)
    folder = Path(saved) if saved else None
    if folder is None or not folder.is_dir():
        root.mkdir(mode=0o700, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="session-", dir=root))
        state[SESSION_FOLDER_KEY] = str(folder)
    for old in folder.glob("*.zip"):
        old.unlink(missing_ok=True)
    os.utime(folder)  # its lifetime counts from now
    return folder / f"collaboration-logs-{time.time_ns()}.zip"


def _save(uploads: list[Any], folder: Path) -> list[Path]:
    """Each upload copied to a file in ``folder`` in 1 MB chunks; the paths."""
    paths = []
    for i, upload in enumerate(uploads):
        path = folder / f"{i}-{Path(upload.name).name}"
        upload.seek(0)
        with path.open("wb") as fh:
            shutil.copyfileobj(upload, fh, 1024 * 1024)
        paths.append(path)
    return paths


def _roster(folder: Path) -> Any:
    """The loaded data's people, with the e-mail and user-id columns of the uploaded roster file
    when there is one (the loader keeps only the person id)."""
    people = ui.dataset().people
    saved = st.session_state.get("upload_files")
    if not saved:
        return people
    _key, files = saved
    for name, data in files:
        if Path(name).suffix.lower() in (".xlsx", ".zip") or Path(name).stem.lower() in ("people", "roster"):
            (folder / "roster").mkdir(exist_ok=True)
            path = folder / "roster" / Path(name).name  # the loader reads the sheet name from the file name
            path.write_bytes(data)
            try:
                return read_roster(path)
            except DataError:
                return people
    return people


def logs_section() -> None:
    """Render the block (see the module docstring)."""
    with st.expander(
        "Collaboration logs: Slack, Viva Insights, Zoom, Teams, e-mail, xAPI, LMS", expanded=False
    ):
        st.write(
            "Exports of the tools people use, read next to the loaded workbook (its people are the "
            "roster) and aggregated into ties (relation **interactions**) and formal learning hours. "
            "Each file is recognised by its shape. The counting rules:"
        )
        st.markdown("\n".join(f"- {ui.md(rule)}" for rule in COUNTING_RULES))
        if not ui.can("upload"):
            return
        uploads = st.file_uploader(
            "Log exports", type=LOG_TYPES, accept_multiple_files=True, key="logs-upload"
        )
        left, middle, right = st.columns(3)
        period = left.selectbox("Period", PERIODS, index=PERIODS.index("4w"), key="logs-period")
        minimum = middle.number_input("Minimum interactions", min_value=1, value=2, key="logs-min")
        cap = right.number_input("Maximum recipients or attendees", min_value=1, value=25, key="logs-max")
        if uploads and st.button("Read the logs", key="logs-read"):
            _read(
                uploads,
                IngestOptions(period=str(period), min_interactions=int(minimum), max_recipients=int(cap)),
            )
        _report()


def _read(uploads: list[Any], options: IngestOptions) -> None:
    with st.spinner("Reading the logs…"), tempfile.TemporaryDirectory(prefix="sld-logs-") as tmp:
        folder = Path(tmp)
        result = ingest(_save(uploads, folder), _roster(folder), options)
        out = zip_path(st.session_state, download_root())
        write_zip(result, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    ds = ui.dataset()
    ui.set_dataset(
        with_logs(ds, result), key=f"{st.session_state.get('dataset_key', 'sample')}+logs-{digest}"
    )
    st.session_state["logs_report"] = (
        len(result.ties),
        len(result.learning),
        result.report.lines(),
        str(out),
    )


def _report() -> None:
    saved = st.session_state.get("logs_report")
    if not saved:
        return
    ties, learning, lines, path = saved
    st.success(f"Logs read: {ties:,} ties and {learning:,} learning-hour rows added to the loaded data.")
    st.code("\n".join(lines), language=None)
    zipped = Path(path)
    if zipped.exists():
        st.download_button(
            "⬇️ Download the ties as a zip of CSVs (for import)",
            data=zipped.read_bytes(),
            file_name="collaboration-logs.zip",
            mime="application/zip",
            key="logs-download",
            on_click="ignore",
        )
    else:
        st.caption("The download has expired (kept for an hour): read the logs again to download them.")
