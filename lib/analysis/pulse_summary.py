"""The live pulse's answers as a wave's tables, and what the facilitator's view shows of them.

An answer is stored as rows ``(respondent, item, value)`` (:mod:`lib.store.pulse`); the item names
its kind by a prefix (:data:`HOURS_PREFIX`, :data:`TRUST_PREFIX`, :data:`ADVICE_PREFIX`).
:func:`build_dataset` turns a wave's answer rows into its canonical tables; :func:`summarise` gives
the counts and averages the live view shows; :func:`compare_with_base` sets the room's learning mix
next to the organisation's. Pure functions: the sessions, the answers and the snapshots the live
view shows are stored by :mod:`lib.store.pulse`.

Tables of a pulse wave: ``people`` (one row per participant, ``pulse-<12 hex>``, named
``Participant <6 hex>``, plus each person named as an adviser with their row of the roster wave,
attributes included, so the pulse wave groups them as the roster does), ``ties`` (relation
``advice``, participant → adviser, weight 1), ``learning`` (long form, all five types, zeros
included) and ``trust`` (long form, raw 1–5). Free names become people with ids ``named-<12 hex>``
of the case-folded name, so "Ann Lee" and "ann lee" are one person, named by the spelling most
participants typed.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from lib.core import privacy, waves
from lib.core.dataset import PEOPLE_COLUMNS, Dataset
from lib.core.schema import LEARNING_TYPE_CODES, LEARNING_TYPES, TRUST_ITEM_BANK

__all__ = [
    "ADVICE_PREFIX",
    "HOURS_PREFIX",
    "TRUST_PREFIX",
    "PulseSummary",
    "RoomComparison",
    "build_dataset",
    "compare_with_base",
    "free_name_id",
    "participant_id",
    "summarise",
]

HOURS_PREFIX = "hours:"
TRUST_PREFIX = "trust:"
ADVICE_PREFIX = "advice:"


@dataclass(frozen=True)
class PulseSummary:
    """What the facilitator's live view shows: counts as they are, the rest as of a snapshot.

    ``answers`` and ``last_answer_at`` are live. ``hours``, ``trust`` and ``advisers`` are the
    snapshot's (see :mod:`lib.store.pulse`), which covers ``shown_answers`` participants; ``hours`` and
    ``trust`` are empty while ``hidden`` (no snapshot yet, or it covers fewer participants than the
    minimum group size). ``waiting`` participants answered or changed their answer since the
    snapshot; the next one is taken when ``waiting`` reaches ``batch`` (0: none will be, the pulse is
    closed). :func:`summarise` gives a summary that is its own snapshot.
    """

    answers: int
    last_answer_at: datetime | None  # UTC
    hidden: bool  # no snapshot, or fewer participants in it than the minimum group size
    hours: pd.DataFrame  # learning_type, mean_hours, share (of the mean total)
    trust: pd.DataFrame  # item, dimension, wording, mean, answers
    advisers: pd.DataFrame  # person_id, name, mentions (most named first) — person-level
    shown_answers: int = 0  # participants the snapshot covers
    shown_at: datetime | None = None  # UTC: when the snapshot was taken
    waiting: int = 0
    batch: int = 0


# --- the wave's tables --------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def participant_id(respondent: str) -> str:
    return f"pulse-{respondent[:12]}"


def free_name_id(name: str) -> str:
    return f"named-{_short_hash(name.casefold())}"


def _text(values: Iterable[object]) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def _standard_people(n: int) -> pd.DataFrame:
    blank = _text([""] * n)
    return pd.DataFrame(
        {
            "person_id": blank,
            "name": blank,
            "team": blank,
            "department": blank,
            "role": blank,
            "level": pd.array([pd.NA] * n, dtype="Int64"),
            "manager_id": blank,
            "location": blank,
            "tenure_years": pd.Series([math.nan] * n, dtype="float64"),
            "responded": pd.array([pd.NA] * n, dtype="boolean"),
        },
        columns=PEOPLE_COLUMNS,
    )


def _blank_rows(template: pd.DataFrame, ids: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    """Rows shaped like ``template`` (same columns and dtypes), blank but for id and name."""
    n = len(ids)
    columns: dict[str, Any] = {}
    for column in template.columns:
        dtype = template[column].dtype
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
            columns[column] = pd.Series([""] * n, dtype=dtype)
        else:
            columns[column] = pd.Series([None] * n, dtype=dtype)
    out = pd.DataFrame(columns, columns=list(template.columns))
    out["person_id"] = pd.Series(list(ids), dtype=template["person_id"].dtype)
    out["name"] = pd.Series(list(names), dtype=template["name"].dtype)
    return out


def build_dataset(
    wave: str,
    answers: Iterable[tuple[str, str, float]],
    roster: Sequence[tuple[str, str]] = (),
    base_people: pd.DataFrame | None = None,
) -> Dataset:
    """The canonical tables of a pulse wave from its answer rows ``(respondent, item, value)``.

    Advice items name a roster person id when the session has a roster, else a free name (see the
    module docstring for the ids). An adviser found in ``base_people`` (the roster wave's people
    table) keeps that row, attributes and custom columns included, so the pulse wave can be
    grouped by team or department like the roster; participants get blank attributes and
    ``responded=True``. Items of unknown kinds are ignored.
    """
    names = dict(roster)
    people: dict[str, tuple[str, bool | None]] = {}  # person_id → (name, responded)
    spellings: dict[str, Counter[str]] = {}  # free-name id → how often each spelling was typed
    ties: list[tuple[str, str]] = []
    learning: list[tuple[str, str, float]] = []
    trust: list[tuple[str, str, float]] = []
    for respondent, item, value in answers:
        person = participant_id(respondent)
        people[person] = (f"Participant {respondent[:6]}", True)
        if item.startswith(HOURS_PREFIX):
            learning.append((person, item.removeprefix(HOURS_PREFIX), float(value)))
        elif item.startswith(TRUST_PREFIX):
            trust.append((person, item.removeprefix(TRUST_PREFIX), float(value)))
        elif item.startswith(ADVICE_PREFIX):
            adviser = item.removeprefix(ADVICE_PREFIX)
            if roster:
                target = adviser
                people.setdefault(target, (names.get(adviser, adviser), None))
            else:
                target = free_name_id(adviser)
                spellings.setdefault(target, Counter())[adviser] += 1
            ties.append((person, target))
    for target, counts in spellings.items():  # the most common spelling; ties: code-point order
        if target not in people:
            people[target] = (min(counts, key=lambda n: (-counts[n], n)), None)
    # participants first, then advisers, each sorted by id: stable tables, stable fingerprints
    template = base_people if base_people is not None else _standard_people(0)
    participants = sorted(p for p, (_n, responded) in people.items() if responded)
    advisers = sorted(p for p, (_n, responded) in people.items() if not responded)
    known = template[template["person_id"].astype(str).isin(advisers)].sort_values("person_id")
    unknown = [p for p in advisers if p not in set(known["person_id"].astype(str))]
    first = _blank_rows(template, participants, [people[p][0] for p in participants])
    if "responded" in first:
        first["responded"] = pd.array([True] * len(first), dtype="boolean")
    parts = [first, known, _blank_rows(template, unknown, [people[p][0] for p in unknown])]
    people_table = pd.concat([part for part in parts if len(part)] or [first], ignore_index=True)
    ties.sort()
    m = len(ties)
    ties_table = pd.DataFrame(
        {
            "source_id": _text(s for s, _ in ties),
            "target_id": _text(t for _, t in ties),
            "relation": _text(["advice"] * m),
            "weight": pd.Series([1.0] * m, dtype="float64"),
            "learning_type": _text([""] * m),
            "mode": _text([""] * m),
            "topic": _text([""] * m),
            "wave": _text([wave] * m),
        }
    )
    order_types = {code: i for i, code in enumerate(LEARNING_TYPE_CODES)}
    learning.sort(key=lambda r: (r[0], order_types.get(r[1], len(order_types))))
    learning_table = pd.DataFrame(
        {
            "person_id": _text(r[0] for r in learning),
            "wave": _text([wave] * len(learning)),
            "learning_type": _text(r[1] for r in learning),
            "hours": pd.Series([r[2] for r in learning], dtype="float64"),
        }
    )
    trust.sort()
    trust_table = pd.DataFrame(
        {
            "person_id": _text(r[0] for r in trust),
            "wave": _text([wave] * len(trust)),
            "item": _text(r[1] for r in trust),
            "value": pd.Series([r[2] for r in trust], dtype="float64"),
        }
    )
    return Dataset(
        people=people_table,
        ties=ties_table,
        learning=learning_table,
        trust=trust_table,
        source=f"Live pulse {wave}",
    )


# --- the live view ------------------------------------------------------------------------------


def summarise(
    ds: Dataset, min_group_size: int | None, last_answer_at: datetime | None = None
) -> PulseSummary:
    """Counts and averages of a pulse wave's dataset, for the facilitator's live view.

    * ``hours.mean_hours`` = Σ hours of the type ÷ participants; ``share`` = that mean ÷ the sum of
      the five means (0 when nobody reported any hours).
    * ``trust.mean`` = mean of the raw 1–5 answers to the item (not reverse-coded; the pulse asks
      positively worded items only).
    * ``advisers.mentions`` = how many participants named the person.

    ``min_group_size=None`` withholds nothing but an empty room (the stored snapshot, whose reader
    applies its own minimum). With fewer participants than ``min_group_size`` the averages are withheld (``hidden``), since
    with two or three people in the room an average gives away individual answers. Averages that
    follow every answer give each one away too: the live view shows them in batches
    (:func:`lib.store.pulse.live_summary`, "What the live view shows" in :mod:`lib.store.pulse`).
    """
    # participants are whoever reported hours (every answer has all five); advisers who appear
    # only as someone named keep their roster row, ``responded`` included, so that flag cannot tell
    n = int(ds.learning["person_id"].nunique())
    hidden = n == 0 if min_group_size is None else not privacy.large_enough(n, min_group_size)
    bank = {i.item: i for i in TRUST_ITEM_BANK}
    if hidden or n == 0:
        hours = pd.DataFrame({"learning_type": [], "mean_hours": [], "share": []})
        trust = pd.DataFrame({"item": [], "dimension": [], "wording": [], "mean": [], "answers": []})
    else:
        totals = ds.learning.groupby("learning_type")["hours"].sum()
        means = [float(totals.get(code, 0.0)) / n for code in LEARNING_TYPE_CODES]
        total = sum(means)
        hours = pd.DataFrame(
            {
                "learning_type": list(LEARNING_TYPE_CODES),
                "mean_hours": means,
                "share": [m / total if total > 0 else 0.0 for m in means],
            }
        )
        grouped = ds.trust.groupby("item", sort=True)["value"]
        stats = pd.DataFrame({"mean": grouped.mean(), "answers": grouped.count()}).reset_index()
        stats["dimension"] = [bank[i].dimension if i in bank else "" for i in stats["item"]]
        stats["wording"] = [bank[i].wording if i in bank else i for i in stats["item"]]
        trust = stats[["item", "dimension", "wording", "mean", "answers"]]
    mentions = ds.ties.groupby("target_id").size().rename("mentions").reset_index()
    names = dict(zip(ds.people["person_id"], ds.people["name"], strict=True))
    advisers = pd.DataFrame(
        {
            "person_id": mentions["target_id"].astype(str),
            "name": [names.get(p, p) for p in mentions["target_id"]],
            "mentions": mentions["mentions"].astype(int),
        }
    ).sort_values(["mentions", "name"], ascending=[False, True], ignore_index=True)
    return PulseSummary(
        answers=n,
        last_answer_at=last_answer_at,
        hidden=hidden,
        hours=hours,
        trust=trust,
        advisers=advisers,
        shown_answers=n,
        shown_at=last_answer_at,
    )


# --- the room against the organisation ----------------------------------------------------------


@dataclass(frozen=True)
class RoomComparison:
    """The room's learning mix (a pulse) next to the organisation's (the latest upload wave).

    ``table``: ``learning_type``, ``type`` (its name), ``room``, ``organisation`` (shares, 0–1) and
    ``difference`` = room − organisation, one row per learning type; empty when ``hidden``, and
    ``note`` then says why. Aggregates only: no names or ids.
    """

    room: int  # pulse participants
    organisation: int  # people with a learning row in the organisation's wave
    wave: str  # the organisation's wave label in its learning sheet ("" when it has none)
    hidden: bool
    note: str
    table: pd.DataFrame


def _type_shares(learning: pd.DataFrame) -> tuple[int, list[float]]:
    """(respondents, share of each type) of long-form learning rows, as :func:`summarise` defines
    them: share(t) = Σ hours of t ÷ Σ hours of the five types (0 when nobody reported hours);
    respondents = people with a learning row."""
    if not len(learning):
        return 0, [0.0] * len(LEARNING_TYPE_CODES)
    types = learning["learning_type"].fillna("").astype(str).str.strip().str.upper()
    hours = pd.to_numeric(learning["hours"], errors="coerce").fillna(0.0)
    totals = hours.groupby(types.to_numpy()).sum()
    per_type = [float(totals.get(code, 0.0)) for code in LEARNING_TYPE_CODES]
    total = sum(per_type)
    n = int(learning["person_id"].astype(str).nunique())
    return n, [h / total if total > 0 else 0.0 for h in per_type]


def compare_with_base(summary: PulseSummary, base: Dataset | None, min_group_size: int) -> RoomComparison:
    """The room against the organisation: each learning type's share in the pulse (``summary``)
    next to its share in ``base`` (the organisation's latest upload wave, :func:`lib.store.pulse.organisation_base`;
    its learning sheet's latest wave label when it has several).

    Both sides use one definition (:func:`summarise`): share(t) = Σ hours of t ÷ Σ hours of the
    five types. The room is ``summary``'s snapshot (``shown_answers`` participants), as the live
    view's averages are: never the answers as they are this second. Withheld (``hidden``, empty
    table) when there is no base, or when either side has fewer respondents than
    ``min_group_size``: a mix of two or three people gives their answers away.
    """
    rows, wave = waves.rows(base.learning, None) if base is not None else (pd.DataFrame(), "")
    org_n, org_shares = _type_shares(rows) if base is not None else (0, [])
    note = ""
    if base is None:
        note = "The workspace has no uploaded wave to compare the room with."
    elif summary.hidden or not privacy.large_enough(summary.shown_answers, min_group_size):
        note = f"Shown once {min_group_size} people have answered (the minimum group size)."
    elif not privacy.large_enough(org_n, min_group_size):
        note = (
            f"The organisation's latest uploaded wave has learning hours from fewer than {min_group_size} "
            "people (the minimum group size): there is nothing to compare with."
        )
    columns = ["learning_type", "type", "room", "organisation", "difference"]
    if note:
        return RoomComparison(summary.shown_answers, org_n, wave, True, note, pd.DataFrame(columns=columns))
    room = dict(zip(summary.hours["learning_type"], summary.hours["share"], strict=True))
    room_shares = [float(room.get(code, 0.0)) for code in LEARNING_TYPE_CODES]
    table = pd.DataFrame(
        {
            "learning_type": list(LEARNING_TYPE_CODES),
            "type": [LEARNING_TYPES[code].split(":")[0] for code in LEARNING_TYPE_CODES],
            "room": room_shares,
            "organisation": org_shares,
            "difference": [r - o for r, o in zip(room_shares, org_shares, strict=True)],
        },
        columns=columns,
    )
    return RoomComparison(summary.shown_answers, org_n, wave, False, "", table)
