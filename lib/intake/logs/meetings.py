"""Meeting attendance reports as events: Zoom's participants CSV and Microsoft Teams'
attendance report (CSV or tab-separated, UTF-8 or UTF-16).

Rule: every ordered pair of attendees, once per meeting, when the meeting has at most
``max_recipients`` attendees (distinct people, dial-ins included); a larger meeting counts as
one broadcast per attendee (meeting volume only). Attendees are named by e-mail (Teams: the
e-mail, else the UPN); a phone dial-in without an e-mail is skipped and counted, as is any
attendee without one. Zoom: one meeting per Meeting ID (and start time); a report of one
meeting (summary block, then participants) is one meeting. Teams: one file is one meeting.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lib.intake.logs.events import Event, IngestReport, parse_when
from lib.intake.logs.shapes import key, open_text

__all__ = ["RULE", "read_teams", "read_zoom"]

RULE = (
    "Meetings: every ordered pair of roster attendees, once per meeting, when the meeting has at "
    "most --max-recipients attendees; phone dial-ins without an identity are skipped and counted."
)
CHANNEL = "meeting"
PHONE = re.compile(r"^(tel:)?[\s+()\-.\d]{6,}$")


@dataclass
class _Meeting:
    start: dt.datetime | None = None
    attendees: dict[str, None] = field(default_factory=dict)
    dial_ins: int = 0


def _rows(path: Path) -> list[list[str]]:
    text = open_text(path.read_bytes())
    out = []
    for line in text.splitlines():
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        out.append([c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])])
    return out


def _attendee(meeting: _Meeting, email: str, name: str, report: IngestReport) -> None:
    email = email.strip().lower()
    if "@" in email:
        meeting.attendees[email.removeprefix("mailto:")] = None
    elif PHONE.match(name.strip()) or PHONE.match(email):
        meeting.dial_ins += 1
        report.skip("meeting phone dial-ins without an identity")
    else:
        report.skip("meeting attendees without an e-mail")


def _events(meetings: dict[str, _Meeting], report: IngestReport, max_recipients: int) -> Iterator[Event]:
    for meeting in meetings.values():
        if meeting.start is None:
            report.skip("meetings without a readable start time")
            continue
        people = list(meeting.attendees)
        if len(people) + meeting.dial_ins > max_recipients:
            report.skip(f"meetings over --max-recipients ({max_recipients}): counted as broadcasts")
            yield from (Event(p, None, meeting.start, CHANNEL, "meeting") for p in people)
            continue
        for a in people:
            for b in people:
                if a != b:
                    yield Event(a, b, meeting.start, CHANNEL, "meeting")


def read_zoom(path: Path, report: IngestReport, max_recipients: int) -> Iterator[Event]:
    """Zoom participants: a flat export (one row per participant and meeting) or one meeting's report."""
    meetings: dict[str, _Meeting] = {}
    header: list[str] = []
    current = (path.name, "")
    for row in _rows(path):
        keys = [key(c) for c in row]
        if not any(row):
            continue
        if ("useremail" in keys or "nameoriginalname" in keys) and not any("@" in c for c in row):
            header = keys
            continue
        cells = dict(zip(header, row, strict=False))
        if "meetingid" in cells:
            current = (cells["meetingid"], cells.get("starttime", current[1]))
        if "jointime" not in header and "nameoriginalname" not in header:
            meeting = meetings.setdefault("|".join(current), _Meeting())
            meeting.start = meeting.start or parse_when(current[1])
            continue  # a one-meeting report's summary line
        meeting = meetings.setdefault("|".join(current), _Meeting())
        meeting.start = meeting.start or parse_when(current[1]) or parse_when(cells.get("jointime", ""))
        name = cells.get("nameoriginalname", cells.get("name", ""))
        _attendee(meeting, cells.get("useremail", ""), name, report)
    meetings = {k: m for k, m in meetings.items() if m.attendees or m.dial_ins}
    report.read[f"{path.name} (Zoom meetings)"] += len(meetings)
    yield from _events(meetings, report, max_recipients)


def read_teams(path: Path, report: IngestReport, max_recipients: int) -> Iterator[Event]:
    """A Teams attendance report: summary lines (``Start time``), then the participants table."""
    meeting = _Meeting()
    header: list[str] = []
    for row in _rows(path):
        keys = [key(c) for c in row]
        if not any(row):
            continue
        if header and re.match(r"^\d+\.\s", row[0]):
            break  # the next section (in-meeting activities) repeats the participants
        if keys and keys[0] in ("starttime", "meetingstarttime") and len(row) > 1 and not header:
            meeting.start = parse_when(row[1])
            continue
        if "firstjoin" in keys or "joinedatdatetime" in keys:
            header = keys
            continue
        if not header:
            continue
        cells = dict(zip(header, row, strict=False))
        email = cells.get("email", "")
        if "@" not in email:
            email = cells.get("participantidupn", "")
        if meeting.start is None:
            meeting.start = parse_when(cells.get("firstjoin", cells.get("joinedatdatetime", "")))
        _attendee(meeting, email, cells.get("name", cells.get("fullname", "")), report)
    report.read[f"{path.name} (Teams meeting)"] += 1
    yield from _events({path.name: meeting}, report, max_recipients)
