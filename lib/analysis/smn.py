"""Subject-matter networks and who to ask: "from single experts to subject-matter networks" (Jarche).

For each skill: who holds it (:func:`lib.analysis.skills.holders`), whether the holders are tied to each
other, who seeks them, and how many of the people short of the skill are within two steps of a
holder. Then, for a person and a gap skill, which holders to ask, spreading the load.

The network: advice and collaboration ties together, **direction ignored**, weights ignored, one
edge per pair (a person is "one step" from anyone they ask, are asked by, or work with). Ties of
the tie wave of the skills wave (:func:`lib.core.waves.tie_wave`: that wave when ties carry it,
else the ties' latest wave at or before it) plus undated ties (wave ``""``). The graph comes from :func:`lib.analysis.network.build_graph`, so the Network page and
this one read the same ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from lib.analysis import skills
from lib.analysis.netmap import (
    NODE_SIZE,
    PHYSICS_LIMIT,
    LegendEntry,
    MapEdge,
    MapNode,
    NetworkMap,
    node_sizes,
)
from lib.analysis.network import build_graph
from lib.analysis.response import tie_ends
from lib.analysis.skills import (
    DEFAULT_HOLDER_LEVEL,
    TEACH_LEVEL,
    all_skills,
    column_text,
    current_levels,
    name_key,
    name_keys,
    person_gaps,
    resolve_wave,
)
from lib.core import waves
from lib.core.dataset import Dataset
from lib.core.privacy import person_labels, suppress_small_groups
from lib.core.textsets import positions

__all__ = [
    "NETWORK_RELATIONS",
    "VERDICTS",
    "SkillNetwork",
    "SkillsGraph",
    "analysis_json",
    "introductions",
    "shareable_networks",
    "skill_map",
    "skill_network",
    "skills_graph",
    "subject_matter_networks",
    "tie_wave",
    "who_to_ask",
]

NETWORK_RELATIONS = ("advice", "collaboration")
DEFAULT_CAP = 3

#: How a skill's holders are organised, in the order the rules are tried.
VERDICTS: tuple[tuple[str, str], ...] = (
    ("no holder", "nobody holds the skill at the holder level"),
    ("single expert", "one holder: a single point of failure"),
    ("isolated experts", "several holders, none tied to another holder"),
    ("network", "every holder is in one connected group: a subject-matter network"),
    ("partly connected", "some holders are tied to each other, in more than one group or with isolates"),
)


@dataclass(frozen=True)
class SkillsGraph:
    """The advice + collaboration network used for distances, in people-sheet order."""

    ids: list[str]
    index: dict[str, int]
    graph: ig.Graph  # undirected, simple
    adjacency: sp.csr_matrix  # binary, symmetric, no self-loops
    advice_pairs: pd.DataFrame  # source, target (vertex indices), distinct directed advice ties
    load: np.ndarray  # advice in-degree: distinct people who go to each person for advice
    topic_ties: pd.DataFrame  # source, target (vertex indices), key (topic matching key), any relation


def tie_wave(ds: Dataset, wave: str | None) -> str | None:
    """The ties wave used with skills wave ``wave``: :func:`lib.core.waves.tie_wave` of the
    resolved skills wave (see the module docstring)."""
    return waves.tie_wave(ds, resolve_wave(ds, wave))


def _first_index(ds: Dataset) -> tuple[list[str], dict[str, int]]:
    """Vertex ids in people-sheet order (an id listed twice is one vertex, as in lib.analysis.network)."""
    ids = list(dict.fromkeys(ds.people["person_id"].astype(str).tolist())) if len(ds.people) else []
    return ids, {p: i for i, p in enumerate(ids)}


def _team_of(ds: Dataset) -> dict[str, str]:
    ids = ds.people["person_id"].astype(str).tolist()
    teams = column_text(ds.people, "team")
    out: dict[str, str] = {}
    for pid, team in zip(ids, teams, strict=True):
        out.setdefault(pid, str(team))
    return out


def _ties(ds: Dataset, wave: str | None) -> pd.DataFrame:
    """source, target (vertex indices), relation, topic key: ties of the wave, known people, no loops."""
    t = ds.ties
    if not len(t):
        return pd.DataFrame(
            {
                "source": pd.Series(dtype=int),
                "target": pd.Series(dtype=int),
                "relation": pd.Series(dtype=str),
                "key": pd.Series(dtype=str),
            }
        )
    chosen = tie_wave(ds, wave)
    # the rows waves.select keeps, and their ends' roster positions as the network functions
    # found them once per dataset (tie_ends: the same ids, in the same order; −1 off the roster)
    rows = (
        np.flatnonzero(waves.selected(t, chosen))
        if waves.label(chosen) and "wave" in t
        else np.arange(len(t))
    )
    _, all_sources, all_targets = tie_ends(ds)
    source, target = all_sources[rows].astype(np.int64), all_targets[rows].astype(np.int64)
    t = t.iloc[rows] if len(rows) < len(t) else t
    topic = t["topic"] if "topic" in t else pd.Series("", index=t.index)
    frame = pd.DataFrame(
        {
            "source": source,
            "target": target,
            "relation": t["relation"].fillna("").astype(str).to_numpy(),
            "key": topic.pipe(name_keys).to_numpy(),
        }
    )
    kept: pd.DataFrame = frame[(source >= 0) & (target >= 0) & (source != target)].reset_index(drop=True)
    return kept


def skills_graph(ds: Dataset, wave: str | None = None) -> SkillsGraph:
    """The undirected advice + collaboration network (see the module docstring).

    Built with :func:`lib.analysis.network.build_graph` (relations advice and collaboration, the ties wave
    of :func:`tie_wave`) and simplified: direction and weights ignored, one edge per pair.
    """
    graph = build_graph(ds, NETWORK_RELATIONS, tie_wave(ds, wave))
    simple = graph.simple()
    ids = graph.ids
    n = len(ids)
    # the connected pairs (simple's edges) from the arcs as numbers, not read back from igraph
    # (get_edgelist, a Python tuple per edge: 70 ms at 10,000 people); arcs have no self-loops
    s, t = graph.edges()
    pairs = np.unique(np.minimum(s, t) * n + np.maximum(s, t))
    upper = sp.coo_matrix((np.ones(len(pairs)), (pairs // n, pairs % n)), shape=(n, n))
    adjacency = (upper + upper.T).tocsr()
    ties = _ties(ds, wave)
    advice = ties.loc[ties["relation"] == "advice", ["source", "target"]].drop_duplicates()
    load = np.bincount(advice["target"].to_numpy(dtype=int), minlength=n).astype(int)
    topic = ties.loc[ties["key"] != "", ["source", "target", "key"]].reset_index(drop=True)
    return SkillsGraph(
        ids, {p: i for i, p in enumerate(ids)}, simple, adjacency, advice.reset_index(drop=True), load, topic
    )


def _holder_matrix(
    ds: Dataset, skills: list[str], index: dict[str, int], wave: str | None, holder_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean people × skills: holders, and people with a gap (status "gap")."""
    col = {name_key(s): j for j, s in enumerate(skills)}
    levels = current_levels(ds, wave)
    levels = levels[levels["level"] >= holder_level]
    gaps = person_gaps(ds, wave)
    gaps = gaps[gaps["status"] == "gap"]
    ids = list(index)
    shape = (len(ids), len(skills))
    hold = _marks(shape, col, positions(levels["person_id"], ids), levels["skill"], every_person=True)
    gap = _marks(shape, col, positions(gaps["person_id"], ids), gaps["skill"], every_person=False)
    return hold, gap


