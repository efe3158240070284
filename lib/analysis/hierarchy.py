"""The hierarchy in the advice network: which way advice goes between levels and along reporting lines.

Levels and reporting lines (``level``, ``manager_id`` in the people sheet) classify every advice
tie (:func:`classify_ties`); from that come the shares of advice going up, across and down
(:func:`advice_flow`, :func:`flow_by_level`), reciprocity across levels
(:func:`cross_level_reciprocity`), the ties that bypass the hierarchy (:func:`hierarchy_bypass`),
seniority against being sought for advice (:func:`seniority_advice_correlation`,
:func:`hidden_leaders`) and Krackhardt's hierarchy (:func:`krackhardt_hierarchy`). The wirearchy
index that combines these with the trust survey is :mod:`lib.analysis.wirearchy`.

Rules, stated once here and read by every function below and by the index:

* **Advice ties**: rows of ``ties`` with relation ``advice`` (``source`` asks ``target``), between
  two people on the roster, self-ties dropped, each ordered pair counted once whatever its weight
  or number of waves.
* **Levels**: level 1 = most senior. A tie goes **up** when the source is more junior than the
  target (``source.level > target.level``: asking someone more senior), **across** at equal
  levels, **down** when a senior asks someone more junior. Ties with a missing level on either
  end are *unclassified* and left out of the shares.
* **Reporting chains** (from ``manager_id``): a tie to one of the source's managers, their
  manager and so on is **up the chain**; to someone who reports to the source, directly or
  indirectly, **down the chain**; anything else is **off the chain**. Without any ``manager_id``
  the chain view is missing.
* **Seniority** = −level, so a positive correlation means seniors are sought more.
* **Wave** (as in :mod:`lib.analysis.network`, :func:`lib.core.waves.tie_rows`): ``wave=None``
  takes every tie row; a wave label keeps the rows of its tie wave plus rows with a blank wave
  (which belong to every wave). The index resolves ``None`` or ``""`` to the latest wave
  (:func:`lib.analysis.wirearchy.resolve_wave`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
import pyarrow as pa

from lib.analysis import network
from lib.analysis.response import remember_for_tables, respondent_dataset, tie_ends, tie_positions
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.schema import ADVICE
from lib.core.stats import average_ranks, spearman
from lib.core.textsets import is_in, positions

__all__ = [
    "HIDDEN_LEADER_JUNIOR_SHARE",
    "HIDDEN_LEADER_TOP_SHARE",
    "TIE_COLUMNS",
    "TRUST",
    "AdviceFlow",
    "Correlation",
    "HiddenLeaders",
    "Hierarchy",
    "Reciprocity",
    "advice_by_level",
    "advice_flow",
    "advice_hierarchy",
    "advice_in_degree",
    "ancestor_pairs",
    "bypass_share",
    "classify_ties",
    "cross_level_reciprocity",
    "flow_by_level",
    "flow_of",
    "has_levels",
    "hidden_leaders",
    "hierarchy_bypass",
    "id_text",
    "krackhardt_arrays",
    "krackhardt_hierarchy",
    "person_levels",
    "reciprocity_of",
    "relation_codes",
    "relation_ties",
    "reporting_lines",
    "seniority_advice_correlation",
    "seniority_correlation",
    "share_of",
    "trust_reciprocity",
]

TRUST = "trust"
#: Hidden leaders: advice in-degree in the top 10% and level in the most junior 40%.
HIDDEN_LEADER_TOP_SHARE = 0.10
HIDDEN_LEADER_JUNIOR_SHARE = 0.40
#: Seed of the node-label permutation test of :func:`seniority_advice_correlation`.
PERMUTATION_SEED = 20_261_206
#: Draws of the node-label permutation test of :func:`seniority_correlation`.
PERMUTATIONS = 999
#: Up to this many people the permutation test is :func:`scipy.stats.permutation_test`; above it the
#: same test with O(n) shuffles (:func:`_shuffled_p`: scipy's argsort per draw took seconds at 10,000).
PERMUTATION_SCIPY_LIMIT = 2_000

TIE_COLUMNS = [
    "source_id",
    "target_id",
    "source_level",
    "target_level",
    "level_direction",
    "chain_direction",
    "same_team",
    "bypass",
    "returned",
]


# --- ties, levels and reporting lines -------------------------------------------------------


def id_text(series: pd.Series) -> pd.Series:
    """Ids and labels as plain text: missing → "", surrounding spaces dropped."""
    return series.astype("string").fillna("").str.strip().astype(str)


def _in_sorted(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in the sorted array ``keys``: :func:`numpy.isin` by binary
    search (numpy hashes both arrays on every call; a table sorted once is searched many times)."""
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(keys, values).clip(max=len(keys) - 1)
    return np.asarray(keys[at] == values, dtype=bool)


def relation_ties(ds: Dataset, relation: str = ADVICE, wave: str | None = None) -> pd.DataFrame:
    """Distinct ordered pairs (source_id, target_id) of one relation between roster people, no self-ties.

    ``wave=None``: every row; a label keeps its tie wave's rows and rows with a blank wave
    (:func:`lib.core.waves.tie_rows`).
    """
    coded = relation_codes(ds, relation, wave)
    if coded is not None:
        ids, source, target = coded
        return pd.DataFrame({"source_id": _texts(ids, source), "target_id": _texts(ids, target)})
    return _relation_ties_text(ds, relation, wave)


