"""Workshop mode: what-if scenarios, the presentation's slides, and the room's agreed actions.

What-if
-------
A :class:`Scenario` removes people (named view: by person; aggregate view: whole groups) and/or
adds advice ties between two groups (:class:`Bridge`). :func:`apply_scenario` is a pure function:
it returns a **new** :class:`~lib.core.dataset.Dataset` and never modifies the one it is given.
:func:`what_if` recomputes the Overview's headline measures (:func:`lib.analysis.overview.headline`), a few
network measures that show what removal and bridging do (reach, components, E-I) and the group
map (:func:`lib.analysis.netmap.group_map`) on both datasets, side by side with the change.

Presentation
------------
:func:`slide_plan` turns an aggregate-view :class:`lib.report.exports.Report` (no names or ids, groups
under the minimum size hidden, as in the exported deck) into one screen per finding or chart.

Agreed actions
--------------
Workshop sessions (``workshop_sessions``) and their agreed actions (``actions``) are stored in the
workspace database (:mod:`lib.store.workspaces`), so they survive the session and are deleted with the
workspace (``ON DELETE CASCADE``). Every call names the workspace, and an action or session id
from another workspace is treated as unknown, so a forged id cannot touch someone else's data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from lib.analysis import netmap, network, overview
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.sanitise import CONTROL_IN_TEXT
from lib.core.schema import ADVICE
from lib.store.db import db_time, write_transaction
from lib.store.models import Action, Wave, WorkshopSession, Workspace
from lib.store.workspaces import WorkspaceError

if TYPE_CHECKING:
    from lib.report.exports import Report

__all__ = [
    "ACTION_STATUSES",
    "MAX_BRIDGE_TIES",
    "ActionItem",
    "Bridge",
    "Direction",
    "Scenario",
    "ScenarioEffect",
    "SessionInfo",
    "SlideSpec",
    "WhatIf",
    "WorkshopError",
    "actions_table",
    "add_action",
    "aggregate_safe",
    "apply_scenario",
    "create_session",
    "delete_action",
    "describe",
    "group_values",
    "list_actions",
    "list_sessions",
    "scenario_effect",
    "slide_plan",
    "update_action",
    "update_session_notes",
    "what_if",
]

#: The most new ties one bridge may add (a workshop explores a handful, not thousands).
MAX_BRIDGE_TIES = 500
#: Above this many candidate pairs, pairs are drawn at random instead of enumerated.
_ENUMERATE_PAIRS = 200_000
ACTION_STATUSES: tuple[str, ...] = ("open", "done")
MAX_TITLE = 500
MAX_OWNER = 200
MAX_NOTES = 5_000

Direction = Literal["both", "a_to_b", "b_to_a"]
DIRECTIONS: dict[Direction, str] = {
    "both": "both ways (each pair asks the other)",
    "a_to_b": "A asks B",
    "b_to_a": "B asks A",
}


class WorkshopError(WorkspaceError):
    """A workshop request that cannot be done (blank action, unknown id), in plain words."""


# --- what-if: the scenario ----------------------------------------------------------------------


@dataclass(frozen=True)
class Bridge:
    """``ties`` new ties between people of group ``group_a`` and group ``group_b`` of ``attribute``.

    Each new tie joins one person of A and one of B who had no such tie yet (in ``relation``, in
    the wave analysed); pairs are drawn at random with ``seed``, so the same bridge always adds the
    same ties. ``direction``: ``"a_to_b"`` adds arcs A → B ("A asks B for advice"), ``"b_to_a"``
    the reverse, ``"both"`` both arcs for every pair (so ``2 × ties`` arcs). Each new arc has
    weight 1 and no learning type, mode or topic.
    """

    attribute: str
    group_a: str
    group_b: str
    ties: int = 5
    direction: Direction = "both"
    relation: str = ADVICE
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    """What the room wants to try: people or groups leave, and/or groups get new ties.

    ``remove_people``: person ids. ``remove_groups``: ``(attribute, value)`` pairs; the value is
    compared with the group label the maps use (:func:`lib.analysis.netmap.category_text`, so blanks are
    ``(not given)``). ``wave``: the wave new ties belong to, as its tie wave (:func:`lib.core.waves.tie_wave`;
    None: the latest wave of the ties, or no wave when ties have none). Frozen and small, so its ``repr`` is a good cache key.
    """

    remove_people: tuple[str, ...] = ()
    remove_groups: tuple[tuple[str, str], ...] = ()
    bridges: tuple[Bridge, ...] = ()
    wave: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.remove_people or self.remove_groups or self.bridges)


@dataclass(frozen=True)
class ScenarioEffect:
    """What :func:`apply_scenario` did: people removed, and per bridge the pairs asked for and added."""

    removed: tuple[str, ...]
    ties_removed: int
    pairs_added: tuple[int, ...]  # one per bridge
    arcs_added: int
    notes: tuple[str, ...] = ()


def aggregate_safe(ds: Dataset, scenario: Scenario, min_size: int = MIN_GROUP_SIZE) -> bool:
    """Whether ``scenario`` may be shown in the aggregate view: it removes no individual, and every
    group it removes or connects is one the aggregate view shows (:func:`lib.core.privacy.roster_release`:
    at least ``min_size`` people and not a group hidden so others cannot be worked out); a change
    to a hidden group would show, in the before/after difference, what the aggregate view hides."""
    if scenario.remove_people:
        return False
    wanted = [(a, v) for a, v in scenario.remove_groups]
    wanted += [(b.attribute, g) for b in scenario.bridges for g in (b.group_a, b.group_b)]
    release = privacy.roster_release(ds, min_size)
    return all(str(value) in release.allowed(attribute) for attribute, value in wanted)


def group_values(ds: Dataset, attribute: str) -> pd.Series:
    """person_id → the group label of ``attribute`` as the maps show it (blanks: ``(not given)``)."""
    people = ds.people.drop_duplicates("person_id")
    if attribute not in people.columns:
        return pd.Series(dtype=object)
    return pd.Series(
        netmap.category_text(people[attribute]).to_numpy(), index=people["person_id"].astype(str).to_numpy()
    )


def _removed(ds: Dataset, scenario: Scenario) -> list[str]:
    ids = ds.people["person_id"].astype(str)
    gone = set(str(p) for p in scenario.remove_people) & set(ids)
    for attribute, value in scenario.remove_groups:
        groups = group_values(ds, attribute)
        gone |= set(groups.index[groups == str(value)])
    return [p for p in dict.fromkeys(ids) if p in gone]  # in roster order


def _existing_arcs(ties: pd.DataFrame, relation: str, wave: str) -> set[tuple[str, str]]:
    if not len(ties):
        return set()
    sel = waves.select(ties, wave)
    sel = sel.loc[sel["relation"].astype(str) == relation]
    return set(zip(sel["source_id"].astype(str), sel["target_id"].astype(str), strict=True))


def _bridge_pairs(
    members_a: list[str], members_b: list[str], bridge: Bridge, existing: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Up to ``bridge.ties`` (a, b) pairs, a ≠ b, still missing at least one of the wanted arcs."""

    def wanted(a: str, b: str) -> list[tuple[str, str]]:
        return {"a_to_b": [(a, b)], "b_to_a": [(b, a)], "both": [(a, b), (b, a)]}[bridge.direction]

    def open_pair(a: str, b: str) -> bool:
        return a != b and any(arc not in existing for arc in wanted(a, b))

    n = min(max(int(bridge.ties), 0), MAX_BRIDGE_TIES)
    if n == 0 or not members_a or not members_b:
        return []
    rng = np.random.default_rng(bridge.seed)
    total = len(members_a) * len(members_b)
    if total <= _ENUMERATE_PAIRS:
        pool = [(a, b) for a in members_a for b in members_b if open_pair(a, b)]
        if len(pool) <= n:
            return pool
        picked = rng.choice(len(pool), size=n, replace=False)
        return [pool[i] for i in sorted(int(i) for i in picked)]
    chosen: dict[tuple[str, str], None] = {}
    for _ in range(50 * n):  # big groups: almost every pair is open, so this ends quickly
        a = members_a[int(rng.integers(len(members_a)))]
        b = members_b[int(rng.integers(len(members_b)))]
        if (a, b) not in chosen and open_pair(a, b):
            chosen[(a, b)] = None
            if len(chosen) == n:
                break
    return list(chosen)


