"""The roster, and matching people in a survey export to it.

*Respondents* are matched by employee id, then e-mail (case-insensitive), then name.
*Named colleagues* are matched, in order (:data:`MATCH_STEPS`):

1. ``label``: the exact label of the kit's name list (:func:`name_list`: the name, with the team
   added where two people share a name), or a person's id;
2. ``folded``: accents, case, apostrophes and hyphens ignored, and German-style transliteration
   (``ü`` = ``ue``): "siobhan ni bhriain" is Siobhán Ní Bhriain, "Zoe Mueller" is Zoë Müller;
3. ``last-first``: "Bhriain, Siobhán Ní";
4. ``fuzzy``: the best rapidfuzz ``token_sort_ratio`` on folded names at or above the threshold
   (:data:`FUZZY_THRESHOLD`), when no other person also reaches it.

A text that matches two people, or none, is not guessed: :meth:`Matcher.match` returns it with
its candidates and their scores, for the review table.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from lib.core.dataset import normalise_id
from lib.core.errors import Finding
from lib.core.schema import SHEETS_BY_NAME, column_for, normalise_name
from lib.intake.survey.tools import cell_text, read_table

__all__ = [
    "FUZZY_THRESHOLD",
    "MATCH_STEPS",
    "Candidate",
    "Matcher",
    "NameMatch",
    "Roster",
    "fold",
    "name_list",
    "read_roster",
    "roster_from_people",
]

#: Fuzzy matches count at this token_sort_ratio (0–100) or above: one letter off in a
#: ten-letter name scores about 95, a different first name with the same surname about 70.
FUZZY_THRESHOLD = 88.0
MATCH_STEPS: tuple[str, ...] = ("label", "folded", "last-first", "fuzzy")
#: Headers a roster's e-mail column goes by (the schema has no e-mail column: e-mails are for
#: matching only and never reach the dataset).
EMAIL_HEADERS = frozenset({"email", "emailaddress", "e-mail", "mail", "workemail", "workmail"})
_TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa", "œ": "oe"}
)


@functools.lru_cache(maxsize=1 << 16)  # names repeat: each is folded once per process
def fold(text: str, transliterate: bool = False) -> str:
    """A name for comparison: case-folded, accents dropped (or ``ü`` → ``ue`` when
    ``transliterate``), apostrophes dropped, hyphens and dots as spaces, spacing collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if transliterate:
        text = text.translate(_TRANSLIT)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = re.sub(r"['’‘`´ʼ]", "", text)
    text = re.sub(r"[\-‐–.·_]", " ", text)
    return " ".join(text.split())


@dataclass
class Roster:
    """The people in scope: ``person_id``, ``name``, ``team`` and (for matching only) ``email``,
    plus any other columns of the people sheet (kept as attributes, never the e-mail)."""

    people: pd.DataFrame

    @property
    def ids(self) -> list[str]:
        return [str(v) for v in self.people["person_id"]]


def roster_from_people(people: pd.DataFrame) -> Roster:
    """A roster from a people table (the workspace's, or a sheet read by :func:`read_roster`)."""
    frame = people.copy()
    for column in ("name", "team", "email"):
        if column not in frame.columns:
            frame[column] = ""
    frame["person_id"] = frame["person_id"].map(normalise_id)
    for column in ("name", "team", "email"):
        frame[column] = frame[column].map(cell_text)
    frame = frame[frame["person_id"] != ""].drop_duplicates("person_id").reset_index(drop=True)
    return Roster(frame)


def read_roster(name: str, data: bytes, isolated: bool = True) -> tuple[Roster | None, list[Finding]]:
    """Our people sheet (.xlsx: the ``people`` sheet or the first; .csv) with ``person_id``,
    ``name``, optionally ``team`` and ``email``: a Roster, or None and an error finding."""
    raw, findings = read_table(name, data, isolated=isolated)
    if raw is None:
        return None, findings
    header = [cell_text(v) for v in raw.frame.iloc[0]] if len(raw.frame) else []
    spec = SHEETS_BY_NAME["people"]
    names: dict[int, str] = {}
    for j, head in enumerate(header):
        if normalise_name(head) in {normalise_name(h) for h in EMAIL_HEADERS}:
            names[j] = "email"
            continue
        column = column_for(spec, head)
        key = column.name if column is not None else head
        if key and key not in names.values():
            names[j] = key
    if "person_id" not in names.values():
        return None, [
            *findings,
            Finding(
                "error",
                "The roster has no person_id column",
                file=name,
                row=int(raw.rows[0]) if len(raw.rows) else 1,
                value=", ".join(header[:6]),
                hint="The roster is the people sheet: person_id, name, and optionally team and email.",
            ),
        ]
    body = raw.frame.iloc[1:, list(names)]
    body.columns = list(names.values())
    frame = body.map(cell_text) if len(body) else pd.DataFrame(columns=list(names.values()))
    return roster_from_people(frame), findings


