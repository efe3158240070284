"""Findings about uploaded data, and the one domain exception pages catch.

A *finding* names the file, sheet, row (as Excel shows it: the header is row 1, so the first
data row is row 2), column and offending value, with a hint a facilitator can act on.
``severity="error"`` blocks loading; ``"warning"`` and ``"note"`` load.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]
#: A value in a finding is cut to this many characters: a 1 MB cell stays readable.
MAX_VALUE_CHARS = 120
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None  # Excel row number (header = 1); None when the finding is about a whole sheet/file
    column: str = ""
    value: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown_value(self.value))

    def location(self) -> str:
        """``sheet:row:column`` as the CLI prints it (empty parts stay empty)."""
        row = "" if self.row is None else str(self.row)
        return f"{self.sheet}:{row}:{self.column}"

    def line(self) -> str:
        value = f" (value: {self.value!r})" if self.value != "" else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        return f"{self.location()}: {self.message}{value}.{hint}".replace("..", ".")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class DataError(Exception):
    """Raised when an upload cannot be loaded. Carries every finding, errors first."""

    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.findings = sort_findings(self.findings)
        super().__init__(self.summary())

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def summary(self) -> str:
        n = len(self.errors)
        first = self.errors[0].line() if self.errors else "no details"
        return f"{n} error(s) stop this upload from loading. First: {first}"


def shown_value(value: str) -> str:
    """A cell's value as a finding shows it: control characters made visible (a NUL byte in an id
    as ``␀``, a tab as ``␉``: U+2400 CONTROL PICTURES) and a long value cut at
    :data:`MAX_VALUE_CHARS`, saying how long it was."""
    text = str(value)
    long = len(text) > MAX_VALUE_CHARS
    shown = text[:MAX_VALUE_CHARS] if long else text
    shown = "".join(chr(0x2400 + ord(ch)) if ord(ch) < 32 else ("␡" if ch == "\x7f" else ch) for ch in shown)
    return f"{shown}… ({len(text):,} characters)" if long else shown


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (SEVERITY_ORDER[f.severity], f.file, f.sheet, f.row or 0, f.column),
    )


@contextmanager
def reported_as_findings(label: str, findings: Sequence[Finding] = ()) -> Iterator[None]:
    """Loading inside leaves by a :class:`DataError` only: any other failure becomes one with the
    error ``findings`` made so far and one naming the unexpected problem. Callers (the Data page,
    the command line, workspace imports) catch that type only, and a file that trips an unforeseen
    bug is reported like any bad file, the data loaded before staying in use."""
    try:
        yield
    except DataError:
        raise
    except Exception as exc:
        raise DataError(
            [
                *[f for f in findings if f.severity == "error"],
                Finding(
                    "error",
                    f"The file could not be loaded: an unexpected problem stopped the check "
                    f"({type(exc).__name__}: {str(exc)[:200]})",
                    file=label,
                    hint="Nothing was loaded. Check the file for unusual values near the problem named here, "
                    "and send the file to whoever maintains the dashboard so the check can name it.",
                ),
            ]
        ) from exc