def _marks(
    shape: tuple[int, int], col: dict[str, int], rows: np.ndarray, skill: pd.Series, every_person: bool
) -> np.ndarray:
    """Boolean people × skills of ``shape``, True at (row, the column of the skill's
    :func:`name_key`) for each pair. A row of −1 (not on the roster) raises a KeyError when
    ``every_person``, else is skipped; an unknown skill raises a KeyError. Each distinct name is
    keyed once, not once per row."""
    out = np.zeros(shape, dtype=bool)
    known = rows >= 0
    if every_person and not known.all():
        raise KeyError("a person who is not on the roster")
    codes, names = pd.factorize(skill, use_na_sentinel=False)  # in pyarrow, without a text per row
    keyed = np.array([col.get(name_key(v), -1) for v in names], dtype=np.int64)
    column = keyed[codes[known]]
    if (column < 0).any():  # a skill outside the columns, on a row that counts
        raise KeyError(name_key(names[codes[known][np.argmax(column < 0)]]))
    out[rows[known], column] = True
    return out


def _within_two(adjacency: sp.csr_matrix, hold: np.ndarray) -> np.ndarray:
    """people × skills: within two steps of a holder *other than themselves*.

    With binary symmetric A (no self-loops) and holder indicator h: (A h)_i counts holders one
    step away; (A² h)_i counts two-step walks to holders, including the deg(i) walks i→k→i back
    to i when i is a holder, so deg(i)·h_i is subtracted.
    """
    h = hold.astype(float)
    one = adjacency @ h
    two = adjacency @ one
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    two = two - degree[:, None] * h
    near: np.ndarray = (np.asarray(one) > 0) | (np.asarray(two) > 0.5)
    return near


