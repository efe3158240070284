"""A read export, matched to the roster, as the data contract's sheets.

:func:`convert` is the whole path: the columns' meanings (kit recognition and the facilitator's
mapping), respondents matched (id, e-mail, name), duplicates (the later answer counts), partial
responses (kept by default, :class:`Settings`), and every answer coded: names to ties, Likert
labels to 1–5, hours and shares to numbers. What cannot be matched with certainty is a
:class:`ReviewRow`, never a guess; a choice made in review (``resolutions``) adds the tie.

Choices made for an earlier wave (``remembered``, kept per workspace by
:mod:`lib.store.survey_choices`) are keyed by what stays the same from one export to the next:
the respondent's person_id, the column's key and the text given (:attr:`ReviewRow.memory_key`),
not the row, which changes with every export.

The result's sheets carry ids, names, teams and the answers only: the export's e-mails, IP
addresses, locations and free-text comments never reach them, and :attr:`SurveyResult.notes`
says what was dropped. :func:`workbook_bytes` writes the sheets (text neutralised against
spreadsheet formulas) so that ``python -m lib.cli validate`` accepts them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xlsxwriter

from lib.core.errors import Finding
from lib.core.sanitise import XLSX_OPTIONS, clean_text, formula_like, neutralise_formula, safe_csv
from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_WORDING, TRUST_ITEM_BANK, WORK_KINDS
from lib.intake.survey.people import FUZZY_THRESHOLD, Candidate, Matcher, NameMatch, Roster
from lib.intake.survey.questions import DEFAULT_CAP, Meaning, hours, likert, meanings, share, skill_level
from lib.intake.survey.tools import Export, ExportColumn

__all__ = [
    "NOBODY",
    "REMEMBERED",
    "RESPONDENT",
    "REVIEW_COLUMNS",
    "MemoryKey",
    "ReviewRow",
    "Settings",
    "SurveyResult",
    "convert",
    "read_review_choices",
    "resolution_key",
    "review_csv",
    "review_frame",
    "workbook_bytes",
]

#: The review table's question for a respondent who could not be matched.
RESPONDENT = "respondent"
#: The count (:attr:`SurveyResult.counts`) of answers resolved by a choice made for an earlier export.
REMEMBERED = "choices remembered from an earlier upload"
REVIEW_COLUMNS = ["row", "question", "text", "candidates", "column", "respondent", "chosen_person_id"]
#: What a resolved REVIEW.csv says in ``chosen_person_id`` for "none of them: drop the answer".
NOBODY = ("nobody", "none")
_BANK = {i.item for i in TRUST_ITEM_BANK}


@dataclass(frozen=True)
class Settings:
    """How an export is read. ``keep_partial``: unfinished responses keep what was answered."""

    keep_partial: bool = True
    threshold: float = FUZZY_THRESHOLD
    cap: int = DEFAULT_CAP
    wave: str = ""


#: A review choice as remembered across waves: (respondent's person_id, column key, text given).
MemoryKey = tuple[str, str, str]


@dataclass(frozen=True)
class ReviewRow:
    """An answer not matched with certainty: the respondent's row (as the export shows it), the
    question, the text given and the candidates with their scores."""

    row: int
    column: str  # the column's key (RESPONDENT for the respondent)
    question: str
    text: str
    candidates: tuple[Candidate, ...]
    respondent: str = ""  # the respondent's person_id; "" when the respondent is the question

    @property
    def key(self) -> tuple[int, str, str]:
        return resolution_key(self.row, self.column, self.text)

    @property
    def memory_key(self) -> MemoryKey:
        """What the choice is remembered by for later waves: (respondent, column key, text)."""
        return (self.respondent, self.column, self.text.strip())

    def candidates_text(self) -> str:
        return "; ".join(f"{c.label} [{c.person_id}] {c.score:g}" for c in self.candidates)


def resolution_key(row: int, column: str, text: str) -> tuple[int, str, str]:
    """What a review choice is remembered by: the row, the column and the text given."""
    return (int(row), column, text.strip())


@dataclass
class SurveyResult:
    export: Export
    meanings: dict[int, Meaning]
    tables: dict[str, pd.DataFrame]
    review: list[ReviewRow]
    notes: list[Finding]
    counts: dict[str, int] = field(default_factory=dict)
    #: The remembered choices (``remembered``) this export used, so they can be asked again.
    remembered: list[MemoryKey] = field(default_factory=list)


def convert(
    export: Export,
    roster: Roster,
    mapping: Mapping[str, Meaning] | None = None,
    resolutions: Mapping[tuple[int, str, str], str] | None = None,
    settings: Settings = Settings(),
    remembered: Mapping[MemoryKey, str] | None = None,
) -> SurveyResult:
    """The dataset's sheets from ``export``, matched to ``roster`` (see the module docstring).

    ``resolutions``: (row, column key, text) → person_id, the choices made in review ("" = none
    of them: the answer is dropped). ``remembered``: choices made for an earlier export,
    (respondent, column key, text) → person_id (:attr:`ReviewRow.memory_key`); a choice made now
    wins. A remembered person_id no longer on the roster is not used (the answer goes to review)."""
    chosen = meanings(export.columns, dict(mapping or {}))
    matcher = Matcher(roster, settings.threshold)
    known = set(roster.people["person_id"].astype(str))
    kept = {k: v for k, v in (remembered or {}).items() if v == "" or v in known}
    run = _Run(export, roster, matcher, chosen, dict(resolutions or {}), settings, kept)
    run.respondents()
    run.answers()
    return SurveyResult(export, chosen, run.tables(), run.review, run.notes(), run.counts, run.used)


class _Run:
    """One conversion's state: who answered, what they said, what needs review."""

    def __init__(
        self,
        export: Export,
        roster: Roster,
        matcher: Matcher,
        chosen: dict[int, Meaning],
        resolutions: dict[tuple[int, str, str], str],
        settings: Settings,
        remembered: dict[MemoryKey, str],
    ) -> None:
        self.export, self.roster, self.matcher = export, roster, matcher
        self.chosen, self.resolutions, self.settings = chosen, resolutions, settings
        self.remembered = remembered
        self.used: list[MemoryKey] = []
        self.review: list[ReviewRow] = []
        self.reviewed: set[tuple[int, str, str]] = set()
        # Plain Python rows: cell access through pandas costs ~0.2 ms a cell.
        indexes = [int(j) for j in export.answers.columns]
        self.cells: list[dict[int, str]] = [
            {j: str(v).strip() for j, v in zip(indexes, row, strict=True)}
            for row in export.answers.itertuples(index=False)
        ]
        self.meta: list[dict[str, object]] = [
            {str(k): v for k, v in record.items()} for record in export.respondent.to_dict("records")
        ]
        self.counts: dict[str, int] = {}
        self.who: dict[int, str] = {}  # response position → person_id
        self.ties: list[dict[str, object]] = []
        self.values: dict[str, dict[str, dict[str, float]]] = {"learning": {}, "trust": {}}
        self.attributes: dict[str, dict[str, str]] = {}
        self.skills: list[dict[str, object]] = []
        self.custom_items: dict[str, Meaning] = {}
        self.shares: dict[str, dict[str, tuple[float, bool]]] = {}  # work: (number, written with %)
        self.dropped_notes: list[Finding] = []

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def note(
        self, message: str, row: int | None = None, column: str = "", value: str = "", hint: str = ""
    ) -> None:
        self.dropped_notes.append(
            Finding("note", message, file=self.export.file, row=row, column=column, value=value, hint=hint)
        )

    # --- respondents ------------------------------------------------------------------------------

    def _respondent_columns(self) -> list[int]:
        return [j for j, m in self.chosen.items() if m.kind == "respondent"]

    def _identify(self, i: int) -> str:
        """The respondent of response ``i``: id, then e-mail, then name; "" (and a review row) if none."""
        meta = self.meta[i]
        row = self.export.rows[i]
        given = [self.cells[i][j] for j in self._respondent_columns()]
        for text in [str(meta["employee_id"]), *given]:
            pid = self.matcher.by_id(text)
            if pid:
                return pid
        for text in [str(meta["email"]), *given]:
            pid = self.matcher.by_email(text)
            if pid:
                return pid
        name = str(meta["name"]).strip()
        shown = name or next((t for t in given if t), "") or str(meta["email"])
        resolved = self.resolutions.get(resolution_key(row, RESPONDENT, shown))
        if resolved is None and shown:
            resolved = self.remembered.get(("", RESPONDENT, shown.strip()))
            if resolved is not None:
                self.count(REMEMBERED)
                self.used.append(("", RESPONDENT, shown.strip()))
        if resolved is not None:
            return resolved
        match = self.matcher.match(name) if name else NameMatch(shown, "", "none")
        if match.person_id:
            return match.person_id
        if shown or any(self.cells[i].values()):
            self.review.append(ReviewRow(row, RESPONDENT, "Who answered", shown, match.candidates))
        return ""

    def respondents(self) -> None:
        export = self.export
        order: dict[str, list[int]] = {}
        for i in range(len(self.cells)):
            answered = any(self.cells[i].values())
            if not answered:
                self.count("empty responses dropped")
                continue
            finished = bool(self.meta[i]["finished"])
            if not finished:
                self.count("partial responses")
                if not self.settings.keep_partial:
                    self.count("partial responses dropped")
                    continue
            pid = self._identify(i)
            if not pid:
                self.count("responses waiting for their respondent in review")
                continue
            order.setdefault(pid, []).append(i)
        times = pd.to_datetime(export.respondent["time"], errors="coerce", format="mixed")
        by_time = bool(len(times)) and not times.isna().any()
        for pid, positions in order.items():
            keep = max(positions, key=lambda i: (times.iloc[i], i)) if by_time else positions[-1]
            for i in positions:
                if i != keep:
                    self.count("earlier duplicate responses dropped")
                    self.note(
                        f"A later response by the same person (row {export.rows[keep]}) counts instead of this one",
                        row=export.rows[i],
                    )
            self.who[keep] = pid

    # --- answers ---------------------------------------------------------------------------------

    def answers(self) -> None:
        columns = {c.index: c for c in self.export.columns}
        relations: dict[tuple[int, str], list[tuple[ExportColumn, str]]] = {}
        for i, pid in sorted(self.who.items()):
            for j, meaning in self.chosen.items():
                text = self.cells[i].get(j, "")
                if not text or meaning.kind in ("ignore", "respondent"):
                    continue
                column = columns[j]
                if meaning.kind == "relation":
                    names = [column.item] if column.option else self._split(text)
                    relations.setdefault((i, meaning.target), []).extend((column, n) for n in names)
                else:
                    self._value(i, pid, column, meaning, text)
        for (i, relation), named in relations.items():
            self._names(i, self.who[i], relation, named)

    def _split(self, cell: str) -> list[str]:
        """A cell of names as the tools join them (``;``, ``, ``, ``,``, new lines), keeping a
        name-list label or a "Last, First" name whole."""
        out: list[str] = []
        for piece in (p.strip() for p in re.split(r"[;\n]", cell)):
            if not piece:
                continue
            if piece in self.matcher.labels:
                out.append(piece)
                continue
            parts = [p.strip() for p in piece.split(",") if p.strip()]
            k = 0
            while k < len(parts):
                for width in (3, 2):
                    joined = ", ".join(parts[k : k + width])
                    if k + width <= len(parts) and self._whole(joined, parts[k : k + width]):
                        out.append(joined)
                        k += width
                        break
                else:
                    out.append(parts[k])
                    k += 1
        return out

    def _whole(self, joined: str, parts: list[str]) -> bool:
        """Whether comma-joined parts are one name: a label, or "Last, First" naming someone the
        first part alone does not."""
        if joined in self.matcher.labels:
            return True
        if len(parts) != 2 or parts[0] in self.matcher.labels or parts[1] in self.matcher.labels:
            return False  # two labels are two names (the common case, decided without folding)
        return bool(self.matcher.exact(joined)) and not self.matcher.exact(parts[0])

    def _names(self, i: int, source: str, relation: str, named: list[tuple[ExportColumn, str]]) -> None:
        row = self.export.rows[i]
        targets: list[str] = []
        for column, text in named:
            pid = self._person(row, source, column, text)
            if not pid or pid in targets:
                continue
            if pid == source:
                self.count("self-nominations dropped")
                self.note("A respondent named themselves; dropped", row=row, column=column.header)
                continue
            targets.append(pid)
        if len(targets) > self.settings.cap:
            extra = len(targets) - self.settings.cap
            self.count("names beyond the question's cap dropped", extra)
            self.note(
                f"{extra} name(s) beyond the cap of {self.settings.cap} for {relation} dropped",
                row=row,
                column=relation,
            )
            targets = targets[: self.settings.cap]
        for target in targets:
            self.ties.append({"source_id": source, "target_id": target, "relation": relation, "weight": 1.0})

    def _person(self, row: int, source: str, column: ExportColumn, text: str) -> str:
        """The named colleague: resolved in review (now or for an earlier export), matched, or ""
        with a review row."""
        resolved = self.resolutions.get(resolution_key(row, column.key, text))
        if resolved is None:
            resolved = self.remembered.get((source, column.key, text.strip()))
            if resolved is not None:
                self.count(REMEMBERED)
                self.used.append((source, column.key, text.strip()))
        if resolved is not None:
            if resolved:
                self.count("names resolved in review")
            return resolved
        if self.export.variant == "numeric values" and text.isdigit() and not self.matcher.by_id(text):
            n = int(text)
            if 1 <= n <= len(self.matcher.position):
                self.count("names read as name-list positions")
                return self.matcher.position[n - 1]
        match = self.matcher.match(text)
        if match.person_id:
            self.count(f"names matched ({match.how})")
            return match.person_id
        review = ReviewRow(row, column.key, column.header, text, match.candidates, source)
        if review.key not in self.reviewed:  # the same name twice in one answer: once
            self.reviewed.add(review.key)
            self.count("names in review")
            self.review.append(review)
        return ""

    def _value(self, i: int, pid: str, column: ExportColumn, meaning: Meaning, text: str) -> None:
        row = self.export.rows[i]
        if meaning.kind == "trust":
            value = likert(text)
            self._store("trust", pid, meaning.target, value, row, column, text, "a Likert answer 1–5")
            if meaning.target not in _BANK:
                self.custom_items[meaning.target] = meaning
        elif meaning.kind == "learning":
            self._store("learning", pid, meaning.target, hours(text), row, column, text, "hours")
        elif meaning.kind == "work":
            read = share(text)
            if read is None:
                self._unreadable(row, column, text, "a share or per cent")
            else:
                self.shares.setdefault(pid, {})[meaning.target] = read
        elif meaning.kind == "skill":
            level = skill_level(text)
            skill = meaning.target or column.item or column.question
            if level is None:
                self._unreadable(row, column, text, "a level 0–5")
            else:
                self.skills.append({"person_id": pid, "skill": skill, "level": level, "source": "self"})
        elif meaning.kind == "attribute":
            self.attributes.setdefault(pid, {})[meaning.target] = text

    def _store(
        self,
        table: str,
        pid: str,
        key: str,
        value: float | None,
        row: int,
        column: ExportColumn,
        text: str,
        what: str,
    ) -> None:
        if value is None:
            self._unreadable(row, column, text, what)
            return
        self.values[table].setdefault(pid, {})[key] = value

    def _unreadable(self, row: int, column: ExportColumn, text: str, what: str) -> None:
        self.count("answers not readable (left blank)")
        self.dropped_notes.append(
            Finding(
                "warning",
                f"This answer is not {what}; left blank",
                file=self.export.file,
                row=row,
                column=column.header,
                value=text,
            )
        )

    # --- the sheets ------------------------------------------------------------------------------

    def _wave(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.settings.wave and len(frame):
            frame["wave"] = self.settings.wave
        return frame

    def tables(self) -> dict[str, pd.DataFrame]:
        people = self.roster.people.drop(columns=["email"]).copy()
        responded = set(self.who.values())
        people["responded"] = ["yes" if p in responded else "no" for p in people["person_id"]]
        for pid, attrs in self.attributes.items():
            for name, value in attrs.items():
                if name not in people.columns:
                    people[name] = ""
                people.loc[people["person_id"] == pid, name] = value
        out: dict[str, pd.DataFrame] = {"people": people}
        ties = pd.DataFrame(self.ties, columns=["source_id", "target_id", "relation", "weight"])
        out["ties"] = self._wave(ties)
        learning = self._wave(self._wide("learning", list(LEARNING_TYPE_CODES)))
        if len(learning):
            learning["wording"] = LEARNING_WORDING  # the kit's questions as asked today
        out["learning"] = learning
        trust_items = [i.item for i in TRUST_ITEM_BANK] + sorted(self.custom_items)
        out["trust"] = self._wave(self._wide("trust", trust_items))
        out["work"] = self._wave(self._values_work())
        skills = pd.DataFrame(self.skills, columns=["person_id", "skill", "level", "source"])
        out["skills"] = self._wave(skills)
        out["trust_items"] = pd.DataFrame(
            [
                {
                    "item": m.target,
                    "dimension": m.dimension,
                    "reverse": "yes" if m.reverse else "no",
                    "wording": m.wording,
                }
                for m in self.custom_items.values()
            ],
            columns=["item", "dimension", "reverse", "wording"],
        )
        self.counts["ties"] = len(ties)
        return out

    def _wide(self, table: str, columns: list[str]) -> pd.DataFrame:
        rows = [{"person_id": pid, **vals} for pid, vals in self.values[table].items()]
        frame = pd.DataFrame(rows, columns=["person_id", *columns])
        return frame.dropna(axis=1, how="all") if len(frame) else frame

    def _values_work(self) -> pd.DataFrame:
        """Work shares as 0–1: a person's plain numbers are per cent when any of theirs is
        written with % or is above 1 (``40, 30, 20, 10`` and ``0.4, 0.3, 0.2, 0.1`` agree)."""
        rows = []
        for pid, read in self.shares.items():
            percent = any(flag or n > 1 for n, flag in read.values())
            rows.append({"person_id": pid, **{k: n / 100 if percent else n for k, (n, _) in read.items()}})
        return pd.DataFrame(rows, columns=["person_id", *WORK_KINDS])

    def notes(self) -> list[Finding]:
        export = self.export
        out = list(export.findings)
        out.append(Finding("note", f"Read as a {export.tool} export ({export.variant})", file=export.file))
        ignored = [
            c.header for c in export.columns if self.chosen.get(c.index, Meaning("ignore")).kind == "ignore"
        ]
        dropped = dict(export.dropped)
        if ignored:
            dropped["questions not mapped (free text or other; not read)"] = len(ignored)
        for what, n in dropped.items():
            out.append(Finding("note", f"Dropped: {what} ({n} column(s))", file=export.file))
        if any(export.respondent["email"] != ""):
            out.append(
                Finding(
                    "note", "E-mail addresses were used to match respondents only; not kept", file=export.file
                )
            )
        for what, n in sorted(self.counts.items()):
            if what != "ties" and not what.startswith("names matched"):
                out.append(Finding("note", f"{what}: {n}", file=export.file))
        return out + self.dropped_notes


# --- output -----------------------------------------------------------------------------------------

_SHEET_ORDER = ("people", "ties", "learning", "trust", "trust_items", "work", "skills")


def workbook_bytes(result: SurveyResult) -> bytes:
    """The dataset as a workbook in the data contract (people, then every sheet with rows); text
    cells neutralised against formulas, numbers kept as numbers."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        dict(XLSX_OPTIONS),
    )
    for name in _SHEET_ORDER:
        frame = result.tables.get(name)
        if frame is None or (name != "people" and frame.empty):
            continue
        ws = wb.add_worksheet(name)
        for j, column in enumerate(frame.columns):
            ws.write_string(0, j, clean_text(neutralise_formula(str(column))))
        for r, values in enumerate(frame.itertuples(index=False), start=1):
            for j, value in enumerate(values):
                if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
                    continue
                if isinstance(value, bool | np.bool_):
                    ws.write_string(r, j, "yes" if value else "no")
                elif isinstance(value, int | float | np.integer | np.floating):
                    ws.write_number(r, j, float(value))
                else:
                    ws.write_string(r, j, clean_text(neutralise_formula(str(value))))
    wb.close()
    return buffer.getvalue()


def review_frame(result: SurveyResult, chosen: Mapping[MemoryKey, str] | None = None) -> pd.DataFrame:
    """The review table: one row per unresolved answer (row, question, text, candidates, and the
    column key and respondent that identify the answer across exports), ``chosen_person_id`` blank
    for the facilitator to fill (a person_id, or ``nobody``). ``chosen``: choices already made
    (:func:`read_review_choices`), listed after the open rows with their choice, so a resolved file
    can be given again with the next export."""
    rows = [
        {
            "row": r.row,
            "question": r.question,
            "text": r.text,
            "candidates": r.candidates_text(),
            "column": r.column,
            "respondent": r.respondent,
            "chosen_person_id": "",
        }
        for r in result.review
    ]
    still_open = {r.memory_key for r in result.review}
    rows += [
        {
            "row": "",
            "question": column,
            "text": text,
            "candidates": "",
            "column": column,
            "respondent": respondent,
            "chosen_person_id": person or NOBODY[0],
        }
        for (respondent, column, text), person in (chosen or {}).items()
        if (respondent, column, text) not in still_open  # a choice not on the roster is open again
    ]
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def review_csv(result: SurveyResult, chosen: Mapping[MemoryKey, str] | None = None) -> bytes:
    """The review table (:func:`review_frame`) as CSV (UTF-8 with BOM, formulas neutralised)."""
    return safe_csv(review_frame(result, chosen))


def _unneutralised(text: str) -> str:
    """A cell as it was before :func:`lib.core.sanitise.neutralise_formula` quoted it."""
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text


def read_review_choices(data: bytes) -> dict[MemoryKey, str]:
    """The choices in a REVIEW.csv the facilitator filled in: (respondent, column key, text) →
    person_id ("" for ``nobody``), for :func:`convert`'s ``remembered``. Rows with a blank
    ``chosen_person_id`` are left out; a file without that column (an older REVIEW.csv) gives none.
    ValueError with a plain message when the file is not a review table."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"the review file is not UTF-8 text ({err.reason})") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if "chosen_person_id" not in fields:
        return {}
    missing = [c for c in ("column", "text", "respondent") if c not in fields]
    if missing:
        raise ValueError(
            f"the review file lacks the column(s) {', '.join(missing)}; use the REVIEW.csv we wrote"
        )
    out: dict[MemoryKey, str] = {}
    for record in reader:
        chosen = _unneutralised((record.get("chosen_person_id") or "").strip())
        column = _unneutralised((record.get("column") or "").strip())
        answer = _unneutralised((record.get("text") or "").strip())
        if not chosen or not column or not answer:
            continue
        respondent = _unneutralised((record.get("respondent") or "").strip())
        out[(respondent, column, answer)] = "" if chosen.casefold() in NOBODY else chosen
    return out
