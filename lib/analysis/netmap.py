"""The interactive network map's data: who is drawn, where, in which colour and size.

Two kinds of map share one data structure, :class:`NetworkMap`:

* a **person map** (:func:`person_map`): one dot per person, an arrow per tie, coloured by any
  attribute or measure, sized by any measure, for the whole organisation, one group, or one
  person's ego network (1 or 2 steps);
* a **group map** (:func:`group_map`): one dot per group (size = people in it), one line per pair
  of groups with ties between them (width = ties). Big organisations open on it: vis-network's
  physics is O(n²) and freezes a browser long before 20,000 people.

The map is plain data: labels and tooltips are plain strings, never HTML, and node ids are
opaque (``p0``, ``g0``), so pseudonyms and the aggregate view do not leak real ids into the page.
:func:`lib.report.map_html.render_html` draws it as a self-contained page (vis-network in-lined,
no CDN, no request leaves the browser) for ``st.iframe``; its docstring says how user text is
kept out of the HTML.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import igraph as ig
import numpy as np
import pandas as pd

from lib.analysis.network import NetworkSummary, build_graph
from lib.analysis.roles import ROLE_NAMES, RoleThresholds, assign_roles
from lib.core import privacy
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE, shown, suppression_note

__all__ = [
    "DRILL_DOWN_LIMIT",
    "EDGE_LIMIT",
    "OTHER_COLOUR",
    "PALETTE",
    "PERSON_MAP_LIMIT",
    "PHYSICS_LIMIT",
    "TOOLTIP_COLUMNS",
    "LegendEntry",
    "MapEdge",
    "MapNode",
    "Measured",
    "NetworkMap",
    "Scope",
    "category_text",
    "colour_categories",
    "default_colour_attribute",
    "ego_people",
    "fmt",
    "group_map",
    "layout_positions",
    "map_summary",
    "network_roles",
    "node_sizes",
    "people_table",
    "person_map",
    "pretty",
    "role_counts",
    "scope_people",
    "summary_table",
    "thin_ties",
    "tie_table",
]

#: Above this many people the page opens on the group map instead of the person map.
PERSON_MAP_LIMIT = 1_500
#: The most people one person map draws (a drill-down into a bigger group asks for a smaller one).
DRILL_DOWN_LIMIT = 3_000
#: Up to this many dots vis-network lays the map out itself (physics, then stops); above it the
#: positions come from the server (igraph Fruchterman-Reingold, seeded) and physics stays off.
PHYSICS_LIMIT = 500
#: Above this many ties, a person map keeps each person's strongest ties only (see thin_ties).
EDGE_LIMIT = 6_000
TIES_KEPT_PER_PERSON = 3

#: Okabe-Ito (colour-blind safe), then Tableau hues distinct from them and from the grey of "Other".
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#8C564B",
    "#9467BD",
    "#17BECF",
    "#BCBD22",
)
OTHER_COLOUR = "#C8C8C8"
MISSING_LABEL = "(not given)"
MISSING_COLOUR = "#EEEEEE"
NODE_SIZE = (8.0, 36.0)  # radius in px of the smallest and largest dot on a person map
BIG_NODE_SIZE = (5.0, 24.0)  # the same above PHYSICS_LIMIT people
GROUP_SIZE = (12.0, 60.0)
EDGE_WIDTH = (0.5, 4.0)
GROUP_EDGE_WIDTH = (1.0, 14.0)
NUMERIC_BINS = 5
SPREAD = 30.0  # server layouts: 95 % of the dots within SPREAD·√n px of the centre


@dataclass(frozen=True)
class Scope:
    """Which people a person map shows: everyone, the members of one group, or one person's ego network.

    ``attribute``/``value`` keep the people whose ``attribute`` equals ``value``; ``person`` with
    ``steps`` (1 or 2) keeps that person and everyone within ``steps`` ties of them, in either
    direction. Frozen and small, so its ``repr`` is a good cache key for ``ui.compute``.
    """

    attribute: str | None = None
    value: str | None = None
    person: str | None = None
    steps: int = 1


@dataclass(frozen=True)
class MapNode:
    id: str  # opaque: "p0", "g3"
    label: str  # drawn on the canvas ("" = no label)
    title: str  # plain-text tooltip
    category: str  # legend entry it belongs to
    colour: str
    size: float
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class MapEdge:
    source: str
    target: str
    width: float
    title: str = ""


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    count: int


@dataclass
class NetworkMap:
    """Everything :func:`lib.report.map_html.render_html` draws, as plain data (testable without a browser)."""

    kind: Literal["people", "groups"]
    nodes: list[MapNode]
    edges: list[MapEdge]
    legend: list[LegendEntry]
    directed: bool = True
    colour_by: str = ""
    size_by: str = ""
    physics: bool = True
    notes: list[str] = field(default_factory=list)


# --- ties and people --------------------------------------------------------------------------


def tie_table(ds: Dataset, relations: Sequence[str] | None = None, wave: str | None = None) -> pd.DataFrame:
    """The arcs of :func:`lib.analysis.network.build_graph` as a table: one row per ordered pair of people.

    Columns ``source_id``, ``target_id``, ``weight`` (sum of the collapsed ties' weights). The tie
    selection is the measures' own (``relations=None``: all; a wave keeps its rows and blank-wave
    rows; self-ties and unknown people dropped), so the map draws exactly what was measured.
    """
    graph = build_graph(ds, relations, wave)
    s, t = graph.edges()
    ids = np.asarray(graph.ids, dtype=object)
    return pd.DataFrame(
        {
            "source_id": pd.Series(ids[s] if len(s) else [], dtype=object),
            "target_id": pd.Series(ids[t] if len(t) else [], dtype=object),
            "weight": pd.Series(graph.g.es["weight"] if graph.m else [], dtype=float),
        }
    )


def ego_people(
    ds: Dataset, person: str, steps: int = 1, relations: Sequence[str] | None = None, wave: str | None = None
) -> list[str]:
    """``person`` and everyone within ``steps`` ties of them (either direction), in roster order.

    An unknown person gives ``[]``; a person without ties gives ``[person]``.
    """
    ids = [str(i) for i in ds.people["person_id"]]
    if person not in set(ids):
        return []
    ties = tie_table(ds, relations, wave)
    neighbours: dict[str, set[str]] = {}
    for s, t in zip(ties["source_id"], ties["target_id"], strict=True):
        neighbours.setdefault(s, set()).add(t)
        neighbours.setdefault(t, set()).add(s)
    reached = {person}
    frontier = {person}
    for _ in range(max(0, int(steps))):
        frontier = {n for p in frontier for n in neighbours.get(p, ())} - reached
        reached |= frontier
    return [i for i in ids if i in reached]


def scope_people(
    ds: Dataset, scope: Scope, relations: Sequence[str] | None = None, wave: str | None = None
) -> list[str]:
    """The person ids a :class:`Scope` selects, in roster order."""
    if scope.person is not None:
        return ego_people(ds, scope.person, scope.steps, relations, wave)
    people = ds.people
    ids = people["person_id"].astype(str)
    if scope.attribute is not None and scope.attribute in people.columns:
        mask = category_text(people[scope.attribute]) == str(scope.value)
        ids = ids[mask.to_numpy()]
    return list(ids)


def thin_ties(
    ties: pd.DataFrame, per_person: int = TIES_KEPT_PER_PERSON, directed: bool = True
) -> pd.DataFrame:
    """Each person's ``per_person`` strongest ties (by ``weight``; equal weights: table order).

    Directed: a tie stays when it is among the strongest of its source's outgoing ties *or* of its
    target's incoming ties. Undirected (``directed=False``, for links between groups): when it is
    among the strongest links of either end. So everyone who has a tie keeps at least one, and hubs
    keep their strongest links; on organisation graphs with ~20 ties per person three per person
    cut the edges about 6.5 times.
    """
    if per_person <= 0:
        return ties.iloc[0:0].reset_index(drop=True)
    ranked = ties.reset_index(drop=True)
    if ranked.empty:
        return ranked
    order = ranked.sort_values("weight", ascending=False, kind="stable")
    if directed:
        by_source = order.groupby("source_id", sort=False).cumcount().sort_index()
        by_target = order.groupby("target_id", sort=False).cumcount().sort_index()
        keep = ((by_source < per_person) | (by_target < per_person)).to_numpy()
    else:
        ends = pd.DataFrame(
            {
                "edge": np.concatenate([order.index.to_numpy(), order.index.to_numpy()]),
                "node": np.concatenate([order["source_id"].to_numpy(), order["target_id"].to_numpy()]),
                "rank": np.tile(np.arange(len(order)), 2),
            }
        ).sort_values("rank", kind="stable")
        top = ends[ends.groupby("node", sort=False).cumcount() < per_person]["edge"]
        keep = np.zeros(len(ranked), dtype=bool)
        keep[top.to_numpy(dtype=np.int64)] = True
    return ranked[keep].reset_index(drop=True)


# --- layout, colour and size ---------------------------------------------------------------------


def layout_positions(
    ds: Dataset,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    scope: Scope = Scope(),
    seed: int = 7,
) -> pd.DataFrame:
    """Server-side positions (columns ``x``, ``y``; index person_id) for a person map.

    igraph's Fruchterman-Reingold layout (Fruchterman & Reingold 1991), its grid variant (repulsion
    only from nearby cells: 0.12 s against 0.85 s for the full one at 1,000 people) on the undirected tie graph of the scope's people, weights ignored, started from
    positions drawn with ``numpy.random.default_rng(seed)`` and igraph's generator seeded too, so
    the same data give the same map.
    Coordinates are scaled so 95 % of the people lie within ``SPREAD·√n`` pixels of the centre;
    the farthest (isolates, small fragments, which FR pushes far out) sit on a ring just outside. Meant to be cached with
    ``ui.compute(layout_positions, relations, wave, scope)``.
    """
    ids = scope_people(ds, scope, relations, wave)
    ties = _ties_within(tie_table(ds, relations, wave), ids)
    return _layout(ids, ties, seed)


def _layout(ids: list[str], ties: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    n = len(ids)
    if n == 0:
        return pd.DataFrame({"x": pd.Series(dtype=float), "y": pd.Series(dtype=float)})
    if n == 1:
        return pd.DataFrame({"x": [0.0], "y": [0.0]}, index=pd.Index(ids, name="person_id"))
    index = pd.Index(ids)
    s, t = index.get_indexer(pd.Index(ties["source_id"])), index.get_indexer(pd.Index(ties["target_id"]))
    ok = (s >= 0) & (t >= 0) & (s != t)
    pairs = np.unique(np.column_stack([np.minimum(s[ok], t[ok]), np.maximum(s[ok], t[ok])]), axis=0)
    g = ig.Graph(n=n, edges=pairs.tolist(), directed=False)
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 2)) * np.sqrt(n)
    ig.set_random_number_generator(random.Random(seed))  # FR also draws random moves
    try:
        layout = g.layout_fruchterman_reingold(seed=start.tolist(), niter=500, grid="grid")
    finally:
        ig.set_random_number_generator(random)
    coords = np.asarray(layout.coords, dtype=float)
    # FR pushes isolates and small fragments far out, squeezing everyone else into a blob: scale
    # by the 95th percentile of the distance from the median and pull outliers onto a ring there.
    coords -= np.median(coords, axis=0)
    radius = np.hypot(coords[:, 0], coords[:, 1])
    span = float(np.quantile(radius, 0.95)) or float(radius.max()) or 1.0
    ring = 1.15 * span
    far = radius > ring
    coords[far] *= (ring / radius[far])[:, None]
    coords *= SPREAD * np.sqrt(n) / span
    return pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1]}, index=pd.Index(ids, name="person_id"))


def category_text(values: pd.Series) -> pd.Series:
    """Values as legend text: numbers without a trailing ``.0``, blanks as ``(not given)``."""
    return pd.Series([_category_label(v) for v in values], index=values.index, dtype=object)


def _category_label(v: object) -> str:
    """One value as :func:`category_text` writes it."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return MISSING_LABEL
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v).strip()
    return s if s and s.lower() not in {"nan", "<na>", "none"} else MISSING_LABEL


