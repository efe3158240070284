"""Organisational network analysis: per-person measures, whole-network measures and group mixing.

Every measure below states its formula, its source and which variant it is; the registry
:mod:`lib.report.definitions` shows that text as help (and holds the whole-network fields' texts).
Ties are *directed*: ``source_id → target_id`` means
"source seeks / names target" (for advice: the source asks the target).

Fast path: igraph (C) for everything it offers, numpy/scipy for the rest (brokerage, directed
closure, effective size). The tests check igraph against networkx on small graphs and every
published value of the Krackhardt high-tech managers (REFERENCE.md) within 1e-6.

Conventions shared by every function here:

* **Which ties.** ``relations=None`` combines all relations; ``wave=None`` takes every row, and
  a wave label keeps rows of its tie wave plus rows with a blank wave (which belong to every
  wave): :func:`lib.core.waves.tie_rows`, the one rule.
  Parallel ties (the same pair in several relations or rows) collapse to one arc whose weight is
  the sum of their weights. Self-ties and ties naming unknown people are dropped.
* **Every person is a vertex**, in the order of ``ds.people`` (isolates included).
* **Undefined is NaN, not an error**: a ratio whose denominator is zero (reciprocity of a network
  with no ties, centralisation of fewer than 3 people, a group with no ties) is NaN; the page
  shows it as "–" and JSON as ``null``.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from lib.analysis.response import (
    NOT_MEASURED,
    POPULATIONS,
    Response,
    forget_for_tables,
    network_response,
    remember_for_tables,
    respondent_dataset,
    symmetrised,
    tie_ends,
    tie_positions,
)
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.stats import gini, t_quantile
from lib.core.textsets import is_in

__all__ = [
    "BETWEENNESS_BATCHES",
    "BETWEENNESS_EXACT_LIMIT",
    "BETWEENNESS_SAMPLES",
    "BROKERAGE_ROLES",
    "PERSON_COLUMNS",
    "RESPONDENT_COLUMNS",
    "BetweennessEstimate",
    "EIResult",
    "Graph",
    "NetworkSummary",
    "analysis_json",
    "arc_matrix",
    "arc_reciprocity",
    "betweenness_estimate",
    "build_graph",
    "dyad_reciprocity",
    "ei_attributes",
    "ei_index",
    "group_codes",
    "group_matrix",
    "network_measures",
    "not_measured_note",
    "numeric_attribute",
    "person_measures",
    "random_baseline",
    "reach_count",
    "reach_sizes",
    "reachable_pairs",
    "reciprocity_and_gini",
    "respondent_measures",
    "strong_components",
]

#: Above this many people betweenness (and the average distance) are estimated from sampled sources.
BETWEENNESS_EXACT_LIMIT = 5_000
#: Number of sampled source people when betweenness is estimated.
BETWEENNESS_SAMPLES = 256
#: Seed for every random step (sampling, community detection), so results repeat exactly.
SEED = 20_260_101
#: Rows of 2-paths processed at once by the brokerage and closure counts (bounds memory).
_CHUNK_PATHS = 2_000_000

BROKERAGE_ROLES: tuple[str, ...] = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")


# --- the graph ----------------------------------------------------------------------------------


@dataclass
class Graph:
    """The network the measures run on.

    ``g`` is a directed igraph graph with a ``weight`` edge attribute (summed over collapsed
    parallel ties), one vertex per person in ``ids`` order (the order of ``ds.people``).
    """

    g: ig.Graph
    ids: list[str]
    relations: tuple[str, ...]
    wave: str | None = None
    _undirected: ig.Graph | None = field(default=None, repr=False)
    _simple: ig.Graph | None = field(default=None, repr=False)
    _edges: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return int(self.g.ecount())

    def undirected(self) -> ig.Graph:
        """Direction ignored, one edge per connected pair, weight = sum of both arcs' weights."""
        if self._undirected is None:
            self._undirected = self.g.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
        return self._undirected

    def simple(self) -> ig.Graph:
        """Direction and weights ignored: one unweighted edge per connected pair."""
        if self._simple is None:
            u = self.undirected().copy()
            del u.es["weight"]
            self._simple = u
        return self._simple

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Arc sources and targets as int arrays (computed once; the graph is not modified)."""
        if self._edges is None:
            if self.m == 0:
                empty = np.zeros(0, dtype=np.int64)
                self._edges = (empty, empty)
            else:
                arr = np.asarray(self.g.get_edgelist(), dtype=np.int64)
                self._edges = (arr[:, 0].copy(), arr[:, 1].copy())
        return self._edges

    def adjacency(self) -> sp.csr_matrix:
        """Binary n×n adjacency matrix (row = source)."""
        s, t = self.edges()
        return sp.csr_matrix((np.ones(len(s), dtype=np.int64), (s, t)), shape=(self.n, self.n))


#: Above this many arcs :func:`edge_pairs` hands igraph the numpy array itself: pairs of Python
#: ints cost about 60 bytes an arc while igraph reads them (3 million arcs at 100,000 people:
#: 0.2 GB more at the peak), the array nothing more.
PAIRS_UP_TO = 500_000


def edge_pairs(sources: np.ndarray, targets: np.ndarray) -> Iterable[tuple[int, int]] | np.ndarray:
    """Arcs for igraph (``Graph(edges=…)``, ``add_edges``) from two integer arrays, the same edges
    in the same order: pairs of Python ints up to :data:`PAIRS_UP_TO` arcs, which python-igraph 1.0
    reads in half the time of a two-column numpy array (its buffer path converts element by
    element: 15 against 7 ms for 60,000 arcs); above it the two-column array (memory)."""
    s, t = np.asarray(sources), np.asarray(targets)
    if len(s) > PAIRS_UP_TO:
        return np.column_stack([s, t])
    return zip(s.tolist(), t.tolist(), strict=True)


@dataclass(frozen=True)
class _TieCodes:
    """Every row of ``ds.ties`` as numbers, for building any relation's and wave's graph: the
    source's and target's vertex (−1 = not on the roster), the weight as a graph counts it, and
    the relation's code among ``relations`` (−1 = blank)."""

    ids: list[str]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    relation: np.ndarray
    relations: list[str]


def _tie_codes(ds: Dataset) -> _TieCodes:
    """:class:`_TieCodes` of ``ds``, once per dataset object (every graph of it reads them)."""
    return remember_for_tables(ds, "network.tie_codes", lambda: _code_ties(ds))