def _apply(ds: Dataset, scenario: Scenario) -> tuple[Dataset, ScenarioEffect]:
    gone = _removed(ds, scenario)
    gone_set = set(gone)
    people = ds.people.copy()
    if gone_set:
        people = people.loc[~people["person_id"].astype(str).isin(gone_set)].reset_index(drop=True)

    def without(table: pd.DataFrame, *cols: str) -> pd.DataFrame:
        if not gone_set or not len(table):
            return table.copy()
        mask = np.zeros(len(table), dtype=bool)
        for col in cols:
            if col in table:
                mask |= table[col].astype(str).isin(gone_set).to_numpy()
        return table.loc[~mask].reset_index(drop=True)

    ties = without(ds.ties, "source_id", "target_id")
    ties_removed = len(ds.ties) - len(ties)
    wave = waves.tie_wave(ds, scenario.wave) or ""
    notes: list[str] = []
    pairs_added: list[int] = []
    new_rows: list[dict[str, Any]] = []
    for bridge in scenario.bridges:
        if str(bridge.group_a) == str(bridge.group_b):
            raise WorkshopError(f"Choose two different groups to connect, not {bridge.group_a!r} twice.")
        shown_groups = group_values(Dataset(people=people), bridge.attribute)
        members_a = [str(p) for p in shown_groups.index[shown_groups == str(bridge.group_a)]]
        members_b = [str(p) for p in shown_groups.index[shown_groups == str(bridge.group_b)]]
        existing = _existing_arcs(ties, bridge.relation, wave) | {
            (r["source_id"], r["target_id"]) for r in new_rows if r["relation"] == bridge.relation
        }
        pairs = _bridge_pairs(members_a, members_b, bridge, existing)
        if len(pairs) < min(int(bridge.ties), MAX_BRIDGE_TIES):
            notes.append(
                f"Only {len(pairs)} new pairs were possible between {bridge.group_a} and {bridge.group_b} "
                f"(asked for {bridge.ties})."
            )
        pairs_added.append(len(pairs))
        for a, b in pairs:
            arcs = {"a_to_b": [(a, b)], "b_to_a": [(b, a)], "both": [(a, b), (b, a)]}[bridge.direction]
            for s, t in arcs:
                if (s, t) in existing:
                    continue
                existing.add((s, t))
                new_rows.append(
                    {
                        "source_id": s,
                        "target_id": t,
                        "relation": bridge.relation,
                        "weight": 1.0,
                        "learning_type": "",
                        "mode": "",
                        "topic": "",
                        "wave": wave,
                    }
                )
    if new_rows:
        added = pd.DataFrame(new_rows)
        columns = list(ties.columns) if len(ties.columns) else list(added.columns)
        added = added.reindex(columns=columns)
        ties = added if not len(ties) else pd.concat([ties, added], ignore_index=True)
    out = dc_replace(
        ds,
        people=people,
        ties=ties,
        learning=without(ds.learning, "person_id"),
        interactions=without(ds.interactions, "source_id", "target_id"),
        trust=without(ds.trust, "person_id"),
        trust_items=ds.trust_items.copy(),
        work=without(ds.work, "person_id"),
        skills=without(ds.skills, "person_id"),
        role_skills=ds.role_skills.copy(),
        source=f"{ds.source} (what-if)" if ds.source else "what-if",
        findings=list(ds.findings),
        channel_modes=dict(ds.channel_modes),
    )
    effect = ScenarioEffect(
        removed=tuple(gone),
        ties_removed=ties_removed,
        pairs_added=tuple(pairs_added),
        arcs_added=len(new_rows),
        notes=tuple(notes),
    )
    return out, effect