def colour_categories(
    values: pd.Series, palette: Sequence[str] = PALETTE, categorical: bool = False
) -> tuple[pd.Series, list[LegendEntry]]:
    """Legend category and colour per value, and the legend.

    Text values: the ``len(palette)`` most frequent categories get a colour each (ties in
    frequency: alphabetical), the rest share grey "Other (k groups)". Numbers with at most
    ``len(palette)`` distinct values are categories in numeric order (levels 1…6); other numbers
    (measures) are cut into five quantile bins labelled ``low–high``. With ``categorical``
    (community labels, group names) numbers are never binned: they rank like text, by frequency,
    then by value. Missing values are ``(not given)`` in a light grey. Returns (category per value, legend in display order).
    """
    if values.empty:
        return pd.Series([], index=values.index, dtype=object), []
    numeric = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_bool_dtype(values) else None
    is_numeric = (
        numeric is not None and numeric.notna().sum() == values.notna().sum() and numeric.notna().any()
    )
    if is_numeric and numeric is not None and numeric.nunique() > len(palette) and not categorical:
        cats = _bin_labels(numeric)
        order = [c for c in cats.cat.categories if (cats == c).any()]
        labels = pd.Series(cats.astype(object).where(cats.notna(), MISSING_LABEL), index=values.index)
    else:
        labels = category_text(values)
        counts = labels[labels != MISSING_LABEL].value_counts()
        if is_numeric and not categorical:
            order = sorted(counts.index, key=lambda c: float(c))
        elif is_numeric:
            order = sorted(counts.index, key=lambda c: (-int(counts[c]), float(c)))
        else:
            order = sorted(counts.index, key=lambda c: (-int(counts[c]), str(c)))
    colours: dict[str, str] = {}
    legend: list[LegendEntry] = []
    coloured = order[: len(palette)] if len(order) <= len(palette) else order[: len(palette) - 1]
    for i, cat in enumerate(coloured):
        colours[cat] = palette[i]
        legend.append(LegendEntry(str(cat), palette[i], int((labels == cat).sum())))
    rest = [c for c in order if c not in colours]
    if rest:
        other = f"Other ({len(rest)} groups)"
        in_rest = labels.isin(rest)
        labels = labels.where(~in_rest, other)
        colours[other] = OTHER_COLOUR
        legend.append(LegendEntry(other, OTHER_COLOUR, int(in_rest.sum())))
    if (labels == MISSING_LABEL).any():
        colours[MISSING_LABEL] = MISSING_COLOUR
        legend.append(LegendEntry(MISSING_LABEL, MISSING_COLOUR, int((labels == MISSING_LABEL).sum())))
    return labels.astype(object), legend