def subject_matter_networks(
    ds: Dataset, wave: str | None = None, holder_level: float = DEFAULT_HOLDER_LEVEL
) -> pd.DataFrame:
    """Per skill: are its holders a network, who seeks them, and who can reach them.

    Columns: skill; ``holders`` (level ≥ holder_level); ``holder_groups`` (connected groups the
    holders form among themselves, an isolated holder counting as one); ``isolated_holders``
    (tied to no other holder); ``connected_share`` = holders tied to another holder / holders;
    ``advice_seekers`` (distinct people with an advice tie to a holder: source asks target);
    ``topic_ties`` (ties of any relation whose topic is this skill) and ``topic_seekers``
    (distinct sources of such ties to a holder); ``seekers`` (advice or topic, distinct);
    ``redundancy`` = share of seekers who go to two or more different holders (they still have an
    expert if one leaves; NaN without seekers); ``people_with_gap`` (status "gap");
    ``reach_within_2`` = share of them within two steps of a holder other than themselves in the
    undirected advice + collaboration network (NaN when nobody has a gap); ``verdict``
    (:data:`VERDICTS`). Sorted by skill.
    """
    skills = all_skills(ds)
    g = skills_graph(ds, wave)
    hold, gap = _holder_matrix(ds, skills, g.index, wave, holder_level)
    near = _within_two(g.adjacency, hold)
    adv_s = g.advice_pairs["source"].to_numpy(dtype=np.int64)
    adv_t = g.advice_pairs["target"].to_numpy(dtype=np.int64)
    # a (seeker, holder) pair as one number, seeker · people + holder: the distinct pairs, their
    # seekers and each seeker's holders counted in numpy rather than as sets of Python tuples
    people = np.int64(max(len(g.index), 1))
    # the distinct advice pairs once, sorted (a pair's key gives its ends): a skill's pairs are
    # then a sorted selection of them, not a sort of its own
    adv_key, first = np.unique(adv_s * people + adv_t, return_index=True)
    adv_s, adv_t = adv_s[first], adv_t[first]
    asks_another = adv_s != adv_t
    # the topic ties grouped by topic once (stable: each group in table order), not one
    # comparison of every tie's topic text per skill
    topic_code, topics = pd.factorize(g.topic_ties["key"].to_numpy(dtype=object))
    by_topic = np.argsort(topic_code, kind="stable")
    topic_bounds = np.searchsorted(topic_code[by_topic], np.arange(len(topics) + 1))
    topic_at = {key: i for i, key in enumerate(topics)}
    topic_s = g.topic_ties["source"].to_numpy(dtype=np.int64)[by_topic]
    topic_t = g.topic_ties["target"].to_numpy(dtype=np.int64)[by_topic]
    rows = []
    for j, skill in enumerate(skills):
        members = np.flatnonzero(hold[:, j])
        n_hold = len(members)
        if n_hold:
            sub = g.graph.induced_subgraph(members.tolist())
            groups = len(sub.connected_components())
            isolated = int(sum(1 for d in sub.degree() if d == 0))
        else:
            groups, isolated = 0, 0
        advice_pairs = adv_key[hold[adv_t, j] & asks_another]  # distinct and sorted
        at = topic_at.get(name_key(skill))
        on_topic = slice(topic_bounds[at], topic_bounds[at + 1]) if at is not None else slice(0, 0)
        t_s, t_t = topic_s[on_topic], topic_t[on_topic]
        topic_pairs = np.unique((t_s * people + t_t)[hold[t_t, j]])
        per_seeker = np.unique(np.union1d(advice_pairs, topic_pairs) // people, return_counts=True)[1]
        with_gap = int(gap[:, j].sum())
        rows.append(
            {
                "skill": skill,
                "holders": n_hold,
                "holder_groups": groups,
                "isolated_holders": isolated,
                "connected_share": (n_hold - isolated) / n_hold if n_hold else float("nan"),
                "advice_seekers": len(np.unique(advice_pairs // people)),
                "topic_ties": len(t_s),
                "topic_seekers": len(np.unique(topic_pairs // people)),
                "seekers": len(per_seeker),
                "redundancy": float((per_seeker >= 2).mean()) if len(per_seeker) else float("nan"),
                "people_with_gap": with_gap,
                "reach_within_2": float(near[gap[:, j], j].mean()) if with_gap else float("nan"),
                "verdict": _verdict(n_hold, groups, isolated),
            }
        )
    cols = [
        "skill",
        "holders",
        "holder_groups",
        "isolated_holders",
        "connected_share",
        "advice_seekers",
        "topic_ties",
        "topic_seekers",
        "seekers",
        "redundancy",
        "people_with_gap",
        "reach_within_2",
        "verdict",
    ]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=str if c in ("skill", "verdict") else float) for c in cols})
    return pd.DataFrame(rows, columns=cols)


def shareable_networks(
    ds: Dataset, wave: str | None = None, holder_level: float = DEFAULT_HOLDER_LEVEL, min_size: int = 5
) -> pd.DataFrame:
    """:func:`subject_matter_networks` safe for any viewer: shares over small groups blanked.

    ``reach_within_2`` is blanked when fewer than ``min_size`` people have a gap in the skill, and
    ``redundancy`` when fewer than ``min_size`` people seek its holders
    (:func:`lib.core.privacy.suppress_small_groups`). Counts stay: they describe the whole organisation.
    """
    net = subject_matter_networks(ds, wave, holder_level)
    flags = ["suppressed", "suppressed_reason"]
    net = suppress_small_groups(net, "people_with_gap", min_size, value_cols=["reach_within_2"]).drop(
        columns=flags
    )
    return suppress_small_groups(net, "seekers", min_size, value_cols=["redundancy"]).drop(columns=flags)


def _verdict(holders: int, groups: int, isolated: int) -> str:
    if holders == 0:
        return VERDICTS[0][0]
    if holders == 1:
        return VERDICTS[1][0]
    if isolated == holders:
        return VERDICTS[2][0]
    if groups == 1:
        return VERDICTS[3][0]
    return VERDICTS[4][0]


@dataclass(frozen=True)
class SkillNetwork:
    """One skill's subject-matter network, ready for a map (person-level: named view only)."""

    skill: str
    nodes: pd.DataFrame  # person_id, team, level (NaN = no rating), kind: holder / seeker / gap
    edges: pd.DataFrame  # source_id, target_id, relation (advice, collaboration, or "topic")


def skill_network(
    ds: Dataset, skill: str, wave: str | None = None, holder_level: float = DEFAULT_HOLDER_LEVEL
) -> SkillNetwork:
    """The holders of ``skill``, the people who seek them, and the people with a gap in it.

    ``kind``: ``holder`` (level ≥ holder_level), ``seeker`` (an advice tie, or a tie on this
    topic, to a holder), ``gap`` (short of the skill and seeking no holder). Edges: advice and
    collaboration ties among these people, plus ties on this topic (relation ``"topic"``).
    """
    g = skills_graph(ds, wave)
    rated = current_levels(ds, wave)
    rated = rated[rated["skill"].pipe(name_keys) == name_key(skill)]
    levels = dict(zip(rated["person_id"], rated["level"].astype(float).tolist(), strict=True))
    holder_ids = {p for p, lv in levels.items() if lv >= holder_level}
    hold_idx = {g.index[p] for p in holder_ids}
    ties = _ties(ds, wave)
    to_holder = ties["target"].isin(list(hold_idx)) & (
        (ties["relation"] == "advice") | (ties["key"] == name_key(skill))
    )
    seekers = {g.ids[s] for s in ties.loc[to_holder, "source"]} - holder_ids
    gaps = person_gaps(ds, wave)
    gap_ids = set(
        gaps.loc[(gaps["status"] == "gap") & (gaps["skill"].pipe(name_keys) == name_key(skill)), "person_id"]
    )
    gap_ids -= holder_ids | seekers
    kind = {
        **dict.fromkeys(gap_ids, "gap"),
        **dict.fromkeys(seekers, "seeker"),
        **dict.fromkeys(holder_ids, "holder"),
    }
    team_of = _team_of(ds)
    order = [p for p in g.ids if p in kind]
    nodes = pd.DataFrame(
        {
            "person_id": order,
            "team": [team_of[p] for p in order],
            "level": [levels.get(p, float("nan")) for p in order],
            "kind": [kind[p] for p in order],
        }
    )
    members = {g.index[p] for p in order}
    keep = ties["source"].isin(list(members)) & ties["target"].isin(list(members))
    keep &= ties["relation"].isin(NETWORK_RELATIONS) | (ties["key"] == name_key(skill))
    sel = ties[keep]
    relation = np.where(sel["relation"].isin(NETWORK_RELATIONS), sel["relation"], "topic")
    edges = (
        pd.DataFrame(
            {
                "source_id": [g.ids[i] for i in sel["source"]],
                "target_id": [g.ids[i] for i in sel["target"]],
                "relation": relation.astype(str),
            }
        )
        .drop_duplicates()
        .reset_index(drop=True)
    )
    return SkillNetwork(skill, nodes, edges)


#: The most people one skill map draws: holders first, then seekers, then people with a gap.
SKILL_MAP_LIMIT = 800

KIND_COLOURS: dict[str, tuple[str, str]] = {
    "holder": ("#009E73", "holds the skill"),
    "seeker": ("#0072B2", "goes to a holder"),
    "gap": ("#D55E00", "short of the skill"),
}


def skill_map(
    ds: Dataset,
    skill: str,
    wave: str | None = None,
    holder_level: float = DEFAULT_HOLDER_LEVEL,
    labels: Literal["names", "pseudonyms", "none"] = "none",
) -> NetworkMap:
    """:func:`skill_network` as a :class:`lib.analysis.netmap.NetworkMap` for :func:`lib.report.map_html.render_html`.

    Colour = kind (holder, seeker, gap), dot size = current level (no rating: middle size),
    arrows = ties (advice, collaboration, or on this topic). ``labels``: draw names, pseudonyms
    (:func:`lib.core.privacy.person_labels`) or nothing. Node ids are opaque (``p0`` …). Above
    :data:`lib.analysis.netmap.PHYSICS_LIMIT` people the positions are computed here (igraph
    Fruchterman-Reingold, seeded) and physics stays off. At most :data:`SKILL_MAP_LIMIT` people
    are drawn (holders, then seekers, then people with a gap, each in people-sheet order); the
    map's notes say so when people were left out.
    """
    sn = skill_network(ds, skill, wave, holder_level)
    notes: list[str] = []
    if len(sn.nodes) > SKILL_MAP_LIMIT:
        rank = sn.nodes["kind"].map({k: i for i, k in enumerate(KIND_COLOURS)})
        keep = sn.nodes.assign(_rank=rank).sort_values("_rank", kind="stable").head(SKILL_MAP_LIMIT)
        kept = set(keep["person_id"])
        notes.append(
            f"Showing {SKILL_MAP_LIMIT:,} of {len(sn.nodes):,} people (holders first, then seekers, "
            "then people with a gap) so the map stays readable."
        )
        kept_edges = sn.edges[sn.edges["source_id"].isin(kept) & sn.edges["target_id"].isin(kept)]
        sn = SkillNetwork(
            sn.skill,
            sn.nodes[sn.nodes["person_id"].isin(kept)].reset_index(drop=True),
            kept_edges.reset_index(drop=True),
        )
    names = None if labels == "none" else person_labels(ds, pseudonyms=labels == "pseudonyms")
    ids = sn.nodes["person_id"].tolist()
    opaque = {p: f"p{i}" for i, p in enumerate(ids)}
    index = pd.Index(ids)
    sizes = node_sizes(pd.Series(sn.nodes["level"].to_numpy(), index=index), index, *NODE_SIZE)
    xy: dict[str, tuple[float | None, float | None]] = {}
    physics = len(ids) <= PHYSICS_LIMIT
    if not physics:
        pos = {p: i for i, p in enumerate(ids)}
        pairs = [(pos[a], pos[b]) for a, b in zip(sn.edges["source_id"], sn.edges["target_id"], strict=True)]
        start = np.random.default_rng(7).random((len(ids), 2)).tolist()
        coords = np.asarray(
            ig.Graph(n=len(ids), edges=pairs).layout_fruchterman_reingold(seed=start, niter=200).coords
        )
        span = float(np.ptp(coords, axis=0).max()) or 1.0
        coords = (coords - coords.min(axis=0)) / span * 40 * np.sqrt(len(ids))
        xy = {p: (float(x), float(y)) for p, (x, y) in zip(ids, coords.tolist(), strict=True)}
    nodes = []
    node_ids = sn.nodes["person_id"].astype(str).tolist()
    kinds = sn.nodes["kind"].astype(str).tolist()
    teams = sn.nodes["team"].astype(str).tolist()
    node_levels = sn.nodes["level"].astype(float).tolist()
    for pid, kind, team, lv in zip(node_ids, kinds, teams, node_levels, strict=True):
        label = "" if names is None else names.get(pid, "")
        level = "no rating" if np.isnan(lv) else f"level {lv:.3g}"
        lines = [
            *([label] if label else []),
            f"{KIND_COLOURS[kind][1].capitalize()} ({level})",
            f"Team: {team}",
        ]
        x, y = xy.get(pid, (None, None))
        colour = KIND_COLOURS[kind][0]
        nodes.append(MapNode(opaque[pid], label, "\n".join(lines), kind, colour, float(sizes[pid]), x, y))
    edges = [
        MapEdge(opaque[s], opaque[t], 1.0, rel)
        for s, t, rel in zip(sn.edges["source_id"], sn.edges["target_id"], sn.edges["relation"], strict=True)
    ]
    counts = sn.nodes["kind"].value_counts()
    legend = [
        LegendEntry(f"{k}: {meaning}", colour, int(counts.get(k, 0)))
        for k, (colour, meaning) in KIND_COLOURS.items()
        if counts.get(k, 0)
    ]
    return NetworkMap(
        kind="people",
        nodes=nodes,
        edges=edges,
        legend=legend,
        directed=True,
        colour_by="kind",
        size_by="level",
        physics=physics,
        notes=notes,
    )


# --- who to ask ------------------------------------------------------------------------------

ASK_COLUMNS = ["rank", "person_id", "team", "level", "can_teach", "distance", "load"]


def _rank_key(
    distance: float, level: float, load: float, person_id: str
) -> tuple[float, int, float, float, str]:
    """Ranking rule: nearer first; then people who can teach (level ≥ TEACH_LEVEL); then less
    loaded; then higher level; then person_id (for a stable order). Unreachable people come last."""
    return (distance, 0 if level >= TEACH_LEVEL else 1, load, -level, person_id)


def _candidates(levels: pd.DataFrame, skill: str, holder_level: float) -> pd.DataFrame:
    """Holders of ``skill`` in a :func:`lib.analysis.skills.current_levels` table: person_id, level."""
    rows = levels[(levels["skill"].pipe(name_keys) == name_key(skill)) & (levels["level"] >= holder_level)]
    return rows[["person_id", "level"]].reset_index(drop=True)


def who_to_ask(
    ds: Dataset,
    person_id: str,
    skill: str,
    wave: str | None = None,
    holder_level: float = DEFAULT_HOLDER_LEVEL,
    limit: int | None = 10,
) -> pd.DataFrame:
    """Colleagues who hold ``skill``, ranked for ``person_id`` to ask (person-level: named view only).

    ``distance``: steps in the undirected advice + collaboration network (NaN = not connected).
    ``load``: advice in-degree, the number of people who already go to them for advice.
    ``can_teach``: level ≥ :data:`lib.analysis.skills.TEACH_LEVEL`. Rank: nearer first; then those who can
    teach; then the less loaded, so the same expert is not sent everyone; then higher level; then
    person_id. Unreachable holders come last. The person themselves is never listed.
    Columns: rank, person_id, team, level, can_teach, distance, load.
    """
    g = skills_graph(ds, wave)
    cands = _candidates(current_levels(ds, wave), skill, holder_level)
    pid = str(person_id)
    cands = cands[cands["person_id"] != pid]
    if pid not in g.index or not len(cands):
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in ("level", "distance") else str) for c in ASK_COLUMNS}
        )
    targets = [g.index[p] for p in cands["person_id"]]
    dist = np.asarray(g.graph.distances(source=[g.index[pid]], target=targets)[0], dtype=float)
    team_of = _team_of(ds)
    table = pd.DataFrame(
        {
            "person_id": cands["person_id"].to_numpy(),
            "team": [team_of[p] for p in cands["person_id"]],
            "level": cands["level"].to_numpy(dtype=float),
            "can_teach": cands["level"].to_numpy(dtype=float) >= TEACH_LEVEL,
            "distance": dist,
            "load": g.load[targets].astype(int),
        }
    )
    keys = [
        _rank_key(d, lv, ld, p)
        for d, lv, ld, p in zip(
            dist.tolist(),
            table["level"].tolist(),
            table["load"].tolist(),
            table["person_id"].tolist(),
            strict=True,
        )
    ]
    table = table.iloc[sorted(range(len(table)), key=keys.__getitem__)].reset_index(drop=True)
    table["distance"] = table["distance"].where(np.isfinite(table["distance"]))
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table if limit is None else table.head(limit)