def apply_scenario(ds: Dataset, scenario: Scenario) -> Dataset:
    """A new dataset with ``scenario`` applied; ``ds`` is never modified.

    Removing a person drops their roster row and every row about them: ties to or from them,
    interactions they sent or received (broadcasts stay), their learning hours, trust answers,
    work mix and skills. Bridges then add arcs as described in :class:`Bridge`, among the people
    who remain. Unknown person ids and empty groups are ignored; a bridge between a group and
    itself raises :class:`WorkshopError`.
    """
    return _apply(ds, scenario)[0]


def scenario_effect(ds: Dataset, scenario: Scenario) -> ScenarioEffect:
    """What :func:`apply_scenario` does to ``ds``: who leaves, how many ties go, how many are added."""
    return _apply(ds, scenario)[1]


def describe(scenario: Scenario, effect: ScenarioEffect, labels: dict[str, str] | None = None) -> list[str]:
    """The scenario in plain sentences. Person names only when ``labels`` (the named view) are given."""
    out: list[str] = []
    if scenario.remove_people:
        if labels is not None:
            names = [labels.get(str(p), str(p)) for p in scenario.remove_people]
            out.append(f"{', '.join(names)} leave{'s' if len(names) == 1 else ''}.")
        else:
            n = len(scenario.remove_people)
            out.append(f"{n} {'person leaves' if n == 1 else 'people leave'}.")
    for attribute, value in scenario.remove_groups:
        out.append(f"Everyone in {netmap.pretty(attribute).lower()} {value} leaves.")
    if effect.removed:
        out.append(
            f"In all {len(effect.removed)} {'person' if len(effect.removed) == 1 else 'people'} removed, "
            f"with {effect.ties_removed} ties."
        )
    for bridge, pairs in zip(scenario.bridges, effect.pairs_added, strict=False):
        way = DIRECTIONS.get(bridge.direction, bridge.direction)
        out.append(
            f"{pairs} new {bridge.relation} ties between {bridge.group_a} and {bridge.group_b}, {way}."
        )
    out.extend(effect.notes)
    return out or ["No change: choose people or groups to remove, or groups to connect."]