def _bin_labels(numeric: pd.Series) -> pd.Series:
    edges = np.unique(np.nanquantile(numeric.to_numpy(dtype=float), np.linspace(0, 1, NUMERIC_BINS + 1)))
    names = [f"{fmt(lo)}–{fmt(hi)}" for lo, hi in itertools.pairwise(edges)]
    cut: pd.Series = pd.cut(numeric, bins=list(edges), labels=names, include_lowest=True)
    return cut


def node_sizes(values: pd.Series | None, index: pd.Index, lo: float, hi: float) -> pd.Series:
    """Dot radius per person: ``lo + (hi − lo)·√((v − min)/(max − min))``.

    The square root makes the dot's *area* proportional to the value. No values (``None``), all
    values equal, or a missing value give the middle size ``(lo + hi)/2``; negative values are
    allowed (the minimum maps to ``lo``).
    """
    mid = (lo + hi) / 2
    if values is None:
        return pd.Series(mid, index=index, dtype=float)
    v = pd.to_numeric(values.reindex(index), errors="coerce").astype(float)
    vmin, vmax = v.min(), v.max()
    if not np.isfinite(vmin) or not np.isfinite(vmax) or vmax <= vmin:
        return pd.Series(mid, index=index, dtype=float)
    scaled = pd.Series(lo + (hi - lo) * np.sqrt((v.to_numpy() - vmin) / (vmax - vmin)), index=index)
    return scaled.fillna(mid)


