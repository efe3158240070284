"""What each export column means, and how its answers become numbers.

* The kit's own questions (:func:`lib.intake.template.survey_questions`) are recognised in every
  tool's export by their wording (normalised: case, accents kept, punctuation and spacing
  ignored) or by the kit's code used as the export tag (``ks1``, ``IOL``, ``advice``):
  :data:`KIT_KEYS`, the longest wording found wins.
* Any other column gets a :class:`Meaning` from the facilitator's mapping (a JSON object
  ``{"column key": {"kind": "relation", "target": "mentoring"}, ...}``); a mapping entry wins over
  recognition, so a facilitator can also correct or ignore a kit question.
* Answers: Likert labels in the languages of :data:`LIKERT_WORDS` and the tools' numeric codes
  become 1–5 (:func:`likert`); hours and shares are numbers, percentages or text with units
  (:func:`hours`, :func:`share`); skill levels a number 0–5 or the kit's anchor label.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

from lib.core.schema import (
    LEARNING_TYPE_CODES,
    LEARNING_TYPES,
    LIKERT_LABELS,
    STANDARD_RELATIONS,
    TRUST_ITEM_BANK,
    WIREARCHY_DIMENSIONS,
    WORK_KINDS,
)
from lib.intake.survey.tools import ExportColumn
from lib.intake.template import (
    NAME_CAP,
    NAME_GENERATOR_QUESTIONS,
    SKILL_LEVEL_ANCHORS,
    SKILL_QUESTION,
    TIE_WEIGHT_QUESTION,
    WORK_KIND_WORDING,
    survey_questions,
)

__all__ = [
    "KINDS",
    "KIT_KEYS",
    "LIKERT_WORDS",
    "MAPPING_COLUMNS",
    "Meaning",
    "MeaningKind",
    "hours",
    "likert",
    "mapping_entries",
    "mapping_from_entries",
    "mapping_from_json",
    "mapping_from_table",
    "mapping_json",
    "mapping_table",
    "meanings",
    "recognise_column",
    "share",
    "skill_level",
    "wording_key",
]

MeaningKind = Literal["respondent", "relation", "trust", "learning", "work", "skill", "attribute", "ignore"]
#: What a column can mean, with what ``target`` names for each.
KINDS: dict[str, str] = {
    "respondent": "the respondent's employee id or work e-mail (used for matching only)",
    "relation": "a name generator: target = the relation (advice, mentoring, …)",
    "trust": "a trust statement: target = item code, with its dimension and reverse flag",
    "learning": "hours of a learning type: target = IOL, GDL, PDL, ASL or FSL",
    "work": "share of work: target = simple, complicated, complex or chaotic",
    "skill": "a skill self-rating 0–5: target = the skill (blank: the column's statement)",
    "attribute": "a people attribute: target = its column name (department, location, …)",
    "ignore": "not read",
}


@dataclass(frozen=True)
class Meaning:
    """What one export column means for the dataset."""

    kind: MeaningKind
    target: str = ""
    dimension: str = ""  # trust: the wirearchy dimension
    reverse: bool = False  # trust: reverse-coded
    wording: str = ""  # trust: the statement
    source: str = "kit"  # "kit" (recognised), "mapping" (the facilitator's), "" (not recognised)

    def describe(self) -> str:
        """One line for the recognised-questions table."""
        if self.kind == "trust":
            return f"trust item {self.target} ({self.dimension}{', reverse' if self.reverse else ''})"
        if self.kind in ("respondent", "ignore"):
            return self.kind
        return f"{self.kind}: {self.target}"


IGNORE = Meaning("ignore", source="")


@functools.lru_cache(maxsize=1 << 14)  # answers repeat ("Agree"): each is normalised once
def wording_key(text: str) -> str:
    """Text compared by wording: NFKC, case-folded, curly quotes straightened, every run of
    punctuation and spacing one space."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[^\W_]+", text))