# --- what-if: before and after ------------------------------------------------------------------


@dataclass
class WhatIf:
    """Before and after a scenario: headline measures, network measures, group E-I and group maps.

    ``measures`` columns: measure, before, after, change (text), before_value, after_value
    (numbers, NaN when a measure is undefined). ``groups``: group, people_before, people_after,
    ei_before, ei_after, ei_change (groups under the minimum size on either side are left out).
    """

    scenario: Scenario
    effect: ScenarioEffect
    before: overview.Headline
    after: overview.Headline
    measures: pd.DataFrame
    groups: pd.DataFrame
    map_before: netmap.NetworkMap
    map_after: netmap.NetworkMap
    group_attr: str
    notes: list[str] = field(default_factory=list)


#: Network rows of the comparison: NetworkSummary field → (label, kind). Kinds format the change.
NETWORK_ROWS: dict[str, tuple[str, str]] = {
    "ties": ("Advice ties", "count"),
    "connectedness": ("Who can reach whom (connectedness)", "share"),
    "components_weak": ("Separate parts of the network (weak components)", "count"),
    "largest_weak": ("People in the largest part", "count"),
    "isolates": ("People with no advice ties", "count"),
    "average_distance": ("Average steps between people", "number"),
}
_SHARE_TILES = {"response_rate", "informal_share", "advice_reciprocity"}
_COUNT_TILES = {"people", "silo_groups", "key_people"}


def _value(x: object) -> float:
    if x is None:
        return math.nan
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


def _text(v: float, kind: str) -> str:
    if math.isnan(v):
        return "—"
    if kind == "share":
        return f"{v:.0%}"
    if kind == "count":
        return f"{v:,.0f}"
    return f"{v:.2f}"


def _change(before: float, after: float, kind: str) -> str:
    if math.isnan(before) or math.isnan(after):
        return ""
    d = after - before
    if abs(d) < 1e-12:
        return "no change"
    if kind == "number" and abs(d) < 0.005:
        return "≈ 0"
    if kind == "share":
        return f"{d * 100:+.1f} pts"
    if kind == "count":
        return f"{d:+,.0f}"
    return f"{d:+.2f}"