INTRO_COLUMNS = [
    "person_id",
    "team",
    "skill",
    "gap",
    "ask_id",
    "ask_team",
    "ask_level",
    "distance",
    "ask_load",
    "note",
]


def introductions(
    ds: Dataset,
    team: str | None = None,
    wave: str | None = None,
    holder_level: float = DEFAULT_HOLDER_LEVEL,
    cap: int = DEFAULT_CAP,
) -> pd.DataFrame:
    """An introductions list: for each gap of each person in ``team`` (None = everyone), one holder.

    Greedy assignment that spreads the load: gaps are handled biggest first (then people-sheet
    order, then skill); each takes the best holder by the :func:`who_to_ask` rule, where a holder's
    load is their advice in-degree *plus the introductions already given to them in this list*, and
    no holder receives more than ``cap`` introductions. ``ask_id`` is blank, with a note, when
    nobody holds the skill or every holder has reached the cap. Person-level: named view only.
    """
    if cap < 1:
        raise ValueError("cap must be at least 1")
    gaps = person_gaps(ds, wave)
    gaps = gaps[gaps["status"] == "gap"]
    if team is not None:
        gaps = gaps[gaps["team"] == team]
    if not len(gaps):
        return pd.DataFrame(
            {
                c: pd.Series(dtype=float if c in ("gap", "ask_level", "distance") else str)
                for c in INTRO_COLUMNS
            }
        )
    g = skills_graph(ds, wave)
    team_of = _team_of(ds)
    order = g.index
    gaps = gaps.assign(_order=gaps["person_id"].map(order))
    gaps = gaps.sort_values(["gap", "_order", "skill"], ascending=[False, True, True], kind="stable")
    levels = current_levels(ds, wave)
    candidates: dict[str, list[tuple[str, float]]] = {}
    distances: dict[str, np.ndarray] = {}
    given: dict[str, int] = {}
    rows = []
    columns = [gaps[c].astype(str).tolist() for c in ("person_id", "team", "skill")]
    for pid, team_name, skill, gap in zip(*columns, gaps["gap"].astype(float).tolist(), strict=True):
        key = name_key(skill)
        if key not in candidates:
            table = _candidates(levels, skill, holder_level)
            candidates[key] = list(
                zip(table["person_id"].astype(str), table["level"].astype(float), strict=True)
            )
        others = [(c, lv) for c, lv in candidates[key] if c != pid]
        row: dict[str, object] = dict.fromkeys(INTRO_COLUMNS, "")
        row.update(
            person_id=pid,
            team=team_name,
            skill=skill,
            gap=gap,
            ask_level=np.nan,
            distance=np.nan,
            ask_load=np.nan,
        )
        open_ = [(c, lv) for c, lv in others if given.get(c, 0) < cap]
        if not others:
            row["note"] = f"nobody else holds this skill at level {holder_level:g} or above"
        elif not open_:
            row["note"] = f"every holder already has {cap} introductions in this list"
        else:
            if pid not in distances:
                distances[pid] = np.asarray(g.graph.distances(source=[g.index[pid]])[0], dtype=float)
            dist = distances[pid]

            def rank(c: tuple[str, float], dist: np.ndarray = dist) -> tuple[float, int, float, float, str]:
                v = g.index[c[0]]
                return _rank_key(float(dist[v]), c[1], float(g.load[v] + given.get(c[0], 0)), c[0])

            ask, ask_level = min(open_, key=rank)
            d = float(dist[g.index[ask]])
            row.update(
                ask_id=ask,
                ask_team=team_of[ask],
                ask_level=ask_level,
                distance=d if np.isfinite(d) else np.nan,
                ask_load=float(g.load[g.index[ask]] + given.get(ask, 0)),
                note="" if np.isfinite(d) else "not connected in the advice/collaboration network",
            )
            given[ask] = given.get(ask, 0) + 1
        rows.append(row)
    return pd.DataFrame(rows, columns=INTRO_COLUMNS).reset_index(drop=True)