def _relation_rows(ds: Dataset, relation: str, wave: str | None) -> np.ndarray:
    """Positions in ``ds.ties`` (not empty) of the rows of ``relation`` in the tie wave of ``wave``,
    in table order."""
    ties = ds.ties
    # the relation's rows first (a few relations, many rows), then its tie wave's: the same rows as
    # waves.tie_rows then the relation, without filtering every column of every relation
    codes, kinds = pd.factorize(ties["relation"], use_na_sentinel=False)
    mine = (id_text(pd.Series(kinds)).str.casefold() == relation.casefold()).to_numpy()[codes]
    chosen = waves.table_wave(ties, wave) if waves.label(wave) else None
    # the tie wave's rows as the network measures found them (tie_positions, kept per dataset)
    rows = tie_positions(ds, chosen) if chosen is not None else np.arange(len(ties))
    return rows[mine[rows]]


def _relation_ties_text(ds: Dataset, relation: str, wave: str | None) -> pd.DataFrame:
    """:func:`relation_ties` by comparing the ids' text (a roster whose ids are not all plain text)."""
    ties = ds.ties
    if len(ties) == 0:
        return pd.DataFrame({"source_id": pd.Series(dtype=str), "target_id": pd.Series(dtype=str)})
    ties = ties[["source_id", "target_id"]].iloc[_relation_rows(ds, relation, wave)]
    if len(ties) == 0:
        return pd.DataFrame({"source_id": pd.Series(dtype=str), "target_id": pd.Series(dtype=str)})
    out = pd.DataFrame({"source_id": id_text(ties["source_id"]), "target_id": id_text(ties["target_id"])})
    out = out[(out["source_id"] != "") & (out["target_id"] != "") & (out["source_id"] != out["target_id"])]
    if len(ds.people):
        roster = id_text(ds.people["person_id"])
        out = out[is_in(out["source_id"], roster) & is_in(out["target_id"], roster)]
    return out.drop_duplicates().reset_index(drop=True)


def _plain_roster(ds: Dataset) -> bool:
    """Whether every roster id is plain text: given, not blank, without surrounding spaces (as the
    loader leaves them), so that a tie end's text equals the roster id it names exactly when its
    :func:`id_text` does. Found once per dataset object and tables."""

    def check() -> bool:
        ids = ds.people["person_id"]
        if not len(ids) or bool(ids.isna().any()):
            return False
        text = ids.astype(str)
        return bool(((text.str.strip() == text) & (text != "")).all())

    return bool(remember_for_tables(ds, "hierarchy.plain_roster", check))


def relation_codes(
    ds: Dataset, relation: str = ADVICE, wave: str | None = None
) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """:func:`relation_ties` as numbers: (the roster's distinct ids, each pair's source and target as
    a position in them), the pairs in the order :func:`relation_ties` and :func:`classify_ties` give
    them; from the tie ends the network functions found once per dataset
    (:func:`lib.analysis.response.tie_ends`) instead of the text of every tie row. None when a
    roster id is not plain text (:func:`_plain_roster`): then only the text comparison gives the
    same pairs. Kept once per dataset object: read, never change."""
    if not len(ds.ties) or not _plain_roster(ds):
        return None
    key = ("hierarchy.relation_pairs", relation.casefold(), wave)
    return remember_for_tables(ds, key, lambda: _find_pairs(ds, relation, wave))


def _find_pairs(ds: Dataset, relation: str, wave: str | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    ids, src, tgt = tie_ends(ds)
    rows = _relation_rows(ds, relation, wave)
    source, target = src[rows].astype(np.int64), tgt[rows].astype(np.int64)
    off = (source < 0) | (target < 0)
    if off.any():  # an end not on the roster as written: maybe it is with its spaces dropped
        ends = ds.ties.iloc[rows[off]]
        source[off] = np.where(source[off] < 0, positions(id_text(ends["source_id"]), ids), source[off])
        target[off] = np.where(target[off] < 0, positions(id_text(ends["target_id"]), ids), target[off])
    keep = (source >= 0) & (target >= 0) & (source != target)
    source, target = source[keep], target[keep]
    # the first row of each distinct pair, in table order (what drop_duplicates keeps)
    first = np.sort(np.unique(source * np.int64(max(len(ids), 1)) + target, return_index=True)[1])
    return ids, source[first], target[first]


def _texts(ids: list[str], at: np.ndarray) -> pd.Series:
    """``ids[at[i]]`` for each i, as a text column (taken in pyarrow)."""
    texts = pa.array(ids, type=pa.large_string()).take(pa.array(at, type=pa.int64()))
    return pd.Series(pd.array(texts, dtype="str"))


def person_levels(ds: Dataset) -> pd.Series:
    """person_id → level as float (NaN when missing)."""
    if "level" not in ds.people or len(ds.people) == 0:
        return pd.Series(dtype=float)
    levels = pd.to_numeric(ds.people["level"], errors="coerce").astype(float)
    return pd.Series(levels.to_numpy(), index=id_text(ds.people["person_id"]).to_numpy())


def has_levels(ds: Dataset) -> bool:
    """Whether anyone in the people sheet has a level."""
    return bool(person_levels(ds).notna().any())


def reporting_lines(ds: Dataset) -> pd.DataFrame:
    """person_id, manager_id: one row per person with a manager (not themselves), first row kept."""
    people = ds.people
    if "manager_id" not in people or len(people) == 0:
        return pd.DataFrame({"person_id": pd.Series(dtype=str), "manager_id": pd.Series(dtype=str)})
    out = pd.DataFrame(
        {"person_id": id_text(people["person_id"]), "manager_id": id_text(people["manager_id"])}
    )
    return out[(out["manager_id"] != "") & (out["manager_id"] != out["person_id"])].drop_duplicates(
        "person_id"
    )


def ancestor_pairs(ds: Dataset) -> pd.DataFrame:
    """Every (person_id, ancestor_id, distance) in the ``manager_id`` tree: manager = 1, their manager = 2, …

    Cycles in the reporting lines (bad data) end the walk instead of looping.
    """
    managers = reporting_lines(ds)
    columns = ["person_id", "ancestor_id", "distance"]
    if len(managers) == 0:
        return pd.DataFrame(
            {
                "person_id": pd.Series(dtype=str),
                "ancestor_id": pd.Series(dtype=str),
                "distance": pd.Series(dtype=int),
            }
        )
    ids, who, anc, dist = _ancestor_codes(managers)
    names = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {
            "person_id": names[who],
            "ancestor_id": names[anc],
            "distance": dist,
        },
        columns=columns,
    ).astype({"person_id": str, "ancestor_id": str})