def _advice(ds: Dataset) -> tuple[str, ...] | None:
    rel = ds.advice_relations()
    return None if rel is None else tuple(rel)


def _measure_rows(
    head_b: overview.Headline,
    head_a: overview.Headline,
    net_b: network.NetworkSummary | None,
    net_a: network.NetworkSummary | None,
    ei_b: float,
    ei_a: float,
    group_attr: str,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    after_tiles = {t.key: t for t in head_a.tiles}
    for tile in head_b.tiles:
        if tile.key == "shifts":
            continue  # the five shifts need learning data a what-if does not change much; see Overview
        other = after_tiles[tile.key]
        kind = "share" if tile.key in _SHARE_TILES else "count" if tile.key in _COUNT_TILES else "number"
        b, a = _value(tile.value), _value(other.value)
        change = "" if tile.key == "top_gaps" else _change(b, a, kind)
        rows.append(
            {
                "measure": tile.label,
                "before": tile.text,
                "after": other.text,
                "change": change,
                "before_value": b,
                "after_value": a,
            }
        )
    if net_b is not None and net_a is not None:
        for fld, (label, kind) in NETWORK_ROWS.items():
            b, a = _value(getattr(net_b, fld)), _value(getattr(net_a, fld))
            rows.append(
                {
                    "measure": label,
                    "before": _text(b, kind),
                    "after": _text(a, kind),
                    "change": _change(b, a, kind),
                    "before_value": b,
                    "after_value": a,
                }
            )
        rows.append(
            {
                "measure": f"E-I index between {netmap.pretty(group_attr).lower()}s",
                "before": _text(ei_b, "number"),
                "after": _text(ei_a, "number"),
                "change": _change(ei_b, ei_a, "number"),
                "before_value": ei_b,
                "after_value": ei_a,
            }
        )
    return pd.DataFrame(rows, columns=["measure", "before", "after", "change", "before_value", "after_value"])


def _group_rows(
    ei_b: network.EIResult | None,
    ei_a: network.EIResult | None,
    min_size: int,
    allowed: frozenset[str] | None = None,
) -> pd.DataFrame:
    columns = ["group", "people_before", "people_after", "ei_before", "ei_after", "ei_change"]
    if ei_b is None or ei_a is None:
        return pd.DataFrame(columns=columns)
    b = ei_b.groups.set_index("group")
    a = ei_a.groups.set_index("group")
    out = pd.DataFrame({"people_before": b["size"], "ei_before": b["ei"]}).join(
        pd.DataFrame({"people_after": a["size"], "ei_after": a["ei"]}), how="left"
    )
    out["people_after"] = out["people_after"].fillna(0).astype(int)
    # A group must be shown on both sides to be compared: under the minimum on either side, it is left out.
    out = out[
        out["people_before"].map(lambda n: privacy.large_enough(n, min_size))
        & (out["people_after"].map(lambda n: privacy.large_enough(n, min_size)) | (out["people_after"] == 0))
    ]
    if allowed is not None:  # the aggregate view: only groups its release shows
        out = out[out.index.isin(allowed)]
    out["ei_change"] = out["ei_after"] - out["ei_before"]
    return out.reset_index().rename(columns={"index": "group"})[columns]


def what_if(
    ds: Dataset,
    scenario: Scenario,
    wave: str | None = None,
    min_size: int = MIN_GROUP_SIZE,
    group_attr: str = "department",
    complementary: bool = True,
) -> WhatIf:
    """Headline and network measures, group E-I and the group map, before and after ``scenario``.

    The headline is :func:`lib.analysis.overview.headline` on each dataset (same wave and minimum group
    size); network rows are :func:`lib.analysis.network.network_measures` of the advice network (all
    relations when there is no advice relation) in that wave; the E-I index is
    :func:`lib.analysis.network.ei_index` by ``group_attr``; the maps are :func:`lib.analysis.netmap.group_map`
    (``complementary``: also hide a group that would give the hidden ones away, the aggregate
    view's rule). A group removed entirely has ``people_after`` 0 and no E-I after.
    """
    after_ds, effect = _apply(ds, scenario)
    w = waves.resolve(wave, ds.waves) or ""
    head_b = overview.headline(ds, w or None, min_size)
    head_a = overview.headline(after_ds, w or None, min_size)
    rel = _advice(ds)
    tw = ds.tie_wave(w)
    has_ties = bool(len(ds.ties)) or bool(len(after_ds.ties))
    net_b = network.network_measures(ds, rel, tw) if has_ties else None
    net_a = network.network_measures(after_ds, rel, tw) if has_ties else None
    usable = group_attr in ds.attributes
    ei_b = network.ei_index(ds, group_attr, rel, tw) if has_ties and usable else None
    ei_a = network.ei_index(after_ds, group_attr, rel, tw) if has_ties and usable else None
    measures = _measure_rows(
        head_b,
        head_a,
        net_b,
        net_a,
        ei_b.overall if ei_b else math.nan,
        ei_a.overall if ei_a else math.nan,
        group_attr,
    )

    def group_map(d: Dataset) -> netmap.NetworkMap:
        return netmap.group_map(
            d, group_attr, relations=rel, wave=tw, min_group_size=min_size, complementary=complementary
        )

    notes = list(effect.notes)
    if not privacy.large_enough(len(after_ds.people), min_size):
        notes.append(f"Fewer than {min_size} people remain: most measures are hidden or undefined.")
    return WhatIf(
        scenario=scenario,
        effect=effect,
        before=head_b,
        after=head_a,
        measures=measures,
        groups=_group_rows(
            ei_b,
            ei_a,
            min_size,
            privacy.roster_release(ds, min_size).allowed(group_attr) if complementary else None,
        ),
        map_before=group_map(ds),
        map_after=group_map(after_ds),
        group_attr=group_attr,
        notes=notes,
    )


# --- presentation ------------------------------------------------------------------------------


SlideKind = Literal["title", "tiles", "finding", "map", "learning", "trust", "skills", "actions", "notice"]


@dataclass(frozen=True)
class SlideSpec:
    """One screen of the presentation: what it shows (``kind``) and its headline text."""

    kind: SlideKind
    title: str
    subtitle: str = ""
    index: int = 0  # which finding, for kind "finding"


def slide_plan(report: Report, has_actions: bool = False) -> list[SlideSpec]:
    """The presentation's screens for an aggregate-view report, in order; slides without data are left out.

    Title; headline measures; one screen per finding; the group network map; the learning mix;
    the trust dimensions; the biggest skill gaps; the agreed actions (when ``has_actions``).
    """
    wave = report.wave or "all data"
    plan = [SlideSpec("title", "How this organisation learns", f"{report.source} · wave {wave}")]
    if report.notice:
        return [*plan, SlideSpec("notice", "Nothing to show in this view", report.notice)]
    head = report.head
    if head is not None:
        plan.append(SlideSpec("tiles", "Headline measures", f"Wave {head.wave or 'all data'}"))
        total = len(head.findings)
        for i, f in enumerate(head.findings):
            plan.append(SlideSpec("finding", f"Finding {i + 1} of {total}", f.statement, i))
    if report.map_note:
        plan.append(
            SlideSpec("map", "Who goes to whom for advice", f"The network between {report.group_by} groups")
        )
    if len(report.table(f"learning_{report.group_by}")) or len(report.table("learning_mix")):
        plan.append(
            SlideSpec(
                "learning",
                "How people learn: experience, others, formal",
                "Share of learning time; reference 70 : 20 : 10",
            )
        )
    if len(report.table("trust_dimensions")):
        plan.append(SlideSpec("trust", "Trust and wirearchy", "Mean score per dimension, 1–5"))
    if len(report.table("skill_gaps")):
        plan.append(SlideSpec("skills", "Biggest skill gaps", "Levels missing across the organisation"))
    if has_actions:
        plan.append(SlideSpec("actions", "Agreed actions", "What the room decided to do next"))
    return plan


# --- sessions and actions ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    id: int
    title: str
    held_at: datetime  # UTC
    notes: str
    wave: str | None  # the wave discussed, when one was chosen


@dataclass(frozen=True)
class ActionItem:
    """One agreed action. ``owner`` is a role or team in free text (never required to be a person)."""

    id: int
    title: str
    owner: str
    due_on: date | None
    status: str  # "open" or "done"
    notes: str
    created_at: datetime  # UTC
    session_id: int | None = None


def _text_field(value: object, what: str, limit: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise WorkshopError(f"The {what} cannot be blank.")
    if len(text) > limit:
        raise WorkshopError(f"The {what} is longer than {limit:,} characters ({len(text):,}).")
    if CONTROL_IN_TEXT.search(text):
        raise WorkshopError(f"The {what} contains control characters.")
    return text


def _workspace_id(conn: Connection, workspace: str) -> int:
    row = conn.execute(select(Workspace.id).where(Workspace.name == str(workspace).strip())).first()
    if row is None:
        raise WorkshopError(f"No workspace named {workspace!r}: choose or create one first.")
    return int(row[0])


def _check_session(conn: Connection, ws_id: int, session_id: int | None) -> None:
    if session_id is None:
        return
    found = conn.execute(
        select(WorkshopSession.id).where(
            WorkshopSession.id == session_id, WorkshopSession.workspace_id == ws_id
        )
    ).first()
    if found is None:
        raise WorkshopError(f"No workshop session {session_id} in this workspace.")


def create_session(
    engine: Engine,
    workspace: str,
    title: str,
    notes: str = "",
    wave: str | None = None,
    held_at: datetime | None = None,
) -> SessionInfo:
    """Start a workshop session in ``workspace`` (``wave``: the label of the wave discussed, if stored)."""
    title = _text_field(title, "session title", MAX_TITLE, required=True)
    notes = _text_field(notes, "notes", MAX_NOTES)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        wave_id = None
        if wave:
            row = conn.execute(
                select(Wave.id).where(Wave.workspace_id == ws_id, Wave.label == str(wave))
            ).first()
            wave_id = int(row[0]) if row else None
        result = conn.execute(
            insert(WorkshopSession).values(
                workspace_id=ws_id, wave_id=wave_id, title=title, held_at=db_time(held_at), notes=notes
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        new_id = int(key[0])
    return next(s for s in list_sessions(engine, workspace) if s.id == new_id)


def list_sessions(engine: Engine, workspace: str) -> list[SessionInfo]:
    """The workspace's workshop sessions, newest first."""
    with engine.connect() as conn:
        ws_id = _workspace_id(conn, workspace)
        rows = conn.execute(
            select(
                WorkshopSession.id,
                WorkshopSession.title,
                WorkshopSession.held_at,
                WorkshopSession.notes,
                Wave.label,
            )
            .outerjoin(Wave, Wave.id == WorkshopSession.wave_id)
            .where(WorkshopSession.workspace_id == ws_id)
            .order_by(WorkshopSession.held_at.desc(), WorkshopSession.id.desc())
        ).all()
    return [SessionInfo(int(r[0]), r[1], r[2].replace(tzinfo=UTC), r[3] or "", r[4]) for r in rows]


def update_session_notes(engine: Engine, workspace: str, session_id: int, notes: str) -> None:
    """Replace a session's notes (the room's notes that belong to no single action)."""
    notes = _text_field(notes, "notes", MAX_NOTES)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        _check_session(conn, ws_id, session_id)
        conn.execute(update(WorkshopSession).where(WorkshopSession.id == session_id).values(notes=notes))


def _action_of(row: Any) -> ActionItem:
    return ActionItem(
        id=int(row.id),
        title=row.title,
        owner=row.owner or "",
        due_on=row.due_on,
        status=row.status,
        notes=row.notes or "",
        created_at=row.created_at.replace(tzinfo=UTC),
        session_id=row.session_id,
    )


def _check_status(status: str) -> str:
    if status not in ACTION_STATUSES:
        raise WorkshopError(f"An action's status is one of {', '.join(ACTION_STATUSES)}, not {status!r}.")
    return status


def _check_due(due_on: object) -> date | None:
    if due_on is None or due_on == "":
        return None
    if isinstance(due_on, datetime):
        return due_on.date()
    if isinstance(due_on, date):
        return due_on
    raise WorkshopError(f"The due date must be a date, not {due_on!r}.")


def add_action(
    engine: Engine,
    workspace: str,
    title: str,
    owner: str = "",
    due_on: date | None = None,
    notes: str = "",
    session_id: int | None = None,
    status: str = "open",
    now: datetime | None = None,
) -> ActionItem:
    """Save an agreed action in ``workspace`` (optionally under a workshop session)."""
    values = {
        "title": _text_field(title, "action", MAX_TITLE, required=True),
        "owner": _text_field(owner, "owner", MAX_OWNER),
        "notes": _text_field(notes, "notes", MAX_NOTES),
        "due_on": _check_due(due_on),
        "status": _check_status(status),
    }
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        _check_session(conn, ws_id, session_id)
        result = conn.execute(
            insert(Action).values(
                workspace_id=ws_id, session_id=session_id, created_at=db_time(now), **values
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        row = conn.execute(select(Action.__table__).where(Action.id == int(key[0]))).one()
    return _action_of(row)


def list_actions(
    engine: Engine, workspace: str, session_id: int | None = None, status: str | None = None
) -> list[ActionItem]:
    """The workspace's actions, oldest first (``session_id``/``status`` narrow the list)."""
    with engine.connect() as conn:
        ws_id = _workspace_id(conn, workspace)
        query = select(Action.__table__).where(Action.workspace_id == ws_id)
        if session_id is not None:
            query = query.where(Action.session_id == session_id)
        if status is not None:
            query = query.where(Action.status == _check_status(status))
        rows = conn.execute(query.order_by(Action.created_at, Action.id)).all()
    return [_action_of(r) for r in rows]


_UNSET: Any = object()


def update_action(
    engine: Engine,
    workspace: str,
    action_id: int,
    *,
    title: str | None = None,
    owner: str | None = None,
    due_on: date | None = _UNSET,
    notes: str | None = None,
    status: str | None = None,
) -> ActionItem:
    """Change some fields of an action (``due_on=None`` clears the date); WorkshopError when unknown."""
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = _text_field(title, "action", MAX_TITLE, required=True)
    if owner is not None:
        values["owner"] = _text_field(owner, "owner", MAX_OWNER)
    if notes is not None:
        values["notes"] = _text_field(notes, "notes", MAX_NOTES)
    if status is not None:
        values["status"] = _check_status(status)
    if due_on is not _UNSET:
        values["due_on"] = _check_due(due_on)
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        mine = (Action.id == int(action_id)) & (Action.workspace_id == ws_id)
        if values:
            conn.execute(update(Action).where(mine).values(**values))
        row = conn.execute(select(Action.__table__).where(mine)).first()
        if row is None:
            raise WorkshopError(f"No action {action_id} in workspace {workspace!r}.")
    return _action_of(row)


def delete_action(engine: Engine, workspace: str, action_id: int) -> bool:
    """Delete one action; False when the workspace has no such action."""
    with write_transaction(engine) as conn:
        ws_id = _workspace_id(conn, workspace)
        result = conn.execute(delete(Action).where(Action.id == int(action_id), Action.workspace_id == ws_id))
    return bool(result.rowcount)


def actions_table(actions: Sequence[ActionItem]) -> pd.DataFrame:
    """Actions as a table for display and CSV download (action, owner, due, status, notes)."""
    return pd.DataFrame(
        {
            "action": [a.title for a in actions],
            "owner": [a.owner for a in actions],
            "due": [a.due_on.isoformat() if a.due_on else "" for a in actions],
            "status": [a.status for a in actions],
            "notes": [a.notes for a in actions],
        },
        columns=["action", "owner", "due", "status", "notes"],
    )