def _code_ties(ds: Dataset) -> _TieCodes:
    ids, src, tgt = tie_ends(ds)  # shared with the response functions
    ties = ds.ties
    if not len(ties):
        empty = np.zeros(0, dtype=np.int64)
        return _TieCodes(ids, empty, empty, np.zeros(0), empty, [])
    if "weight" in ties:
        weight = pd.to_numeric(ties["weight"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        weight = np.ones(len(ties))
    weight = np.where(np.isfinite(weight) & (weight > 0), weight, 1.0)
    codes, uniques = pd.factorize(ties["relation"].astype(str), use_na_sentinel=True)
    return _TieCodes(ids, src, tgt, weight, np.asarray(codes, dtype=np.int32), [str(u) for u in uniques])


def _selected_rows(
    ds: Dataset, codes: _TieCodes, relations: Sequence[str] | None, wave: str | None
) -> np.ndarray:
    """Positions of the tie rows of ``wave`` (:func:`lib.analysis.response.tie_positions`) in
    ``relations`` (None: all), in table order."""
    rows = tie_positions(ds, wave)
    if relations is None or not len(rows):
        return rows
    wanted = [i for i, r in enumerate(codes.relations) if r in set(relations)]
    return rows[np.isin(codes.relation[rows], wanted)]


def build_graph(ds: Dataset, relations: Sequence[str] | None = None, wave: str | None = None) -> Graph:
    """The directed, weighted graph of the chosen relations and wave.

    ``relations=None``: all relations combined. ``wave=None``: every tie row; a wave label keeps
    that wave's rows and rows with a blank wave. Parallel ties collapse to one arc (weights
    summed; a missing weight counts 1). Self-ties and ties to unknown people are dropped. A person
    id listed twice in ``people`` is one vertex (the first row).

    Built once per dataset object, relations and wave (:func:`lib.analysis.response.remember_for_tables`:
    the Overview's sections, the key-person ranking and the measures ask for the same graph): every
    caller gets the same :class:`Graph`, to read, never to change.
    """
    return remember_for_tables(ds, _graph_key(relations, wave), lambda: _build_graph(ds, relations, wave))


def _graph_key(relations: Sequence[str] | None, wave: str | None) -> tuple[object, ...]:
    return ("network.build_graph", None if relations is None else tuple(relations), wave)


def _build_graph(ds: Dataset, relations: Sequence[str] | None, wave: str | None) -> Graph:
    codes = _tie_codes(ds)
    ids = codes.ids
    n = len(ids)
    rel = tuple(relations) if relations is not None else tuple(ds.relations)
    rows = _selected_rows(ds, codes, relations, wave)
    g = ig.Graph(n=n, directed=True)
    if n and len(rows):
        src, tgt, weight = codes.source[rows], codes.target[rows], codes.weight[rows]
        keep = (src >= 0) & (tgt >= 0) & (src != tgt)
        key = src[keep].astype(np.int64) * n + tgt[keep].astype(np.int64)
        uniq, inverse = np.unique(key, return_inverse=True)
        summed = np.bincount(inverse, weights=weight[keep], minlength=len(uniq))
        if len(uniq):
            ends = (uniq // n, uniq % n)
            g.add_edges(edge_pairs(*ends))
            g.es["weight"] = summed.tolist()
            # the arcs in igraph's edge order, kept so Graph.edges() need not read them back
            return Graph(g=g, ids=list(ids), relations=rel, wave=wave, _edges=ends)
    if g.ecount() == 0:
        g.es["weight"] = []
    return Graph(g=g, ids=list(ids), relations=rel, wave=wave)


def group_codes(
    ds: Dataset, attribute: str | None, ids: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Each person's group as an integer code (−1 = blank or no such attribute) and the labels.

    Labels are the attribute's values as text, sorted; ``ids`` gives the order (default: people).
    Computed once per dataset object, attribute and order (``ds.memo``: the network measures ask
    for the same groups of the same graph many times); each caller gets its own copy.
    """
    order = tuple(ids) if ids is not None else None
    key = ("network.group_codes", attribute, order)
    cached = ds.memo.get(key)  # one look: the memo's budget may drop an entry between two
    if cached is None:
        cached = ds.memo[key] = _group_codes(ds, attribute, order)
    assert isinstance(cached, tuple)
    codes, labels = cached
    return codes.copy(), list(labels)


def _group_codes(
    ds: Dataset, attribute: str | None, ids: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    people = ds.people.drop_duplicates("person_id")
    person_ids = people["person_id"].astype(str).tolist()
    order = list(ids) if ids is not None else person_ids
    if attribute is None or attribute not in people.columns or len(people) == 0:
        return np.full(len(order), -1, dtype=np.int64), []
    values = people[attribute]
    if values.dtype == object:  # cells of mixed kinds: each cell's own text
        own, labels = _text_codes(values)
    else:  # one kind: each distinct value's text, decided once
        raw, uniques = pd.factorize(values, use_na_sentinel=True)  # missing → −1
        unique_codes, labels = _text_codes(pd.Series(uniques, dtype=values.dtype))
        own = np.append(unique_codes, -1)[raw] if len(raw) else np.zeros(0, dtype=np.int64)
    if order == person_ids:  # the roster's own order (every graph's)
        return own.astype(np.int64), labels
    pos = pd.Index(person_ids, dtype=object).get_indexer(pd.Index(order, dtype=object))
    codes = np.where(pos >= 0, own[np.maximum(pos, 0)], -1) if len(order) else np.zeros(0, dtype=np.int64)
    return codes.astype(np.int64), labels


def _text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each value's group code among the sorted labels (its text, trimmed; −1 = blank or
    missing), and the labels."""
    text = values.astype(str).str.strip()
    blank = values.isna().to_numpy() | text.isin(["", "nan", "<NA>", "None"]).to_numpy()
    text = text.where(~blank, "")
    labels = sorted(set(text[~blank].tolist()))
    own = pd.Categorical(text.where(~blank), categories=labels).codes.astype(np.int64)  # blank → −1
    return own, labels


# --- per-person measures (each function's docstring is its definition) -------------------------


def in_degree(graph: Graph) -> np.ndarray:
    """In-degree: how many different people name this person (d_in(i) = Σ_j a_ji).

    Source: Freeman (1979). Variant: distinct people across the chosen relations (a person who
    names you for advice and for information counts once); weights ignored. Population: every
    report, valid for everyone (being named needs no answer of one's own).
    """
    return np.asarray(graph.g.indegree(), dtype=float)


def out_degree(graph: Graph) -> np.ndarray:
    """Out-degree: how many different people this person names (d_out(i) = Σ_j a_ij).

    Source: Freeman (1979). Variant: distinct people, weights ignored. Population: respondents;
    blank for people who did not answer the survey (their ties were never asked for, so 0 would be
    a guess).
    """
    return np.asarray(graph.g.outdegree(), dtype=float)


def in_strength(graph: Graph) -> np.ndarray:
    """In-strength: sum of the weights of the ties received (s_in(i) = Σ_j w_ji).

    Source: Barrat et al. (2004) "strength". Variant: ties in several relations add up.
    """
    return np.asarray(graph.g.strength(mode="in", weights="weight"), dtype=float)


def out_strength(graph: Graph) -> np.ndarray:
    """Out-strength: sum of the weights of the ties sent (s_out(i) = Σ_j w_ij).

    Source: Barrat et al. (2004) "strength". Variant: ties in several relations add up.
    Population: respondents; blank for people who did not answer the survey.
    """
    return np.asarray(graph.g.strength(mode="out", weights="weight"), dtype=float)


def betweenness(graph: Graph, samples: int | None = None) -> tuple[np.ndarray, bool]:
    """Betweenness: share of shortest paths between other people that pass through this person.

    B(i) = Σ_{s≠i≠t} σ_st(i) / σ_st, normalised by (n − 1)(n − 2) so it lies in [0, 1].
    Source: Freeman (1977); algorithm Brandes (2001). Variant: directed paths, ties unweighted
    (a tie's weight is a strength, not a distance). Above 5,000 people (or when asked) it is
    *estimated* from 256 randomly sampled source people, scaled by n / k (Brandes & Pich 2007);
    the page says so, with its error: the sampled sources are split into 8 batches, each batch
    gives its own estimate, and the standard error is the batches' standard deviation / √8 (batch
    means; :func:`betweenness_estimate`); the page and ``analyze`` give it as a share of the value
    for the ten highest. Returns the values and whether they are estimated. Population: respondents
    (a path through a person leaves along a tie they named), blank for people who did not answer
    the survey; respondents' values use every report.
    """
    est = betweenness_estimate(graph, samples)
    return est.values, est.estimated


@dataclass(frozen=True)
class BetweennessEstimate:
    """Betweenness (:func:`betweenness`) with, when it is estimated from sampled sources, its
    standard error per person (``se``; zeros when exact) and how many sources and batches."""

    values: np.ndarray
    se: np.ndarray
    estimated: bool
    samples: int = 0
    batches: int = 0

    @property
    def multiplier(self) -> float:
        """Standard errors either side for a 95% range: Student's t with batches − 1 degrees of
        freedom (2.36 for 8 batches), as the error itself is estimated from few batches."""
        return t_quantile(0.975, self.batches - 1) if self.batches > 1 else math.nan

    def top_relative_se(self, top: int = 10) -> tuple[float, float]:
        """(median, largest) of se / value over the ``top`` people with the highest (non-zero)
        betweenness: how far the ranking's head may be off. (0, 0) when exact; NaN without ties."""
        if not self.estimated:
            return 0.0, 0.0
        order = np.argsort(-self.values, kind="stable")[:top]
        order = order[self.values[order] > 0]
        if order.size == 0:
            return math.nan, math.nan
        rel = self.se[order] / self.values[order]
        return float(np.median(rel)), float(rel.max())

    def note(self, top: int = 10) -> str:
        """One sentence for the page: how betweenness was estimated and how precise it is."""
        if not self.estimated:
            return ""
        median, largest = self.top_relative_se(top)
        return (
            f"Betweenness is estimated from {self.samples} sampled people (large network); split into "
            f"{self.batches} independent batches, its standard error for the {top} highest is typically "
            f"{median:.0%} of the value (at most {largest:.0%}); ±{self.multiplier:.1f} standard errors "
            "give a 95% range."
        )


#: Batches the sampled sources are split into to estimate betweenness's standard error.
BETWEENNESS_BATCHES = 8


def betweenness_estimate(graph: Graph, samples: int | None = None) -> BetweennessEstimate:
    """Betweenness and its standard error (method: batch means over the sampled sources).

    Exact (se 0) up to 5,000 people. Above (or when ``samples`` < n is asked) the k sampled
    sources are split into B = :data:`BETWEENNESS_BATCHES` batches of about k / B; each batch b
    gives its own estimate B_b(i) = (n / k_b) · Σ_{s∈b} δ_s(i) (Brandes & Pich 2007), the value is
    the estimate from all k sources, and its standard error is sd_b(B_b(i)) / √B over the
    batches (batch means); a 95% range is ± t(0.975, B − 1) standard errors. The sources are drawn without replacement, so the batches are slightly
    negatively correlated and the error is, if anything, overstated. Costs no more than one run
    over the k sources.
    """
    n = graph.n
    if n < 3 or graph.m == 0:
        return BetweennessEstimate(np.zeros(n), np.zeros(n), False)
    k = samples if samples is not None else (BETWEENNESS_SAMPLES if n > BETWEENNESS_EXACT_LIMIT else None)
    scale = 1.0 / ((n - 1) * (n - 2))
    if k is None or k >= n:
        raw = np.asarray(graph.g.betweenness(directed=True), dtype=float)
        return BetweennessEstimate(raw * scale, np.zeros(n), False)
    rng = np.random.default_rng(SEED)
    sources = np.sort(rng.choice(n, size=max(1, k), replace=False))
    batches = [
        b for b in np.array_split(rng.permutation(sources), min(BETWEENNESS_BATCHES, len(sources))) if len(b)
    ]
    parts = np.vstack(
        [np.asarray(graph.g.betweenness(directed=True, sources=b.tolist()), dtype=float) for b in batches]
    )
    values = parts.sum(axis=0) * (n / len(sources)) * scale
    if len(batches) < 2:
        return BetweennessEstimate(values, np.full(n, np.nan), True, len(sources), len(batches))
    sizes = np.array([len(b) for b in batches], dtype=float)
    per_batch = parts * (n / sizes)[:, None] * scale
    se = per_batch.std(axis=0, ddof=1) / math.sqrt(len(batches))
    return BetweennessEstimate(values, se, True, len(sources), len(batches))


def harmonic_closeness(graph: Graph, samples: int | None = None) -> np.ndarray:
    """Harmonic closeness: mean of 1 / distance from every other person to this person.

    H(i) = Σ_{j≠i} 1 / d(j, i) / (n − 1), with 1/∞ = 0 so disconnected people are fine.
    Source: Marchiori & Latora (2000); Rochat (2009). Variant: incoming directed paths, unweighted
    (for advice ties "j asks i", how few steps others' questions need to reach this person, i.e.
    how fast what this person knows can spread); the same direction as networkx. Above 5,000
    people (or when asked) the mean is *estimated* over 256 randomly sampled people j (Eppstein &
    Wang 2004), like betweenness.
    """
    n = graph.n
    if n < 2 or graph.m == 0:
        return np.zeros(n)
    k = samples if samples is not None else (BETWEENNESS_SAMPLES if n > BETWEENNESS_EXACT_LIMIT else None)
    if k is None or k >= n:
        return np.asarray(graph.g.harmonic_centrality(mode="in", normalized=True), dtype=float)
    rng = np.random.default_rng(SEED + 1)
    sources = np.sort(rng.choice(n, size=max(1, k), replace=False))
    total = np.zeros(n)
    for chunk in np.array_split(sources, max(1, len(sources) // 16)):
        d = np.asarray(graph.g.distances(source=chunk.tolist(), mode="out"), dtype=float)
        with np.errstate(divide="ignore"):
            inv = np.where(d > 0, 1.0 / d, 0.0)  # d = 0 only for the source itself; 1/inf = 0
        total += inv.sum(axis=0)
    # each person's own sample excludes themselves
    count = np.full(n, float(len(sources)))
    count[sources] -= 1.0
    out: np.ndarray = np.divide(total, count, out=np.zeros(n), where=count > 0)
    return out


def pagerank(graph: Graph) -> np.ndarray:
    """PageRank: share of time a random walker following ties spends at this person.

    PR(i) = (1 − d)/n + d Σ_j (w_ji / s_out(j)) PR(j), damping d = 0.85, people who name nobody
    spread their share evenly; the values sum to 1. Source: Brin & Page (1998). Variant: directed,
    weighted (igraph PRPACK, same as networkx ``pagerank``).
    """
    if graph.n == 0:
        return np.zeros(0)
    if graph.m == 0:
        return np.full(graph.n, 1.0 / graph.n)
    return np.asarray(graph.g.pagerank(directed=True, damping=0.85, weights="weight"), dtype=float)


def eigenvector(graph: Graph) -> np.ndarray:
    """Eigenvector centrality: being connected to well-connected people.

    x = A x / λ for the largest eigenvalue λ of the adjacency matrix A, scaled so the highest
    person has 1. Source: Bonacich (1972). Variant: direction and weights ignored (on directed
    data the directed version is zero for everyone outside a cycle); meaningful inside the main
    component, near 0 elsewhere; everyone 0 when there are no ties.
    """
    if graph.n == 0 or graph.m == 0:
        return np.zeros(graph.n)
    with warnings.catch_warnings():  # igraph warns on disconnected graphs; the docstring says so
        warnings.simplefilter("ignore", RuntimeWarning)
        values = np.asarray(graph.simple().eigenvector_centrality(), dtype=float)
    return np.asarray(np.nan_to_num(values, nan=0.0), dtype=float)


def constraint(graph: Graph) -> np.ndarray:
    """Burt's constraint: how much this person's contacts are tied to each other (redundancy).

    C(i) = Σ_j (p_ij + Σ_{q≠i,j} p_iq p_qj)², with p_ij = (w_ij + w_ji) / Σ_k (w_ik + w_ki).
    Low = contacts in separate groups (brokerage opportunity), high (up to ~1) = one closed group.
    Source: Burt (1992) *Structural Holes*. Variant: directed, weighted, both directions summed
    (igraph and networkx agree). NaN for people with no ties (nothing to constrain).
    Population: respondents, on the network among respondents (a tie to someone who did not
    answer has an unknown other half); blank for people who did not answer.
    """
    if graph.n == 0:
        return np.zeros(0)
    values = np.asarray(graph.g.constraint(weights="weight"), dtype=float)
    isolated = np.asarray(graph.g.degree(mode="all")) == 0
    values[isolated] = np.nan
    return values


def effective_size(graph: Graph) -> np.ndarray:
    """Effective size: number of contacts minus their redundancy (non-redundant contacts).

    ES(i) = k − 2t / k, where k = contacts (direction ignored) and t = ties among those contacts;
    equivalently k − (k − 1)·C(i) with C(i) the local clustering. Source: Burt (1992), in the
    form of Borgatti (1997) "Structural holes: unpacking Burt's redundancy measures". Variant:
    direction and weights ignored (as networkx for undirected unweighted graphs). 0 with no ties.
    Population: respondents, on the network among respondents (whether two contacts are tied is
    known only when they answered); blank for people who did not answer.
    """
    if graph.n == 0:
        return np.zeros(0)
    u = graph.simple()
    k = np.asarray(u.degree(), dtype=float)
    c = np.asarray(u.transitivity_local_undirected(mode="zero"), dtype=float)
    return np.asarray(k - np.maximum(k - 1.0, 0.0) * c, dtype=float)


def coreness(graph: Graph) -> np.ndarray:
    """k-core: the largest k such that the person belongs to a group where everyone has at least k contacts inside it.

    Source: Seidman (1983); algorithm Batagelj & Zaversnik (2003). Variant: direction and weights
    ignored (a contact = a tie in either direction). 0 for people with no ties.
    """
    if graph.n == 0:
        return np.zeros(0)
    return np.asarray(graph.simple().coreness(), dtype=float)


def communities(graph: Graph) -> tuple[np.ndarray, float]:
    """Community: the cluster of densely tied people this person falls in (label 0 = largest).

    Found by maximising modularity Q = (1/2m) Σ_ij (w_ij − k_i k_j / 2m) δ(c_i, c_j) (Newman &
    Girvan 2004). Source: the Leiden algorithm (Traag, Waltman & van Eck 2019), two iterations
    (igraph's default) with a fixed seed so the labels repeat. Variant: direction ignored, weights summed over both directions. People with
    no ties are each their own community. Returns labels and Q.
    """
    n = graph.n
    if n == 0:
        return np.zeros(0, dtype=np.int64), math.nan
    if graph.m == 0:
        return np.arange(n, dtype=np.int64), math.nan
    u = graph.undirected()
    ig.set_random_number_generator(random.Random(SEED))
    try:
        # what ``u.community_leiden(objective_function="modularity", weights="weight",
        # n_iterations=2)`` runs, without the clustering object it wraps the labels in (that
        # object computes Q on the raw labels, and Q is computed below on the final ones)
        membership, _ = ig.GraphBase.community_leiden(
            u,
            edge_weights="weight",
            resolution=1.0,
            normalize_resolution=True,
            beta=0.01,
            n_iterations=2,
        )
    finally:
        ig.set_random_number_generator(random)
    raw = np.asarray(membership, dtype=np.int64)
    # relabel by size (largest = 0), ties broken by first member
    sizes = np.bincount(raw)
    first = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first, raw, np.arange(n))
    order = np.lexsort((first, -sizes))
    relabel = np.empty(len(sizes), dtype=np.int64)
    relabel[order] = np.arange(len(sizes))
    labels = relabel[raw]
    q = float(u.modularity(labels.tolist(), weights="weight"))
    return labels, q


def community(graph: Graph) -> np.ndarray:
    """Community: the cluster of densely tied people this person falls in (label 0 = largest).

    Found by maximising modularity Q = (1/2m) Σ_ij (w_ij − k_i k_j / 2m) δ(c_i, c_j) (Newman &
    Girvan 2004). Source: the Leiden algorithm (Traag, Waltman & van Eck 2019), two iterations
    (igraph's default) with a fixed seed so the labels repeat. Variant: direction ignored, weights summed over both directions. People with
    no ties are each their own community.
    """
    return communities(graph)[0]


def _two_paths(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Open-or-closed 2-path chunks are built by callers; this returns CSR pieces of the graph.

    Returns (in_ptr, in_src, out_ptr, out_tgt): for broker b, its in-neighbours are
    in_src[in_ptr[b]:in_ptr[b+1]] and its out-neighbours out_tgt[out_ptr[b]:out_ptr[b+1]].
    """
    s, t = graph.edges()
    n = graph.n
    order_in = np.lexsort((s, t))
    in_src = s[order_in]
    in_ptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=n))])
    order_out = np.lexsort((t, s))
    out_tgt = t[order_out]
    out_ptr = np.concatenate([[0], np.cumsum(np.bincount(s, minlength=n))])
    return in_ptr, in_src, out_ptr, out_tgt


def _iter_two_paths(graph: Graph) -> Any:
    """Yield (a, b, c) int arrays of every 2-path a→b→c with a ≠ c, in bounded chunks."""
    n = graph.n
    if graph.m == 0:
        return
    in_ptr, in_src, out_ptr, out_tgt = _two_paths(graph)
    in_deg = np.diff(in_ptr)
    out_deg = np.diff(out_ptr)
    # every in-arc (a, b) of broker b pairs with each of b's out-arcs
    arc_b = np.repeat(np.arange(n), in_deg)  # broker of each in-arc, in in_src order
    arc_a = in_src
    per_arc = out_deg[arc_b]
    cum = np.cumsum(per_arc)
    start = 0
    total_arcs = len(arc_a)
    while start < total_arcs:
        base = cum[start - 1] if start else 0
        stop = int(np.searchsorted(cum, base + _CHUNK_PATHS, side="right"))
        stop = max(stop, start + 1)
        a_arc = arc_a[start:stop]
        b_arc = arc_b[start:stop]
        counts = per_arc[start:stop]
        if counts.sum() > 0:
            a = np.repeat(a_arc, counts)
            b = np.repeat(b_arc, counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            c = out_tgt[np.repeat(out_ptr[b_arc], counts) + offsets]
            keep = a != c
            yield a[keep], b[keep], c[keep]
        start = stop


def _arc_keys(graph: Graph) -> np.ndarray:
    s, t = graph.edges()
    return np.sort(s * max(graph.n, 1) + t)


def _is_arc(keys: np.ndarray, a: np.ndarray, c: np.ndarray, n: int) -> np.ndarray:
    q = a * n + c
    pos = np.searchsorted(keys, q)
    pos = np.minimum(pos, len(keys) - 1)
    return keys[pos] == q if len(keys) else np.zeros(len(q), dtype=bool)


def brokerage(graph: Graph, codes: np.ndarray) -> pd.DataFrame:
    """Gould–Fernandez brokerage: open 2-paths a → b → c (no tie a → c) with b as the broker.

    Classified by group (``codes``) of a, b and c: *coordinator* a, b, c all in b's group;
    *gatekeeper* a outside, c inside b's group (b controls access to its group); *representative*
    a inside, c outside (b speaks for its group); *consultant* (itinerant) a and c in one other
    group; *liaison* all three in different groups. Counts, unnormalised. Source: Gould &
    Fernandez (1989) "Structures of mediation", as UCINET and statnet ``brokerage``. Variant:
    directed, unweighted; paths through someone with a blank group are not classified.
    ``brokerage_total`` counts every open 2-path whatever the groups. Population: respondents, on
    the network among respondents like the other pair measures (a path to or from someone who did
    not answer is not counted); blank for people who did not answer.
    """
    n = graph.n
    out = {f"brokerage_{r}": np.zeros(n, dtype=np.int64) for r in BROKERAGE_ROLES}
    total = np.zeros(n, dtype=np.int64)
    keys = _arc_keys(graph)
    for a, b, c in _iter_two_paths(graph):
        open_ = ~_is_arc(keys, a, c, n)
        a, b, c = a[open_], b[open_], c[open_]
        total += np.bincount(b, minlength=n)
        ga, gb, gc = codes[a], codes[b], codes[c]
        known = (ga >= 0) & (gb >= 0) & (gc >= 0)
        same_ab = ga == gb
        same_cb = gc == gb
        same_ac = ga == gc
        masks = {
            "coordinator": same_ab & same_cb,
            "gatekeeper": ~same_ab & same_cb,
            "representative": same_ab & ~same_cb,
            "consultant": ~same_ab & ~same_cb & same_ac,
            "liaison": ~same_ab & ~same_cb & ~same_ac,
        }
        for role, mask in masks.items():
            out[f"brokerage_{role}"] += np.bincount(b[mask & known], minlength=n)
    frame = pd.DataFrame(out)
    frame["brokerage_total"] = total
    return frame


#: The per-person measure columns, in order (their definitions: :mod:`lib.report.definitions`).
PERSON_COLUMNS: tuple[str, ...] = (
    "in_degree",
    "out_degree",
    "in_strength",
    "out_strength",
    "betweenness",
    "harmonic_closeness",
    "pagerank",
    "eigenvector",
    "constraint",
    "effective_size",
    "coreness",
    "community",
    *(f"brokerage_{r}" for r in BROKERAGE_ROLES),
    "brokerage_total",
)


#: Per-person measures built on the ties a person sent, or on whether their contacts are tied:
#: unknown (NaN) for people who did not answer (:data:`lib.analysis.response.NOT_MEASURED`).
#: Constraint, effective size and brokerage are computed on the network among respondents.
RESPONDENT_COLUMNS: tuple[str, ...] = (
    "out_degree",
    "out_strength",
    "betweenness",
    "constraint",
    "effective_size",
    *(f"brokerage_{r}" for r in BROKERAGE_ROLES),
    "brokerage_total",
)


@dataclass(frozen=True)
class _Among:
    """The respondent-induced graph and its group codes, for the measures on respondents."""

    graph: Graph
    codes: np.ndarray
    silent: np.ndarray  # per vertex of the full graph: True for people who did not answer


def _among(ds: Dataset, graph: Graph, group_attr: str | None, answered: Response | None = None) -> _Among:
    """The network among respondents (:func:`lib.analysis.response.respondent_dataset`) of ``graph``."""
    r = answered or network_response(ds, graph.wave)
    silent = ~is_in(pd.Index(graph.ids), r.respondents)  # pyarrow's kernel, not a scalar per id
    if not silent.any():
        return _Among(graph, group_codes(ds, group_attr, graph.ids)[0], silent)
    among = respondent_dataset(ds, graph.wave, r)
    sub = build_graph(among, graph.relations, graph.wave)
    return _Among(sub, group_codes(among, group_attr, sub.ids)[0], silent)


def _respondent_part(among: _Among, index: pd.Index) -> pd.DataFrame:
    """Constraint, effective size and brokerage on the network among respondents, aligned to
    ``index`` (every person); NaN for people who did not answer."""
    sub = among.graph
    part = pd.DataFrame(
        {"constraint": constraint(sub), "effective_size": effective_size(sub)},
        index=pd.Index(sub.ids, name="person_id", dtype=object),
    )
    brok = brokerage(sub, among.codes)
    brok.index = part.index
    part = pd.concat([part, brok], axis=1)
    if not among.silent.any():
        return part
    return part.astype(float).reindex(index)


def _person_frame(
    graph: Graph, codes: np.ndarray, betweenness_samples: int | None, among: _Among | None = None
) -> pd.DataFrame:
    """Every per-person measure of ``graph``; with ``among`` (the network among respondents) the
    :data:`RESPONDENT_COLUMNS` are unknown for non-respondents and the pair measures come from it."""
    est = betweenness_estimate(graph, betweenness_samples)
    btw, estimated = est.values, est.estimated
    labels, q = communities(graph)
    frame = pd.DataFrame(
        {
            "in_degree": in_degree(graph),
            "out_degree": out_degree(graph),
            "in_strength": in_strength(graph),
            "out_strength": out_strength(graph),
            "betweenness": btw,
            "harmonic_closeness": harmonic_closeness(graph, betweenness_samples),
            "pagerank": pagerank(graph),
            "eigenvector": eigenvector(graph),
            "coreness": coreness(graph),
            "community": labels,
        },
        index=pd.Index(graph.ids, name="person_id", dtype=object),
    )
    if among is None:
        part = pd.DataFrame({"constraint": constraint(graph), "effective_size": effective_size(graph)})
        brok = brokerage(graph, codes)
        part = pd.concat([part, brok], axis=1)
        part.index = frame.index
    else:
        part = _respondent_part(among, frame.index)
    frame = pd.concat([frame, part], axis=1)[list(PERSON_COLUMNS)]
    silent = among.silent if among is not None else np.zeros(graph.n, dtype=bool)
    if silent.any():
        frame = frame.astype({c: float for c in RESPONDENT_COLUMNS})
        frame.loc[silent, list(RESPONDENT_COLUMNS)] = np.nan
    frame.attrs["not_measured"] = int(silent.sum())
    frame.attrs["betweenness_estimated"] = estimated
    frame.attrs["betweenness_samples"] = est.samples if estimated else None
    frame.attrs["betweenness_note"] = est.note()
    frame.attrs["betweenness_top_relative_se"] = list(est.top_relative_se())
    # harmonic closeness is sampled under exactly the same rule as betweenness
    frame.attrs["harmonic_estimated"] = estimated
    frame.attrs["modularity_communities"] = q
    frame.attrs["relations"] = list(graph.relations)
    frame.attrs["wave"] = graph.wave
    return frame


def person_measures(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    group_attr: str | None = "department",
    betweenness_samples: int | None = None,
) -> pd.DataFrame:
    """Every per-person measure (columns: :data:`PERSON_COLUMNS`), indexed by person_id.

    Brokerage roles are classified against ``group_attr`` (None or a missing attribute: only
    ``brokerage_total`` is meaningful, the five role counts are 0). Betweenness and harmonic
    closeness are estimated from ``betweenness_samples`` sampled people when given (< n), and from
    256 automatically above 5,000 people. ``attrs``: ``betweenness_estimated`` and
    ``harmonic_estimated`` (bool, say so on the page), ``betweenness_samples``,
    ``modularity_communities``, ``relations``, ``wave``, ``not_measured`` (people who did not answer).

    Non-response (:mod:`lib.analysis.response`): the :data:`RESPONDENT_COLUMNS` (out-degree,
    out-strength, betweenness, constraint, effective size, brokerage) are NaN for people who did
    not answer, whose own ties are unknown; constraint, effective size and brokerage are computed
    on the network among respondents. In-degree and the other measures use every report.
    """
    graph = build_graph(ds, relations, wave)
    codes, _ = group_codes(ds, group_attr, graph.ids)
    return _person_frame(graph, codes, betweenness_samples, _among(ds, graph, group_attr))


def in_degrees(ds: Dataset, relations: Sequence[str] | None = None, wave: str | None = None) -> pd.Series:
    """Each person's :func:`in_degree` (the column of :func:`person_measures`, indexed by person_id)
    without the other measures: for a caller that reads only who is named by how many."""
    graph = build_graph(ds, relations, wave)
    return pd.Series(
        in_degree(graph), index=pd.Index(graph.ids, name="person_id", dtype=object), name="in_degree"
    )


def not_measured_note(frame: pd.DataFrame) -> str:
    """The caption under a people table of :func:`person_measures`: which columns are blank for
    whom (:data:`lib.analysis.response.NOT_MEASURED`), or "" when everyone answered."""
    n = int(frame.attrs.get("not_measured", 0))
    if not n:
        return ""
    return (
        f"Out-degree, out-strength, betweenness, constraint, effective size and brokerage are blank for "
        f"the {n} {'person' if n == 1 else 'people'} who did not answer the survey ({NOT_MEASURED}): their "
        "own ties were never asked for. Constraint, effective size and brokerage are on the network among "
        "respondents; in-degree and the other measures use every report, for everyone."
    )


# --- whole-network measures -----------------------------------------------------------------------


@dataclass
class NetworkSummary:
    """Whole-network measures; each field's definition is in :mod:`lib.report.definitions`."""

    relations: tuple[str, ...]
    people: int
    ties: int
    density: float
    mutual: int
    asymmetric: int
    null: int
    reciprocity_arc: float
    reciprocity_dyad: float
    transitivity: float
    closure: float
    centralization_in: float
    centralization_out: float
    centralization_degree: float
    components_strong: int
    largest_strong: int
    components_weak: int
    largest_weak: int
    connectedness: float
    average_distance: float
    average_distance_estimated: bool
    gini_in_degree: float
    modularity_teams: float
    modularity_communities: float
    communities: int
    isolates: int
    undirected_edges: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def reachable_pairs(g: ig.Graph, edges: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Ordered pairs (i, j), i ≠ j, with a directed path i → j.

    Computed on the condensation (one node per strong component): see :func:`reach_count`.
    ``edges`` (sources, targets of ``g``'s arcs, in any order) saves reading them from igraph when
    the caller has them.
    """
    n = int(g.vcount())
    if edges is None:
        arr = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        edges = (arr[:, 0], arr[:, 1])
    return reach_count(n, edges[0], edges[1])


def strong_components(n: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Strong-component label of each of ``n`` vertices, given the arcs as two index arrays."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    _, labels = csgraph.connected_components(
        arc_matrix(n, sources, targets), directed=True, connection="strong"
    )
    return np.asarray(labels, dtype=np.int64)


def arc_matrix(n: int, sources: np.ndarray, targets: np.ndarray) -> sp.csr_matrix:
    """The n × n 0/1 matrix of the arcs ``sources[k] → targets[k]`` (row = source), for scipy's
    graph routines."""
    return sp.csr_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)), shape=(n, n))


def reach_count(n: int, sources: np.ndarray, targets: np.ndarray, strong: np.ndarray | None = None) -> int:
    """Ordered pairs (i, j), i ≠ j, of ``n`` vertices with a directed path i → j along the arcs
    ``sources[k] → targets[k]`` (parallel arcs allowed).

    Exact. Each strong component c of size w(c) contributes w(c) × F(c), where F(c) is the total
    size of the components c reaches (itself included); the sum minus n drops the pairs (i, i).
    F is computed on the condensation by :func:`_reach_weights`. ``strong``: the vertices'
    strong-component labels when the caller has them (:func:`strong_components`).
    """
    if n == 0:
        return 0
    _, sizes, a, b = _condensation(n, sources, targets, strong)
    if len(sizes) == 1:
        return n * (n - 1)
    weights = _reach_weights(len(sizes), a, b, sizes)
    return int((sizes * weights).sum()) - n


def reach_sizes(n: int, sources: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``n`` vertices: how many vertices it reaches and how many reach it along the
    arcs ``sources[k] → targets[k]`` (itself included in both). Exact; see :func:`reach_count`."""
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    memb, sizes, a, b = _condensation(n, sources, targets)
    k = len(sizes)
    return _reach_weights(k, a, b, sizes)[memb], _reach_weights(k, b, a, sizes)[memb]


def _condensation(
    n: int, sources: np.ndarray, targets: np.ndarray, strong: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Strong-component label per vertex, component sizes, and the condensation's distinct arcs."""
    memb = strong_components(n, sources, targets) if strong is None else strong
    sizes = np.bincount(memb).astype(np.int64)
    k = len(sizes)
    cs, ct = memb[sources], memb[targets]
    cross = cs != ct
    pairs = np.unique(cs[cross] * k + ct[cross])
    return memb, sizes, pairs // k, pairs % k


def _reach_weights(k: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """F(c) = Σ w(d) over the nodes d that node c of a DAG reaches, c included.

    ``a → b``: the DAG's arcs (distinct). Exact; fast on the shape organisations have, one large
    strong component H (the hub) with small ones around it. The nodes H reaches (RH) are closed
    downwards, so any node that reaches H reaches all of RH: F(c) = w(c) + F(H) when c's other
    arcs lead into RH too. A node whose successors are all sinks has F = w + Σ w(successors). The
    few remaining nodes are searched one by one (only outside RH, for those that reach H).
    """
    f = w.astype(np.int64).copy()
    if len(a) == 0:
        return f
    outdeg = np.bincount(a, minlength=k)
    dag = sp.csr_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(k, k))
    hub = int(np.argmax(w * (outdeg > 0)))
    in_rh = np.zeros(k, dtype=bool)
    in_rh[csgraph.breadth_first_order(dag, hub, directed=True, return_predecessors=False)] = True
    in_u = np.zeros(k, dtype=bool)
    in_u[csgraph.breadth_first_order(dag.T.tocsr(), hub, directed=True, return_predecessors=False)] = True
    f[hub] = int(w[in_rh].sum())
    leaves_only = np.bincount(a, weights=(outdeg[b] > 0), minlength=k) == 0
    succ_w = np.bincount(a, weights=w[b], minlength=k).astype(np.int64)
    easy = (outdeg > 0) & leaves_only
    f[easy] = w[easy] + succ_w[easy]
    outside = np.bincount(a, weights=~in_rh[b], minlength=k) == 0
    via_hub = in_u & outside & ~easy
    via_hub[hub] = False
    f[via_hub] = w[via_hub] + f[hub]
    rest = np.flatnonzero((outdeg > 0) & ~easy & ~via_hub)
    rest = rest[rest != hub]
    upstream = rest[in_u[rest]]
    if len(upstream):
        # reach(c) = RH ∪ (what c reaches outside RH): the DAG without RH
        keep = np.flatnonzero(~in_rh)
        pos = np.full(k, -1, dtype=np.int64)
        pos[keep] = np.arange(len(keep))
        inside = ~in_rh[a] & ~in_rh[b]
        f[upstream] = f[hub] + _search_weights(
            len(keep), pos[a[inside]], pos[b[inside]], w[keep], pos[upstream]
        )
    others = rest[~in_u[rest]]
    if len(others):
        f[others] = _search_weights(k, a, b, w, others)
    return f


#: Above this many nodes to search, :func:`_search_weights` searches one node at a time instead of
#: holding a bit matrix of the nodes × the nodes they reach (this many squared bits: 128 MB).
_BITSET_LIMIT = 32_768


def _search_weights(k: int, a: np.ndarray, b: np.ndarray, w: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """F(c) (see :func:`_reach_weights`) for each of ``nodes`` of the DAG ``a → b`` on ``k`` nodes.

    The DAG's transitive closure restricted to what ``nodes`` reach, as rows of bits filled in
    reverse topological order (a row is the node's bit OR its successors' rows); one search per
    node instead when that part of the DAG is too large for the bits.
    """
    # what the nodes reach: one search from a virtual node k with an arc to each of them
    fan = np.full(len(nodes), k, dtype=np.int64)
    adj = sp.csr_matrix(
        (np.ones(len(a) + len(nodes), dtype=np.int8), (np.concatenate([a, fan]), np.concatenate([b, nodes]))),
        shape=(k + 1, k + 1),
    )
    reached = np.zeros(k + 1, dtype=bool)
    reached[csgraph.breadth_first_order(adj, k, directed=True, return_predecessors=False)] = True
    reached = reached[:k]
    zone = np.flatnonzero(reached)
    z = len(zone)
    if z > _BITSET_LIMIT:
        dag = ig.Graph(n=k, edges=edge_pairs(a, b), directed=True)
        return np.array(
            [int(w[np.asarray(dag.subcomponent(int(c), mode="out"), dtype=np.int64)].sum()) for c in nodes],
            dtype=np.int64,
        )
    pos = np.full(k, -1, dtype=np.int64)
    pos[zone] = np.arange(z)
    inside = reached[a]  # every successor of a reached node is reached
    za, zb = pos[a[inside]], pos[b[inside]]
    # level = the longest path down to a sink; a level's rows need only lower levels' rows
    level = np.zeros(z, dtype=np.int64)
    while True:
        lifted = level.copy()
        np.maximum.at(lifted, za, level[zb] + 1)
        if np.array_equal(lifted, level):
            break
        level = lifted
    bits = np.zeros((z, (z + 7) // 8), dtype=np.uint8)
    bits[np.arange(z), np.arange(z) >> 3] = (128 >> (np.arange(z) & 7)).astype(np.uint8)
    edge_level = level[za]
    for lv in range(1, int(level.max()) + 1 if z else 0):
        sel = edge_level == lv
        np.bitwise_or.at(bits, za[sel], bits[zb[sel]])
    rows = pos[nodes]
    wz = w[zone].astype(np.int64)
    out = np.zeros(len(rows), dtype=np.int64)
    step = max(1, (1 << 24) // max(z, 1))
    for lo in range(0, len(rows), step):
        block = np.unpackbits(bits[rows[lo : lo + step]], axis=1, count=z)
        out[lo : lo + step] = block.astype(np.int64) @ wz
    return out


def _closure(graph: Graph) -> float:
    """Closed 2-paths / all 2-paths (a ≠ c): with A the binary adjacency matrix, the 2-paths
    a → b → c are the entries of A² off its diagonal (where a = c), the closed ones those where A
    also has a → c; integer counts from one sparse product."""
    if graph.m == 0:
        return _ratio(0, 0)
    a = graph.adjacency()
    two = a @ a  # its column indices unsorted: summing ``data`` needs no sort (a CSR sum is its entries')
    diagonal = two.diagonal()
    paths = int(two.data.sum()) - int(diagonal.sum())
    closed = int(a.multiply(two).data.sum()) - int((a.diagonal() * diagonal).sum())
    return _ratio(closed, paths)


def _average_distance(graph: Graph) -> tuple[float, bool]:
    n = graph.n
    if n < 2 or graph.m == 0:
        return math.nan, False
    if n <= BETWEENNESS_EXACT_LIMIT:
        return float(graph.g.average_path_length(directed=True, unconn=True)), False
    rng = np.random.default_rng(SEED)
    sources = np.sort(rng.choice(n, size=min(BETWEENNESS_SAMPLES, n), replace=False))
    total, count = _distance_sums(graph, sources)
    return _ratio(float(total), count), True


def _distance_sums(graph: Graph, sources: np.ndarray) -> tuple[int, int]:
    """(Σ d(s, v), number of pairs) over every source s in ``sources`` and every v ≠ s reachable
    from s, d the directed hop distance: breadth-first from all sources at once, one bit per source
    (64 sources per word), so each level is one pass in numpy over the arcs leaving the vertices
    some search reached at the level before, rather than one search per source with its distances
    as Python lists (what igraph's ``distances`` returns)."""
    n, words = graph.n, (len(sources) + 63) // 64
    s, t = graph.edges()
    order = np.argsort(t, kind="stable")
    from_, to_ = s[order], t[order]
    seen = np.zeros((n, words), dtype=np.uint64)
    bit = np.arange(len(sources))
    seen[sources, bit // 64] |= np.left_shift(np.uint64(1), (bit % 64).astype(np.uint64))
    frontier = seen.copy()
    active = np.zeros(n, dtype=bool)
    active[sources] = True
    total = count = 0
    level = 0
    while True:
        level += 1
        arcs = np.flatnonzero(active[from_])  # by target, as from_ and to_ are
        if not len(arcs):
            break
        heads = to_[arcs]
        first = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
        targets = heads[first]
        reached = np.bitwise_or.reduceat(frontier[from_[arcs]], first, axis=0)  # per target reached
        new = reached & ~seen[targets]
        found = int(np.bitwise_count(new).sum())
        if not found:
            break
        seen[targets] |= new
        frontier = np.zeros_like(seen)
        frontier[targets] = new
        active = np.zeros(n, dtype=bool)
        active[targets] = new.any(axis=1)
        total += level * found
        count += found
    return total, count


def _modularity(graph: Graph, codes: np.ndarray) -> float:
    if graph.m == 0 or (codes < 0).all():
        return math.nan
    memb = codes.copy()
    blank = np.flatnonzero(memb < 0)
    memb[blank] = memb.max() + 1 + np.arange(len(blank))  # blank team: a group of one
    return float(graph.undirected().modularity(memb.tolist(), weights="weight"))


def _dyads(graph: Graph) -> tuple[int, int]:
    """Mutual pairs M and asymmetric pairs A of the dyad census (Holland & Leinhardt 1970)."""
    census = tuple(int(x) for x in graph.g.dyad_census()) if graph.n else (0, 0, 0)
    return census[0], census[1]


def arc_reciprocity(graph: Graph) -> float:
    """Arc reciprocity: the share of ties that are returned, 2M / m (M = mutual pairs, m = arcs).

    Source: igraph's default ``reciprocity()``, networkx ``overall_reciprocity``; Krackhardt's
    high-tech advice network gives 0.4737. Variant: *arc* reciprocity. Three measures go by
    "reciprocity": this one; dyad reciprocity M / (M + A), the share of connected pairs that are
    mutual (UCINET; also computed, a different number); and Garlaschelli & Loffredo's (2004)
    correlation ρ = (r − density) / (1 − density), which corrects for density (not computed).
    NaN when there are no ties.
    """
    # the one computation: the network summary, the headline tile and trust reciprocity call it
    mutual, _ = _dyads(graph)
    return _ratio(2 * mutual, graph.m)


def dyad_reciprocity(graph: Graph) -> float:
    """Dyad reciprocity M / (M + A): the share of connected pairs that are mutual.

    Source: UCINET's "dyad reciprocity" (dyad census: Holland & Leinhardt 1970). Variant: *dyad*
    reciprocity, not the same number as arc reciprocity 2M / m; Garlaschelli & Loffredo's
    density-corrected correlation is not computed. NaN with no ties.
    """
    mutual, asym = _dyads(graph)
    return _ratio(mutual, mutual + asym)


def _summary(
    graph: Graph, team_codes: np.ndarray, q_communities: float, n_communities: int
) -> NetworkSummary:
    g = graph.g
    n, m = graph.n, graph.m
    mutual, asym = _dyads(graph)
    null = n * (n - 1) // 2 - mutual - asym
    d_in = np.asarray(g.indegree(), dtype=float)
    d_out = np.asarray(g.outdegree(), dtype=float)
    d_sym = np.asarray(graph.simple().degree(), dtype=float) if n else np.zeros(0)
    strong = g.connected_components(mode="strong") if n else None
    weak = g.connected_components(mode="weak") if n else None
    avg_dist, estimated = _average_distance(graph)
    u = graph.simple()
    return NetworkSummary(
        relations=graph.relations,
        people=n,
        ties=m,
        density=_ratio(m, n * (n - 1)) if n >= 2 else 0.0,
        mutual=mutual,
        asymmetric=asym,
        null=null,
        reciprocity_arc=arc_reciprocity(graph),
        reciprocity_dyad=dyad_reciprocity(graph),
        transitivity=float(u.transitivity_undirected(mode="nan")) if n else math.nan,
        closure=_closure(graph),
        centralization_in=_ratio((d_in.max() - d_in).sum(), (n - 1) ** 2) if n >= 2 else math.nan,
        centralization_out=_ratio((d_out.max() - d_out).sum(), (n - 1) ** 2) if n >= 2 else math.nan,
        centralization_degree=_ratio((d_sym.max() - d_sym).sum(), (n - 1) * (n - 2)) if n >= 3 else math.nan,
        components_strong=len(strong) if strong is not None else 0,
        largest_strong=max(strong.sizes()) if strong is not None else 0,
        components_weak=len(weak) if weak is not None else 0,
        largest_weak=max(weak.sizes()) if weak is not None else 0,
        connectedness=_ratio(reachable_pairs(g, graph.edges()), n * (n - 1)) if n >= 2 else math.nan,
        average_distance=avg_dist,
        average_distance_estimated=estimated,
        gini_in_degree=gini(d_in),
        modularity_teams=_modularity(graph, team_codes),
        modularity_communities=q_communities,
        communities=n_communities,
        isolates=int((d_sym == 0).sum()),
        undirected_edges=int(u.ecount()),
    )


def network_measures(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    team_attr: str | None = "team",
) -> NetworkSummary:
    """Whole-network measures of the chosen relations and wave (each field defined in :mod:`lib.report.definitions`)."""
    graph = build_graph(ds, relations, wave)
    codes, _ = group_codes(ds, team_attr, graph.ids)
    labels, q = communities(graph)
    return _summary(graph, codes, q, len(np.unique(labels)))


def reciprocity_and_gini(
    ds: Dataset, relations: Sequence[str] | None = None, wave: str | None = None
) -> tuple[float, float]:
    """Arc reciprocity (:func:`arc_reciprocity`) and the Gini coefficient of in-degree: the same two
    values as :func:`network_measures` (``reciprocity_arc``, ``gini_in_degree``) without computing
    the rest (communities, distances, closure), for a view that shows only these."""
    graph = build_graph(ds, relations, wave)
    return arc_reciprocity(graph), gini(np.asarray(graph.g.indegree(), dtype=float))


def respondent_measures(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    symmetrise: bool = False,
) -> tuple[NetworkSummary, int]:
    """Whole-network measures where out-ties and pairs are valid (:mod:`lib.analysis.response`),
    and how many ties were reconstructed.

    Default: on the respondent-induced network (only people who answered, only ties between them).
    ``symmetrise``: instead, every person, with the undirected relations' ties of non-respondents
    reconstructed from what respondents reported (:func:`lib.analysis.response.symmetrised`);
    the second value is the number of ties added, which the page states.
    """
    if symmetrise:
        filled, added = symmetrised(ds, wave=wave)
        return network_measures(filled, relations, wave), added
    return network_measures(respondent_dataset(ds, wave), relations, wave), 0


def random_baseline(
    ds: Dataset, relations: Sequence[str] | None = None, wave: str | None = None
) -> dict[str, tuple[float, float, float]]:
    """What a random network with the same people and the same number of names from each person
    gives for reciprocity, transitivity and the Gini of in-degree: measure → (expected, 2.5th,
    97.5th percentile) (:func:`lib.analysis.baseline.network_baseline`)."""
    from lib.analysis.baseline import network_baseline

    graph = build_graph(ds, relations, wave)
    return network_baseline(graph.edges()[0], graph.n)


# --- between groups -----------------------------------------------------------------------------


@dataclass
class EIResult:
    """Krackhardt & Stern's E-I index per group and overall (see :func:`ei_index`)."""

    attribute: str
    groups: pd.DataFrame  # group, size, internal, external, ei, reason
    overall: float
    internal: int
    external: int
    excluded_people: int  # blank attribute: left out
    excluded_ties: int  # ties touching someone left out
    note: str = ""  # why there are no groups (a numeric attribute)


#: A numeric attribute with more distinct values than this is a measurement (age, years with the
#: firm), not a grouping: each value would be a group of its own, so the E-I index is not offered.
EI_MAX_NUMERIC_VALUES = 12


def numeric_attribute(ds: Dataset, attribute: str) -> bool:
    """True when every non-blank value of ``attribute`` is a number and there are more than
    :data:`EI_MAX_NUMERIC_VALUES` distinct ones (a measurement such as age, not a category)."""
    if attribute not in ds.people.columns:
        return False
    # decided on the distinct values (the same texts and numbers as every row's, far fewer)
    values = pd.Series(pd.unique(ds.people[attribute].dropna()))
    text = values.astype(str).str.strip()
    text = text[text != ""]
    numbers = pd.to_numeric(text, errors="coerce")
    return bool(len(text) and numbers.notna().all() and numbers.nunique() > EI_MAX_NUMERIC_VALUES)


def ei_attributes(ds: Dataset) -> list[str]:
    """The attributes the E-I index is offered for: ``ds.attributes`` without numeric measurements
    (:func:`numeric_attribute`), whose every value would be a group of its own. Found once per
    dataset object (``analyze`` asks for every relation); each caller gets its own list."""
    found = remember_for_tables(
        ds, "network.ei_attributes", lambda: [a for a in ds.attributes if not numeric_attribute(ds, a)]
    )
    return list(found)


def shown_ei_groups(ds: Dataset, ei: EIResult, min_size: int, across: bool = True) -> pd.DataFrame:
    """``ei.groups`` as a viewer may see them (:func:`lib.core.privacy.protect_roster_groups`):
    ``across`` for the aggregate view (the one release over every breakdown), else the named
    view's per-table rule. The page, the exports and the overview all show E-I groups this way."""
    return privacy.protect_roster_groups(
        ei.groups,
        ds,
        ei.attribute,
        min_size=min_size,
        size_col="size",
        value_cols=["internal", "external", "ei", "sent_external", "ei_sent"],
        across=across,
        group_col="group",
    )


def _ei_ties(graph: Graph, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The group codes of each arc's two ends, for the arcs whose ends both have a group, and
    which arcs those are (``known``)."""
    s, t = graph.edges()
    cs, ct = codes[s], codes[t]
    known = (cs >= 0) & (ct >= 0)
    return cs[known], ct[known], known


def _ei_overall(graph: Graph, codes: np.ndarray) -> float:
    """The overall E-I index of :func:`_ei_on` alone (no per-group table)."""
    cs, ct, _ = _ei_ties(graph, codes)
    same = int((cs == ct).sum())
    return _ratio(len(cs) - 2 * same, len(cs))


def _ei_on(graph: Graph, codes: np.ndarray, labels: list[str], attribute: str) -> EIResult:
    cs, ct, known = _ei_ties(graph, codes)
    same = cs == ct
    k = len(labels)
    internal = np.bincount(cs[same], minlength=k)
    sent_external = np.bincount(cs[~same], minlength=k)
    external = sent_external + np.bincount(ct[~same], minlength=k)
    size = np.bincount(codes[codes >= 0], minlength=k)
    total = internal + external
    sent = internal + sent_external
    with np.errstate(invalid="ignore", divide="ignore"):
        ei = np.where(total > 0, (external - internal) / np.where(total > 0, total, 1), np.nan)
        ei_sent = np.where(sent > 0, (sent_external - internal) / np.where(sent > 0, sent, 1), np.nan)
    groups = pd.DataFrame(
        {
            "group": pd.Series(labels, dtype=object),
            "size": size.astype(int),
            "internal": internal.astype(int),
            "external": external.astype(int),
            "ei": ei.astype(float),
            "sent_external": sent_external.astype(int),
            "ei_sent": ei_sent.astype(float),
            "reason": ["" if tot else "no ties to or from this group" for tot in total],
        }
    )
    e_all, i_all = int((~same).sum()), int(same.sum())
    return EIResult(
        attribute=attribute,
        groups=groups,
        overall=_ratio(e_all - i_all, e_all + i_all),
        internal=i_all,
        external=e_all,
        excluded_people=int((codes < 0).sum()),
        excluded_ties=int((~known).sum()),
    )


def ei_index(
    ds: Dataset, attribute: str, relations: Sequence[str] | None = None, wave: str | None = None
) -> EIResult:
    """E-I index: (E − I) / (E + I), from −1 (all ties inside the group) to +1 (all ties outside).

    E = external ties (one end in the group, the other outside), I = internal ties (both ends
    inside). Overall: E = ties between different groups, I = ties within a group. Source:
    Krackhardt & Stern (1988) "Informal networks and organizational crises". Variant: directed
    arcs, each counted once (a reciprocated pair counts twice); a group's E counts ties sent and
    received. People with a blank attribute, and their ties, are left out and counted. A group
    with no ties has NaN with a reason; a one-person group has I = 0, so E-I = +1 if it has ties.
    Not corrected for group size (small groups lean towards +1).

    What a group *asks* is its ties sent: ``sent_external`` counts the group's ties to outsiders
    and ``ei_sent`` = (sent_external − I) / (sent_external + I) is the E-I index of those alone
    (out-ties; the group's internal share of what it asks is (1 − ei_sent) / 2). ``ei`` mixes ties
    sent and received. Only for categorical attributes (:func:`ei_attributes`).
    """
    graph = build_graph(ds, relations, wave)
    if numeric_attribute(ds, attribute):
        result = _ei_on(graph, np.full(graph.n, -1, dtype=np.int64), [], attribute)
        result.note = (
            f"{attribute} is a number with more than {EI_MAX_NUMERIC_VALUES} values, so each value would be "
            "its own group: the E-I index is only for categories (band the values first)."
        )
        return result
    codes, labels = group_codes(ds, attribute, graph.ids)
    return _ei_on(graph, codes, labels, attribute)


def group_matrix(
    ds: Dataset, attribute: str, relations: Sequence[str] | None = None, wave: str | None = None
) -> pd.DataFrame:
    """Group-to-group tie counts: cell (row X, column Y) = arcs from someone in X to someone in Y.

    The diagonal holds ties inside a group. People with a blank attribute are left out.
    """
    graph = build_graph(ds, relations, wave)
    codes, labels = group_codes(ds, attribute, graph.ids)
    s, t = graph.edges()
    cs, ct = codes[s], codes[t]
    known = (cs >= 0) & (ct >= 0)
    k = len(labels)
    counts = np.bincount(cs[known] * k + ct[known], minlength=k * k).reshape(k, k) if k else np.zeros((0, 0))
    index = pd.Index(labels, name=attribute, dtype=object)
    return pd.DataFrame(counts.astype(int), index=index, columns=pd.Index(labels, dtype=object))


# --- command-line JSON --------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    return value


def _relation_json(
    ds: Dataset,
    graph: Graph,
    team_codes: np.ndarray,
    top: int = 10,
    people: bool = True,
    answered: Response | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """One relation's whole-network figures, and its per-person frame (every measure when
    ``people``, the out-tie ones unknown for non-respondents as in :func:`person_measures`;
    otherwise only in-degree and community, what the figures need)."""
    dept_codes, _ = group_codes(ds, "department", graph.ids)
    if people:
        frame = _person_frame(graph, dept_codes, None, _among(ds, graph, "department", answered))
    else:
        community_of, q = communities(graph)
        frame = pd.DataFrame(
            {"in_degree": in_degree(graph), "community": community_of},
            index=pd.Index(graph.ids, name="person_id", dtype=object),
        )
        frame.attrs["modularity_communities"] = q
        frame.attrs["betweenness_estimated"] = graph.n > BETWEENNESS_EXACT_LIMIT
    n_comm = int(frame["community"].nunique()) if len(frame) else 0
    summary = _summary(graph, team_codes, frame.attrs["modularity_communities"], n_comm)
    ei = {attr: _ei_overall(graph, group_codes(ds, attr, graph.ids)[0]) for attr in ei_attributes(ds)}
    d_in = frame["in_degree"]
    order = np.lexsort((np.arange(len(d_in)), -d_in.to_numpy()))[:top]
    out = {
        **{k: v for k, v in summary.as_dict().items() if k not in {"mutual", "asymmetric", "null"}},
        "dyad_census": {"mutual": summary.mutual, "asymmetric": summary.asymmetric, "null": summary.null},
        "centralization": {
            "in": summary.centralization_in,
            "out": summary.centralization_out,
            "degree": summary.centralization_degree,
        },
        "ei_index": ei,
        "top_in_degree": [[graph.ids[i], float(d_in.iloc[i])] for i in order],
        "betweenness_estimated": bool(frame.attrs["betweenness_estimated"]),
        # median and largest standard error / value over the ten highest (0 exact; null when
        # betweenness was not computed, i.e. without --people)
        "betweenness_top10_relative_se": frame.attrs.get("betweenness_top_relative_se"),
    }
    return out, frame


#: One relation's part of :func:`analysis_json` (:func:`relation_parts`): its entry of
#: ``relations`` (not yet :func:`_clean`) and, with ``people``, its per-person frame (else None).
RelationPart = tuple[dict[str, Any], pd.DataFrame | None]


def relation_parts(ds: Dataset, relations: Sequence[str], people: bool = True) -> dict[str, RelationPart]:
    """The parts of :func:`analysis_json` for ``relations`` (relation names of ``ds``, ``"all"`` for
    all combined), each computed on its own (the same values whichever relations are asked
    together): the command line shares them between its two processes, a relation per task
    (:func:`lib.core.forked.share`)."""
    if not relations:
        return {}
    team_attr = "team"
    answered = network_response(ds)
    among = respondent_dataset(ds, response=answered)
    parts: dict[str, RelationPart] = {}
    answering: np.ndarray | None = None  # per vertex: answered (every graph of ds has the same vertices)
    for rel in relations:
        chosen = None if rel == "all" else [rel]
        graph = build_graph(ds, chosen)
        team_codes, _ = group_codes(ds, team_attr, graph.ids)
        entry, frame = _relation_json(ds, graph, team_codes, people=people, answered=answered)
        if answering is None:
            answering = is_in(pd.Index(graph.ids), answered.respondents)
        sub = _respondent_graph(graph, among, answering, chosen)
        entry["response_rate"] = answered.rate
        entry["response_basis"] = answered.basis
        entry["population"] = dict(POPULATIONS)
        sub_codes = group_codes(among, team_attr, sub.ids)[0]
        entry["respondents"] = _relation_json(among, sub, sub_codes, people=False)[0]
        parts[rel] = (entry, frame if people else None)
        # each relation's two graphs are done with: not all fourteen in memory at once
        for d in (ds, among):
            forget_for_tables(d, _graph_key(None if rel == "all" else [rel], None))
    return parts


def _respondent_graph(
    graph: Graph, among: Dataset, answering: np.ndarray, relations: Sequence[str] | None
) -> Graph:
    """``build_graph(among, relations)`` for ``among``, the respondent copy of a dataset
    (:func:`lib.analysis.response.respondent_dataset`, every wave) and ``graph``, the dataset's graph
    of the same relations: the vertices that answered (``answering``) and the arcs among them. Those
    are the same arcs in the same order with the same weights (the copy's ties are the rows
    between respondents, in table order, its roster the respondents in roster order), taken from
    ``graph`` in igraph (a copy without the others) rather than built again from the copy's ties:
    a fifth of the time. Kept in ``among``'s memo as :func:`build_graph` keeps its graphs; built
    from the ties after all when the copy's roster is not those vertices."""
    ids = [i for i, on in zip(graph.ids, answering.tolist(), strict=True) if on]
    if graph.wave is not None or ids != tie_ends(among)[0]:
        return build_graph(among, relations)

    def induced() -> Graph:
        sub = graph.g.induced_subgraph(np.flatnonzero(answering), implementation="copy_and_delete")
        s, t = graph.edges()
        kept = answering[s] & answering[t]
        renumber = np.cumsum(answering) - 1
        rel = tuple(relations) if relations is not None else tuple(among.relations)
        return Graph(g=sub, ids=ids, relations=rel, _edges=(renumber[s[kept]], renumber[t[kept]]))

    return remember_for_tables(among, _graph_key(relations, None), induced)


def analysis_json(
    ds: Dataset, people: bool = True, parts: Mapping[str, RelationPart] | None = None
) -> dict[str, Any]:
    """The ``_network`` section of ``python -m lib.cli analyze``.

    ``relations.<relation>`` (and ``relations.all`` for all relations combined): the whole-network
    measures, dyad census, centralisation, E-I index per attribute (overall value) and the ten
    highest in-degrees, on every report; ``response_rate`` and ``response_basis``
    (:func:`lib.analysis.response.network_response`); ``population``: which people each measure
    group is valid on ("respondents" or "all", :data:`lib.analysis.response.POPULATIONS`); and
    ``respondents``: the same keys recomputed on the respondent-induced network, which is where the
    out-tie and pair measures (reciprocity, transitivity, out-degree centralisation, …) should be read.
    ``people`` (only when asked: ``analyze --people``): one record per person
    with every per-person measure on all relations combined, plus ``<relation>.<measure>`` for each
    relation, as a generator, so a writer can stream the records without a second copy in memory.
    The :data:`RESPONDENT_COLUMNS` are null for people who did not answer (unknown, not zero).

    ``parts``: relations already computed (:func:`relation_parts`, with the same ``people``); the
    others are computed here.
    """
    names = [*ds.relations, "all"]
    done = dict(parts or {})
    done.update(relation_parts(ds, [rel for rel in names if rel not in done], people))
    relations = {rel: done[rel][0] for rel in names}
    out: dict[str, Any] = {"relations": _clean(relations)}
    if people:
        frames: dict[str, pd.DataFrame] = {}
        for rel in names:
            frame = done[rel][1]
            assert frame is not None, f"the part of {rel!r} was computed without people"
            frames[rel] = frame
        base = frames["all"]
        extra = [f.add_prefix(f"{rel}.") for rel, f in frames.items() if rel != "all"]
        out["people"] = _person_records(pd.concat([base, *extra], axis=1) if extra else base)
    return out


def _person_records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """One JSON-ready record per row of ``frame`` (``person_id`` first), made one at a time."""
    columns = [str(c) for c in frame.columns]
    for pid, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        yield _clean({"person_id": str(pid), **dict(zip(columns, row, strict=True))})