def name_list(roster: Roster) -> pd.DataFrame:
    """The kit's name list: one label per person to paste as the survey tool's choices. A name two
    people share gets the team added (``Ana Silva (Sales)``); if that is still shared, the id too."""
    people = roster.people
    names = people["name"].where(people["name"] != "", people["person_id"])
    shared = names.map(names.value_counts()) > 1
    labels = names.where(~shared, names + " (" + people["team"] + ")")
    labels = labels.str.replace(" ()", "", regex=False)
    still = labels.map(labels.value_counts()) > 1
    labels = labels.where(
        ~still,
        names + " (" + people["team"].where(people["team"] != "", "") + ", " + people["person_id"] + ")",
    )
    labels = labels.str.replace("(, ", "(", regex=False)
    return pd.DataFrame({"label": labels, "person_id": people["person_id"], "team": people["team"]})


@dataclass(frozen=True)
class Candidate:
    person_id: str
    label: str
    score: float


@dataclass(frozen=True)
class NameMatch:
    """A text matched to one person (``person_id``, and ``how``), or to none (``person_id`` is
    ``""``) with the ``candidates`` a person can choose from."""

    text: str
    person_id: str
    how: str
    candidates: tuple[Candidate, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return not self.person_id and len([c for c in self.candidates if c.score >= 100]) > 1


class Matcher:
    """Matches names (and ids, and e-mails) to the roster, the steps of :data:`MATCH_STEPS`."""

    def __init__(self, roster: Roster, threshold: float = FUZZY_THRESHOLD) -> None:
        self.roster = roster
        self.threshold = threshold
        listing = name_list(roster)
        self.labels: dict[str, str] = dict(zip(listing["label"], listing["person_id"], strict=True))
        self.label_of: dict[str, str] = dict(zip(listing["person_id"], listing["label"], strict=True))
        self.position: list[str] = list(listing["person_id"])
        self.ids: dict[str, str] = {pid.casefold(): pid for pid in roster.ids}
        self.emails: dict[str, str] = {}
        for pid, email in zip(roster.people["person_id"], roster.people["email"], strict=True):
            if email:
                self.emails[email.strip().casefold()] = pid
        self.folded: dict[str, set[str]] = {}
        self.choices: dict[str, str] = {}  # folded name → for fuzzy; key is "pid\tfolded"
        for pid, name, label in zip(
            roster.people["person_id"], roster.people["name"], listing["label"], strict=True
        ):
            for text in {name, label}:
                for key in {fold(text), fold(text, transliterate=True)}:
                    if key:
                        self.folded.setdefault(key, set()).add(pid)
            self.choices[pid] = fold(name or pid)

    def by_id(self, text: str) -> str:
        """The person whose id is ``text`` (case-insensitive), or ``""``."""
        return self.ids.get(normalise_id(text).casefold(), "") if text else ""

    def by_email(self, text: str) -> str:
        return self.emails.get(text.strip().casefold(), "") if text else ""

    def candidates(self, pids: set[str] | list[str], score: float = 100.0) -> tuple[Candidate, ...]:
        return tuple(Candidate(p, self.label_of.get(p, p), score) for p in sorted(pids))

    def _folded(self, text: str) -> set[str]:
        found: set[str] = set()
        for key in {fold(text), fold(text, transliterate=True)}:
            found |= self.folded.get(key, set())
        return found

    def swapped(self, text: str) -> str:
        """ "Last, First" as "First Last" (text without one comma unchanged)."""
        if text.count(",") != 1:
            return text
        last, first = (p.strip() for p in text.split(","))
        return f"{first} {last}" if first and last else text

    def exact(self, text: str) -> set[str]:
        """The people ``text`` names without fuzzy matching: label or id, then folded, then
        "Last, First" (empty when none)."""
        text = text.strip()
        if text in self.labels:
            return {self.labels[text]}
        pid = self.by_id(text)
        if pid:
            return {pid}
        found = self._folded(text)
        if not found and "," in text:
            found = self._folded(self.swapped(text))
        return found

    def match(self, text: str) -> NameMatch:
        """Match one name: the steps of :data:`MATCH_STEPS`; unmatched or ambiguous → candidates."""
        text = text.strip()
        if text in self.labels:
            return NameMatch(text, self.labels[text], "label")
        pid = self.by_id(text)
        if pid:
            return NameMatch(text, pid, "label")
        for how, probe in (("folded", text), ("last-first", self.swapped(text))):
            if how == "last-first" and probe == text:
                continue
            found = self._folded(probe)
            if len(found) == 1:
                return NameMatch(text, next(iter(found)), how)
            if len(found) > 1:
                return NameMatch(text, "", "ambiguous", self.candidates(found))
        return self._fuzzy(text)

    def _fuzzy(self, text: str) -> NameMatch:
        query = fold(self.swapped(text) if "," in text else text)
        if not query or not self.choices:
            return NameMatch(text, "", "none")
        scored = process.extract(query, self.choices, scorer=fuzz.token_sort_ratio, limit=5)
        above = [(pid, score) for _, score, pid in scored if score >= self.threshold]
        shown = tuple(
            Candidate(pid, self.label_of.get(pid, pid), round(score, 1)) for _, score, pid in scored[:3]
        )
        if len(above) == 1:
            return NameMatch(text, above[0][0], "fuzzy", shown)
        return NameMatch(text, "", "ambiguous" if above else "none", shown)