def _kit_keys() -> list[tuple[str, Meaning]]:
    """(normalised wording, meaning) for every kit question; several wordings per question."""
    keys: list[tuple[str, Meaning]] = []
    person = next(q for q in survey_questions() if q.code == "person_id")
    keys.append((person.question, Meaning("respondent")))
    for relation, text in NAME_GENERATOR_QUESTIONS.items():
        keys.append((text, Meaning("relation", relation)))
    for code in LEARNING_TYPE_CODES:
        keys.append((LEARNING_TYPES[code], Meaning("learning", code)))
        keys.append((LEARNING_TYPES[code].split(":")[0], Meaning("learning", code)))
    for item in TRUST_ITEM_BANK:
        keys.append((item.wording, Meaning("trust", item.item, item.dimension, item.reverse, item.wording)))
    for kind in WORK_KINDS:
        keys.append((WORK_KIND_WORDING[kind], Meaning("work", kind)))
        keys.append((WORK_KIND_WORDING[kind].split(":", 1)[1], Meaning("work", kind)))
    keys.append((TIE_WEIGHT_QUESTION, Meaning("ignore")))
    return [(wording_key(text), meaning) for text, meaning in keys]


#: The kit's wordings, normalised (:func:`wording_key`), each with the meaning it carries.
KIT_KEYS: list[tuple[str, Meaning]] = _kit_keys()
#: The kit's codes (case-folded) as export tags or column headers.
KIT_CODES: dict[str, Meaning] = {
    "person_id": Meaning("respondent"),
    **{r: Meaning("relation", r) for r in STANDARD_RELATIONS},
    **{c.casefold(): Meaning("learning", c) for c in LEARNING_TYPE_CODES},
    **{i.item: Meaning("trust", i.item, i.dimension, i.reverse, i.wording) for i in TRUST_ITEM_BANK},
    **{k: Meaning("work", k) for k in WORK_KINDS},
}
_SKILL_KEY = wording_key(SKILL_QUESTION)


def recognise_column(column: ExportColumn) -> Meaning | None:
    """The kit question ``column`` asks, by export tag or code, then by wording; None if none."""
    for code in (column.tag, column.item, column.header):
        meaning = KIT_CODES.get(code.strip().casefold()) if code else None
        if meaning is not None:
            return meaning
    text = wording_key(f"{column.question} {column.item}")
    if _SKILL_KEY and _SKILL_KEY in text:
        return Meaning("skill", column.item) if column.item else Meaning("ignore")
    found = [(len(key), meaning) for key, meaning in KIT_KEYS if key and key in text]
    if not found:
        return None
    return max(found, key=lambda pair: pair[0])[1]


def meanings(columns: list[ExportColumn], mapping: dict[str, Meaning] | None = None) -> dict[int, Meaning]:
    """Column index → meaning: the facilitator's mapping first, then the kit, else ignore."""
    mapping = mapping or {}
    out: dict[int, Meaning] = {}
    for column in columns:
        chosen = mapping.get(column.key) or mapping.get(column.header)
        out[column.index] = chosen if chosen is not None else (recognise_column(column) or IGNORE)
    return out


# --- the mapping as JSON and as an editable table -------------------------------------------------

MAPPING_COLUMNS: list[str] = ["column", "question", "meaning", "target", "dimension", "reverse"]


def _checked(key: str, entry: object) -> Meaning:
    """A mapping entry as a Meaning; ValueError with a plain message when it cannot be one."""
    if not isinstance(entry, dict):
        raise ValueError(
            f"the mapping of {key!r} must be an object like {{'kind': 'relation', 'target': 'mentoring'}}"
        )
    kind = str(entry.get("kind", "")).strip().lower()
    if kind not in KINDS:
        raise ValueError(f"the mapping of {key!r} has kind {kind!r}; kinds: {', '.join(KINDS)}")
    target = str(entry.get("target", "") or "").strip()
    if kind == "learning":
        target = target.upper()
        if target not in LEARNING_TYPE_CODES:
            raise ValueError(
                f"the mapping of {key!r}: learning type {target!r} is not one of {', '.join(LEARNING_TYPE_CODES)}"
            )
    if kind == "work" and target.lower() not in WORK_KINDS:
        raise ValueError(
            f"the mapping of {key!r}: work kind {target!r} is not one of {', '.join(WORK_KINDS)}"
        )
    if kind in ("relation", "trust", "attribute") and not target:
        raise ValueError(f"the mapping of {key!r} ({kind}) needs a target")
    dimension = str(entry.get("dimension", "") or "").strip()
    if kind == "trust" and not dimension:
        bank = next((i for i in TRUST_ITEM_BANK if i.item == target), None)
        if bank is None:
            raise ValueError(
                f"the mapping of {key!r}: trust item {target!r} needs a dimension ({', '.join(WIREARCHY_DIMENSIONS)})"
            )
        return Meaning("trust", bank.item, bank.dimension, bank.reverse, bank.wording, "mapping")
    reverse = entry.get("reverse", False)
    reverse = (
        reverse.strip().lower() in ("yes", "true", "1", "y") if isinstance(reverse, str) else bool(reverse)
    )
    return Meaning(
        kind,  # type: ignore[arg-type]  # checked against KINDS above
        target.lower() if kind == "work" else target,
        dimension,
        reverse,
        str(entry.get("wording", "") or ""),
        "mapping",
    )