def fmt(v: object) -> str:
    """A number as a short human-readable text (4 significant digits, integers without decimals)."""
    if v is None or v is pd.NA:
        return "–"
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    if np.isnan(f):
        return "–"
    if f.is_integer() and abs(f) < 1e15:
        return f"{int(f):,}"
    return f"{f:.4g}"


def _widths(values: pd.Series, lo: float, hi: float) -> pd.Series:
    v = values.astype(float)
    vmin, vmax = v.min(), v.max()
    if v.empty or vmax <= vmin:
        return pd.Series(lo if v.empty else (lo + hi) / 2, index=values.index, dtype=float)
    return lo + (hi - lo) * (v - vmin) / (vmax - vmin)


def _xy(positions: pd.DataFrame, ids: Sequence[str]) -> dict[str, tuple[float | None, float | None]]:
    """id → (x, y) for the ids with finite positions."""
    pos = positions.reindex(pd.Index(list(ids)))
    xs, ys = pos["x"].to_numpy(dtype=float), pos["y"].to_numpy(dtype=float)
    return {
        i: (float(x), float(y))
        for i, x, y in zip(ids, xs, ys, strict=True)
        if np.isfinite(x) and np.isfinite(y)
    }


def _ties_within(ties: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    members = set(ids)
    return ties[ties["source_id"].isin(members) & ties["target_id"].isin(members)].reset_index(drop=True)


# --- the people table -----------------------------------------------------------------------------

#: Columns a person's tooltip lists (those present), after the colour and size columns.
TOOLTIP_COLUMNS: tuple[str, ...] = (
    "team",
    "department",
    "in_degree",
    "out_degree",
    "betweenness",
    "pagerank",
    "constraint",
    "community",
    "network_role",
)
NO_ROLE = "no particular role"
#: Numeric columns that are labels (colour by category, never by value bins).
CATEGORICAL_COLUMNS: tuple[str, ...] = ("community",)


def people_table(
    ds: Dataset,
    measures: pd.DataFrame,
    role_table: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    pseudonyms: bool = False,
) -> pd.DataFrame:
    """Everything known about each person, indexed by person_id: the map's colours, sizes and tooltips,
    and the page's people table.

    Columns: ``person`` (``labels``: name or pseudonym; absent when ``labels`` is None), the people
    attributes, every measure of :func:`lib.analysis.network.person_measures`, and with ``role_table`` (from
    :func:`lib.analysis.roles.assign_roles`) ``network_role`` (``"no particular role"`` when none) and
    ``role_reason``. ``pseudonyms=True`` drops ``name`` and ``manager_id`` (they would undo the
    pseudonyms); the caller must then also not show the index.
    """
    people = ds.people.drop_duplicates("person_id").copy()
    people["person_id"] = people["person_id"].astype(str)
    table = people.set_index("person_id")
    if pseudonyms:
        table = table.drop(columns=[c for c in ("name", "manager_id") if c in table.columns])
    if labels is not None:
        table.insert(0, "person", [labels.get(str(p), str(p)) for p in table.index])
    clash = [c for c in measures.columns if c in table.columns]
    table = table.join(measures.rename(columns={c: f"{c}_measure" for c in clash}), how="left")
    if role_table is not None and len(role_table):
        r = role_table.set_index(role_table["person_id"].astype(str))
        text = r["roles"].astype(str).where(r["roles"].astype(str) != "", NO_ROLE)
        table["network_role"] = text.reindex(table.index).fillna(NO_ROLE)
        table["role_reason"] = r["reason"].reindex(table.index).fillna("")
    table.index.name = "person_id"
    return table


@dataclass(frozen=True)
class Measured:
    """Person measures (:func:`lib.analysis.network.person_measures`) with the relations and wave they came from.

    Its ``repr`` leaves the table out, so ``ui.compute(network_roles, Measured(rel, wave, table),
    thresholds)`` caches on (relations, wave, thresholds) and never re-hashes a 20,000-row table.
    Build it only from ``person_measures(ds, relations, wave)`` of the same dataset.
    """

    relations: tuple[str, ...]
    wave: str | None
    table: pd.DataFrame = field(repr=False, compare=False)


def network_roles(ds: Dataset, measured: Measured, thresholds: RoleThresholds | None = None) -> pd.DataFrame:
    """:func:`lib.analysis.roles.assign_roles` on ``measured`` (a cacheable call; see :class:`Measured`)."""
    return assign_roles(ds, measured.table, thresholds, wave=measured.wave)


def summary_table(
    summary: NetworkSummary, definitions: Mapping[str, str], numbers: bool = False
) -> pd.DataFrame:
    """The whole-network measures as rows of (measure, value, definition).

    Values as text for the page (4 significant digits, ``–`` for undefined/NaN), or with
    ``numbers=True`` as numbers (NaN when undefined) for a spreadsheet; yes/no stay words.
    ``definitions``: field → text (:func:`lib.report.definitions.summary_texts`, the registry;
    analysis does not import it). The relations field is left out (the page shows them).
    """

    def value(v: object) -> object:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if numbers:
            try:
                return float(v)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return v
        return fmt(v)

    rows = [
        {
            "measure": pretty(k),
            "value": value(v),
            "definition": definitions.get(k, ""),
        }
        for k, v in summary.as_dict().items()
        if k != "relations"
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "definition"])


