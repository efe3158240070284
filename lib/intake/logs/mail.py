"""E-mail headers from an .mbox file as events; bodies are never parsed or stored.

The file is scanned line by line: a line starting ``From `` opens a message, its header block
(up to the first blank line) is parsed for From, To, Cc and Date, and every body line is passed
over until the next ``From `` line. Memory holds one header block at a time.

Rule: one interaction from the sender to each distinct To and Cc recipient (the sender left out)
when the mail has at most ``max_recipients`` recipients; a larger mail is one broadcast (e-mail
volume only). Mails without a sender, recipients or a readable Date are skipped and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from lib.intake.logs.events import Event, IngestReport

__all__ = ["RULE", "read_mbox"]

RULE = (
    "Mail: from the sender to each distinct To and Cc recipient when the mail has at most "
    "--max-recipients recipients (default 25); larger mails are broadcasts. Bodies are never read."
)
CHANNEL = "email"


def read_mbox(path: Path, report: IngestReport, max_recipients: int) -> Iterator[Event]:
    """The events of the mails in ``path`` (headers only)."""
    parser = BytesHeaderParser(policy=compat32)
    header: list[bytes] | None = None
    mails = 0
    with path.open("rb") as fh:
        for line in fh:
            if header is None:
                if line.startswith(b"From "):
                    header = []
                continue
            if line.strip():
                header.append(line)
                continue
            mails += 1
            yield from _mail(parser.parsebytes(b"".join(header)), report, max_recipients)
            header = None
    if header:
        mails += 1
        yield from _mail(parser.parsebytes(b"".join(header)), report, max_recipients)
    report.read[f"{path.name} (mails)"] += mails


def _mail(msg: object, report: IngestReport, max_recipients: int) -> Iterator[Event]:
    from email.message import Message

    assert isinstance(msg, Message)
    sender = next((a.lower() for _, a in getaddresses(msg.get_all("From", [])) if "@" in a), "")
    recipients = list(
        dict.fromkeys(
            a.strip().lower()
            for _, a in getaddresses([*msg.get_all("To", []), *msg.get_all("Cc", [])])
            if "@" in a
        )
    )
    recipients = [r for r in recipients if r != sender]
    when = _date(str(msg.get("Date", "")))
    if not sender or when is None:
        report.skip("mails without a sender or a readable Date")
        return
    if not recipients:
        report.skip("mails without To or Cc recipients")
        return
    if len(recipients) > max_recipients:
        report.skip(f"mails over --max-recipients ({max_recipients}): counted as broadcasts")
        yield Event(sender, None, when, CHANNEL, "message")
        return
    for recipient in recipients:
        yield Event(sender, recipient, when, CHANNEL, "message")


def _date(text: str) -> dt.datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when