def mapping_from_json(text: str) -> dict[str, Meaning]:
    """The facilitator's mapping from JSON: ``{"column key": {"kind": ..., "target": ...}}``
    (optionally under ``"columns"``). ValueError with a plain message when it is not valid."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ValueError(f"the mapping is not valid JSON ({err})") from None
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data = data["columns"]
    if not isinstance(data, dict):
        raise ValueError("the mapping must be a JSON object: column key → meaning")
    return mapping_from_entries(data)


def mapping_from_entries(entries: dict[str, object]) -> dict[str, Meaning]:
    """The mapping from its entries (column key → ``{"kind": ..., "target": ...}``, as
    :func:`mapping_entries` writes them); ValueError names the first entry that is not a meaning."""
    return {str(k): _checked(str(k), v) for k, v in entries.items()}


def mapping_entries(mapping: dict[str, Meaning]) -> dict[str, dict[str, object]]:
    """Each meaning as a plain JSON object (blank and false fields left out), by column key."""
    return {
        key: {k: v for k, v in asdict(m).items() if k != "source" and v not in ("", False)}
        for key, m in mapping.items()
    }


def mapping_json(mapping: dict[str, Meaning]) -> str:
    """The mapping as JSON (what :func:`mapping_from_json` reads), for saving and the next wave."""
    return json.dumps({"columns": mapping_entries(mapping)}, indent=2, ensure_ascii=False)


def mapping_table(columns: list[ExportColumn], chosen: dict[int, Meaning]) -> pd.DataFrame:
    """One row per column: its key, question, and the meaning chosen (editable in the app)."""
    rows = []
    for c in columns:
        m = chosen.get(c.index, IGNORE)
        rows.append(
            {
                "column": c.key,
                "question": c.header,
                "meaning": m.kind,
                "target": m.target,
                "dimension": m.dimension,
                "reverse": m.reverse,
            }
        )
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def mapping_from_table(table: pd.DataFrame, recognised: dict[str, Meaning]) -> dict[str, Meaning]:
    """The facilitator's mapping from the edited table: every row whose meaning differs from what
    was recognised (``recognised``: column key → meaning). ValueError names the first bad row."""
    out: dict[str, Meaning] = {}
    for record in table.to_dict("records"):
        key = str(record.get("column", ""))
        entry = {k: ("" if v is None or (isinstance(v, float) and v != v) else v) for k, v in record.items()}
        entry["kind"] = entry.pop("meaning", "ignore")
        meaning = _checked(key, entry)
        before = recognised.get(key)
        if before is None or (before.kind, before.target, before.dimension, before.reverse) != (
            meaning.kind,
            meaning.target,
            meaning.dimension,
            meaning.reverse,
        ):
            out[key] = meaning
    return out


# --- answers ----------------------------------------------------------------------------------------

#: Likert labels → 1–5, in the languages the kit's facilitators use (English from the schema's
#: labels, plus the common 5-point wordings of Qualtrics, Forms and SurveyMonkey).
LIKERT_WORDS: dict[str, dict[str, int]] = {
    "en": {
        **{label: value for value, label in LIKERT_LABELS.items()},
        "Somewhat disagree": 2,
        "Neither agree or disagree": 3,
        "Neutral": 3,
        "Somewhat agree": 4,
    },
    "fr": {
        "Pas du tout d'accord": 1,
        "Pas d'accord": 2,
        "Plutôt pas d'accord": 2,
        "Ni d'accord ni pas d'accord": 3,
        "Neutre": 3,
        "D'accord": 4,
        "Plutôt d'accord": 4,
        "Tout à fait d'accord": 5,
    },
    "de": {
        "Stimme überhaupt nicht zu": 1,
        "Stimme nicht zu": 2,
        "Stimme eher nicht zu": 2,
        "Weder noch": 3,
        "Teils/teils": 3,
        "Stimme eher zu": 4,
        "Stimme zu": 4,
        "Stimme voll und ganz zu": 5,
        "Stimme völlig zu": 5,
    },
    "es": {
        "Totalmente en desacuerdo": 1,
        "En desacuerdo": 2,
        "Ni de acuerdo ni en desacuerdo": 3,
        "De acuerdo": 4,
        "Totalmente de acuerdo": 5,
    },
    "nl": {
        "Helemaal oneens": 1,
        "Oneens": 2,
        "Neutraal": 3,
        "Niet eens, niet oneens": 3,
        "Eens": 4,
        "Helemaal eens": 5,
    },
    "pt": {
        "Discordo totalmente": 1,
        "Discordo": 2,
        "Não concordo nem discordo": 3,
        "Concordo": 4,
        "Concordo totalmente": 5,
    },
}
_LIKERT: dict[str, int] = {wording_key(k): v for words in LIKERT_WORDS.values() for k, v in words.items()}
_NUMBER = re.compile(r"^[+-]?(\d+(?:[.,]\d+)?|[.,]\d+)")


def _number(text: str) -> float | None:
    m = _NUMBER.match(text.strip())
    return float(m.group(0).replace(",", ".")) if m else None


def likert(text: str) -> float | None:
    """A Likert answer as 1–5: a label in any language of :data:`LIKERT_WORDS`, the tools'
    numeric code 1–5, or the kit's ``4 = Agree`` form. None when blank or unreadable."""
    text = text.strip()
    if not text:
        return None
    word = _LIKERT.get(wording_key(text))
    if word is not None:
        return float(word)
    n = _number(text)
    if n is not None and n.is_integer() and 1 <= n <= 5:
        return n
    return None


