"""Network roles (Rob Cross style) and key-person risk.

Roles are rules kept as data: :class:`RoleThresholds` holds every threshold with its default
(the registry :mod:`lib.report.definitions` says in plain words what each role means, with the
thresholds in use); :func:`assign_roles` applies them and writes the reason next to each person. Key-person risk removes people from the network
and measures what the others lose (:func:`key_person_impact`, :func:`rank_key_people`).

Sources: Cross & Parker (2004) *The Hidden Power of Social Networks* (central connectors,
boundary spanners/brokers, peripheral people, energisers); Cross, Rebele & Grant (2016)
"Collaborative overload" (HBR); Borgatti (2006) "Identifying sets of key players".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from lib.analysis.network import Graph, arc_matrix, build_graph, group_codes, reach_count, reach_sizes
from lib.analysis.response import network_response, respondent_dataset
from lib.core.dataset import Dataset

__all__ = [
    "KEY_SCREEN_LIMIT",
    "KEY_SCREEN_SAMPLES",
    "ROLE_NAMES",
    "KeyPersonImpact",
    "RoleThresholds",
    "assign_roles",
    "key_person_impact",
    "rank_key_people",
    "rank_key_people_among_respondents",
]


@dataclass(frozen=True)
class RoleThresholds:
    """Thresholds for :func:`assign_roles`; every one can be changed on the page.

    Shares are of the people in scope: ``0.10`` means "at or above the 90th percentile" (numpy's
    linear interpolation), and a role always needs a value above zero.
    """

    #: central connector: in-degree (people who name them) in the top share
    connector_top_share: float = 0.10
    #: broker: betweenness in the top share ...
    broker_top_share: float = 0.10
    #: ... or open 2-paths linking different groups (liaison + representative + gatekeeper) in the top share
    broker_spanning_top_share: float = 0.10
    #: ... and at least this many of them
    broker_min_spanning: int = 1
    #: peripheral: ties in and out (distinct people) at most this many, but at least one
    peripheral_max_degree: int = 1
    #: energiser: in-degree in the energy relation in the top share
    energiser_top_share: float = 0.10
    #: overload: advice + information in-degree in the top share ...
    overload_top_share: float = 0.10
    #: ... and sought by people from at least this many groups
    overload_min_groups: int = 3
    #: relations whose in-degree measures demand on a person (overload)
    demand_relations: tuple[str, ...] = ("advice", "information")
    energy_relation: str = "energy"


def _percentile(share: float) -> str:
    return f"{round((1 - share) * 100):d}th percentile"


#: The roles :func:`assign_roles` gives, in order (their texts: :func:`lib.report.definitions.role_texts`).
ROLE_NAMES: tuple[str, ...] = (
    "central_connector",
    "broker",
    "peripheral",
    "isolate",
    "energiser",
    "overload",
)
_LABELS = {
    "central_connector": "central connector",
    "broker": "broker",
    "peripheral": "peripheral",
    "isolate": "isolate",
    "energiser": "energiser",
    "overload": "overload risk",
}


def _cutoff(values: np.ndarray, top_share: float) -> float:
    """The value a person must reach to be in the top share (≥ the (1 − share) quantile, > 0).
    Unknown values (NaN: a non-respondent's out-tie measure) take no part."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return math.inf
    q = float(np.quantile(values, min(max(1.0 - top_share, 0.0), 1.0)))
    return max(q, float(np.nextafter(0.0, 1.0)))


def _relation_graph(ds: Dataset, relations: Sequence[str], wave: str | None) -> Graph | None:
    present = [r for r in relations if r in ds.relations]
    if not present:
        return None
    return build_graph(ds, present, wave)


def assign_roles(
    ds: Dataset,
    measures: pd.DataFrame,
    thresholds: RoleThresholds | None = None,
    group_attr: str | None = "department",
    wave: str | None = None,
) -> pd.DataFrame:
    """One row per person: a boolean column per role in :data:`ROLE_NAMES`, ``roles`` and ``reason``.

    ``measures`` is :func:`lib.analysis.network.person_measures` output (index person_id). Energisers need
    the energy relation and overload needs advice or information ties; without them those columns
    are False and the reason says why.
    """
    th = thresholds or RoleThresholds()
    ids = [str(i) for i in measures.index]
    n = len(ids)
    d_in = measures["in_degree"].to_numpy(dtype=float) if n else np.zeros(0)
    d_out = measures["out_degree"].to_numpy(dtype=float) if n else np.zeros(0)
    btw = measures["betweenness"].to_numpy(dtype=float) if n else np.zeros(0)
    spanning = (
        measures[["brokerage_liaison", "brokerage_representative", "brokerage_gatekeeper"]]
        .sum(axis=1, min_count=1)  # unknown (NaN) for non-respondents, not 0
        .to_numpy(dtype=float)
        if n
        else np.zeros(0)
    )
    reasons: list[list[str]] = [[] for _ in range(n)]

    cut_conn = _cutoff(d_in, th.connector_top_share)
    connector = d_in >= cut_conn
    cut_btw = _cutoff(btw, th.broker_top_share)
    cut_span = max(_cutoff(spanning, th.broker_spanning_top_share), float(max(th.broker_min_spanning, 1)))
    broker = (btw >= cut_btw) | (spanning >= cut_span)
    total = d_in + np.nan_to_num(d_out)  # a non-respondent's out-degree is unknown (NaN)
    # silence is not isolation: someone who did not answer named nobody because they were not asked
    answered = np.isin(np.asarray(ids, dtype=object), list(network_response(ds, wave).respondents))
    isolate = (total == 0) & answered
    peripheral = (total > 0) & (total <= th.peripheral_max_degree) & answered

    energiser = np.zeros(n, dtype=bool)
    energy_note = ""
    energy_graph = _relation_graph(ds, [th.energy_relation], wave)
    if energy_graph is None:
        energy_note = f"no '{th.energy_relation}' ties in the data"
    else:
        e_in = _aligned(energy_graph, ids, np.asarray(energy_graph.g.indegree(), dtype=float))
        cut_e = _cutoff(e_in, th.energiser_top_share)
        energiser = e_in >= cut_e
        for j in np.flatnonzero(energiser):
            reasons[j].append(
                f"named energising by {int(e_in[j])} (≥ {cut_e:g}, the {_percentile(th.energiser_top_share)}: "
                f"{int(energiser.sum())} of {n} people)"
            )

    overload = np.zeros(n, dtype=bool)
    demand_graph = _relation_graph(ds, th.demand_relations, wave)
    overload_note = ""
    if demand_graph is None:
        overload_note = f"no {' or '.join(th.demand_relations)} ties in the data"
    else:
        dem_in = _aligned(demand_graph, ids, np.asarray(demand_graph.g.indegree(), dtype=float))
        groups = _aligned(demand_graph, ids, _seeker_groups(ds, demand_graph, group_attr))
        cut_d = _cutoff(dem_in, th.overload_top_share)
        overload = (dem_in >= cut_d) & (groups >= th.overload_min_groups)
        for j in np.flatnonzero(overload):
            reasons[j].append(
                f"sought for {'/'.join(th.demand_relations)} by {int(dem_in[j])} people (≥ {cut_d:g}, the "
                f"{_percentile(th.overload_top_share)}) "
                f"from {int(groups[j])} groups"
            )

    for i in range(n):
        if connector[i]:
            reasons[i].insert(
                0,
                f"named by {int(d_in[i])} people (≥ {cut_conn:g}, the {_percentile(th.connector_top_share)}: "
                f"{int(connector.sum())} of {n} people)",
            )
        if broker[i]:
            bits = []
            if btw[i] >= cut_btw:
                bits.append(f"betweenness {btw[i]:.3f} (at or above the {_percentile(th.broker_top_share)})")
            if spanning[i] >= cut_span:
                bits.append(
                    f"links different groups on {int(spanning[i])} open paths "
                    f"(≥ {cut_span:g}, the {_percentile(th.broker_spanning_top_share)})"
                )
            reasons[i].append("; ".join(bits))
        if not answered[i] and total[i] <= th.peripheral_max_degree:
            reasons[i].append("did not answer the survey: not assessed as peripheral or isolate")
        if isolate[i]:
            reasons[i].append("no ties")
        if peripheral[i]:
            reasons[i].append(f"only {int(total[i])} tie(s)")

    out = pd.DataFrame(
        {
            "person_id": pd.Series(ids, dtype=object),
            "central_connector": connector,
            "broker": broker,
            "peripheral": peripheral,
            "isolate": isolate,
            "energiser": energiser,
            "overload": overload,
        }
    )
    out["roles"] = [", ".join(_LABELS[r] for r in ROLE_NAMES if bool(out.at[i, r])) for i in range(n)]
    out["reason"] = ["; ".join(r) for r in reasons]
    out.attrs["notes"] = [note for note in (energy_note, overload_note) if note]
    out.attrs["thresholds"] = th
    return out


def _aligned(graph: Graph, ids: list[str], values: np.ndarray) -> np.ndarray:
    """``values`` (in graph.ids order) re-ordered to ``ids`` (0 for people not in the graph)."""
    pos = pd.Index(graph.ids).get_indexer(pd.Index(ids))
    out = np.zeros(len(ids))
    ok = pos >= 0
    out[ok] = values[pos[ok]]
    return out


def _seeker_groups(ds: Dataset, graph: Graph, group_attr: str | None) -> np.ndarray:
    """For each person: how many different groups the people who name them belong to."""
    codes, _ = group_codes(ds, group_attr, graph.ids)
    s, t = graph.edges()
    cs = codes[s]
    known = cs >= 0
    pairs = (
        np.unique(t[known] * (codes.max() + 2) + cs[known]) if known.any() else np.zeros(0, dtype=np.int64)
    )
    return (
        np.bincount(pairs // (codes.max() + 2), minlength=graph.n).astype(float)
        if len(pairs)
        else np.zeros(graph.n)
    )


# --- key-person risk ------------------------------------------------------------------------------


@dataclass
class KeyPersonImpact:
    """What the network loses when ``removed`` people leave.

    ``reach_lost``: ordered pairs (i, j) of *remaining* people where i could reach j along directed
    ties before and cannot after (the removed people's own pairs are not counted).
    ``reach_lost_share`` = reach_lost / reach_before. ``connectedness``: share of ordered pairs of
    (remaining) people that can reach each other. ``groups_split``: groups whose remaining members
    sat in fewer weak components before than after (the group falls apart). ``components_added``:
    weak components among the remaining people after, minus those they spanned before. ``cut_off``: remaining
    people who had ties before and have none after.
    """

    removed: list[str]
    reach_before: int
    reach_after: int
    reach_lost: int
    reach_lost_share: float
    connectedness_before: float
    connectedness_after: float
    components_weak_before: int
    components_weak_after: int
    largest_weak_before: int
    largest_weak_after: int
    components_added: int  # extra weak components among the remaining people
    groups_split: list[str] = field(default_factory=list)
    cut_off: list[str] = field(default_factory=list)


def _weak_labels(n: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Weak-component label of each of ``n`` vertices (labels 0, 1, … in order of first vertex)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    adj = sp.csr_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(n, n))
    _, labels = csgraph.connected_components(adj, directed=True, connection="weak")
    return np.asarray(labels, dtype=np.int64)


def _groups_spread(memb: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Per group code (0 … ``groups`` − 1): the number of weak components its members are spread over."""
    known = codes >= 0
    if not known.any():
        return np.zeros(groups, dtype=np.int64)
    width = int(memb.max()) + 1
    keys = np.unique(codes[known] * width + memb[known])
    return np.bincount(keys // width, minlength=groups)


@dataclass
class _Before:
    """What the intact network looks like (computed once per ranking)."""

    reach: int
    weak: np.ndarray
    degree: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    reaches: np.ndarray  # vertices each one reaches, itself included
    reached_by: np.ndarray  # vertices that reach each one, itself included
    weak_sizes: np.ndarray  # people per weak component
    cut_vertices: frozenset[int]  # articulation points, direction ignored
    arcs: _SortedArcs

    @classmethod
    def of(cls, graph: Graph, cut_vertices: Sequence[int] | None = None) -> _Before:
        """``cut_vertices``: the articulation points of ``graph.simple()`` when the caller has them."""
        s, t = graph.edges()
        reaches, reached_by = reach_sizes(graph.n, s, t)
        weak = _weak_labels(graph.n, s, t)
        cut = graph.simple().articulation_points() if cut_vertices is None else cut_vertices
        return cls(
            reach=int(reaches.sum()) - graph.n,
            reaches=reaches,
            reached_by=reached_by,
            weak_sizes=np.bincount(weak),
            cut_vertices=frozenset(cut),
            weak=weak,
            degree=np.bincount(s, minlength=graph.n) + np.bincount(t, minlength=graph.n),
            sources=s,
            targets=t,
            arcs=_SortedArcs.of(graph.n, s, t),
        )


@dataclass
class _SortedArcs:
    """The arcs ordered by source, then target, with where each vertex's arcs are: the network
    without one person is then cut out of these arrays instead of masking and sorting every arc
    again for each candidate (the key-person ranking removes 70 people one by one at 100,000)."""

    n: int
    sources: np.ndarray  # int64, ordered by (source, target), each arc once
    targets: np.ndarray  # int32 (scipy's index type), same order
    out_ptr: np.ndarray  # vertex v's out-arcs: positions out_ptr[v] … out_ptr[v + 1] − 1
    in_arcs: np.ndarray  # positions of the arcs, ordered by target
    in_ptr: np.ndarray  # vertex v's in-arcs: in_arcs[in_ptr[v] … in_ptr[v + 1] − 1]
    ones: np.ndarray  # float64 ones, one per arc: the matrix's values (scipy's graph type)

    @classmethod
    def of(cls, n: int, sources: np.ndarray, targets: np.ndarray) -> _SortedArcs:
        # distinct arcs (scipy's strong components never finish on a matrix with an entry twice)
        pairs = np.unique(np.asarray(sources, dtype=np.int64) * n + np.asarray(targets, dtype=np.int64))
        s, t = pairs // max(n, 1), pairs % max(n, 1)
        in_arcs = np.argsort(t, kind="stable")
        return cls(
            n=n,
            sources=s,
            targets=t.astype(np.int32),
            out_ptr=_pointers(s, n),
            in_arcs=in_arcs,
            in_ptr=_pointers(t[in_arcs], n),
            ones=np.ones(len(s), dtype=np.float64),
        )

    def without(self, r: int) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """The distinct arcs neither from nor to vertex ``r`` (sources, targets) and their n × n
        matrix (as :func:`lib.analysis.network.arc_matrix` makes it, row = source)."""
        live = np.ones(len(self.sources), dtype=bool)
        live[self.out_ptr[r] : self.out_ptr[r + 1]] = False
        live[self.in_arcs[self.in_ptr[r] : self.in_ptr[r + 1]]] = False
        s, t = self.sources[live], self.targets[live]
        # each remaining vertex loses its arc to r
        per_row = np.diff(self.out_ptr)
        np.subtract.at(per_row, self.sources[self.in_arcs[self.in_ptr[r] : self.in_ptr[r + 1]]], 1)
        per_row[r] = 0  # after: an arc r → r (none in a built graph) is one of r's own
        indptr = np.zeros(self.n + 1, dtype=np.int32)
        np.cumsum(per_row, out=indptr[1:])
        matrix = sp.csr_matrix((self.ones[: len(t)], t, indptr), shape=(self.n, self.n))
        return s, t.astype(np.int64), matrix


def _pointers(ordered: np.ndarray, n: int) -> np.ndarray:
    """CSR row pointers of the sorted vertex numbers ``ordered``: value v is at positions
    ptr[v] … ptr[v + 1] − 1."""
    return np.searchsorted(ordered, np.arange(n + 1)).astype(np.int32)


def _impact_on(
    graph: Graph, codes: np.ndarray, labels: list[str], remove_idx: list[int], base: _Before
) -> KeyPersonImpact:
    g = graph.g
    n = graph.n
    removed = sorted(set(remove_idx))
    gone = np.zeros(n, dtype=bool)
    gone[removed] = True
    m_keep = n - len(removed)
    # ordered pairs involving removed people before removal: r reaches j, i reaches r (a pair of
    # two removed people is seen from both ends, so counted once only)
    involving = 0
    if len(removed) == 1:
        (r,) = removed
        involving = int(base.reaches[r] - 1 + base.reached_by[r] - 1)
    for r in removed if len(removed) > 1 else []:
        out_r = np.asarray(g.subcomponent(r, mode="out"), dtype=np.int64)
        in_r = np.asarray(g.subcomponent(r, mode="in"), dtype=np.int64)
        involving += (len(out_r) - 1) + (len(in_r) - 1) - int(gone[out_r].sum() - 1)
    before = base.reach - involving
    # the network without their ties: the removed people stay as isolated vertices, which reach
    # nobody and form one weak component each, so they are left out of every count below
    if len(removed) == 1:
        s, t, adj = base.arcs.without(removed[0])
    else:
        s, t = base.sources, base.targets
        live = ~gone[s] & ~gone[t]
        s, t = s[live], t[live]
        adj = arc_matrix(n, s, t)  # one matrix for both kinds of component
    strong = csgraph.connected_components(adj, directed=True, connection="strong")[1]
    after = reach_count(n, s, t, np.asarray(strong, dtype=np.int64))
    if len(removed) == 1 and removed[0] not in base.cut_vertices:
        weak = _weak_without_one(graph, removed[0], base)
    else:
        memb = np.asarray(
            csgraph.connected_components(adj, directed=True, connection="weak")[1], dtype=np.int64
        )
        weak = _weak_without(graph, codes, labels, gone, memb, s, t, base)
    return KeyPersonImpact(
        removed=[graph.ids[i] for i in removed],
        reach_before=int(before),
        reach_after=int(after),
        reach_lost=int(before - after),
        reach_lost_share=(before - after) / before if before else math.nan,
        connectedness_before=base.reach / (n * (n - 1)) if n >= 2 else math.nan,
        connectedness_after=after / (m_keep * (m_keep - 1)) if m_keep >= 2 else math.nan,
        components_weak_before=int(base.weak.max() + 1) if n else 0,
        components_weak_after=weak.components,
        largest_weak_before=int(base.weak_sizes.max()) if n else 0,
        largest_weak_after=weak.largest,
        components_added=weak.added,
        groups_split=weak.split,
        cut_off=weak.cut_off,
    )


@dataclass
class _WeakAfter:
    """The weak components among the remaining people after a removal."""

    components: int
    largest: int
    added: int
    split: list[str]
    cut_off: list[str]


def _weak_without(
    graph: Graph,
    codes: np.ndarray,
    labels: list[str],
    gone: np.ndarray,
    weak_labels: np.ndarray,
    s: np.ndarray,
    t: np.ndarray,
    base: _Before,
) -> _WeakAfter:
    """Weak components after removing ``gone`` (``weak_labels``: every vertex's weak component
    along the remaining arcs ``s → t``, the removed ones alone)."""
    n = graph.n
    keep = np.flatnonzero(~gone)
    if len(keep) == 0:
        return _WeakAfter(0, 0, 0, [], [])
    memb_after = weak_labels[keep]
    spread_before = _groups_spread(base.weak[keep], codes[keep], len(labels))
    spread_after = _groups_spread(memb_after, codes[keep], len(labels))
    split = [labels[c] for c in np.flatnonzero(spread_after > spread_before).tolist()]
    deg_after = (np.bincount(s, minlength=n) + np.bincount(t, minlength=n))[keep]
    cut_off = [graph.ids[keep[i]] for i in np.flatnonzero((base.degree[keep] > 0) & (deg_after == 0))]
    sizes_after = np.unique(memb_after, return_counts=True)[1]
    return _WeakAfter(
        components=len(sizes_after),
        largest=int(sizes_after.max()),
        added=len(sizes_after) - len(np.unique(base.weak[keep])),
        split=sorted(split),
        cut_off=cut_off,
    )


def _weak_without_one(graph: Graph, r: int, base: _Before) -> _WeakAfter:
    """Weak components after removing ``r``, who is no cut vertex: r's component minus r stays
    in one piece (or vanishes with r), so nothing splits; only neighbours tied to r alone are cut off."""
    sizes = base.weak_sizes.copy()
    sizes[base.weak[r]] -= 1
    neighbours, arcs = np.unique(
        np.asarray(graph.g.neighbors(r, mode="all"), dtype=np.int64), return_counts=True
    )
    cut_off = [graph.ids[u] for u in sorted(neighbours[base.degree[neighbours] == arcs].tolist())]
    return _WeakAfter(
        components=int((sizes > 0).sum()),
        largest=int(sizes.max()) if graph.n > 1 else 0,
        added=0,
        split=[],
        cut_off=cut_off,
    )


def key_person_impact(
    ds: Dataset,
    remove: Sequence[str],
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    group_attr: str | None = "team",
) -> KeyPersonImpact:
    """Remove ``remove`` (person ids; unknown ids are ignored) and measure the loss (see :class:`KeyPersonImpact`)."""
    graph = build_graph(ds, relations, wave)
    index = pd.Index(graph.ids)
    pos = [int(p) for p in index.get_indexer(pd.Index([str(r) for r in remove])) if p >= 0]
    codes, labels = group_codes(ds, group_attr, graph.ids)
    return _impact_on(graph, codes, labels, pos, _Before.of(graph))


#: Above this many people, the key-person candidates' betweenness screen is estimated from
#: :data:`KEY_SCREEN_SAMPLES` sampled sources (not 256): at 100,000 people 256 sources took 4–5 s of
#: the Overview's key-people tile, and only the screen depends on them.
KEY_SCREEN_LIMIT = 20_000
KEY_SCREEN_SAMPLES = 64


def rank_key_people(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    top: int = 20,
    candidates: Sequence[str] | None = None,
    group_attr: str | None = "team",
) -> pd.DataFrame:
    """People ranked by what the network loses when each one leaves alone (highest loss first).

    For speed only candidates are evaluated: by default the articulation points of the network
    with direction ignored (people whose departure splits it) plus the ``max(2 × top, 50)`` people
    with the highest betweenness (estimated from 256 sampled sources above 5,000 people, from
    :data:`KEY_SCREEN_SAMPLES` above :data:`KEY_SCREEN_LIMIT`: a person's loss is computed exactly
    once they are a candidate, and a pair lost is a pair whose every shortest path crossed them, so
    betweenness bounds the loss from above). Ranked by reach lost, then by
    groups split, then by extra weak components. Columns: rank, person_id, reach_lost,
    reach_lost_share, connectedness_after, components_added, groups_split, groups, cut_off.
    """
    from lib.analysis.network import betweenness

    graph = build_graph(ds, relations, wave)
    columns = [
        "rank",
        "person_id",
        "reach_lost",
        "reach_lost_share",
        "connectedness_after",
        "components_added",
        "groups_split",
        "groups",
        "cut_off",
    ]
    if graph.n == 0 or graph.m == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    if candidates is None:
        btw, _ = betweenness(graph, KEY_SCREEN_SAMPLES if graph.n > KEY_SCREEN_LIMIT else None)
        k = min(graph.n, max(2 * top, 50))
        best = np.argsort(-btw, kind="stable")[:k]
        cut = graph.simple().articulation_points()
        cand = sorted(set(best.tolist()) | set(cut))
    else:
        cand = [
            int(p) for p in pd.Index(graph.ids).get_indexer(pd.Index([str(c) for c in candidates])) if p >= 0
        ]
    codes, labels = group_codes(ds, group_attr, graph.ids)
    base = _Before.of(graph, cut if candidates is None else None)
    rows = []
    for i in cand:
        imp = _impact_on(graph, codes, labels, [i], base)
        rows.append(
            {
                "person_id": graph.ids[i],
                "reach_lost": imp.reach_lost,
                "reach_lost_share": imp.reach_lost_share,
                "connectedness_after": imp.connectedness_after,
                "components_added": imp.components_added,
                "groups_split": len(imp.groups_split),
                "groups": ", ".join(imp.groups_split),
                "cut_off": len(imp.cut_off),
            }
        )
    out = pd.DataFrame(rows).sort_values(
        ["reach_lost", "groups_split", "components_added"], ascending=False, kind="stable"
    )
    out = out.head(top).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[columns]


def rank_key_people_among_respondents(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    top: int = 20,
) -> pd.DataFrame:
    """:func:`rank_key_people` on the network among the people who answered the survey
    (:func:`lib.analysis.response.respondent_dataset`): the ranking every view shows.

    A non-respondent's own ties are unknown, so on every report someone who alone names a
    non-respondent looks like that person's only link and "cuts them off" when removed; among
    respondents nobody is key because of an unanswered survey. ``attrs["population"]`` says so.
    """
    ranked = rank_key_people(respondent_dataset(ds, wave), relations, wave, top)
    answered = network_response(ds, wave)
    ranked.attrs["population"] = (
        f"Ranked on the network among the {answered.count} of {answered.people} people who answered the "
        "survey (a non-respondent's own ties are unknown, so nobody is key for being the one who named them)."
    )
    return ranked
