"""Learning records: xAPI statements (JSON lines, a JSON list, or an LRS export
``{"statements": [...]}``) as formal learning hours and interactions.

Rules (:data:`VERB_RULES`):

* ``completed`` with a ``result.duration`` (ISO 8601, ``PT1H30M``) is that many formal
  structured learning (FSL) hours of the actor at the statement's time; a completion without a
  duration counts 0 hours and is counted;
* ``commented``, ``shared``, ``asked`` and ``answered`` are interactions on the statement's
  platform (``context.platform``, else ``lms``): to the object's person when the object is an
  Agent, to the author of the statement it refers to (a StatementRef object, or
  ``context.statement``) when that statement is in the file, else a broadcast;
* every other verb (launched, viewed, attempted, passed …) is skipped and counted: ``passed``
  too, so a course that is both passed and completed counts once.

JSON lines are read line by line; a JSON list is read whole (LRS exports come in pages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from lib.intake.logs.events import Event, Hours, IngestReport, parse_when

__all__ = ["INTERACTION_VERBS", "VERB_RULES", "iso_hours", "read_xapi"]

INTERACTION_VERBS = ("commented", "shared", "asked", "answered")
VERB_RULES: dict[str, str] = {
    "completed": "formal learning (FSL) hours: result.duration",
    **{
        verb: "an interaction (to the object's person, or the author it refers to)"
        for verb in INTERACTION_VERBS
    },
}
DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def iso_hours(text: str) -> float | None:
    """Hours in an ISO 8601 duration (``PT1H30M`` → 1.5); None when it is not one."""
    match = DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600


def _agent(value: object) -> str:
    """An xAPI agent's identity: its mbox e-mail, else its account name; "" when neither."""
    if not isinstance(value, dict):
        return ""
    mbox = str(value.get("mbox") or "")
    if mbox:
        return mbox.removeprefix("mailto:").strip().lower()
    account = value.get("account")
    return str(account.get("name") or "").strip() if isinstance(account, dict) else ""


def _statements(path: Path, report: IngestReport) -> Iterator[dict[str, object]]:
    with path.open("rb") as fh:
        first = fh.read(1024).lstrip()
    if first.startswith(b"["):
        data = json.loads(path.read_bytes())
        yield from (s for s in data if isinstance(s, dict))
        return
    if first.startswith(b"{") and b'"statements"' in first:
        try:
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and isinstance(data.get("statements"), list):
                yield from (s for s in data["statements"] if isinstance(s, dict))
                return
        except ValueError:
            pass
    with path.open("rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                report.skip("xAPI lines that are not JSON")
                continue
            if isinstance(value, dict):
                yield value


def read_xapi(path: Path, report: IngestReport) -> Iterator[Event | Hours]:
    """Events (interaction verbs) and FSL hours (completions) of the statements in ``path``."""
    authors: dict[str, str] = {}
    pending: list[tuple[str, str, Event]] = []
    statements = 0
    for s in _statements(path, report):
        statements += 1
        verb_value = s.get("verb")
        verb = (
            str(verb_value.get("id", "") if isinstance(verb_value, dict) else "")
            .rstrip("/")
            .rsplit("/", 1)[-1]
        )
        actor, when = _agent(s.get("actor")), parse_when(str(s.get("timestamp") or ""))
        if not actor or when is None:
            report.skip("xAPI statements without an actor or a time")
            continue
        if verb == "completed":
            result = s.get("result")
            hours = iso_hours(str(result.get("duration") or "")) if isinstance(result, dict) else None
            if hours is None:
                report.skip("xAPI completions without a duration (0 hours)")
            yield Hours(actor, when, hours or 0.0)
        elif verb in INTERACTION_VERBS:
            if s.get("id"):
                authors[str(s["id"])] = actor
            context = s.get("context")
            platform = str(context.get("platform") or "") if isinstance(context, dict) else ""
            event = Event(actor, None, when, platform.strip().lower() or "lms", verb)
            target, ref = _target(s)
            if target:
                yield event._replace(target_id=target)
            elif ref:
                pending.append((ref, actor, event))
            else:
                yield event
        else:
            report.skip(f"xAPI statements with other verbs ({verb or 'none'})")
    for ref, _actor, event in pending:
        yield event._replace(target_id=authors.get(ref))
    report.read[f"{path.name} (xAPI statements)"] += statements


def _target(s: dict[str, object]) -> tuple[str, str]:
    """The person an interaction statement is addressed to, or the id of the statement it refers to."""
    obj = s.get("object")
    if isinstance(obj, dict):
        kind = str(obj.get("objectType") or "")
        if kind in ("Agent", "Group") and _agent(obj):
            return _agent(obj), ""
        if kind == "StatementRef" and obj.get("id"):
            return "", str(obj["id"])
    context = s.get("context")
    ref = context.get("statement") if isinstance(context, dict) else None
    if isinstance(ref, dict) and ref.get("id"):
        return "", str(ref["id"])
    return "", ""
