"""Wirearchy in numbers: two-way flow in the advice network, and the 0–100 wirearchy index.

Jarche borrows Jon Husband's definition: wirearchy is "a dynamic two-way flow of power and
authority, based on knowledge, trust, credibility and a focus on results, enabled by
interconnected people and technology". This module measures it from what the network shows
(ties and reporting lines) and combines that with what people say (:mod:`lib.analysis.trust`).

Rules, stated once here and read by every function below:

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
  (which belong to every wave). The index (:func:`index_components`, :func:`wirearchy_index`,
  :func:`index_by_group`, :func:`analysis_json`) resolves ``None`` or ``""`` to the latest wave of
  the dataset (:func:`resolve_wave`) and uses that wave for both the ties and the survey.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import igraph as ig
import numpy as np
import pandas as pd
from scipy import stats

from lib.analysis import trust
from lib.analysis.response import respondent_dataset
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.schema import ADVICE, WIREARCHY_DIMENSIONS

__all__ = [
    "BYPASS_IDEAL",
    "HIDDEN_LEADER_JUNIOR_SHARE",
    "HIDDEN_LEADER_TOP_SHARE",
    "INDEX_COMPONENTS",
    "SUGGESTIONS",
    "AdviceFlow",
    "Correlation",
    "HiddenLeaders",
    "Hierarchy",
    "IndexComponent",
    "Reciprocity",
    "WirearchyIndex",
    "advice_by_level",
    "advice_flow",
    "advice_hierarchy",
    "advice_in_degree",
    "analysis_json",
    "ancestor_pairs",
    "arc_reciprocity",
    "classify_ties",
    "combine",
    "cross_level_reciprocity",
    "default_weights",
    "flow_by_level",
    "hidden_leaders",
    "hierarchy_bypass",
    "index_by_group",
    "index_components",
    "krackhardt_hierarchy",
    "relation_ties",
    "resolve_wave",
    "seniority_advice_correlation",
    "suggestions",
    "trust_reciprocity",
    "wirearchy_index",
]

TRUST = "trust"
#: Hidden leaders: advice in-degree in the top 10% and level in the most junior 40%.
HIDDEN_LEADER_TOP_SHARE = 0.10
HIDDEN_LEADER_JUNIOR_SHARE = 0.40
#: The hierarchy-bypass share that scores 100 in the index (see :data:`INDEX_COMPONENTS`).
BYPASS_IDEAL = 0.5
#: Seed of the node-label permutation test of :func:`seniority_advice_correlation`.
PERMUTATION_SEED = 20_261_206

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


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip().astype(str)


def _pair_keys(*pairs: tuple[pd.Series, pd.Series]) -> list[np.ndarray]:
    """One int64 key per ordered pair (same ids → same key across all ``pairs``), for fast ``np.isin``.

    Text ids are factorised together once; comparing integer keys is ~100× faster than
    comparing concatenated strings on pandas' Arrow-backed text.
    """
    series = [x for pair in pairs for x in pair]
    if not series or sum(len(x) for x in series) == 0:
        return [np.array([], dtype=np.int64) for _ in pairs]
    codes, uniques = pd.factorize(pd.concat([x.astype(str) for x in series], ignore_index=True))
    n = np.int64(len(uniques) + 1)
    bounds = np.cumsum([0, *(len(x) for x in series)])
    parts = [codes[bounds[i] : bounds[i + 1]].astype(np.int64) for i in range(len(series))]
    return [parts[2 * i] * n + parts[2 * i + 1] for i in range(len(pairs))]


def resolve_wave(ds: Dataset, wave: str | None) -> str | None:
    """The wave the index uses (:func:`lib.core.waves.resolve` over the dataset's waves): ``wave``
    itself, else (``None`` or ``""``) the latest wave of the dataset; None without labels."""
    return waves.resolve(wave, ds.waves)


def relation_ties(ds: Dataset, relation: str = ADVICE, wave: str | None = None) -> pd.DataFrame:
    """Distinct ordered pairs (source_id, target_id) of one relation between roster people, no self-ties.

    ``wave=None``: every row; a label keeps its tie wave's rows and rows with a blank wave
    (:func:`lib.core.waves.tie_rows`).
    """
    ties = waves.tie_rows(ds.ties, wave)
    if len(ties) == 0:
        return pd.DataFrame({"source_id": pd.Series(dtype=str), "target_id": pd.Series(dtype=str)})
    keep = (_text(ties["relation"]).str.casefold() == relation.casefold()).to_numpy()
    out = pd.DataFrame({"source_id": _text(ties["source_id"]), "target_id": _text(ties["target_id"])})[keep]
    out = out[(out["source_id"] != "") & (out["target_id"] != "") & (out["source_id"] != out["target_id"])]
    if len(ds.people):
        roster = set(_text(ds.people["person_id"]))
        out = out[out["source_id"].isin(roster) & out["target_id"].isin(roster)]
    return out.drop_duplicates().reset_index(drop=True)


def _levels(ds: Dataset) -> pd.Series:
    """person_id → level as float (NaN when missing)."""
    if "level" not in ds.people or len(ds.people) == 0:
        return pd.Series(dtype=float)
    levels = pd.to_numeric(ds.people["level"], errors="coerce").astype(float)
    return pd.Series(levels.to_numpy(), index=_text(ds.people["person_id"]).to_numpy())


def _has_levels(ds: Dataset) -> bool:
    return bool(_levels(ds).notna().any())


def _managers(ds: Dataset) -> pd.DataFrame:
    people = ds.people
    if "manager_id" not in people or len(people) == 0:
        return pd.DataFrame({"person_id": pd.Series(dtype=str), "manager_id": pd.Series(dtype=str)})
    out = pd.DataFrame({"person_id": _text(people["person_id"]), "manager_id": _text(people["manager_id"])})
    return out[(out["manager_id"] != "") & (out["manager_id"] != out["person_id"])].drop_duplicates(
        "person_id"
    )


def ancestor_pairs(ds: Dataset) -> pd.DataFrame:
    """Every (person_id, ancestor_id, distance) in the ``manager_id`` tree: manager = 1, their manager = 2, …

    Cycles in the reporting lines (bad data) end the walk instead of looping.
    """
    managers = _managers(ds)
    columns = ["person_id", "ancestor_id", "distance"]
    if len(managers) == 0:
        return pd.DataFrame(
            {
                "person_id": pd.Series(dtype=str),
                "ancestor_id": pd.Series(dtype=str),
                "distance": pd.Series(dtype=int),
            }
        )
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
    seen = who[0] * n + anc[0]
    frontier_who, frontier_anc = who[0], anc[0]
    for step in range(2, len(ids) + 2):
        nxt = parent[frontier_anc]
        keep = (nxt >= 0) & (nxt != frontier_who)
        frontier_who, frontier_anc = frontier_who[keep], nxt[keep]
        fresh = ~np.isin(frontier_who * n + frontier_anc, seen)  # cycles in bad data end the walk
        frontier_who, frontier_anc = frontier_who[fresh], frontier_anc[fresh]
        if len(frontier_who) == 0:
            break
        seen = np.concatenate([seen, frontier_who * n + frontier_anc])
        who.append(frontier_who)
        anc.append(frontier_anc)
        dist.append(np.full(len(frontier_who), step, dtype=np.int64))
    names = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {
            "person_id": names[np.concatenate(who)],
            "ancestor_id": names[np.concatenate(anc)],
            "distance": np.concatenate(dist),
        },
        columns=columns,
    ).astype({"person_id": str, "ancestor_id": str})


def classify_ties(ds: Dataset, relation: str = ADVICE, wave: str | None = None) -> pd.DataFrame:
    """Each tie of ``relation`` with its direction by level and along reporting chains.

    Columns: source_id, target_id, source_level, target_level, level_direction ("up" when
    source.level > target.level, "across" when equal, "down" when lower, "" when a level is
    missing), chain_direction ("up" = target is one of the source's managers up the chain,
    "down" = target reports to the source directly or indirectly, "off" = neither, "" when the
    people sheet has no manager_id at all), same_team (both teams given and equal), bypass
    (off the chain and not in the same team; missing without reporting lines), returned (the
    reverse tie target → source exists too). Person-level: for named viewers only.
    """
    ties = relation_ties(ds, relation, wave)
    levels = _levels(ds)
    out = ties.assign(
        source_level=ties["source_id"].map(levels).astype(float),
        target_level=ties["target_id"].map(levels).astype(float),
    )
    s, t = out["source_level"].to_numpy(), out["target_level"].to_numpy()
    known = ~(np.isnan(s) | np.isnan(t))
    out["level_direction"] = np.select(
        [known & (s > t), known & (s == t), known & (s < t)], ["up", "across", "down"], default=""
    )
    managers = _managers(ds)
    if len(managers) == 0:
        out["chain_direction"] = ""
    else:
        anc = ancestor_pairs(ds)
        pairs, fwd, back = _pair_keys(
            (anc["person_id"], anc["ancestor_id"]),
            (out["source_id"], out["target_id"]),
            (out["target_id"], out["source_id"]),
        )
        up, down = np.isin(fwd, pairs), np.isin(back, pairs)
        out["chain_direction"] = np.select([up, down], ["up", "down"], default="off")
    if "team" in ds.people and len(ds.people):
        teams = pd.Series(_text(ds.people["team"]).to_numpy(), index=_text(ds.people["person_id"]).to_numpy())
        st, tt = out["source_id"].map(teams).fillna(""), out["target_id"].map(teams).fillna("")
        out["same_team"] = ((st != "") & (st == tt)).astype(bool)
    else:
        out["same_team"] = False
    if len(managers) == 0:
        out["bypass"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["bypass"] = ((out["chain_direction"] == "off") & ~out["same_team"]).astype("boolean")
    fwd, back = _pair_keys((out["source_id"], out["target_id"]), (out["target_id"], out["source_id"]))
    out["returned"] = np.isin(back, fwd)
    return out[TIE_COLUMNS].reset_index(drop=True)


# --- flow shares ----------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
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
        return _share(self.up, self.classified)

    @property
    def across_share(self) -> float:
        return _share(self.across, self.classified)

    @property
    def down_share(self) -> float:
        return _share(self.down, self.classified)

    def table(self) -> pd.DataFrame:
        """basis, direction, ties, share: the level view (shares of classified ties) then the chain view."""
        rows: list[dict[str, object]] = [
            {"basis": "level", "direction": d, "ties": n, "share": _share(n, self.classified)}
            for d, n in (("up", self.up), ("across", self.across), ("down", self.down))
        ]
        if self.chain_known:
            rows += [
                {"basis": "reporting chain", "direction": d, "ties": n, "share": _share(n, self.ties)}
                for d, n in (
                    ("up the chain", self.chain_up),
                    ("down the chain", self.chain_down),
                    ("off the chain", self.chain_off),
                )
            ]
        return pd.DataFrame(rows, columns=["basis", "direction", "ties", "share"])


def _flow(classified: pd.DataFrame, chain_known: bool) -> AdviceFlow:
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
    return _flow(classify_ties(ds, wave=wave), len(_managers(ds)) > 0)


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
    levels = _levels(ds).dropna()
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
                **{d: _share(k, n) for d, k in sent.items()},
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


def arc_reciprocity(ties: pd.DataFrame) -> float:
    """Arc reciprocity: the share of arcs whose reverse arc is also present, 2M / m (igraph's default).

    Not the dyad share M / (M + A) that UCINET calls reciprocity. NaN when there are no arcs.
    On the Krackhardt high-tech advice network it is 0.4737 (Krackhardt 1987).
    """
    if len(ties) == 0:
        return math.nan
    fwd, back = _pair_keys((ties["source_id"], ties["target_id"]), (ties["target_id"], ties["source_id"]))
    fwd, back = np.unique(fwd), np.unique(back)
    return float(np.isin(back, fwd).sum() / len(fwd))


@dataclass(frozen=True)
class Reciprocity:
    """Arc reciprocity of advice between levels and, for comparison, within a level."""

    cross_level: float
    cross_level_arcs: int
    same_level: float
    same_level_arcs: int


def _cross_level(classified: pd.DataFrame) -> Reciprocity:
    def share(rows: pd.DataFrame) -> float:
        return float(rows["returned"].mean()) if len(rows) else math.nan

    cross = classified[classified["level_direction"].isin(["up", "down"])]
    same = classified[classified["level_direction"] == "across"]
    return Reciprocity(share(cross), len(cross), share(same), len(same))


def cross_level_reciprocity(ds: Dataset, wave: str | None = None) -> Reciprocity:
    """Reciprocity across levels: of the advice ties between people at different levels, the share returned.

    Arc reciprocity restricted to cross-level arcs (both levels known and different): an arc
    i → j counts as reciprocated when j → i is also an advice tie. The same share for arcs within
    a level is given for comparison. NaN without cross-level ties.
    """
    return _cross_level(classify_ties(ds, wave=wave))


def trust_reciprocity(ds: Dataset, wave: str | None = None) -> float:
    """Arc reciprocity (2M / m) of the trust network: the share of trust ties that are returned.

    NaN when the data has no ties with relation ``trust``.
    """
    return arc_reciprocity(relation_ties(ds, TRUST, wave))


def _bypass_share(classified: pd.DataFrame) -> float:
    known = classified["bypass"].dropna()
    return float(known.astype(bool).mean()) if len(known) else math.nan


def hierarchy_bypass(ds: Dataset, wave: str | None = None) -> float:
    """Hierarchy bypass: the share of advice ties that leave both the source's reporting chain and team.

    A tie bypasses when the target is neither one of the source's managers (up the chain), nor
    someone reporting to the source (down the chain), nor in the source's team. NaN without
    reporting lines (manager_id) or advice ties; without teams only the chain is used.
    """
    return _bypass_share(classify_ties(ds, wave=wave))


# --- knowledge authority versus formal authority --------------------------------------------


def advice_in_degree(ds: Dataset, wave: str | None = None, off_chain: bool = False) -> pd.DataFrame:
    """person_id, level, in_degree: how many different people name each roster person for advice.

    ``off_chain``: count only names from people outside the person's reporting chain (neither
    their manager line nor someone reporting to them, :func:`classify_ties`), so that being
    asked by one's own reports does not count as knowledge authority. Without reporting lines
    every tie counts.
    """
    ties = relation_ties(ds, ADVICE, wave)
    if off_chain and len(_managers(ds)) and len(ties):
        classified = classify_ties(ds, wave=wave)
        ties = classified[classified["chain_direction"] == "off"]
    ids = _text(ds.people["person_id"]) if len(ds.people) else pd.Series(dtype=str)
    counts = ties.groupby("target_id").size() if len(ties) else pd.Series(dtype=int)
    levels = _levels(ds)
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


def _spearman(degrees: pd.DataFrame) -> Correlation:
    d = degrees.dropna(subset=["level"])
    n = len(d)
    if n < 3:
        return Correlation(math.nan, n, math.nan, "needs at least three people with a level")
    if d["in_degree"].nunique() < 2:
        return Correlation(math.nan, n, math.nan, "everyone is named for advice equally often")
    if d["level"].nunique() < 2:
        return Correlation(math.nan, n, math.nan, "everyone is at the same level")
    x = stats.rankdata(d["in_degree"].to_numpy(dtype=float))
    y = stats.rankdata(-d["level"].to_numpy(dtype=float))
    res = stats.spearmanr(x, y)

    def rho(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        a = a - a.mean(axis=axis, keepdims=True)
        b = b - b.mean(axis=axis, keepdims=True)
        return np.asarray((a * b).sum(axis=axis) / np.sqrt((a * a).sum(axis=axis) * (b * b).sum(axis=axis)))

    perm = stats.permutation_test(
        (x, y),
        rho,
        permutation_type="pairings",
        n_resamples=999,
        vectorized=True,
        random_state=PERMUTATION_SEED,
    )
    return Correlation(float(res.statistic), n, float(res.pvalue), p_permutation=float(perm.pvalue))


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
    """
    return _spearman(advice_in_degree(ds, wave, off_chain))


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
    people = ds.people.assign(person_id=_text(ds.people["person_id"]))
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
    return _krackhardt(np.asarray(src, dtype=object), np.asarray(tgt, dtype=object))


def _krackhardt(src: np.ndarray, tgt: np.ndarray) -> Hierarchy:
    keep = src != tgt
    src, tgt = src[keep], tgt[keep]
    if len(src) == 0:
        return Hierarchy(math.nan, 0, 0)
    codes, nodes = pd.factorize(np.concatenate([src, tgt]))
    s, t = codes[: len(src)], codes[len(src) :]
    g = ig.Graph(n=len(nodes), edges=list(zip(s.tolist(), t.tolist(), strict=True)), directed=True)
    membership = np.asarray(g.connected_components(mode="strong").membership)
    sizes = np.bincount(membership)
    # members of a component take consecutive bits, so its own bit set is one shifted block
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    own = [((1 << int(n)) - 1) << int(o) for n, o in zip(sizes, offsets, strict=True)]
    cs, ct = membership[s], membership[t]
    between = cs != ct
    dag_edges = (
        np.unique(np.stack([cs[between], ct[between]], axis=1), axis=0)
        if between.any()
        else np.empty((0, 2), int)
    )
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
        ds = respondent_dataset(ds, waves.tie_wave(ds, wave))
    ties = relation_ties(ds, ADVICE, wave)
    return _krackhardt(ties["source_id"].to_numpy(dtype=object), ties["target_id"].to_numpy(dtype=object))


# --- the wirearchy index --------------------------------------------------------------------

Source = Literal["survey", "network"]


@dataclass(frozen=True)
class IndexComponent:
    """One component of the wirearchy index: how its raw value becomes 0–100, and its default weight."""

    key: str
    label: str
    source: Source
    weight: float
    direction: str
    scoring: str


#: The index: what people say (five survey dimensions) and what the network shows (five
#: indicators) count half each by default; within each half components count equally. Every
#: component is scaled to 0–100 so that 100 is "more wirearchy".
INDEX_COMPONENTS: tuple[IndexComponent, ...] = (
    *(
        IndexComponent(
            f"survey_{dim}",
            trust.dimension_label(dim),
            "survey",
            10.0,
            "higher = people agree more with the wirearchy statements",
            "(mean score − 1) / 4 × 100: a mean of 1 scores 0, 3 scores 50, 5 scores 100",
        )
        for dim in WIREARCHY_DIMENSIONS
    ),
    IndexComponent(
        "two_way_advice",
        "Advice both ways between levels",
        "network",
        10.0,
        "higher = seniors ask juniors about as often as juniors ask seniors",
        "2 × min(up, down) / (up + down) × 100 over advice ties between levels: 100 when as many "
        "go down as up, 0 when they all go one way",
    ),
    IndexComponent(
        "cross_level_reciprocity",
        "Advice returned across levels",
        "network",
        10.0,
        "higher = advice between levels is more often mutual",
        "share of advice ties between people at different levels that are returned × 100",
    ),
    IndexComponent(
        "advice_openness",
        "Advice runs in loops, not one way",
        "network",
        10.0,
        "higher = less one-way (less hierarchical) advice network",
        "(1 − Krackhardt's hierarchy of the advice network) × 100",
    ),
    IndexComponent(
        "hierarchy_bypass",
        "Advice beyond reporting line and team",
        "network",
        10.0,
        "best in the middle: some advice crosses team and reporting lines, but not all",
        f"100 × (1 − |share − {BYPASS_IDEAL}| / {BYPASS_IDEAL}): 100 when {BYPASS_IDEAL:.0%} of advice "
        "ties leave the source's reporting chain and team, 0 when none or all do",
    ),
    IndexComponent(
        "knowledge_authority",
        "Advice follows knowledge, not title",
        "network",
        10.0,
        "higher = being sought for advice depends less on seniority",
        "(1 − max(ρ, 0)) × 100 with ρ = Spearman(advice in-degree, seniority): 100 when advice "
        "does not follow seniority (ρ ≤ 0), 0 when it follows it perfectly (ρ = 1)",
    ),
)
COMPONENTS_BY_KEY: dict[str, IndexComponent] = {c.key: c for c in INDEX_COMPONENTS}

#: What the framework suggests when a component is weak (shown for components under 50).
SUGGESTIONS: dict[str, str] = {
    "survey_knowledge_sharing": "Make work visible: ask people to narrate their work in open channels "
    "(working out loud) rather than private e-mail, with managers going first. Personal knowledge "
    "mastery (seek > sense > share) gives everyone a habit for passing on what they learn.",
    "survey_trust": "Trust grows from promises kept and from being safe to fail. Run blame-free "
    "after-action reviews, let leaders admit their own mistakes first, and keep commitments visible.",
    "survey_credibility": "Let expertise, not title, lead: ask whoever knows most to lead on a topic, "
    "and open communities of practice where anyone can answer a question.",
    "survey_results_focus": "For complex work, agree the outcome and let the team choose the method; "
    "review results together. Work is learning and learning is the work.",
    "survey_two_way_flow": "Open channels from the front line to the people who decide: managers ask "
    "their teams for advice in the open, explain decisions with reasons, and try reverse mentoring.",
    "two_way_advice": "Seniors seldom ask juniors. Reverse mentoring and leaders asking open questions "
    "of their teams show that knowledge can flow up as well as down.",
    "cross_level_reciprocity": "Advice between levels rarely goes both ways. Pair people from "
    "different levels on problems where each knows something the other does not.",
    "advice_openness": "Advice runs one way, like a chain of command. Communities of practice and "
    "cross-team show-and-tells create loops in which knowledge comes back.",
    "hierarchy_bypass": "If little advice leaves the team and reporting line, connect teams through "
    "communities of practice and social networks; if nearly all does, teams may not be learning "
    "together: make room for team sense-making.",
    "knowledge_authority": "Being sought for advice follows job title. Make hidden experts visible "
    "(let them lead sessions, show them in an expertise directory) and let seniors show they learn "
    "from others.",
}


def default_weights() -> dict[str, float]:
    """Component key → default weight, from :data:`INDEX_COMPONENTS`."""
    return {c.key: c.weight for c in INDEX_COMPONENTS}


@dataclass(frozen=True)
class _Inputs:
    """What the index needs about one set of people (the organisation, or one group)."""

    survey: dict[str, tuple[float, int]]  # dimension → (mean person score, respondents)
    ties: int  # advice ties sent
    up: int
    down: int
    cross_returned: int  # cross-level ties sent that are returned
    bypass_known: int  # ties whose bypass is known
    bypass: int
    hierarchy: Hierarchy  # of the advice ties among these people
    correlation: Correlation  # of these people's in-degree (from everyone) and seniority


@dataclass(frozen=True)
class _Context:
    has_survey: bool
    has_levels: bool
    has_chain: bool


def _gather(
    ds: Dataset,
    wave: str | None,
    group_of: pd.Series | None = None,
    only: set[str] | None = None,
    classified: pd.DataFrame | None = None,
) -> tuple[_Context, dict[str, _Inputs]]:
    """Index inputs per group (``group_of``: person_id → label; None = the whole organisation).

    Everything is aggregated with one group-by per quantity, so a thousand teams cost about as
    much as one organisation; only Krackhardt's hierarchy and Spearman's ρ run per group.
    ``only`` limits the groups computed (small groups are suppressed anyway).
    """
    ids = _text(ds.people["person_id"]) if len(ds.people) else pd.Series(dtype=str)
    if group_of is None:
        group_of = pd.Series("all", index=ids.to_numpy(), dtype=str)
        groups = ["all"]
    else:
        groups = [g for g in sorted(set(group_of)) if only is None or g in only]
    t = classify_ties(ds, wave=wave) if classified is None else classified
    t = t.assign(group=t["source_id"].map(group_of), target_group=t["target_id"].map(group_of))

    def count(mask: pd.Series) -> pd.Series:
        return t.loc[mask].groupby("group").size()

    ties_n = t.groupby("group").size()
    up_n, down_n = count(t["level_direction"] == "up"), count(t["level_direction"] == "down")
    cross = t["level_direction"].isin(["up", "down"])
    returned_n = count(cross & t["returned"])
    known = t["bypass"].notna()
    bypass_known_n = count(known)
    bypass_n = count(known & t["bypass"].fillna(False).astype(bool))

    inner = t[t["group"] == t["target_group"]]
    inner_by_group = {
        str(g): (f["source_id"].to_numpy(dtype=object), f["target_id"].to_numpy(dtype=object))
        for g, f in inner.groupby("group")
    }
    indeg = t.groupby("target_id").size()
    levels = _levels(ds)
    degrees = pd.DataFrame(
        {
            "person_id": ids.to_numpy(),
            "level": ids.map(levels).astype(float).to_numpy() if len(levels) else np.full(len(ids), np.nan),
            "in_degree": ids.map(indeg).fillna(0).astype(int).to_numpy(),
            "group": ids.map(group_of).to_numpy(),
        }
    )
    degrees_by_group = dict(tuple(degrees.groupby("group")))

    scores = trust.person_scores(ds, wave)
    survey: dict[str, dict[str, tuple[float, int]]] = {}
    if len(scores):
        valid = scores[scores["score"].notna()].assign(group=lambda f: f["person_id"].map(group_of))
        agg = valid.groupby(["group", "dimension"])["score"].agg(["mean", "size"])
        for (g, dim), mean, size in zip(agg.index, agg["mean"], agg["size"], strict=True):
            survey.setdefault(str(g), {})[str(dim)] = (float(mean), int(size))

    empty = np.array([], dtype=object)
    out: dict[str, _Inputs] = {}
    for g in groups:
        src, tgt = inner_by_group.get(g, (empty, empty))
        out[g] = _Inputs(
            survey=survey.get(g, {}),
            ties=int(ties_n.get(g, 0)),
            up=int(up_n.get(g, 0)),
            down=int(down_n.get(g, 0)),
            cross_returned=int(returned_n.get(g, 0)),
            bypass_known=int(bypass_known_n.get(g, 0)),
            bypass=int(bypass_n.get(g, 0)),
            hierarchy=_krackhardt(src, tgt),
            correlation=_spearman(degrees_by_group[g])
            if g in degrees_by_group
            else _spearman(degrees.iloc[:0]),
        )
    context = _Context(
        has_survey=len(ds.trust) > 0, has_levels=_has_levels(ds), has_chain=len(_managers(ds)) > 0
    )
    return context, out


def _row(key: str, raw: float, raw_text: str, value: float, status: str = "") -> dict[str, object]:
    spec = COMPONENTS_BY_KEY[key]
    missing = status != "" or math.isnan(value)
    return {
        "component": key,
        "label": spec.label,
        "source": spec.source,
        "raw": raw,
        "raw_text": raw_text if not missing else "",
        "value": math.nan if missing else float(min(max(value, 0.0), 100.0)),
        "status": status or ("" if not missing else "not computable"),
        "direction": spec.direction,
        "scoring": spec.scoring,
        "default_weight": spec.weight,
    }


def _components(x: _Inputs, ctx: _Context, min_respondents: int = 1) -> pd.DataFrame:
    return pd.DataFrame(_component_rows(x, ctx, min_respondents))


def _component_rows(x: _Inputs, ctx: _Context, min_respondents: int = 1) -> list[dict[str, object]]:
    rows = []
    for dim in WIREARCHY_DIMENSIONS:
        key = f"survey_{dim}"
        mean, n = x.survey.get(dim, (math.nan, 0))
        if not ctx.has_survey:
            rows.append(_row(key, math.nan, "", math.nan, "no trust survey in the data"))
        elif n == 0:
            rows.append(_row(key, math.nan, "", math.nan, "no answers to this dimension's items"))
        elif n < min_respondents:
            rows.append(_row(key, math.nan, "", math.nan, f"fewer than {min_respondents} respondents"))
        else:
            rows.append(_row(key, mean, f"mean {mean:.2f} of 5 ({n} respondents)", (mean - 1) / 4 * 100))

    no_ties = "no advice ties" if x.ties == 0 else ""
    no_levels = no_ties or ("" if ctx.has_levels else "no levels in the people sheet")
    between = x.up + x.down
    if no_levels or between == 0:
        rows.append(
            _row("two_way_advice", math.nan, "", math.nan, no_levels or "no advice ties between levels")
        )
        rows.append(
            _row(
                "cross_level_reciprocity",
                math.nan,
                "",
                math.nan,
                no_levels or "no advice ties between levels",
            )
        )
    else:
        balance = 2 * min(x.up, x.down) / between
        rows.append(_row("two_way_advice", balance, f"{x.up} ties up, {x.down} down", balance * 100))
        returned = x.cross_returned / between
        rows.append(
            _row(
                "cross_level_reciprocity",
                returned,
                f"{returned:.0%} of {between} ties returned",
                returned * 100,
            )
        )

    h = x.hierarchy
    if math.isnan(h.value):
        rows.append(
            _row("advice_openness", math.nan, "", math.nan, no_ties or "no advice ties inside the group")
        )
    else:
        rows.append(
            _row("advice_openness", h.value, f"Krackhardt hierarchy {h.value:.2f}", (1 - h.value) * 100)
        )

    if no_ties or not ctx.has_chain or x.bypass_known == 0:
        rows.append(
            _row("hierarchy_bypass", math.nan, "", math.nan, no_ties or "no reporting lines (manager_id)")
        )
    else:
        bypass = x.bypass / x.bypass_known
        score = (1 - abs(bypass - BYPASS_IDEAL) / BYPASS_IDEAL) * 100
        rows.append(_row("hierarchy_bypass", bypass, f"{bypass:.0%} of advice ties bypass", score))

    corr = x.correlation
    if no_levels or math.isnan(corr.rho):
        rows.append(_row("knowledge_authority", math.nan, "", math.nan, no_levels or corr.note))
    else:
        rows.append(
            _row(
                "knowledge_authority",
                corr.rho,
                f"ρ = {corr.rho:+.2f} over {corr.n} people",
                (1 - max(corr.rho, 0.0)) * 100,
            )
        )
    return rows


def index_components(ds: Dataset, wave: str | None = None) -> pd.DataFrame:
    """Each wirearchy index component: its raw value, its 0–100 value, or why it is missing.

    Columns: component, label, source ("survey"/"network"), raw (the indicator itself), raw_text,
    value (0–100, NaN when missing), status ("" or the reason it is missing), direction, scoring,
    default_weight. The formulas are in :data:`INDEX_COMPONENTS`; survey components use the
    latest wave unless ``wave`` is given; custom survey dimensions are not part of the index.
    """
    context, inputs = _gather(ds, resolve_wave(ds, wave))
    return _components(inputs["all"], context)


@dataclass(frozen=True)
class WirearchyIndex:
    """The 0–100 wirearchy index and the table that explains it."""

    value: float  # NaN when no component could be computed or every weight is zero
    table: (
        pd.DataFrame
    )  # component, label, source, value, weight, share, contribution, direction, status, raw_text
    missing: tuple[str, ...]  # labels of missing components

    @property
    def note(self) -> str:
        n = len(self.table)
        if not self.missing:
            return ""
        used = n - len(self.missing)
        return (
            f"Computed from {used} of {n} components: {', '.join(self.missing)} could not be computed, "
            "so their weight was shared among the others in proportion to their weights."
        )


def _weights(weights: Mapping[str, float] | Iterable[tuple[str, float]] | None) -> dict[str, float]:
    """The defaults, updated with ``weights``; negative weights count as 0."""
    w = default_weights()
    if weights is not None:
        w.update({str(k): float(v) for k, v in dict(weights).items()})
    return {k: max(v, 0.0) for k, v in w.items()}


def _weighted(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """(effective weight shares, weighted mean) over the non-missing values; NaN when no weight is left."""
    used = np.where(np.isnan(values), 0.0, weights)
    total = used.sum()
    if total <= 0:
        return np.zeros(len(values)), math.nan
    shares = used / total
    return shares, float((shares * np.nan_to_num(values)).sum())


def combine(
    components: pd.DataFrame, weights: Mapping[str, float] | Iterable[tuple[str, float]] | None = None
) -> WirearchyIndex:
    """The wirearchy index: the weighted mean of the available components, 0–100.

    Index = Σ_c w_c · v_c / Σ_c w_c over components c whose value v_c (0–100) could be computed,
    with weights w_c (defaults in :data:`INDEX_COMPONENTS`: 10 each, so survey and network count
    half each). A missing component's weight is shared among the others in proportion to their
    weights (renormalisation), and the result says which were missing. ``share`` is each
    component's effective weight (summing to 1) and ``contribution`` = share × value, so the
    contributions add up to the index. Negative weights count as 0.
    """
    w = _weights(weights)
    table = components.copy()
    table["weight"] = [w.get(str(k), 0.0) for k in table["component"]]
    values = table["value"].to_numpy(dtype=float)
    shares, value = _weighted(values, table["weight"].to_numpy(dtype=float))
    table["share"] = shares
    table["contribution"] = np.where(np.isnan(values), math.nan, shares * np.nan_to_num(values))
    available = ~np.isnan(values)
    missing = tuple(str(x) for x in table.loc[~available, "label"])
    columns = [
        "component",
        "label",
        "source",
        "raw_text",
        "value",
        "weight",
        "share",
        "contribution",
        "direction",
        "scoring",
        "status",
    ]
    return WirearchyIndex(value, table[columns].reset_index(drop=True), missing)


def wirearchy_index(
    ds: Dataset,
    weights: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    wave: str | None = None,
) -> WirearchyIndex:
    """The wirearchy index of the whole organisation: :func:`combine` of :func:`index_components`."""
    return combine(index_components(ds, wave), weights)


def index_by_group(
    ds: Dataset,
    attribute: str,
    weights: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    wave: str | None = None,
    min_size: int = privacy.MIN_GROUP_SIZE,
    across: bool = True,
) -> pd.DataFrame:
    """The wirearchy index per group of ``attribute``, groups smaller than ``min_size`` suppressed.

    Per group: survey components from the group's respondents (missing below ``min_size``
    respondents); network components from the advice ties its members send (flows, reciprocity,
    bypass), the advice network among its members (Krackhardt) and its members' in-degree from
    the whole organisation (knowledge authority). Columns: group, people, respondents, index,
    components (how many were available), one column per component key (0–100), suppressed,
    suppressed_reason. Suppression: fewer than ``min_size`` people, plus complementary
    suppression since the organisation's index is shown beside it; with ``across`` (the aggregate
    view) a group is shown only where the roster's release and every trust dimension's release
    allow it (:func:`lib.core.privacy.guard_all`), so it agrees with every other table.
    """
    if attribute not in ds.people.columns:
        raise KeyError(f"no attribute {attribute!r} in the people sheet")
    min_size = privacy.check_min_group_size(min_size)
    ids = _text(ds.people["person_id"])
    labels = privacy.group_labels(ds.people, attribute)
    group_of = pd.Series(labels.to_numpy(), index=ids.to_numpy(), dtype=str)
    sizes = group_of.value_counts()
    context, inputs = _gather(
        ds,
        resolve_wave(ds, wave),
        group_of,
        only={str(g) for g, n in sizes.items() if privacy.large_enough(n, min_size)},
    )
    keys = [c.key for c in INDEX_COMPONENTS]
    weight_array = np.array([_weights(weights)[k] for k in keys])
    rows = []
    for group in sorted(sizes.index):
        row: dict[str, object] = {"group": group, "people": int(sizes[group])}
        x = inputs.get(group)
        if x is None:  # too small to show: not computed
            row.update(
                {"respondents": 0, "index": math.nan, "components": 0, **dict.fromkeys(keys, math.nan)}
            )
        else:
            comps = {str(r["component"]): r["value"] for r in _component_rows(x, context, min_size)}
            values = np.array([comps[k] for k in keys], dtype=float)
            row.update(
                {
                    "respondents": max((n for _, n in x.survey.values()), default=0),
                    "index": _weighted(values, weight_array)[1],
                    "components": int((~np.isnan(values)).sum()),
                    **dict(zip(keys, values.tolist(), strict=True)),
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=["group", "people", "respondents", "index", "components", *keys])
    checked = privacy.suppress_small_groups(
        table, "people", min_size, value_cols=["respondents", "index", "components", *keys], total=True
    )
    if not across:
        return checked
    releases = [privacy.roster_release(ds, min_size), *trust.releases(ds, min_size)]
    return privacy.guard_all(checked, releases, attribute, resolve_wave(ds, wave) or "", group_col="group")


def suggestions(index: WirearchyIndex, below: float = 50.0) -> pd.DataFrame:
    """Components scoring under ``below`` (weakest first) with what the framework suggests for each."""
    t = index.table
    weak = t[t["value"].notna() & (t["value"] < below)].sort_values("value")
    return pd.DataFrame(
        {
            "label": weak["label"].to_numpy(),
            "value": weak["value"].to_numpy(dtype=float),
            "suggestion": [SUGGESTIONS.get(str(k), "") for k in weak["component"]],
        }
    )


# --- command line ---------------------------------------------------------------------------


def _num(x: object) -> float | None:
    """A JSON-safe float: NaN and None become None."""
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else round(value, 6)


def analysis_json(ds: Dataset) -> dict[str, object]:
    """The ``wirearchy`` section of ``python -m lib.cli analyze``: index, components and indicators."""
    wave = resolve_wave(ds, None)
    classified = classify_ties(ds, wave=wave)
    context, inputs = _gather(ds, wave, classified=classified)
    org = inputs["all"]
    idx = combine(_components(org, context))
    flow = _flow(classified, context.has_chain)
    rec = _cross_level(classified)
    corr, h = org.correlation, org.hierarchy
    components = {
        str(r["component"]): {
            "label": str(r["label"]),
            "value": _num(r["value"]),
            "weight": float(r["weight"]),
            "share": _num(r["share"]),
            "contribution": _num(r["contribution"]),
            "status": str(r["status"]),
        }
        for r in idx.table.to_dict("records")
    }
    chain = (
        {
            "up": _num(_share(flow.chain_up, flow.ties)),
            "down": _num(_share(flow.chain_down, flow.ties)),
            "off": _num(_share(flow.chain_off, flow.ties)),
        }
        if flow.chain_known
        else None
    )
    return {
        "wave": wave,
        "index": _num(idx.value),
        "missing_components": list(idx.missing),
        "components": components,
        "advice_flow": {
            "up": _num(flow.up_share),
            "across": _num(flow.across_share),
            "down": _num(flow.down_share),
            "ties": flow.ties,
            "ties_with_levels": flow.classified,
            "reporting_chain": chain,
        },
        "seniority_advice_correlation": _num(corr.rho),
        "seniority_advice_n": corr.n,
        "cross_level_reciprocity": _num(rec.cross_level),
        "same_level_reciprocity": _num(rec.same_level),
        "hierarchy_bypass": _num(_bypass_share(classified)),
        "krackhardt_hierarchy": _num(h.value),
        "trust_reciprocity": _num(trust_reciprocity(ds, wave)),
    }