def _ancestor_codes(managers: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`ancestor_pairs` as codes: (the ids, each pair's person and ancestor as positions in
    them, its distance), from :func:`reporting_lines` (not empty)."""
    codes, ids = pd.factorize(pd.concat([managers["person_id"], managers["manager_id"]], ignore_index=True))
    person, manager = codes[: len(managers)], codes[len(managers) :]
    parent = np.full(len(ids), -1, dtype=np.int64)
    parent[person] = manager
    n = np.int64(len(ids))
    who, anc, dist = (
        [person.astype(np.int64)],
        [manager.astype(np.int64)],
        [np.ones(len(person), dtype=np.int64)],
    )
    # the pairs found so far, sorted, to end the walk around a cycle in bad data; without a cycle
    # every pair is new (a person's ancestors are distinct), so none is kept
    seen = np.sort(who[0] * n + anc[0]) if _has_cycle(parent) else None
    frontier_who, frontier_anc = who[0], anc[0]
    for step in range(2, len(ids) + 2):
        nxt = parent[frontier_anc]
        keep = (nxt >= 0) & (nxt != frontier_who)
        frontier_who, frontier_anc = frontier_who[keep], nxt[keep]
        if seen is not None:
            fresh = ~_in_sorted(frontier_who * n + frontier_anc, seen)
            frontier_who, frontier_anc = frontier_who[fresh], frontier_anc[fresh]
        if len(frontier_who) == 0:
            break
        if seen is not None:
            seen = np.sort(np.concatenate([seen, frontier_who * n + frontier_anc]))
        who.append(frontier_who)
        anc.append(frontier_anc)
        dist.append(np.full(len(frontier_who), step, dtype=np.int64))
    return ids, np.concatenate(who), np.concatenate(anc), np.concatenate(dist)


def _has_cycle(parent: np.ndarray) -> bool:
    """Whether following ``parent`` (each vertex's parent, −1 for none) from some vertex comes back
    to it: pointer jumping, each round doubling how far every vertex looks up; without a cycle
    every vertex reaches −1 within log2(n) + 1 rounds."""
    up = parent.copy()
    for _ in range(max(len(parent), 1).bit_length() + 1):
        if not (up >= 0).any():
            return False
        up = np.where(up >= 0, up[up], -1)
    return bool((up >= 0).any())


def _ancestor_keys(ds: Dataset) -> tuple[pd.Index, np.ndarray]:
    """(the ids in the reporting lines, the sorted keys person · n + ancestor of every
    :func:`ancestor_pairs` row, n = the number of ids): which ordered pairs are up a chain, without
    a text per pair."""
    ids, who, anc, _ = _ancestor_codes(reporting_lines(ds))
    return ids, np.sort(who * np.int64(len(ids)) + anc)


def classify_ties(ds: Dataset, relation: str = ADVICE, wave: str | None = None) -> pd.DataFrame:
    """Each tie of ``relation`` with its direction by level and along reporting chains.

    Columns: source_id, target_id, source_level, target_level, level_direction ("up" when
    source.level > target.level, "across" when equal, "down" when lower, "" when a level is
    missing), chain_direction ("up" = target is one of the source's managers up the chain,
    "down" = target reports to the source directly or indirectly, "off" = neither, "" when the
    people sheet has no manager_id at all), same_team (both teams given and equal), bypass
    (off the chain and not in the same team; missing without reporting lines), returned (the
    reverse tie target → source exists too). Person-level: for named viewers only.

    Computed once per dataset object, relation and wave (kept in ``ds.memo``; the wirearchy index,
    the advice flow and the in-degrees all read it); each caller gets its own copy.
    """
    key = ("hierarchy.classify_ties", relation, wave)
    return ds.remember(key, lambda: _classify_ties(ds, relation, wave)).copy()


def _classify_ties(ds: Dataset, relation: str, wave: str | None) -> pd.DataFrame:
    coded = relation_codes(ds, relation, wave)
    has_levels = "level" in ds.people and len(ds.people) > 0
    has_teams = "team" in ds.people and len(ds.people) > 0
    # each end's row on the roster, found once for the levels and the teams (what Series.map does)
    ids = pd.Index(id_text(ds.people["person_id"]).to_numpy()) if len(ds.people) else pd.Index([], dtype=str)
    if coded is not None:  # the pairs as positions among the roster's distinct ids: no text to look up
        distinct, source, target = coded
        ties = pd.DataFrame({"source_id": _texts(distinct, source), "target_id": _texts(distinct, target)})
        first = _first_rows(ds, distinct)
        rows: tuple[np.ndarray, np.ndarray] | None = (first[source], first[target])
    else:
        ties = _relation_ties_text(ds, relation, wave)
        rows = (
            (positions(ties["source_id"], ids), positions(ties["target_id"], ids))
            if has_levels or has_teams
            else None
        )

    def at(values: np.ndarray, row: np.ndarray, missing: float | str) -> np.ndarray:
        """``values[row]`` (one value per person on the roster), ``missing`` where the id is not on
        the roster (row −1)."""
        return np.asarray(np.where(row >= 0, values[row], np.asarray(missing, dtype=values.dtype)))

    levels = (
        pd.to_numeric(ds.people["level"], errors="coerce").astype(float).to_numpy() if has_levels else None
    )
    out = ties.assign(
        source_level=at(levels, rows[0], np.nan) if levels is not None and rows else np.nan,
        target_level=at(levels, rows[1], np.nan) if levels is not None and rows else np.nan,
    )
    s, t = out["source_level"].to_numpy(), out["target_level"].to_numpy()
    known = ~(np.isnan(s) | np.isnan(t))
    out["level_direction"] = _labelled(
        np.select([known & (s > t), known & (s == t), known & (s < t)], [0, 1, 2], default=3),
        ["up", "across", "down", ""],
    )
    managers = reporting_lines(ds)
    if len(managers) == 0:
        out["chain_direction"] = ""
    else:
        # the same for every relation and wave: kept once per dataset object (read, never changed);
        # each end as its position among the chain's ids (−1 off every chain: no pair matches)
        chain_ids, known = ds.remember(("hierarchy.ancestor_keys",), lambda: _ancestor_keys(ds))
        width = np.int64(len(chain_ids))
        if coded is not None:  # each roster id's place on the chains, then each end's
            on_chain = positions(pd.Series(coded[0], dtype="str"), chain_ids)
            s_at, t_at = on_chain[coded[1]], on_chain[coded[2]]
        else:
            s_at, t_at = positions(out["source_id"], chain_ids), positions(out["target_id"], chain_ids)
        on = (s_at >= 0) & (t_at >= 0)
        up = on & _in_sorted(s_at * width + t_at, known)
        down = on & _in_sorted(t_at * width + s_at, known)
        out["chain_direction"] = _labelled(np.select([up, down], [0, 1], default=2), ["up", "down", "off"])
    if has_teams and rows:
        teams = id_text(ds.people["team"]).to_numpy(dtype=object)
        st, tt = at(teams, rows[0], ""), at(teams, rows[1], "")
        out["same_team"] = ((st != "") & (st == tt)).astype(bool)
    else:
        out["same_team"] = False
    if len(managers) == 0:
        out["bypass"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["bypass"] = ((out["chain_direction"] == "off") & ~out["same_team"]).astype("boolean")
    if rows is not None and bool((rows[0] >= 0).all() and (rows[1] >= 0).all()):
        # both ends on the roster (relation_ties keeps only those): their roster rows as codes
        source, target, n = rows[0], rows[1], len(ids) + 1
    else:
        codes, found = pd.factorize(pd.concat([out["source_id"], out["target_id"]], ignore_index=True))
        source, target, n = (
            codes[: len(out)].astype(np.int64),
            codes[len(out) :].astype(np.int64),
            len(found) + 1,
        )
    out["returned"] = _in_sorted(target * n + source, np.sort(source * n + target))
    return out[TIE_COLUMNS].reset_index(drop=True)


def _first_rows(ds: Dataset, distinct: list[str]) -> np.ndarray:
    """Each of the roster's distinct ids' first row in ``ds.people`` (:func:`lib.analysis.response.tie_ends`'
    list, in the order of first appearance)."""
    if len(distinct) == len(ds.people):
        return np.arange(len(distinct), dtype=np.int64)
    at = positions(ds.people["person_id"].astype(str), distinct)
    return np.unique(at, return_index=True)[1].astype(np.int64)


def _labelled(codes: np.ndarray, labels: list[str]) -> pd.Series:
    """``labels[codes[i]]`` for each row, as a text column: the column numpy's ``np.select`` of
    the labels gives, taken in pyarrow (a tenth of a second less per column at 100,000 people)."""
    texts = pa.array(labels, type=pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64)))
    return pd.Series(pd.array(texts, dtype="str"))


# --- flow shares ----------------------------------------------------------------------------


def share_of(part: int, whole: int) -> float:
    """``part / whole``; NaN when ``whole`` is 0."""
    return part / whole if whole else math.nan


@dataclass(frozen=True)
class AdviceFlow:
    """Counts of advice ties by direction, by level and along reporting chains."""

    ties: int
    up: int
    across: int
    down: int
    level_unknown: int
    chain_up: int
    chain_down: int
    chain_off: int
    chain_known: bool

    @property
    def classified(self) -> int:
        return self.up + self.across + self.down

    @property
    def up_share(self) -> float:
        return share_of(self.up, self.classified)

    @property
    def across_share(self) -> float:
        return share_of(self.across, self.classified)

    @property
    def down_share(self) -> float:
        return share_of(self.down, self.classified)

    def table(self) -> pd.DataFrame:
        """basis, direction, ties, share: the level view (shares of classified ties) then the chain view."""
        rows: list[dict[str, object]] = [
            {"basis": "level", "direction": d, "ties": n, "share": share_of(n, self.classified)}
            for d, n in (("up", self.up), ("across", self.across), ("down", self.down))
        ]
        if self.chain_known:
            rows += [
                {"basis": "reporting chain", "direction": d, "ties": n, "share": share_of(n, self.ties)}
                for d, n in (
                    ("up the chain", self.chain_up),
                    ("down the chain", self.chain_down),
                    ("off the chain", self.chain_off),
                )
            ]
        return pd.DataFrame(rows, columns=["basis", "direction", "ties", "share"])


def flow_of(classified: pd.DataFrame, chain_known: bool) -> AdviceFlow:
    """The :class:`AdviceFlow` of ties already classified (:func:`classify_ties`)."""
    level = classified["level_direction"].value_counts()
    chain = classified["chain_direction"].value_counts()
    return AdviceFlow(
        ties=len(classified),
        up=int(level.get("up", 0)),
        across=int(level.get("across", 0)),
        down=int(level.get("down", 0)),
        level_unknown=int(level.get("", 0)),
        chain_up=int(chain.get("up", 0)),
        chain_down=int(chain.get("down", 0)),
        chain_off=int(chain.get("off", 0)),
        chain_known=chain_known,
    )


def advice_flow(ds: Dataset, wave: str | None = None) -> AdviceFlow:
    """Share of advice ties that go up, across and down the hierarchy, and along reporting chains.

    By level: up = source.level > target.level (asking someone more senior; level 1 = most
    senior), across = equal, down = a senior asking someone more junior; shares are of the ties
    whose two levels are known. Along reporting chains (manager_id): up the chain = to an
    ancestor of the source in the manager tree, down the chain = to a descendant, off the chain
    = neither; shares are of all advice ties. Each ordered pair counts once.
    """
    return flow_of(classify_ties(ds, wave=wave), len(reporting_lines(ds)) > 0)


def flow_by_level(
    ds: Dataset, min_size: int = privacy.MIN_GROUP_SIZE, wave: str | None = None, across: bool = True
) -> pd.DataFrame:
    """Up/across/down shares of the advice ties sent from each level, small levels suppressed.

    Columns: level, people (on the roster at that level), ties (sent, with both levels known),
    up, across, down (shares of those ties), suppressed, suppressed_reason. Which levels are shown
    is decided by :func:`lib.core.privacy.protect_roster_groups` (``across``: the aggregate view's one
    release over every breakdown; else levels under ``min_size`` people plus complementary
    suppression, as the overall shares are shown beside them).
    """
    levels = person_levels(ds).dropna()
    columns = ["level", "people", "ties", "up", "across", "down"]
    if len(levels) == 0:
        return pd.DataFrame(columns=[*columns, "suppressed", "suppressed_reason"])
    ties = classify_ties(ds, wave=wave)
    ties = ties[ties["level_direction"] != ""]
    sent_by = ties.groupby(["source_level", "level_direction"]).size().reset_index(name="n")
    counts = {
        (float(a), str(b)): int(n)
        for a, b, n in zip(sent_by["source_level"], sent_by["level_direction"], sent_by["n"], strict=True)
    }
    per_level = levels.value_counts().sort_index()
    rows = []
    for level, people in zip(per_level.index.to_numpy(dtype=float), per_level.to_numpy(), strict=True):
        sent = {d: counts.get((float(level), d), 0) for d in ("up", "across", "down")}
        n = sum(sent.values())
        rows.append(
            {
                "level": int(level),
                "people": int(people),
                "ties": n,
                **{d: share_of(k, n) for d, k in sent.items()},
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return privacy.protect_roster_groups(
        table,
        ds,
        "level",
        min_size=min_size,
        size_col="people",
        value_cols=["ties", "up", "across", "down"],
        across=across,
        group_col="level",
    )


# --- reciprocity and bypass -----------------------------------------------------------------


@dataclass(frozen=True)
class Reciprocity:
    """Arc reciprocity of advice between levels and, for comparison, within a level."""

    cross_level: float
    cross_level_arcs: int
    same_level: float
    same_level_arcs: int


def reciprocity_of(classified: pd.DataFrame) -> Reciprocity:
    """The :class:`Reciprocity` across and within levels of ties already classified (:func:`classify_ties`)."""

    def share(rows: pd.DataFrame) -> float:
        return float(rows["returned"].mean()) if len(rows) else math.nan

    cross = classified[classified["level_direction"].isin(["up", "down"])]
    same = classified[classified["level_direction"] == "across"]
    return Reciprocity(share(cross), len(cross), share(same), len(same))


def cross_level_reciprocity(ds: Dataset, wave: str | None = None) -> Reciprocity:
    """Reciprocity across levels: of the advice ties between people at different levels, the share returned.

    Arc reciprocity restricted to cross-level arcs (both levels known and different): an arc
    i → j counts as reciprocated when j → i is also an advice tie. The same share for arcs within
    a level is given for comparison. NaN without cross-level ties. A pair measure, so among the
    people who answered the network survey (a tie to a non-respondent can never be returned).
    """
    return reciprocity_of(classify_ties(_respondents(ds, wave), wave=wave))


def trust_reciprocity(ds: Dataset, wave: str | None = None) -> float:
    """:func:`lib.analysis.network.arc_reciprocity` of the trust network among the people who
    answered the network survey (a pair measure; the registry holds its text)."""
    among = _respondents(ds, wave)
    return network.arc_reciprocity(network.build_graph(among, [TRUST], wave))


def _respondents(ds: Dataset, wave: str | None) -> Dataset:
    """The respondent-induced dataset of the tie wave of ``wave``, read with ``wave`` itself: with
    ``wave=None`` (every tie row) it keeps the ties of every wave."""
    return respondent_dataset(ds, waves.tie_wave(ds, wave), every_wave=not waves.label(wave))


def bypass_share(classified: pd.DataFrame) -> float:
    """The share of classified ties that bypass the hierarchy (:func:`hierarchy_bypass`); NaN when none is known."""
    known = classified["bypass"].dropna()
    return float(known.astype(bool).mean()) if len(known) else math.nan


def hierarchy_bypass(ds: Dataset, wave: str | None = None) -> float:
    """Hierarchy bypass: the share of advice ties that leave both the source's reporting chain and team.

    A tie bypasses when the target is neither one of the source's managers (up the chain), nor
    someone reporting to the source (down the chain), nor in the source's team. NaN without
    reporting lines (manager_id) or advice ties; without teams only the chain is used.
    """
    return bypass_share(classify_ties(ds, wave=wave))


# --- knowledge authority versus formal authority --------------------------------------------


def advice_in_degree(ds: Dataset, wave: str | None = None, off_chain: bool = False) -> pd.DataFrame:
    """person_id, level, in_degree: how many different people name each roster person for advice.

    ``off_chain``: count only names from people outside the person's reporting chain (neither
    their manager line nor someone reporting to them, :func:`classify_ties`), so that being
    asked by one's own reports does not count as knowledge authority. Without reporting lines
    every tie counts.
    """
    if off_chain and len(reporting_lines(ds)):
        classified = classify_ties(ds, wave=wave)  # relation_ties' rows, classified
        ties = classified[classified["chain_direction"] == "off"]
    else:
        ties = relation_ties(ds, ADVICE, wave)
    ids = id_text(ds.people["person_id"]) if len(ds.people) else pd.Series(dtype=str)
    counts = ties.groupby("target_id").size() if len(ties) else pd.Series(dtype=int)
    levels = person_levels(ds)
    return pd.DataFrame(
        {
            "person_id": ids.to_numpy(),
            "level": ids.map(levels).astype(float).to_numpy() if len(levels) else np.full(len(ids), np.nan),
            "in_degree": ids.map(counts).fillna(0).astype(int).to_numpy(),
        }
    )


@dataclass(frozen=True)
class Correlation:
    """A rank correlation with its sample size and, when undefined, the reason."""

    rho: float
    n: int
    p_value: float
    note: str = ""
    #: two-sided p-value of a node-label permutation test (seniority shuffled over people; 999 draws)
    p_permutation: float = math.nan


def seniority_correlation(degrees: pd.DataFrame, permutation: bool = True) -> Correlation:
    """Spearman's ρ of advice in-degree and seniority (−level) over ``degrees`` (:func:`advice_in_degree`'s columns).

    ``permutation=False``: no permutation test (``p_permutation`` NaN), for callers that read ρ only
    (the wirearchy index: 999 shuffles of 10,000 people cost a quarter of a second)."""
    d = degrees.dropna(subset=["level"])
    n = len(d)
    if n < 3:
        return Correlation(math.nan, n, math.nan, "needs at least three people with a level")
    if d["in_degree"].nunique() < 2:
        return Correlation(math.nan, n, math.nan, "everyone is named for advice equally often")
    if d["level"].nunique() < 2:
        return Correlation(math.nan, n, math.nan, "everyone is at the same level")
    x = average_ranks(d["in_degree"].to_numpy(dtype=float))
    y = average_ranks(-d["level"].to_numpy(dtype=float))
    statistic, p_value = spearman(x, y)

    def rho(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        a = a - a.mean(axis=axis, keepdims=True)
        b = b - b.mean(axis=axis, keepdims=True)
        return np.asarray((a * b).sum(axis=axis) / np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis)))

    if not permutation:
        p_permutation = math.nan
    elif n <= PERMUTATION_SCIPY_LIMIT:
        from scipy import stats  # not at import: about 0.4 s (lib.core.stats)

        perm = stats.permutation_test(
            (x, y),
            rho,
            permutation_type="pairings",
            n_resamples=PERMUTATIONS,
            vectorized=True,
            random_state=PERMUTATION_SEED,
        )
        p_permutation = float(perm.pvalue)
    else:
        p_permutation = _shuffled_p(x, y, rho)
    return Correlation(statistic, n, p_value, p_permutation=p_permutation)


def _shuffled_p(x: np.ndarray, y: np.ndarray, rho: Callable[..., np.ndarray]) -> float:
    """The two-sided p-value of :func:`scipy.stats.permutation_test` (pairings, the same
    :data:`PERMUTATIONS` draws, the same (hits + 1) / (draws + 1) and relative tolerance), with each
    draw a Fisher–Yates shuffle of ``y`` (:meth:`numpy.random.Generator.permuted`) instead of
    scipy's argsort of random keys: the same test, O(n) per draw instead of O(n log n)."""
    observed = float(rho(x, y))
    rng = np.random.default_rng(PERMUTATION_SEED)
    block = max(1, min(PERMUTATIONS, 2_000_000 // len(y)))
    # the shuffle moves small codes of y's few distinct values (ranks of levels), not the floats:
    # the same draws (a shuffle's random numbers depend on the length only), half the time
    values, codes = np.unique(y, return_inverse=True)
    small = codes.astype(np.uint8 if len(values) <= 256 else np.uint16 if len(values) <= 65_536 else np.int64)
    null = np.concatenate(
        [
            rho(
                x,
                values[
                    rng.permuted(np.broadcast_to(small, (min(block, PERMUTATIONS - start), len(y))), axis=1)
                ],
            )
            for start in range(0, PERMUTATIONS, block)
        ]
    )
    gamma = abs(np.finfo(float).eps * 100 * observed)  # scipy's tolerance for ties with the observed value
    hits = int((null >= observed - gamma).sum()), int((null <= observed + gamma).sum())
    return float(min(1.0, 2 * (min(hits) + 1) / (PERMUTATIONS + 1)))


def seniority_advice_correlation(
    ds: Dataset, wave: str | None = None, off_chain: bool = False
) -> Correlation:
    """Knowledge authority versus formal authority: Spearman's ρ between advice in-degree and seniority.

    ρ = Pearson correlation of the ranks (average ranks for ties) of advice in-degree (number
    of different people who name the person for advice) and seniority = −level (level 1 = most
    senior), over roster people with a level, including those nobody names (in-degree 0).
    Positive: seniors are sought more (advice follows the org chart); near 0 or negative:
    knowledge authority does not follow formal authority. NaN with fewer than three people, or
    when either variable is constant. ``off_chain``: in-degree from people outside the person's
    reporting chain only (:func:`advice_in_degree`), so reports asking their own manager do not
    make seniority look sought. ``p_permutation``: the node-label permutation test (seniority
    shuffled over people, 999 draws), which the findings use instead of the independence p-value.
    Computed once per dataset object, wave and ``off_chain`` (kept in ``ds.memo``: the Overview and
    the Trust page both ask).
    """
    key = ("hierarchy.seniority_advice_correlation", wave, off_chain)
    return ds.remember(key, lambda: seniority_correlation(advice_in_degree(ds, wave, off_chain)))


@dataclass(frozen=True)
class HiddenLeaders:
    """People much sought for advice at a junior level, with the thresholds that picked them."""

    people: pd.DataFrame  # person_id, name, team, level, in_degree
    in_degree_threshold: float
    level_threshold: float
    top_share: float
    junior_share: float


def hidden_leaders(
    ds: Dataset,
    top_share: float = HIDDEN_LEADER_TOP_SHARE,
    junior_share: float = HIDDEN_LEADER_JUNIOR_SHARE,
    wave: str | None = None,
) -> HiddenLeaders:
    """Hidden leaders: advice in-degree in the top ``top_share`` and level in the most junior ``junior_share``.

    Among roster people with a level: in-degree ≥ the (1 − top_share) quantile of in-degrees
    (linear interpolation) and at least 1, and level ≥ the (1 − junior_share) quantile of levels
    (level 1 = most senior, so high levels are junior). Defaults: top 10%, most junior 40%.
    Person-level: show only to viewers who may see individuals.
    """
    degrees = advice_in_degree(ds, wave).dropna(subset=["level"])
    columns = ["person_id", "name", "team", "level", "in_degree"]
    if len(degrees) == 0:
        return HiddenLeaders(pd.DataFrame(columns=columns), math.nan, math.nan, top_share, junior_share)
    deg_cut = float(np.quantile(degrees["in_degree"], 1.0 - top_share))
    level_cut = float(np.quantile(degrees["level"], 1.0 - junior_share))
    picked = degrees[(degrees["in_degree"] >= max(deg_cut, 1.0)) & (degrees["level"] >= level_cut)]
    people = ds.people.assign(person_id=id_text(ds.people["person_id"]))
    extra = [c for c in ("name", "team") if c in people]
    out = picked.merge(people[["person_id", *extra]], on="person_id", how="left")
    for c in ("name", "team"):
        if c not in out:
            out[c] = ""
    out = out.sort_values(["in_degree", "level"], ascending=[False, False], kind="stable")
    out["level"] = out["level"].astype(int)
    return HiddenLeaders(out[columns].reset_index(drop=True), deg_cut, level_cut, top_share, junior_share)


def advice_by_level(
    ds: Dataset, min_size: int = privacy.MIN_GROUP_SIZE, wave: str | None = None, across: bool = True
) -> pd.DataFrame:
    """Mean and median advice in-degree per level (the aggregate view of seniority vs advice).

    Columns: level, people, mean_in_degree, median_in_degree, suppressed, suppressed_reason;
    which levels are shown is decided by :func:`lib.core.privacy.protect_roster_groups` (``across``:
    the aggregate view's one release; else levels under ``min_size`` people, with complementary
    suppression).
    """
    d = advice_in_degree(ds, wave).dropna(subset=["level"])
    if len(d) == 0:
        return pd.DataFrame(
            columns=[
                "level",
                "people",
                "mean_in_degree",
                "median_in_degree",
                "suppressed",
                "suppressed_reason",
            ]
        )
    table = (
        d.groupby("level")
        .agg(
            people=("in_degree", "size"),
            mean_in_degree=("in_degree", "mean"),
            median_in_degree=("in_degree", "median"),
        )
        .reset_index()
    )
    table["level"] = table["level"].astype(int)
    return privacy.protect_roster_groups(
        table,
        ds,
        "level",
        min_size=min_size,
        size_col="people",
        value_cols=["mean_in_degree", "median_in_degree"],
        across=across,
        group_col="level",
    )


# --- Krackhardt's hierarchy -----------------------------------------------------------------


@dataclass(frozen=True)
class Hierarchy:
    """Krackhardt's graph hierarchy with the dyad counts it rests on."""

    value: float  # asymmetric / (symmetric + asymmetric) reachable dyads; NaN when none
    symmetric_dyads: int  # unordered pairs that reach each other both ways
    asymmetric_dyads: int  # unordered pairs where exactly one reaches the other

    @property
    def ordered_share(self) -> float:
        """Variant: share of ordered reachable pairs (i reaches j) where j does not reach i."""
        total = 2 * self.symmetric_dyads + self.asymmetric_dyads
        return self.asymmetric_dyads / total if total else math.nan


def krackhardt_hierarchy(edges: Iterable[tuple[str, str]]) -> Hierarchy:
    """Krackhardt's graph hierarchy: how far reachability in a directed network runs one way only.

    H = A / (S + A), where, in the reachability graph (i reaches j when a directed path leads
    from i to j), S is the number of unordered pairs that reach each other both ways and A the
    number where exactly one reaches the other; i.e. 1 − V / max V of Krackhardt (1994), "Graph
    theoretical dimensions of informal organizations", in Carley & Prietula (eds),
    *Computational Organization Theory*, pp. 89–111. This is the dyad variant computed by R's
    ``sna::hierarchy(measure = "krackhardt")``; the share of *ordered* reachable pairs that are
    one-way, A / (2S + A), is :attr:`Hierarchy.ordered_share`. 1 for any tree (the high-tech
    firm's reports_to network), 0 when every path is returned (a cycle, a strongly connected
    network such as its advice network). NaN without ties.

    Computed without the n × n reachability matrix: pairs inside a strongly connected component
    are symmetric; on the condensation (a DAG) each component's set of reachable people is a
    bit set built in reverse topological order (strong components by igraph), so 10k people with
    200k ties take about a second, not a dense matrix.
    """
    pairs = [(str(a), str(b)) for a, b in edges]
    if not pairs:
        return Hierarchy(math.nan, 0, 0)
    src, tgt = zip(*pairs, strict=True)
    return krackhardt_arrays(np.asarray(src, dtype=object), np.asarray(tgt, dtype=object))


def krackhardt_arrays(src: np.ndarray, tgt: np.ndarray) -> Hierarchy:
    """:func:`krackhardt_hierarchy` of the arcs ``src[i] → tgt[i]`` (object arrays of ids)."""
    keep = src != tgt
    src, tgt = src[keep], tgt[keep]
    if len(src) == 0:
        return Hierarchy(math.nan, 0, 0)
    codes, nodes = pd.factorize(np.concatenate([src, tgt]))
    s, t = codes[: len(src)], codes[len(src) :]
    g = ig.Graph(n=len(nodes), directed=True)
    g.add_edges(network.edge_pairs(s, t))
    membership = np.asarray(g.connected_components(mode="strong").membership)
    sizes = np.bincount(membership)
    # members of a component take consecutive bits, so its own bit set is one shifted block
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    own = [((1 << int(n)) - 1) << int(o) for n, o in zip(sizes, offsets, strict=True)]
    cs, ct = membership[s], membership[t]
    between = cs != ct
    # the distinct component pairs in (source, target) order, as np.unique(..., axis=0) gives them,
    # from one integer key per pair (sorting rows as records took a tenth of a second at 100,000)
    k = np.int64(len(sizes))
    pair = np.unique(cs[between].astype(np.int64) * k + ct[between])
    dag_edges = np.column_stack([pair // k, pair % k]) if between.any() else np.empty((0, 2), int)
    successors: list[list[int]] = [[] for _ in sizes]
    for a, b in dag_edges.tolist():
        successors[a].append(b)
    dag = ig.Graph(n=len(sizes), edges=dag_edges.tolist(), directed=True)
    reach = [0] * len(sizes)
    for c in reversed(dag.topological_sorting(mode="out")):
        bits = 0
        for d in successors[c]:
            bits |= own[d] | reach[d]
        reach[c] = bits
    symmetric = int(sum(int(n) * (int(n) - 1) // 2 for n in sizes))
    asymmetric = int(sum(int(n) * r.bit_count() for n, r in zip(sizes, reach, strict=True)))
    total = symmetric + asymmetric
    return Hierarchy(asymmetric / total if total else math.nan, symmetric, asymmetric)


def advice_hierarchy(ds: Dataset, wave: str | None = None, respondents_only: bool = False) -> Hierarchy:
    """Krackhardt's hierarchy (see :func:`krackhardt_hierarchy`) of the advice network.

    ``respondents_only``: on the respondent-induced network (:mod:`lib.analysis.response`). A tie
    to someone who did not answer can never be returned, so on all reports non-response alone
    looks like hierarchy (the sample: 0.23 on all ties, 0.02 among respondents).
    """
    if respondents_only:
        ds = _respondents(ds, wave)
    ties = relation_ties(ds, ADVICE, wave)
    return krackhardt_arrays(
        ties["source_id"].to_numpy(dtype=object), ties["target_id"].to_numpy(dtype=object)
    )
