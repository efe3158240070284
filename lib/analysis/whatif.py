"""What-if: remove people or groups, add advice ties between groups, and compare before and after.

A :class:`Scenario` removes people (named view: by person; aggregate view: whole groups) and/or
adds advice ties between two groups (:class:`Bridge`). :func:`apply_scenario` is a pure function:
it returns a **new** :class:`~lib.core.dataset.Dataset` and never modifies the one it is given.
:func:`what_if` recomputes the Overview's headline measures (:func:`lib.analysis.overview.headline`), a few
network measures that show what removal and bridging do (reach, components, E-I) and the group
map (:func:`lib.analysis.netmap.group_map`) on both datasets, side by side with the change.
The workshop's slide plan is :mod:`lib.report.workshop`; its sessions and agreed actions are
stored by :mod:`lib.store.actions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.analysis import netmap, network, overview
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.schema import ADVICE

__all__ = [
    "DIRECTIONS",
    "MAX_BRIDGE_TIES",
    "NETWORK_ROWS",
    "Bridge",
    "Direction",
    "Scenario",
    "ScenarioEffect",
    "ScenarioError",
    "WhatIf",
    "aggregate_safe",
    "apply_scenario",
    "describe",
    "group_values",
    "scenario_effect",
    "what_if",
]

#: The most new ties one bridge may add (a workshop explores a handful, not thousands).
MAX_BRIDGE_TIES = 500
#: Above this many candidate pairs, pairs are drawn at random instead of enumerated.
_ENUMERATE_PAIRS = 200_000

Direction = Literal["both", "a_to_b", "b_to_a"]
DIRECTIONS: dict[Direction, str] = {
    "both": "both ways (each pair asks the other)",
    "a_to_b": "A asks B",
    "b_to_a": "B asks A",
}


class ScenarioError(ValueError):
    """A what-if scenario that cannot be applied (a bridge from a group to itself), in plain words."""


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
            raise ScenarioError(f"Choose two different groups to connect, not {bridge.group_a!r} twice.")
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
    itself raises :class:`ScenarioError`.
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
