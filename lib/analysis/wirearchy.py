"""Wirearchy in numbers: the 0–100 wirearchy index, from the advice network and the trust survey.

Jarche borrows Jon Husband's definition: wirearchy is "a dynamic two-way flow of power and
authority, based on knowledge, trust, credibility and a focus on results, enabled by
interconnected people and technology". This module measures it from what the network shows
(ties and reporting lines) and combines that with what people say (:mod:`lib.analysis.trust`).

The network's side (which way advice goes between levels and along reporting chains, reciprocity
across levels, hierarchy bypass, Krackhardt's hierarchy) is :mod:`lib.analysis.hierarchy`, whose
docstring states the rules for advice ties, levels, reporting chains and waves. The index
(:func:`index_components`, :func:`wirearchy_index`, :func:`index_by_group`, :func:`analysis_json`)
resolves ``None`` or ``""`` to the latest wave of the dataset (:func:`resolve_wave`) and uses that
wave for both the ties and the survey.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from lib.analysis import hierarchy, response, trust
from lib.analysis.hierarchy import Correlation, Hierarchy
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.schema import ADVICE, WIREARCHY_DIMENSIONS
from lib.core.stats import bootstrap_interval
from lib.core.textsets import is_in, positions

__all__ = [
    "BYPASS_IDEAL",
    "COMPONENTS_BY_KEY",
    "INDEX_COMPONENTS",
    "SUGGESTIONS",
    "IndexComponent",
    "WirearchyIndex",
    "analysis_json",
    "combine",
    "default_weights",
    "index_by_group",
    "index_components",
    "index_interval",
    "resolve_wave",
    "suggestions",
    "wirearchy_index",
]

#: The hierarchy-bypass share that scores 100 in the index (see :data:`INDEX_COMPONENTS`).
BYPASS_IDEAL = 0.5
#: Seed of the node-label permutation test of :func:`seniority_advice_correlation`.
PERMUTATION_SEED = 20_261_206


def resolve_wave(ds: Dataset, wave: str | None) -> str | None:
    """The wave the index uses (:func:`lib.core.waves.resolve` over the dataset's waves): ``wave``
    itself, else (``None`` or ``""``) the latest wave of the dataset; None without labels."""
    return waves.resolve(wave, ds.waves)


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
        "share of advice ties between people at different levels, both of whom answered the network "
        "survey, that are returned × 100 (a tie to a non-respondent can never be returned)",
    ),
    IndexComponent(
        "advice_openness",
        "Advice runs in loops, not one way",
        "network",
        10.0,
        "higher = less one-way (less hierarchical) advice network",
        "(1 − Krackhardt's hierarchy of the advice network among the people who answered the network "
        "survey) × 100, as on the Trust page: a tie to a non-respondent can never be returned",
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
    cross_among: int  # cross-level ties sent between two people who answered the network survey
    cross_returned: int  # of those, the ones returned (a non-respondent's tie can never be)
    bypass_known: int  # ties whose bypass is known
    bypass: int
    hierarchy: Hierarchy  # of the advice ties among these people who answered the network survey
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
    ids = hierarchy.id_text(ds.people["person_id"]) if len(ds.people) else pd.Series(dtype=str)
    if group_of is None:
        group_of = pd.Series("all", index=ids.to_numpy(), dtype=str)
        groups = ["all"]
    else:
        groups = [g for g in sorted(set(group_of)) if only is None or g in only]
    t = hierarchy.classify_ties(ds, wave=wave) if classified is None else classified
    # the ties' ends as positions among the roster's distinct ids, when the rows are classify_ties'
    coded = hierarchy.relation_codes(ds, ADVICE, wave) if classified is None else None
    if coded is not None and len(coded[1]) != len(t):
        coded = None
    # each id's group as ``Series.map`` gives it (NaN off the map), in pyarrow's hash kernel
    group_values = np.append(group_of.to_numpy(dtype=object), np.nan)

    def group_at(values: pd.Series | pd.Index) -> np.ndarray:
        return np.asarray(group_values[positions(values, group_of.index)], dtype=object)

    if coded is not None:  # each distinct id looked up once, then taken for every tie
        distinct = pd.Series(coded[0], dtype="str")
        on_distinct = group_at(distinct)
        t = t.assign(group=on_distinct[coded[1]], target_group=on_distinct[coded[2]])
    else:
        t = t.assign(group=group_at(t["source_id"]), target_group=group_at(t["target_id"]))

    # each tie's group as a code, counted per group without grouping the rows' text each time
    group_code, group_labels = pd.factorize(t["group"], use_na_sentinel=True)  # −1: off the map

    def count(mask: pd.Series | np.ndarray) -> pd.Series:
        """Ties per group among the rows ``mask``, as ``t.loc[mask].groupby("group").size()``
        gives them where read (``.get(g, 0)``: a group without any is 0)."""
        chosen = group_code[np.asarray(mask, dtype=bool) & (group_code >= 0)]
        return pd.Series(np.bincount(chosen, minlength=len(group_labels)), index=group_labels)

    ties_n = count(np.ones(len(t), dtype=bool))
    up_n, down_n = count(t["level_direction"] == "up"), count(t["level_direction"] == "down")
    known = t["bypass"].notna()
    bypass_known_n = count(known)
    bypass_n = count(known & t["bypass"].fillna(False).astype(bool))

    # Reciprocity and Krackhardt's hierarchy are pair measures: among respondents, as on the Trust
    # page (a tie to someone who did not answer can never be returned, so non-response alone looks
    # like hierarchy)
    answered = list(response.network_response(ds, waves.tie_wave(ds, wave)).respondents)
    if coded is not None:
        answering = is_in(distinct, answered)
        among = answering[coded[1]] & answering[coded[2]]
    else:
        among = is_in(t["source_id"], answered) & is_in(t["target_id"], answered)
    cross = t["level_direction"].isin(["up", "down"])
    cross_among_n = count(cross & among)
    returned_n = count(cross & among & t["returned"])
    inner_rows = np.flatnonzero((t["group"].to_numpy() == t["target_group"].to_numpy()) & np.asarray(among))
    inner_rows = inner_rows[group_code[inner_rows] >= 0]  # a tie off the map is in no group
    # each group's ties among respondents, by group code (Krackhardt's hierarchy reads their shape:
    # the ends as codes or as text, the same graph)
    ends = (
        (coded[1], coded[2])
        if coded is not None
        else (
            t["source_id"].to_numpy(dtype=object),
            t["target_id"].to_numpy(dtype=object),
        )
    )
    by_group = inner_rows[np.argsort(group_code[inner_rows], kind="stable")]
    cuts = np.flatnonzero(np.diff(group_code[by_group])) + 1
    inner_by_group = {
        str(group_labels[group_code[rows[0]]]): (ends[0][rows], ends[1][rows])
        for rows in np.split(by_group, cuts)
        if len(rows)
    }
    levels = hierarchy.person_levels(ds)
    if coded is not None:  # each roster row's distinct id, and the ties naming it
        at = np.arange(len(ids)) if len(coded[0]) == len(ids) else positions(ids, coded[0])
        in_degree = np.append(np.bincount(coded[2], minlength=len(coded[0])), 0)[at]
    else:
        indeg = t.groupby("target_id").size()
        in_degree = np.append(indeg.to_numpy(dtype=np.int64), 0)[positions(ids, indeg.index)]
    degrees = pd.DataFrame(
        {
            "person_id": ids.to_numpy(),
            "level": ids.map(levels).astype(float).to_numpy() if len(levels) else np.full(len(ids), np.nan),
            "in_degree": np.asarray(in_degree, dtype=np.int64),
            "group": group_at(ids),
        }
    )
    degrees_by_group = dict(tuple(degrees.groupby("group")))

    scores = trust.person_scores(ds, wave)
    survey: dict[str, dict[str, tuple[float, int]]] = {}
    if len(scores):
        valid = scores[scores["score"].notna()].assign(group=lambda f: group_at(f["person_id"]))
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
            cross_among=int(cross_among_n.get(g, 0)),
            cross_returned=int(returned_n.get(g, 0)),
            bypass_known=int(bypass_known_n.get(g, 0)),
            bypass=int(bypass_n.get(g, 0)),
            hierarchy=hierarchy.krackhardt_arrays(src, tgt),
            # the index reads ρ only: no permutation test
            correlation=hierarchy.seniority_correlation(degrees_by_group[g], permutation=False)
            if g in degrees_by_group
            else hierarchy.seniority_correlation(degrees.iloc[:0], permutation=False),
        )
    context = _Context(
        has_survey=len(ds.trust) > 0,
        has_levels=hierarchy.has_levels(ds),
        has_chain=len(hierarchy.reporting_lines(ds)) > 0,
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
        if x.cross_among == 0:
            rows.append(
                _row(
                    "cross_level_reciprocity",
                    math.nan,
                    "",
                    math.nan,
                    "no advice ties between levels among respondents",
                )
            )
        else:
            returned = x.cross_returned / x.cross_among
            rows.append(
                _row(
                    "cross_level_reciprocity",
                    returned,
                    f"{returned:.0%} of {x.cross_among} ties between respondents returned",
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
            _row(
                "advice_openness",
                h.value,
                f"Krackhardt hierarchy {h.value:.2f} among respondents",
                (1 - h.value) * 100,
            )
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


# --- the index's 95% interval -----------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    """What each person on the roster brings to the organisation's index (row i = ``ids[i]``)."""

    unit: np.ndarray  # True: answered the network or the trust survey (resampled by the bootstrap)
    scores: np.ndarray  # people × WIREARCHY_DIMENSIONS: survey score, NaN when none
    sent: np.ndarray  # people × 7: advice ties sent, up, down, across levels between respondents,
    #                   of those returned, bypass known, bypass
    in_degree: np.ndarray  # advice in-degree from every report
    level: np.ndarray  # NaN when unknown
    hierarchy: Hierarchy  # Krackhardt's, among network respondents: held fixed by the bootstrap

    @cached_property
    def per_person(self) -> np.ndarray:
        """People × (score per dimension, 0 when none; 1 per dimension answered; the 7 sent-tie
        counts): a draw's weights times this are its survey sums, answer counts and tie counts."""
        answered = ~np.isnan(self.scores)
        return np.hstack([np.where(answered, self.scores, 0.0), answered.astype(float), self.sent])

    @cached_property
    def rank_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The Spearman ranks' input, once (not per bootstrap draw): per person, the code of
        their (advice in-degree, −level) pair, −1 without a level; per pair, the sorted-unique
        codes of its in-degree and of its −level among people with a level."""
        leveled = ~np.isnan(self.level)
        cx = np.unique(self.in_degree[leveled], return_inverse=True)[1]
        cy = np.unique(-self.level[leveled], return_inverse=True)[1]
        ky = int(cy.max()) + 1 if len(cy) else 1
        pairs, pair_of = np.unique(cx * ky + cy, return_inverse=True)
        person_pair = np.full(len(self.level), -1, dtype=np.intp)
        person_pair[leveled] = pair_of
        return person_pair, pairs // ky, pairs % ky


def _people_inputs(ds: Dataset, wave: str | None) -> tuple[_Context, _People]:
    """:class:`_People` for the organisation's index in ``wave`` (the same inputs as :func:`_gather`)."""
    ids = (
        hierarchy.id_text(ds.people["person_id"]).drop_duplicates()
        if len(ds.people)
        else pd.Series(dtype=str)
    )
    index = pd.Index(ids.to_numpy(dtype=object))
    context, organisation = _gather(ds, wave)
    t = hierarchy.classify_ties(ds, wave=wave)
    answered = response.network_response(ds, waves.tie_wave(ds, wave)).respondents
    among = is_in(t["source_id"], answered) & is_in(t["target_id"], answered)
    cross = t["level_direction"].isin(["up", "down"]) & among
    known = t["bypass"].notna()
    parts = pd.DataFrame(
        {
            "ties": 1,
            "up": t["level_direction"] == "up",
            "down": t["level_direction"] == "down",
            "cross_among": cross,
            "returned": cross & t["returned"].astype(bool),
            "bypass_known": known,
            "bypass": known & t["bypass"].fillna(False).astype(bool),
        }
    ).astype(float)
    sent = parts.groupby(t["source_id"].to_numpy()).sum().reindex(index).fillna(0.0).to_numpy()
    scores = trust.person_scores(ds, wave)
    grid = (
        scores[scores["score"].notna()].pivot_table(index="person_id", columns="dimension", values="score")
        if len(scores)
        else pd.DataFrame()
    )
    grid = grid.reindex(index=index, columns=list(WIREARCHY_DIMENSIONS))
    levels = hierarchy.person_levels(ds)
    return context, _People(
        unit=is_in(index, answered) | grid.notna().any(axis=1).to_numpy(),
        scores=grid.to_numpy(dtype=float),
        sent=sent,
        in_degree=t.groupby("target_id").size().reindex(index).fillna(0).to_numpy(dtype=float),
        level=pd.Series(index, index=index).map(levels).astype(float).to_numpy()
        if len(levels)
        else np.full(len(index), np.nan),
        hierarchy=organisation["all"].hierarchy,
    )


def _spearman_draws(px: np.ndarray, py: np.ndarray, joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's ρ per draw, and the rows drawn, of two variables given as sorted-unique codes:
    ``px[k]``, ``py[k]`` are the codes of value pair k, and ``joint[j, k]`` how often pair k is
    drawn in draw j (draws × pairs). Each ρ is Pearson's r of the mid-ranks of the drawn rows (as
    :func:`scipy.stats.spearmanr` of the repeated rows); NaN when fewer than three rows are drawn
    or a variable has one value.

    Every sum runs over the distinct values and pairs, not over people (a value not drawn adds 0
    to the ranks above it, so codes over all rows serve every draw)."""
    if len(px) == 0:
        return np.full(len(joint), np.nan), np.zeros(len(joint), dtype=np.int64)

    def centred_ranks(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        one_hot = (codes[:, None] == np.arange(int(codes.max()) + 1)).astype(float)
        per_value = joint @ one_hot  # draws × values: how often each value is drawn
        ranks = np.cumsum(per_value, axis=1) - per_value + (per_value + 1) / 2  # mid-ranks
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (per_value * ranks).sum(axis=1) / per_value.sum(axis=1)
        return per_value, ranks - mean[:, None]

    per_x, dx = centred_ranks(px)
    per_y, dy = centred_ranks(py)
    n = per_x.sum(axis=1)
    sxy = (joint * dx[:, px] * dy[:, py]).sum(axis=1)
    sxx, syy = (per_x * dx * dx).sum(axis=1), (per_y * dy * dy).sum(axis=1)
    defined = (n >= 3) & ((per_x > 0).sum(axis=1) > 1) & ((per_y > 0).sum(axis=1) > 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(defined, sxy / np.sqrt(sxx * syy), np.nan)
    return rho, n.astype(np.int64)


@dataclass(frozen=True)
class _Draws:
    """The index inputs of a block of bootstrap draws, one row per draw (as :class:`_Inputs`)."""

    survey_sum: np.ndarray  # draws × WIREARCHY_DIMENSIONS: sum of the drawn people's scores
    survey_n: np.ndarray  # draws × WIREARCHY_DIMENSIONS: scores drawn
    sent: np.ndarray  # draws × 7: ties, up, down, cross_among, cross_returned, bypass_known, bypass
    rho: np.ndarray  # Spearman's ρ of in-degree and seniority (NaN: undefined on this draw)


def _inputs_drawn(p: _People, units: np.ndarray, draws: np.ndarray) -> _Draws:
    """The index inputs per bootstrap draw: row j of ``draws`` holds positions in ``units`` (the
    people resampled); a person drawn k times counts k times, the people outside ``units`` once
    each. Vectorised: one matrix product gives every draw's survey sums, answer counts and
    sent-tie counts, one count the (in-degree, level) pairs drawn."""
    dims = len(WIREARCHY_DIMENSIONS)
    b, m = draws.shape
    fixed = np.ones(len(p.unit), dtype=bool)
    fixed[units] = False
    counts = np.bincount((draws + (np.arange(b) * m)[:, None]).ravel(), minlength=b * m).reshape(b, m)
    sums = counts.astype(float) @ p.per_person[units] + p.per_person[fixed].sum(axis=0)
    person_pair, px, py = p.rank_pairs
    pairs = len(px) + 1  # the last column: people without a level
    drawn_pairs = person_pair[units][draws] % pairs  # −1 → the last column
    joint = np.bincount((drawn_pairs + (np.arange(b) * pairs)[:, None]).ravel(), minlength=b * pairs)
    held = np.bincount(person_pair[fixed] % pairs, minlength=pairs)
    joint = (joint.reshape(b, pairs) + held)[:, :-1].astype(float)
    return _Draws(
        sums[:, :dims], sums[:, dims : 2 * dims], sums[:, 2 * dims :], _spearman_draws(px, py, joint)[0]
    )


def _index_draws(d: _Draws, ctx: _Context, hierarchy_value: float, weights: np.ndarray) -> np.ndarray:
    """The index of each draw: :func:`_component_rows`' values (0–100, NaN when missing, in
    :data:`INDEX_COMPONENTS` order) as arrays over the draws, combined as :func:`_weighted` does."""
    ties, up, down, cross_among, returned, bypass_known, bypass = d.sent.T
    nan = np.full(len(ties), np.nan)

    def where(missing: np.ndarray | bool, value: np.ndarray) -> np.ndarray:
        return np.where(missing, np.nan, np.clip(value, 0.0, 100.0))

    no_ties = ties == 0
    no_levels = no_ties | (not ctx.has_levels)
    between = up + down
    with np.errstate(invalid="ignore", divide="ignore"):
        survey = [
            where(~np.asarray(ctx.has_survey) | (n == 0), (total / n - 1) / 4 * 100)
            for total, n in zip(d.survey_sum.T, d.survey_n.T, strict=True)
        ]
        columns = [
            *survey,
            where(no_levels | (between == 0), 2 * np.minimum(up, down) / between * 100),
            where(no_levels | (between == 0) | (cross_among == 0), returned / cross_among * 100),
            nan
            if math.isnan(hierarchy_value)
            else np.full(len(ties), min(max((1 - hierarchy_value) * 100, 0.0), 100.0)),
            where(
                no_ties | (not ctx.has_chain) | (bypass_known == 0),
                (1 - np.abs(bypass / bypass_known - BYPASS_IDEAL) / BYPASS_IDEAL) * 100,
            ),
            where(no_levels | np.isnan(d.rho), (1 - np.maximum(d.rho, 0.0)) * 100),
        ]
    values = np.column_stack(columns)
    used = np.where(np.isnan(values), 0.0, weights)
    total = used.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = ((used / total[:, None]) * np.nan_to_num(values)).sum(axis=1)
    return np.where(total > 0, index, np.nan)


#: Bootstrap draws of :func:`index_interval` per block: respondents × draws ≤ this (8 MB a matrix).
_DRAW_BLOCK = 1_000_000


def index_interval(
    ds: Dataset,
    weights: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
    wave: str | None = None,
) -> tuple[float, float]:
    """95% bootstrap interval of the organisation's wirearchy index, over respondents.

    The people who answered the network survey or the trust survey are drawn with replacement
    (:func:`lib.core.stats.bootstrap_interval`: percentile method, 1,999 draws, 499 above 5,000
    respondents (:func:`lib.core.stats.bootstrap_resamples`), a fixed seed); a
    person drawn k times counts k times in the survey means and in the advice ties they sent
    (direction between levels, returned, bypass); Spearman's ρ uses the drawn people's advice
    in-degree (from every report) and level, with the people who answered neither survey held
    fixed (their in-degree and level are not answers). Krackhardt's hierarchy is held at its
    value: it is a property of who can reach whom in the whole network, and on a resample of
    people (about 63% of them distinct) reachability falls, so its draws would be biased towards
    hierarchy rather than spread around it (on the sample: 97 → 79 on average). Each draw's index
    combines its components with ``weights`` as :func:`combine` does. (NaN, NaN) with fewer than
    two respondents. The draws are evaluated in blocks (a few matrix products per block).
    """
    context, people = _people_inputs(ds, resolve_wave(ds, wave))
    units = np.flatnonzero(people.unit)

    keys = [c.key for c in INDEX_COMPONENTS]
    weight_array = np.array([_weights(weights)[k] for k in keys])

    def index_of(draws: np.ndarray, axis: int = -1) -> np.ndarray:
        drawn = _inputs_drawn(people, units, draws.astype(np.intp))
        return _index_draws(drawn, context, people.hierarchy.value, weight_array)

    block = max(1, _DRAW_BLOCK // max(len(units), 1))
    return bootstrap_interval(np.arange(len(units)), index_of, vectorized=True, batch=block)


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
    bypass), the advice network among its members who answered the network survey (Krackhardt) and its members' in-degree from
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
    ids = hierarchy.id_text(ds.people["person_id"])
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
    classified = hierarchy.classify_ties(ds, wave=wave)
    context, inputs = _gather(ds, wave)  # the same classified ties (kept per dataset), as codes
    org = inputs["all"]
    idx = combine(_components(org, context))
    flow = hierarchy.flow_of(classified, context.has_chain)
    rec = hierarchy.reciprocity_of(classified)
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
            "up": _num(hierarchy.share_of(flow.chain_up, flow.ties)),
            "down": _num(hierarchy.share_of(flow.chain_down, flow.ties)),
            "off": _num(hierarchy.share_of(flow.chain_off, flow.ties)),
        }
        if flow.chain_known
        else None
    )
    low, high = index_interval(ds, wave=wave)
    return {
        "wave": wave,
        "index": _num(idx.value),
        "index_interval": [_num(low), _num(high)],
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
        "hierarchy_bypass": _num(hierarchy.bypass_share(classified)),
        "krackhardt_hierarchy": _num(h.value),
        "krackhardt_population": "respondents",
        "trust_reciprocity": _num(hierarchy.trust_reciprocity(ds, wave)),
    }