def analysis_json(ds: Dataset) -> dict[str, dict[str, object]]:
    """``skills`` section of ``lib.cli analyze`` (here, not in :mod:`lib.analysis.skills`, because it
    joins the gaps with the subject-matter networks): per skill holders, mean_gap, people_with_gap, reach_within_2.

    Latest wave, holder level :data:`DEFAULT_HOLDER_LEVEL`; definitions as in :func:`lib.analysis.skills.gap_table`
    and :func:`subject_matter_networks`. Unknown values are ``null``.
    """
    net = subject_matter_networks(ds)
    gaps = skills.gap_table(ds, by=("skill",))
    holders_of = dict(zip(net["skill"], net["holders"].astype(int).tolist(), strict=True))
    reach = dict(zip(net["skill"], net["reach_within_2"].astype(float).tolist(), strict=True))
    mean_gap = dict(zip(gaps["skill"], gaps["mean_gap"].astype(float).tolist(), strict=True))
    with_gap = dict(zip(gaps["skill"], gaps["with_gap"].astype(int).tolist(), strict=True))
    out: dict[str, dict[str, object]] = {}
    for skill in skills.all_skills(ds):
        out[skill] = {
            "holders": holders_of.get(skill, 0),
            "mean_gap": skills.json_number(mean_gap.get(skill)),
            "people_with_gap": with_gap.get(skill, 0),
            "reach_within_2": skills.json_number(reach.get(skill)),
        }
    return out
