"""The loaded dataset: canonical tables that every analysis module reads.

All ids are normalised text (``1``, ``1.0`` and ``"1"`` are the same person: see
:func:`normalise_id`). Column names are the canonical names of :mod:`lib.core.schema`. Every table
below always exists (an absent sheet is an empty table with the canonical columns), so analysis
code never needs to check for ``None``.

Canonical tables
----------------
``people``        person_id, name, team, department, role, level (Int64), manager_id, location,
                  tenure_years (float), responded (boolean), + custom attribute columns
``ties``          source_id, target_id, relation, weight (float > 0), learning_type (IOL… or ""),
                  mode ("stock"/"flow"/""), topic, wave
``learning``      long form: person_id, wave, learning_type (IOL…), hours (float ≥ 0)
                  (+ activity, channel, date when given)
``interactions``  timestamp (datetime64), source_id, channel, target_id ("" = broadcast), kind,
                  topic, mode ("stock"/"flow", from the channel mapping)
``trust``         long form: person_id, wave, item, value (float 1–5, raw, *not* reverse-coded)
``trust_items``   item, dimension, reverse (bool), wording — the built-in bank plus any mapping
``work``          person_id, wave, simple, complicated, complex, chaotic (float ≥ 0)
``skills``        person_id, skill, level (float 0–5), source, wave
``role_skills``   role, skill, required_level (float 0–5)
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

import pandas as pd

from lib.core import waves as wave_rules
from lib.core.errors import Finding
from lib.core.memo import Memo
from lib.core.schema import (
    ADVICE,
    CHANNEL_MODES,
    LEARNING_TYPE_CODES,
    LOG_SUMMARY_COLUMNS,
    MISSING_VALUE_WORDS,
    TRUST_ITEM_BANK,
    WORK_KINDS,
)

PEOPLE_COLUMNS = [
    "person_id",
    "name",
    "team",
    "department",
    "role",
    "level",
    "manager_id",
    "location",
    "tenure_years",
    "responded",
]
TABLE_COLUMNS: dict[str, list[str]] = {
    "people": PEOPLE_COLUMNS,
    "ties": ["source_id", "target_id", "relation", "weight", "learning_type", "mode", "topic", "wave"],
    "learning": ["person_id", "wave", "learning_type", "hours"],
    "interactions": ["timestamp", "source_id", "channel", "target_id", "kind", "topic", "mode"],
    "trust": ["person_id", "wave", "item", "value"],
    "trust_items": ["item", "dimension", "reverse", "wording"],
    "work": ["person_id", "wave", *WORK_KINDS],
    "skills": ["person_id", "skill", "level", "source", "wave"],
    "role_skills": ["role", "skill", "required_level"],
}
#: People attributes pages can group and colour by, besides custom ones.
GROUPING_ATTRIBUTES = ["team", "department", "role", "level", "location"]


def normalise_id(value: object) -> str:
    """Normalise an id to text: ``1``, ``1.0``, ``" 1 "`` and ``"1"`` all become ``"1"``.

    Blank, NaN, None and the missing-value words (:data:`lib.core.schema.MISSING_VALUE_WORDS`:
    "NULL", "N/A", …) become ``""`` (which the loader reports). Leading zeros in
    text ids are kept (``"007"`` stays ``"007"``), because the loader reads id columns as text.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if text.lower() in MISSING_VALUE_WORDS:
        return ""
    # "12.0" typed as text is the same person as 12
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def channel_mode(channels: pd.Series, modes: Mapping[str, str]) -> pd.Series:
    """Each event's mode ("stock"/"flow") from its channel by the mapping ``modes`` (channel →
    mode): channels and mapping keys compared trimmed and case-insensitively; a channel the mapping
    lacks, or a blank one, gets "" (unclassified). The one place a channel is classified: the
    loader, :mod:`lib.analysis.flows` and a workspace's mapping all use it."""
    mapping = {str(k).strip().lower(): str(v) for k, v in modes.items()}
    keys = channels.fillna("").astype(str).str.strip().str.lower()
    return keys.map(mapping).fillna("").astype("str")


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in TABLE_COLUMNS[name]})


