"""The log summaries an ingest zip holds next to its contract tables: ``channels.csv`` (events,
interactions, broadcasts and people per channel and period) and ``collaboration_hours.csv``
(hours per person and period), read into :attr:`Dataset.channels` and
:attr:`Dataset.collaboration_hours`.

Bad rows are left out with a warning naming the file, the row as a spreadsheet shows it (header =
row 1), the column, the value and a hint; a file without its required columns is left out whole
with one warning. Hours of people not on the roster are left out the same way."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import PurePosixPath

import pandas as pd

from lib.core.dataset import channel_mode, empty_summary
from lib.core.errors import Finding
from lib.core.schema import LOG_SUMMARY_COLUMNS, normalise_name
from lib.intake.parsing import Source
from lib.intake.table import MAX_FINDINGS_PER_CHECK

__all__ = ["SUMMARY_FILES", "is_summary", "read_summaries"]

SUMMARY_FILES: tuple[str, ...] = tuple(LOG_SUMMARY_COLUMNS)
_BY_KEY = {normalise_name(name): name for name in SUMMARY_FILES}
#: Columns a summary must have; the counts that must be whole numbers ≥ 0.
REQUIRED = {"channels": ("channel", "events"), "collaboration_hours": ("person_id", "period", "hours")}
COUNTS = ("events", "interactions", "broadcasts", "people")
#: A summary larger than this (unpacked) is not read: ingest writes a few MB at most.
MAX_SUMMARY_BYTES = 100 * 1024 * 1024


def is_summary(file: str) -> bool:
    """Whether a file name (``…/channels.csv``) is one of the log summaries."""
    path = PurePosixPath(file)
    return path.suffix.lower() == ".csv" and normalise_name(path.stem) in _BY_KEY


def _members(sources: Sequence[Source]) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every summary among ``sources`` and the members of zipped sources."""
    found: list[tuple[str, bytes]] = []
    for src in sources:
        if is_summary(src.name):
            found.append((src.name, src.blob.read()))
        elif src.name.lower().endswith(".zip"):
            try:
                with src.blob.open_container() as container, zipfile.ZipFile(container) as zf:
                    for info in zf.infolist():
                        if is_summary(info.filename) and info.file_size <= MAX_SUMMARY_BYTES:
                            found.append((info.filename, zf.read(info.filename)))
            except (OSError, zipfile.BadZipFile):
                continue  # the loader reports an unreadable zip itself
    return found


def _flag(
    findings: list[Finding],
    file: str,
    bad: pd.Series,
    frame: pd.DataFrame,
    column: str,
    message: str,
    hint: str,
) -> None:
    rows = list(bad[bad].index)
    for i in rows[:MAX_FINDINGS_PER_CHECK]:
        findings.append(
            Finding(
                "warning",
                message,
                file=file,
                sheet=PurePosixPath(file).stem,
                row=int(i) + 2,
                column=column,
                value=str(frame.at[i, column]),
                hint=hint,
            )
        )
    if len(rows) > MAX_FINDINGS_PER_CHECK:
        findings.append(
            Finding(
                "warning",
                f"{message}: and {len(rows) - MAX_FINDINGS_PER_CHECK} more rows like this",
                file=file,
                sheet=PurePosixPath(file).stem,
                column=column,
                hint=hint,
            )
        )


def _read(name: str, file: str, data: bytes, ids: pd.Index | None, findings: list[Finding]) -> pd.DataFrame:
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    canonical = {normalise_name(c): c for c in LOG_SUMMARY_COLUMNS[name]}
    raw.columns = [canonical.get(normalise_name(str(c)), str(c)) for c in raw.columns]
    missing = [c for c in REQUIRED[name] if c not in raw.columns]
    if missing:
        findings.append(
            Finding(
                "warning",
                f"{PurePosixPath(file).name} left out: no column {', '.join(missing)}",
                file=file,
                hint="Use the file python -m lib.cli ingest wrote, or add the column.",
            )
        )
        return empty_summary(name)
    out = pd.DataFrame({c: raw[c].str.strip() if c in raw else "" for c in LOG_SUMMARY_COLUMNS[name]})
    keep = pd.Series(True, index=out.index)
    numbers = COUNTS if name == "channels" else ("hours",)
    for col in numbers:
        if col not in raw:
            out[col] = "0"
        value = pd.to_numeric(out[col], errors="coerce")
        whole = value == value.round() if col in COUNTS else value.notna()
        bad = value.isna() | (value < 0) | ~whole
        _flag(
            findings,
            file,
            bad & keep,
            out,
            col,
            f"Row left out: {col} is not a number of 0 or more",
            "Write a number (0 or more) or delete the row.",
        )
        keep &= ~bad
        out[col] = value
    if name == "collaboration_hours":
        blank = out["person_id"].eq("")
        unknown = ~blank & ~out["person_id"].isin(ids) if ids is not None else blank & False
        _flag(
            findings,
            file,
            (blank | unknown) & keep,
            out,
            "person_id",
            "Row left out: person not in the people sheet",
            "Use a person_id from the people sheet.",
        )
        keep &= ~(blank | unknown)
    else:
        blank = out["channel"].eq("")
        _flag(findings, file, blank & keep, out, "channel", "Row left out: no channel", "Name the channel.")
        keep &= ~blank
    out = out[keep].reset_index(drop=True)
    if name == "channels":
        out = out.astype({c: "int64" for c in COUNTS})
        out["channel"] = out["channel"].str.lower()
        out["mode"] = out["mode"].where(out["mode"].isin(["stock", "flow"]), "")
    else:
        out["hours"] = out["hours"].astype("float64")
    return out


def read_summaries(
    sources: Sequence[Source], ids: pd.Index | None, channel_modes: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    """(channels, collaboration hours, findings) from the summaries among ``sources``; a channel
    without a mode in its file takes the dataset's channel mapping."""
    findings: list[Finding] = []
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in SUMMARY_FILES}
    for file, data in _members(sources):
        name = _BY_KEY[normalise_name(PurePosixPath(file).stem)]
        try:
            frames[name].append(_read(name, file, data, ids, findings))
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
            findings.append(
                Finding(
                    "warning",
                    f"{PurePosixPath(file).name} left out: not a readable CSV ({str(err)[:120]})",
                    file=file,
                    hint="Use the file python -m lib.cli ingest wrote.",
                )
            )
    channels = (
        pd.concat(frames["channels"], ignore_index=True) if frames["channels"] else empty_summary("channels")
    )
    if len(channels):
        unmapped = channels["mode"].eq("")
        channels.loc[unmapped, "mode"] = channel_mode(
            channels.loc[unmapped, "channel"], channel_modes
        ).to_numpy()
    hours = (
        pd.concat(frames["collaboration_hours"], ignore_index=True)
        if frames["collaboration_hours"]
        else empty_summary("collaboration_hours")
    )
    return channels, hours, findings