def role_counts(role_table: pd.DataFrame, meaning: Mapping[str, str]) -> pd.DataFrame:
    """People per network role (a person can hold several) with the role's meaning.

    Columns ``role``, ``people``, ``meaning``, in the order of :data:`lib.analysis.roles.ROLE_NAMES`.
    ``meaning``: role → text with the thresholds the table was built with
    (:func:`lib.report.definitions.role_texts` of ``role_table.attrs["thresholds"]``).
    """
    rows = [
        {
            "role": pretty(r),
            "people": int(role_table[r].astype(bool).sum()) if r in role_table.columns else 0,
            "meaning": meaning[r],
        }
        for r in ROLE_NAMES
    ]
    return pd.DataFrame(rows, columns=["role", "people", "meaning"])


# --- the two maps --------------------------------------------------------------------------------


def person_map(
    ds: Dataset,
    table: pd.DataFrame,
    *,
    colour_by: str,
    size_by: str | None = None,
    labels: Mapping[str, str] | None = None,
    tooltip_columns: Sequence[str] = TOOLTIP_COLUMNS,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    scope: Scope = Scope(),
    positions: pd.DataFrame | None = None,
) -> NetworkMap:
    """One dot per person in ``scope``, one arrow per directed tie.

    ``table`` is indexed by person_id and holds the ``colour_by`` and ``size_by`` columns (people
    attributes, measures, roles: whatever the page assembled). ``labels`` maps person_id → the
    text shown (name or pseudonym); ``None`` hides every label and name (the tooltip then shows
    only the values). The tooltip lists ``colour_by``, ``size_by`` and ``tooltip_columns``.
    ``positions`` (from :func:`layout_positions`) switch physics off; without them vis-network
    lays the map out. Above :data:`EDGE_LIMIT` ties only each person's strongest
    :data:`TIES_KEPT_PER_PERSON` are drawn (:func:`thin_ties`), which the notes say.
    """
    ids = scope_people(ds, scope, relations, wave)
    index = pd.Index(ids, name="person_id")
    rows = table.reindex(index)
    colour_values = rows[colour_by] if colour_by in rows.columns else pd.Series(np.nan, index=index)
    categories, legend = colour_categories(colour_values, categorical=colour_by in CATEGORICAL_COLUMNS)
    colour_of = {e.label: e.colour for e in legend}
    size_values = rows[size_by] if size_by and size_by in rows.columns else None
    sizes = node_sizes(size_values, index, *(NODE_SIZE if len(ids) <= PHYSICS_LIMIT else BIG_NODE_SIZE))
    shown_cols = list(
        dict.fromkeys([c for c in (colour_by, size_by, *tooltip_columns) if c and c in rows.columns])
    )
    has_pos = positions is not None and len(ids) > 0
    xy = _xy(positions, ids) if positions is not None else {}
    opaque = {pid: f"p{i}" for i, pid in enumerate(ids)}

    nodes: list[MapNode] = []
    for pid in ids:
        label = "" if labels is None else str(labels.get(pid, pid))
        lines = [label] if label else []
        if scope.person is not None and pid == scope.person:
            lines.append("(centre of this ego network)")
        lines += [f"{pretty(c)}: {_fmt_value(rows.at[pid, c])}" for c in shown_cols]
        x, y = xy.get(pid, (None, None))
        cat = str(categories[pid])
        nodes.append(
            MapNode(
                opaque[pid],
                label,
                "\n".join(lines),
                cat,
                colour_of.get(cat, OTHER_COLOUR),
                float(sizes[pid]),
                x,
                y,
            )
        )

    ties = _ties_within(tie_table(ds, relations, wave), ids)
    notes: list[str] = []
    if len(ties) > EDGE_LIMIT:
        before = len(ties)
        ties = thin_ties(ties)
        notes.append(
            f"Showing each person's {TIES_KEPT_PER_PERSON} strongest ties ({len(ties):,} of {before:,}) "
            "so the map stays readable."
        )
    widths = _widths(ties["weight"], *EDGE_WIDTH) if len(ties) else pd.Series(dtype=float)
    edges = [
        MapEdge(opaque[s], opaque[t], float(w))
        for s, t, w in zip(ties["source_id"], ties["target_id"], widths, strict=True)
    ]
    return NetworkMap(
        kind="people",
        nodes=nodes,
        edges=edges,
        legend=legend,
        directed=True,
        colour_by=colour_by,
        size_by=size_by or "",
        physics=not has_pos,
        notes=notes,
    )