def empty_summary(name: str) -> pd.DataFrame:
    """An empty log summary table (:data:`LOG_SUMMARY_COLUMNS`)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in LOG_SUMMARY_COLUMNS[name]})


def builtin_trust_items() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"item": i.item, "dimension": i.dimension, "reverse": i.reverse, "wording": i.wording}
            for i in TRUST_ITEM_BANK
        ]
    )


_T = TypeVar("_T")
_MISSING = object()


def _tables(ds: Dataset | None) -> list[pd.DataFrame]:
    """The tables of ``ds`` (none once it is gone)."""
    return [] if ds is None else [getattr(ds, name) for name in (*TABLE_COLUMNS, *LOG_SUMMARY_COLUMNS)]


@dataclass
class Dataset:
    people: pd.DataFrame
    ties: pd.DataFrame = field(default_factory=lambda: empty_table("ties"))
    learning: pd.DataFrame = field(default_factory=lambda: empty_table("learning"))
    interactions: pd.DataFrame = field(default_factory=lambda: empty_table("interactions"))
    trust: pd.DataFrame = field(default_factory=lambda: empty_table("trust"))
    trust_items: pd.DataFrame = field(default_factory=builtin_trust_items)
    work: pd.DataFrame = field(default_factory=lambda: empty_table("work"))
    skills: pd.DataFrame = field(default_factory=lambda: empty_table("skills"))
    role_skills: pd.DataFrame = field(default_factory=lambda: empty_table("role_skills"))
    #: Log summaries (:data:`LOG_SUMMARY_COLUMNS`), read from an ingest zip; empty otherwise.
    channels: pd.DataFrame = field(default_factory=lambda: empty_summary("channels"))
    collaboration_hours: pd.DataFrame = field(default_factory=lambda: empty_summary("collaboration_hours"))
    source: str = ""  # file name(s) or "sample organisation"
    findings: list[Finding] = field(default_factory=list)  # warnings and notes from loading
    channel_modes: dict[str, str] = field(default_factory=lambda: dict(CHANNEL_MODES))
    #: The pseudonym salt of the workspace the data come from; "" = derived from the roster
    #: (:func:`lib.core.privacy.dataset_salt`), as for a file loaded without a workspace.
    pseudonym_salt: str = ""
    #: Results computed from this object's tables (e.g. :func:`lib.core.privacy.release_for`), keyed by
    #: their parameters, within a budget of bytes (:class:`lib.core.memo.Memo`: past it, the least
    #: recently used are dropped, and computed again when asked for). Not copied by
    #: ``dataclasses.replace``: a changed dataset starts empty.
    memo: Memo = field(init=False, repr=False, compare=False)  # made in __post_init__

    def __post_init__(self) -> None:
        # the memo's entries keep references to the tables (a key's check): held anyway, not counted
        owner = weakref.ref(self)
        self.memo = Memo(shared=lambda: _tables(owner()))

    def __setstate__(self, state: dict[str, object]) -> None:
        """A copy (pickle, ``copy.deepcopy``) starts with an empty memo of its own."""
        self.__dict__.update(state)
        self.__post_init__()

    def remember(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per dataset object and ``key`` (kept in :attr:`memo`), the stored value
        after that (while the memo's budget keeps it: else computed again). A caller that may change
        what it gets back copies it."""
        held = self.memo.get(key, _MISSING)
        if held is not _MISSING:
            return cast(_T, held)
        value = compute()
        self.memo[key] = value  # another thread may drop or replace it: this caller keeps its own
        return value

    # --- derived views -------------------------------------------------------------------
    @property
    def attributes(self) -> list[str]:
        """Columns of ``people`` pages can group/colour by: standard ones present, then custom ones.
        Kept in :attr:`memo` while ``people`` is the same object with the same columns (:meth:`_kept`)."""
        people = self.people
        key = ("dataset.attributes", *map(str, people.columns))
        return self._kept(key, (people,), lambda: _attributes(people))

    @property
    def custom_attributes(self) -> list[str]:
        return _custom_attributes(self.people)

    @property
    def relations(self) -> list[str]:
        """Relations present in ``ties``, standard ones first in their usual order. Kept in
        :attr:`memo` while ``ties`` is the same object (:meth:`_kept`)."""
        ties = self.ties
        return self._kept("dataset.relations", (ties,), lambda: _relations(ties))

    def advice_relations(self) -> list[str] | None:
        """The relations measures use by default: the advice relation when the ties have it, else
        None (every relation combined). The one place this choice is made."""
        return [ADVICE] if ADVICE in self.relations else None

    @property
    def waves(self) -> list[str]:
        """The dataset's waves: :func:`lib.core.waves.dataset_waves` (labels of every wave table, sorted).
        Kept in :attr:`memo` while the wave tables are the same objects (every analysis asks)."""
        tables = tuple(getattr(self, name) for name in wave_rules.WAVE_TABLES)
        return self._kept("dataset.waves", tables, lambda: wave_rules.dataset_waves(self))

    def _kept(
        self, key: Hashable, tables: tuple[pd.DataFrame, ...], compute: Callable[[], list[str]]
    ) -> list[str]:
        """``compute()``, kept in :attr:`memo` under ``key`` while ``tables`` (what it reads) are
        the same objects (a table replaced on the dataset computes it again); each caller gets
        its own list."""
        held = self.memo.get(key)
        if isinstance(held, tuple) and all(a is b for a, b in zip(held[0], tables, strict=True)):
            return list(held[1])
        found = compute()
        self.memo[key] = (tables, list(found))
        return found

    def tie_wave(self, wave: str | None) -> str | None:
        """The ``wave`` argument for network functions: :func:`lib.core.waves.tie_wave`."""
        return wave_rules.tie_wave(self, wave)

    @property
    def learning_codes(self) -> tuple[str, ...]:
        return LEARNING_TYPE_CODES

    def fingerprint(self) -> str:
        """A content hash, for cache keys and per-dataset pseudonym salts."""
        h = hashlib.sha256()
        for name in TABLE_COLUMNS:
            table = getattr(self, name)
            h.update(name.encode())
            h.update(pd.util.hash_pandas_object(table.astype(str), index=False).to_numpy().tobytes())
        return h.hexdigest()

    def summary(self) -> dict[str, int]:
        """Row counts per table, for the Data page and the CLI."""
        return {name: len(getattr(self, name)) for name in TABLE_COLUMNS}


def _attributes(people: pd.DataFrame) -> list[str]:
    present = [
        c
        for c in GROUPING_ATTRIBUTES
        if c in people and people[c].notna().any() and (people[c].astype(str) != "").any()
    ]
    return present + _custom_attributes(people)


def _custom_attributes(people: pd.DataFrame) -> list[str]:
    return [c for c in people.columns if c not in PEOPLE_COLUMNS]


def _relations(ties: pd.DataFrame) -> list[str]:
    from lib.core.schema import STANDARD_RELATIONS

    present = {str(r) for r in ties["relation"].dropna().unique()} if len(ties) else set()
    return [r for r in STANDARD_RELATIONS if r in present] + sorted(present - set(STANDARD_RELATIONS))