_UNITS: tuple[tuple[str, float], ...] = (
    (r"min(?:ute)?s?|minuten", 1 / 60),
    (r"h|hrs?|hours?|heures?|stunden?|std|uur|horas?", 1.0),
)
_HOURS_MIN = re.compile(r"^(\d+)\s*h\s*(\d{1,2})\s*(?:m|min)?$", re.IGNORECASE)


def hours(text: str) -> float | None:
    """Hours from a number (``3``, ``2,5``), text with units (``3 hours``, ``90 min``, ``1h30``)
    or a percentage (a share, as the learning sheet accepts). None when blank or unreadable."""
    text = text.strip().lower()
    if not text:
        return None
    m = _HOURS_MIN.match(text)
    if m:
        return int(m.group(1)) + int(m.group(2)) / 60
    n = _number(text)
    if n is None or n < 0:
        return None
    rest = text[_NUMBER.match(text).end() :].strip() if _NUMBER.match(text) else ""  # type: ignore[union-attr]
    if not rest:
        return n
    if rest == "%":
        return n / 100
    for pattern, factor in _UNITS:
        if re.fullmatch(pattern + r"\.?", rest):
            return n * factor
    return None


def share(text: str) -> tuple[float, bool] | None:
    """(value, is_percent): ``40%`` → (40, True); ``0.4`` → (0.4, False); ``40`` → (40, False).
    The caller decides per person whether plain numbers are per cent (any above 1)."""
    text = text.strip()
    if not text:
        return None
    n = _number(text)
    if n is None or n < 0:
        return None
    rest = text[_NUMBER.match(text).end() :].strip()  # type: ignore[union-attr]
    if rest in ("%", "pct", "percent"):
        return n, True
    return (n, False) if not rest else None


_ANCHORS = {wording_key(text.split(":")[0]): level for level, text in SKILL_LEVEL_ANCHORS.items()}
_ANCHORS.update({wording_key(text): level for level, text in SKILL_LEVEL_ANCHORS.items()})


def skill_level(text: str) -> float | None:
    """A skill level 0–5: a number, or the kit's anchor (``Practitioner: I do it on my own`` or
    its first word). None when blank or unreadable."""
    text = text.strip()
    if not text:
        return None
    anchor = _ANCHORS.get(wording_key(text))
    if anchor is not None:
        return float(anchor)
    n = _number(text)
    return n if n is not None and 0 <= n <= 5 else None


#: The cap a relation question takes when the mapping does not say.
DEFAULT_CAP = NAME_CAP