def group_map(
    ds: Dataset,
    attribute: str,
    *,
    relations: Sequence[str] | None = None,
    wave: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    complementary: bool = True,
) -> NetworkMap:
    """One dot per group of ``attribute`` (area ∝ people), one line per pair of groups with ties.

    A line's width grows with the arcs between the two groups (both directions summed, each
    ordered pair of people counted once, as in :func:`lib.analysis.network.group_matrix`); a group's
    tooltip gives its people, its arcs inside and its arcs to or from other groups (the I and E
    of :func:`lib.analysis.network.ei_index`). Which groups are drawn is decided by
    :func:`lib.core.privacy.protect_roster_groups`: with ``complementary`` (the aggregate view) the
    groups the aggregate view may show on every page, breakdown and wave, so nothing hidden can be
    worked out by subtraction; the named view, which shows every person anyway, passes False
    (groups under ``min_group_size`` people hidden, plus complementary suppression). Above :data:`EDGE_LIMIT` links only each
    group's strongest :data:`TIES_KEPT_PER_PERSON` are drawn. People with no value for
    ``attribute`` form the group ``(not given)``.
    """
    people = ds.people.drop_duplicates("person_id")
    if people.empty or attribute not in people.columns:
        return NetworkMap("groups", [], [], [], directed=False, colour_by=attribute, physics=False)
    group_of = pd.Series(
        category_text(people[attribute]).to_numpy(), index=people["person_id"].astype(str).to_numpy()
    )
    ties = tie_table(ds, relations, wave)
    a = group_of.reindex(ties["source_id"]).to_numpy(dtype=object)
    b = group_of.reindex(ties["target_id"]).to_numpy(dtype=object)
    same = a == b
    internal = pd.Series(a[same]).value_counts()
    external = pd.concat([pd.Series(a[~same]), pd.Series(b[~same])]).value_counts()

    sizes = group_of.value_counts()
    table = pd.DataFrame({"group": sizes.index.astype(str), "people": sizes.to_numpy()})
    table = table.sort_values(["people", "group"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    table["internal"] = table["group"].map(internal).fillna(0).astype(float)
    table["external"] = table["group"].map(external).fillna(0).astype(float)
    checked = privacy.protect_roster_groups(
        table,
        ds,
        attribute,
        min_size=min_group_size,
        size_col="people",
        value_cols=["internal", "external"],
        across=complementary,
        group_col="group",
        total=complementary,
    )
    visible = shown(checked).reset_index(drop=True)
    notes = [n for n in [suppression_note(checked, min_group_size)] if n]

    groups = [str(g) for g in visible["group"]]
    # one value per person, so the biggest groups get the colours and the legend counts people
    per_person = pd.Series(np.repeat(np.asarray(groups, dtype=object), visible["people"].to_numpy(dtype=int)))
    person_categories, legend = colour_categories(per_person, categorical=True)
    category_of = dict(zip(per_person, person_categories, strict=True))
    categories = pd.Series([category_of[g] for g in groups], dtype=object)
    colour_of = {e.label: e.colour for e in legend}
    radius = node_sizes(visible["people"].astype(float), visible.index, *GROUP_SIZE)
    opaque = {g: f"g{i}" for i, g in enumerate(groups)}

    lo, hi = np.minimum(a[~same], b[~same]), np.maximum(a[~same], b[~same])
    pairs = pd.DataFrame({"source_id": lo, "target_id": hi})
    pairs = pairs[pairs["source_id"].isin(opaque) & pairs["target_id"].isin(opaque)]
    between = pairs.value_counts(sort=False).rename("weight").reset_index()
    if len(between) > EDGE_LIMIT:
        before = len(between)
        between = thin_ties(between, TIES_KEPT_PER_PERSON, directed=False)
        notes.append(
            f"Showing each group's {TIES_KEPT_PER_PERSON} strongest links ({len(between):,} of {before:,})."
        )
    widths = _widths(between["weight"].astype(float), *GROUP_EDGE_WIDTH)
    edges = [
        MapEdge(opaque[x], opaque[y], float(w), f"{x} – {y}: {fmt(n)} ties")
        for x, y, n, w in zip(
            between["source_id"], between["target_id"], between["weight"], widths, strict=True
        )
    ]
    physics = len(groups) <= PHYSICS_LIMIT
    xy = {} if physics else _xy(_layout(groups, between), groups)
    nodes = []
    for i, g in enumerate(groups):
        title = "\n".join(
            [
                f"{pretty(attribute)}: {g}",
                f"People: {fmt(visible.at[i, 'people'])}",
                f"Ties inside the group: {fmt(visible.at[i, 'internal'])}",
                f"Ties with other groups: {fmt(visible.at[i, 'external'])}",
            ]
        )
        x, y = xy.get(g, (None, None))
        cat = str(categories.iloc[i])
        nodes.append(
            MapNode(opaque[g], g, title, cat, colour_of.get(cat, OTHER_COLOUR), float(radius[i]), x, y)
        )
    return NetworkMap(
        kind="groups",
        nodes=nodes,
        edges=edges,
        legend=legend,
        directed=False,
        colour_by=attribute,
        size_by="people",
        physics=physics,
        notes=notes,
    )


#: How many groups an attribute should have to colour the person map by default: fewer tell
#: little, more run out of distinguishable colours (the palette has 12; the rest turn grey "Other").
COLOUR_GROUPS = (3, 12)


def default_colour_attribute(ds: Dataset) -> str:
    """The attribute the person map is coloured by when nobody has chosen one.

    ``department`` when the people sheet has one; otherwise the first grouping attribute
    (:attr:`Dataset.attributes` order) with between 3 and 12 groups, so every group gets a colour of
    its own; otherwise the first attribute ("" when there is none). Team is offered, never the
    default: an organisation of 30 teams would leave most people in the grey "Other".
    """
    attrs = ds.attributes
    if "department" in attrs:
        return "department"
    lo, hi = COLOUR_GROUPS
    for attr in attrs:
        if lo <= category_text(ds.people[attr].dropna()).nunique() <= hi:
            return attr
    return attrs[0] if attrs else ""


def pretty(column: str) -> str:
    """A column name as a label: ``in_degree`` → ``In degree``."""
    return str(column).replace("_", " ").capitalize()


def _fmt_value(v: object) -> str:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return fmt(v)
    return _category_label(v)  # (a one-value Series per tooltip line cost 1.5 s for 1,000 people)


def map_summary(m: NetworkMap) -> str:
    """One plain sentence about what the map shows (for a caption next to the iframe)."""
    what = "people" if m.kind == "people" else "groups"
    links = "ties" if m.kind == "people" else "links between groups"
    return f"{len(m.nodes):,} {what}, {len(m.edges):,} {links}." + "".join(" " + n for n in m.notes)
