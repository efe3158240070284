"""The executive overview: headline measures per wave, the facts the findings rules read, and the
comparison of two waves.

Every headline number is computed by the module that owns it (network, learning, flows, shifts,
wirearchy, trust, skills); this module only gathers them for one wave. A measure whose data are
missing is ``None``, never an invented zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

from lib.analysis import (
    baseline,
    hierarchy,
    learning,
    network,
    response,
    roles,
    shifts,
    skills,
    trust,
    wirearchy,
)
from lib.analysis import findings as rules
from lib.core import privacy, textsets, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE
from lib.core.stats import QAP_REPS, edge_codes, qap_correlation

K = TypeVar("K")

SILO_EI = (
    -0.6
)  # a department is a silo when the E-I of the advice it asks is at or below this (findings.RULES)
#: One-sided level of the tests that tell a finding from chance (direction of advice, rank).
ALPHA = 0.05
#: A key person: someone whose departure alone cuts at least this share of reachable advice pairs,
#: or splits the network (adds a weak component: somebody is cut off).
KEY_PERSON_REACH_LOSS = 0.01


@dataclass(frozen=True)
class Tile:
    """One headline number. Its definition is in the registry under ``headline.<key>``
    (:func:`lib.report.definitions.tile_help` adds ``detail``, what the tile shows now)."""

    key: str
    label: str
    value: float | None
    text: str
    detail: str
    page: str
    change: float | None = None  # value − value in the previous wave
    change_text: str = ""


@dataclass
class Headline:
    wave: str
    tiles: list[Tile]
    facts: rules.Facts
    findings: list[rules.Finding] = field(default_factory=list)

    def tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)


def _num(x: object) -> float | None:
    if x is None or isinstance(x, str):
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _advice_relations(ds: Dataset) -> list[str] | None:
    return ds.advice_relations()  # None = all relations combined


def facts(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> rules.Facts:
    """Organisation-level facts and per-department facts (only groups of at least ``min_size``):
    every section of :data:`FACT_SECTIONS`, merged."""
    return merge_facts([_remembered(ds, name, wave, min_size) for name in FACT_SECTIONS])


def facts_section(
    ds: Dataset, section: str, wave: str | None = None, min_size: int = MIN_GROUP_SIZE
) -> rules.Facts:
    """The facts of one section of :data:`FACT_SECTIONS` for ``wave`` (default: the latest).

    A page computes (and caches) the sections one by one, showing each tile as soon as its section
    is done; :func:`facts` is all of them merged. Computed once per dataset object, section, wave
    and minimum group size (``ds.memo``: the tiles, the findings and the wave comparison read the
    same facts); read them, never change them.
    """
    return _remembered(ds, section, wave, min_size)


def _remembered(ds: Dataset, section: str, wave: str | None, min_size: int) -> rules.Facts:
    return _resolved(ds, section, waves.resolve(wave, ds.waves) or "", min_size)


def _resolved(ds: Dataset, section: str, w: str, min_size: int) -> rules.Facts:
    """:func:`facts_section` of a resolved wave label ``w`` ("" without waves), kept in ``ds.memo``."""
    return ds.remember(
        ("overview.facts_section", section, w, min_size), lambda: _facts_section(ds, section, w, min_size)
    )


def _facts_section(ds: Dataset, section: str, w: str, min_size: int) -> rules.Facts:
    org, groups = _SECTION_FUNCTIONS[section](ds, w, min_size)
    # the per-person values that changes between waves are tested on travel with the departments
    people = _person_facts(ds, w, _advice_relations(ds), ds.tie_wave(w)) if section == "departments" else None
    return rules.Facts(
        org={"wave": w, **org}, groups=groups, people=pd.DataFrame() if people is None else people
    )


def merge_facts(parts: list[rules.Facts]) -> rules.Facts:
    """Sections' facts as one (a later section's value wins; none overlap)."""
    org: dict[str, object] = {}
    groups: dict[str, pd.DataFrame] = {}
    people = pd.DataFrame()
    for part in parts:
        org.update(part.org)
        groups.update(part.groups)
        if len(part.people.columns):
            people = part.people
    return rules.Facts(org=org, groups=groups, people=people)


_Section = tuple[dict[str, object], dict[str, pd.DataFrame]]


def _roster_section(ds: Dataset, w: str, min_size: int) -> _Section:
    org: dict[str, object] = {"people": len(ds.people)}
    rr = trust.response_rate(ds, w or None)
    responded = ds.people["responded"] if "responded" in ds.people else pd.Series(dtype="boolean")
    if rr.respondents == 0 and responded.notna().any():
        org["response_rate"] = float(responded.fillna(False).astype(bool).mean())
    else:
        org["response_rate"] = _num(rr.rate) if rr.respondents else None
    return org, {}


def _learning_section(ds: Dataset, w: str, min_size: int) -> _Section:
    org: dict[str, object] = {}
    # the shares alone: their bootstrap interval (half a second at 10,000 people) comes with the shifts
    mix = learning.overall_mix(ds, w or None, min_size, intervals=False)
    org["informal_share"] = _num(mix.informal_share)
    org["fsl_share"] = _num(mix.shares.get("FSL"))
    org["self_directed_share"] = _num(mix.self_directed_share)
    for bucket, value in mix.buckets.items():
        org[f"bucket_{bucket}"] = _num(value)
    org["flow_share"] = _num(shifts.shared_flow_share(ds, w or None).share)
    return org, {}


def _shifts_section(ds: Dataset, w: str, min_size: int) -> _Section:
    # a picture beside the tiles, not a number: its own section, computed after the tiles; with the
    # informal share's interval (the tile's detail), from the mix the GDL shift reads
    org: dict[str, object] = {f"shift_{s.code}": s.score for s in shifts.scorecard(ds, w or None, min_size)}
    mix = shifts.shared_mix(ds, w or None, min_size)
    org["informal_share_low"], org["informal_share_high"] = (_num(x) for x in mix.informal_share_ci)
    return org, {}


def _network_section(ds: Dataset, w: str, min_size: int) -> _Section:
    if not len(ds.ties):
        return {"advice_reciprocity": None, "gini_in_degree_advice": None}, {}
    rel, tw = _advice_relations(ds), ds.tie_wave(w)
    answered = response.network_response(ds, tw)
    # a tie to someone who did not answer can never be returned: reciprocity is on respondents
    among = network.build_graph(response.respondent_dataset(ds, tw, answered), rel, tw)
    n, m = among.g.vcount(), among.g.ecount()
    _, gini = network.reciprocity_and_gini(ds, rel, tw)
    return {
        "advice_reciprocity": _num(network.arc_reciprocity(among)),
        # its baseline: in a random directed network with these people and ties, an arc's reverse
        # is there with probability m / (n(n − 1)), the density, so that is the expected reciprocity
        "advice_reciprocity_random": _num(m / (n * (n - 1))) if n > 1 else None,
        "gini_in_degree_advice": _num(gini),
        "network_response_rate": _num(answered.rate),
    }, {}


def _key_people_section(ds: Dataset, w: str, min_size: int) -> _Section:
    if not len(ds.ties):
        return {"key_people": None}, {}
    # on respondents only: nobody is key for being the one person who named a non-respondent
    tw = ds.tie_wave(w)
    ranked = roles.rank_key_people_among_respondents(ds, _advice_relations(ds), tw, top=20)
    share = (
        pd.to_numeric(ranked["reach_lost_share"], errors="coerce") if len(ranked) else pd.Series(dtype=float)
    )
    splits = pd.to_numeric(ranked["components_added"], errors="coerce") if len(ranked) else share
    key = (share >= KEY_PERSON_REACH_LOSS) | (splits > 0)
    after = pd.to_numeric(ranked["connectedness_after"], errors="coerce") if len(ranked) else share
    return {
        "key_people": int(key.sum()),
        "key_person_threshold": KEY_PERSON_REACH_LOSS,
        # the largest single departure's loss, unnamed: the findings' evidence chart draws it
        "key_person_reach_lost": _num(share.max()) if len(share) else None,
        # the evidence chart: the share of pairs who can reach each other for advice now, and
        # without each key person (the five that cut most), strongest first
        "advice_reach": _num((after + share).iloc[0]) if len(ranked) else None,
        "advice_reach_without_key": [float(x) for x in after[key].head(5)],
    }, {}


def _wirearchy_section(ds: Dataset, w: str, min_size: int) -> _Section:
    return {"wirearchy_index": _num(wirearchy.wirearchy_index(ds, wave=w or None).value)}, {}


def _hierarchy_section(ds: Dataset, w: str, min_size: int) -> _Section:
    """What the findings read about advice against the org chart (its direction, seniority against
    being sought) and about the most-asked people; no tile reads it."""
    org: dict[str, object] = {}
    if len(ds.ties):
        org.update(_overload_facts(network.build_graph(ds, _advice_relations(ds), ds.tie_wave(w))))
    flow = hierarchy.advice_flow(ds, w or None)
    org["advice_up_share"] = _num(flow.up_share) if flow.classified else None
    org["advice_down_share"] = _num(flow.down_share) if flow.classified else None
    vertical = flow.up + flow.down  # a random network sends as many requests down as up
    from scipy import stats  # not at import: about 0.4 s (lib.core.stats)

    org["advice_down_beyond_chance"] = bool(
        vertical and stats.binomtest(flow.down, vertical, 0.5, alternative="less").pvalue < ALPHA
    )
    rank = hierarchy.seniority_advice_correlation(ds, w or None, off_chain=True)
    org["seniority_advice_correlation"] = _num(rank.rho)
    org["seniority_advice_p"] = _num(rank.p_permutation)
    org["seniority_advice_beyond_chance"] = bool(rank.p_permutation < ALPHA)
    return org, {}


def _trust_section(ds: Dataset, w: str, min_size: int) -> _Section:
    # the means alone: the intervals and omega (seconds at 10,000 people) are the Trust page's
    dims = privacy.shown(trust.shown_summary(ds, w or None, min_size, intervals=False))
    if len(dims) and dims["mean"].notna().any():
        means = dims["mean"].astype(float).to_numpy()
        weakest = dims.iloc[int(np.nanargmin(means))]
        return {
            "weakest_dimension": str(weakest["label"]),
            "weakest_dimension_mean": _num(weakest["mean"]),
        }, {}
    return {"weakest_dimension": None, "weakest_dimension_mean": None}, {}


def _skills_section(ds: Dataset, w: str, min_size: int) -> _Section:
    org: dict[str, object] = {}
    cov = skills.coverage(ds, w or None)
    thin = cov[cov["flag"].isin(["nobody", "single"]) & (cov["required_by"] > 0)] if len(cov) else cov
    org["single_holder_skills"] = len(thin) if len(cov) else None
    org["thin_skills"] = ", ".join(thin["skill"].astype(str).head(5)) if len(thin) else ""
    gaps = skills.top_gaps(ds, w or None, n=3)
    org["top_gaps"] = list(zip(gaps["skill"].astype(str), gaps["total_gap"].astype(float), strict=True))
    return org, {}


def _groups_section(ds: Dataset, w: str, min_size: int) -> _Section:
    if not (len(ds.ties) and "department" in ds.attributes):
        return {"silo_groups": None}, {}
    result = network.ei_index(ds, "department", _advice_relations(ds), ds.tie_wave(w))
    ei = privacy.shown(network.shown_ei_groups(ds, result, min_size))
    ei = ei[ei["ei_sent"].notna()].copy()
    ei["internal_share"] = (1 - ei["ei_sent"]) / 2  # I / (E_sent + I): what the group asks
    people = len(ds.people)
    chance = [
        baseline.internal_share(int(i), int(i + e), int(size), people)
        for i, e, size in zip(ei["internal"], ei["sent_external"], ei["size"], strict=True)
    ]
    ei["internal_share_random"] = [c.expected for c in chance]
    ei["silo_beyond_chance"] = [c.beyond_chance for c in chance]
    silos = int(((ei["ei_sent"] <= SILO_EI) & ei["silo_beyond_chance"]).sum())
    return {"silo_groups": silos}, {"department": ei.reset_index(drop=True)}


def _departments_section(ds: Dataset, w: str, min_size: int) -> _Section:
    """The groups section's department table with each department's formal-learning share (the
    findings read it; the silo tile does not), and, in :func:`_facts_section`, the per-person values
    the wave comparison tests."""
    table = _resolved(ds, "groups", w, min_size).groups.get("department")
    if table is None:
        return {}, {}
    mixes = learning.group_mix(ds, "department", w or None, min_size)
    mixes = mixes[~mixes["suppressed"]] if "suppressed" in mixes else mixes
    fsl = mixes.set_index("department")["FSL"] if len(mixes) else pd.Series(dtype=float)
    return {}, {"department": table.assign(fsl_share=table["group"].map(fsl))}


_SECTION_FUNCTIONS: dict[str, Callable[[Dataset, str, int], _Section]] = {
    "roster": _roster_section,
    "network": _network_section,
    "groups": _groups_section,
    "departments": _departments_section,
    "skills": _skills_section,
    "wirearchy": _wirearchy_section,
    "hierarchy": _hierarchy_section,
    "learning": _learning_section,
    "shifts": _shifts_section,
    "trust": _trust_section,
    "key_people": _key_people_section,
}
#: The overview's sections, each with the step name a progress indicator shows, in the order their
#: facts merge (``departments`` completes the ``groups`` section's department table). The sections a
#: headline tile reads (:data:`TILE_SECTIONS`) compute only what the tile and its detail need; what
#: only the findings read (the shifts, advice against the org chart, the departments' learning) has
#: sections of its own, so a page shows the tiles before it (``lib.app.overview_view.SECTION_ORDER``).
FACT_SECTIONS: dict[str, str] = {
    "roster": "people and response rate",
    "network": "the advice network",
    "groups": "departments' advice (silos)",
    "departments": "departments' learning and each person's change",
    "skills": "skill gaps",
    "wirearchy": "wirearchy index",
    "hierarchy": "advice against the org chart and the most-asked people",
    "learning": "learning mix",
    "shifts": "the five shifts",
    "trust": "trust survey",
    "key_people": "key people (one what-if removal per candidate)",
}
#: Which section each headline tile reads.
TILE_SECTIONS: dict[str, str] = {
    "people": "roster",
    "response_rate": "roster",
    "informal_share": "learning",
    "shifts": "shifts",
    "wirearchy_index": "wirearchy",
    "advice_reciprocity": "network",
    "silo_groups": "groups",
    "top_gaps": "skills",
    "key_people": "key_people",
}


def _person_facts(ds: Dataset, wave: str, rel: list[str] | None, tw: str | None) -> pd.DataFrame:
    """Per person: department, ask_inside (share of the advice ties they sent that stay in their
    department; NaN when they sent none) and informal (1 − FSL share of their learning time)."""
    ids = ds.people["person_id"].astype(str).drop_duplicates() if len(ds.people) else pd.Series(dtype=str)
    out = pd.DataFrame(index=pd.Index(ids, name="person_id"))
    dept = network.group_codes(ds, "department", list(ids))[0] if "department" in ds.people else None
    out["department"] = ""
    out["ask_inside"] = np.nan
    if dept is not None and len(ds.ties):
        labels = network.group_codes(ds, "department", list(ids))[1]
        out["department"] = [labels[c] if c >= 0 else "" for c in dept]
        graph = network.build_graph(ds, rel, tw)
        s, t = graph.edges()
        inside = np.bincount(s, weights=(dept[s] == dept[t]) & (dept[s] >= 0), minlength=graph.n)
        sent = np.bincount(s, minlength=graph.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["ask_inside"] = np.where(sent > 0, inside / np.where(sent > 0, sent, 1), np.nan)
    mix = learning.person_mix(ds, wave or None)
    mix = mix[~mix["zero_total"]] if len(mix) else mix
    out["informal"] = (1 - mix.set_index("person_id")["FSL"]).reindex(out.index) if len(mix) else np.nan
    return out


#: Level of the paired test a change between waves must pass to be stated as a change.
CHANGE_ALPHA = 0.05
#: Matched people needed before a change is tested at all.
CHANGE_MIN_MATCHED = 5


def paired_change(before: pd.Series, after: pd.Series, resamples: int = 9999) -> tuple[float, float, int]:
    """Mean change after − before over the people with a value in both waves, the two-sided p-value
    of a paired permutation test (each person's two values swapped at random = the sign of their
    difference flipped) and the number matched. NaN p below :data:`CHANGE_MIN_MATCHED` people; 1
    without any change.

    Exact (every one of the 2ⁿ swaps, :func:`scipy.stats.permutation_test`) when 2ⁿ ≤ ``resamples``;
    above, ``resamples`` random draws (:func:`_sign_flip_p`, vectorised: scipy's paired resampling
    shuffles each pair in Python-level steps, four minutes for nine tests at 100,000 people)."""
    both = pd.concat([before.rename("a"), after.rename("b")], axis=1, join="inner").dropna()
    n = len(both)
    if n < CHANGE_MIN_MATCHED:
        return math.nan, math.nan, n
    x, y = both["b"].to_numpy(dtype=float), both["a"].to_numpy(dtype=float)
    delta = float((x - y).mean())
    if np.allclose(x, y):
        return delta, 1.0, n
    if 2**n > resamples:
        return delta, _sign_flip_p(x - y, resamples), n
    from scipy import stats  # not at import: about 0.4 s (lib.core.stats)

    res = stats.permutation_test(
        (x, y),
        lambda a, b, axis: np.mean(a - b, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=resamples,  # at least 2ⁿ: scipy enumerates every swap
        random_state=CHANGE_SEED,
    )
    return delta, float(res.pvalue), n


CHANGE_SEED = 20_261_206


def _overload_facts(graph: network.Graph) -> dict[str, object]:
    """How much advice leans on the most-asked person, against a random network of the same size,
    out-degrees and density (:func:`lib.analysis.baseline.concentration`)."""
    c = baseline.concentration(np.asarray(graph.g.indegree(), dtype=float), graph.edges()[0])
    return {
        "advice_top_in_degree": _num(c.top_in_degree),
        "advice_median_in_degree": _num(c.median_in_degree),
        "advice_top_ratio": _num(c.top_ratio),
        "advice_top_ratio_random": _num(c.top_ratio_random),
        "advice_top_share": _num(c.top_share),
        "advice_top_share_random": _num(c.top_share_random),
        "advice_overload": _num(c.top_ratio / c.top_ratio_random) if c.top_ratio_random else None,
        "overload_beyond_chance": c.beyond_chance,
    }


#: The wirearchy tile's qualifier: its bootstrap interval takes seconds at 10,000 people (10.7 s
#: against 1.5 s for the index, measured under load), so the tile points to the page that draws it.
WIREARCHY_INTERVAL_NOTE = "Its 95% interval (bootstrap over respondents) is on the Trust & wirearchy page."


def _baseline(o: dict[str, object], key: str) -> str:
    """ " A random network … about x%." from the facts ``key_random``, or "" without it."""
    expected = _num(o.get(f"{key}_random"))
    if expected is None:
        return ""
    return f"A random network with the same people and number of ties (among respondents) gives about {expected:.0%}."


def _interval(o: dict[str, object], key: str) -> str:
    """ " 95% interval a–b%." from the facts ``key_low``/``key_high``, or "" without them (in the
    tile's detail: the tile's own text stays short enough to read)."""
    low, high = _num(o.get(f"{key}_low")), _num(o.get(f"{key}_high"))
    return "" if low is None or high is None else f" 95% interval {low:.0%}–{high:.0%}."


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _tiles(f: rules.Facts) -> list[Tile]:
    o = f.org
    shift_scores = {k[6:]: _num(v) for k, v in o.items() if k.startswith("shift_")}
    shown = [f"{k} {v:.0f}" for k, v in shift_scores.items() if v is not None]
    gaps = o.get("top_gaps") or []
    assert isinstance(gaps, list)
    b = [_num(o.get(f"bucket_{k}")) for k in ("experience", "others", "formal")]
    mix_text = "—" if None in b else " : ".join(f"{x * 100:.0f}" for x in b if x is not None)
    return [
        Tile(
            "people",
            "People",
            _num(o["people"]),
            f"{o['people']:,}",
            "",
            "Data",
        ),
        Tile(
            "response_rate",
            "Response rate",
            _num(o.get("response_rate")),
            _pct(_num(o.get("response_rate"))),
            "",
            "Data",
        ),
        Tile(
            "informal_share",
            "Informal learning",
            _num(o.get("informal_share")),
            _pct(_num(o.get("informal_share"))),
            f"Now: {mix_text}.{_interval(o, 'informal_share')}",
            "Learning",
        ),
        Tile(
            "shifts",
            "Five shifts (0–100)",
            None if not shown else sum(v for v in shift_scores.values() if v is not None) / len(shown),
            ", ".join(shown) or "—",
            "",
            "Learning",
        ),
        Tile(
            "wirearchy_index",
            "Wirearchy index",
            _num(o.get("wirearchy_index")),
            "—" if _num(o.get("wirearchy_index")) is None else f"{_num(o.get('wirearchy_index')):.0f} / 100",
            "" if _num(o.get("wirearchy_index")) is None else WIREARCHY_INTERVAL_NOTE,
            "Trust & wirearchy",
        ),
        Tile(
            "advice_reciprocity",
            "Advice reciprocity",
            _num(o.get("advice_reciprocity")),
            _pct(_num(o.get("advice_reciprocity"))),
            _baseline(o, "advice_reciprocity"),
            "Network",
        ),
        Tile(
            "silo_groups",
            "Silo departments",
            _num(o.get("silo_groups")),
            "—" if o.get("silo_groups") is None else f"{o['silo_groups']}",
            "",
            "Network",
        ),
        Tile(
            "top_gaps",
            "Biggest skill gaps",
            float(gaps[0][1]) if gaps else None,
            ", ".join(f"{s} ({g:.0f})" for s, g in gaps) or "—",
            "",
            "Skills",
        ),
        Tile(
            "key_people",
            "Key people",
            _num(o.get("key_people")),
            "—" if o.get("key_people") is None else f"{o['key_people']}",
            "",
            "Network",
        ),
    ]


def headline(ds: Dataset, wave: str | None = None, min_size: int = MIN_GROUP_SIZE) -> Headline:
    """Headline tiles and findings for ``wave`` (default: latest), with change against the wave before."""
    w, previous = wave_and_previous(ds, wave)
    current = facts(ds, w, min_size)
    return headline_of(w, current, None if previous is None else facts(ds, previous, min_size))


def wave_and_previous(ds: Dataset, wave: str | None = None) -> tuple[str, str | None]:
    """``wave`` (default, or ``""``: the latest, :func:`lib.core.waves.resolve`) and the wave before it
    (None for the first or only wave)."""
    labels = ds.waves
    w = waves.resolve(wave, labels) or ""
    return w, (labels[labels.index(w) - 1] if w in labels and labels.index(w) > 0 else None)


def headline_of(wave: str, current: rules.Facts, previous: rules.Facts | None = None) -> Headline:
    """:func:`headline` from facts already computed (the page caches :func:`facts` per wave)."""
    tiles = _tiles(current)
    if previous is not None:
        before = {t.key: t for t in _tiles(previous)}
        tiles = [_with_change(t, before[t.key]) for t in tiles]
    return Headline(wave=wave, tiles=tiles, facts=current, findings=rules.evaluate(current))


#: Tiles that count whole things (departments, people): their change is a whole number too.
WHOLE_COUNTS = frozenset({"silo_groups", "key_people"})


def _with_change(now: Tile, before: Tile) -> Tile:
    if now.value is None or before.value is None or now.key in {"top_gaps", "people"}:
        return now
    delta = now.value - before.value
    percent = now.key in {"response_rate", "informal_share", "advice_reciprocity"}
    text = (
        f"{delta * 100:+.0f} pts"
        if percent
        else f"{delta:+.1f}"
        if now.key not in WHOLE_COUNTS
        else f"{delta:+.0f}"
    )
    return Tile(now.key, now.label, now.value, now.text, now.detail, now.page, delta, text)


def compare_waves(ds: Dataset, before: str, after: str, min_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Every headline measure in two waves and its change (measure, <before>, <after>, change)."""
    return compare_facts(before, facts(ds, before, min_size), after, facts(ds, after, min_size))


def compare_facts(
    before: str, facts_before: rules.Facts, after: str, facts_after: rules.Facts
) -> pd.DataFrame:
    """:func:`compare_waves` from facts already computed."""
    a = {t.key: t for t in _tiles(facts_before)}
    rows = []
    for tile in _tiles(facts_after):
        moved = _with_change(tile, a[tile.key])
        rows.append(
            {"measure": tile.label, before: a[tile.key].text, after: tile.text, "change": moved.change_text}
        )
    return pd.DataFrame(rows)


def tie_changes(ds: Dataset, before: str, after: str) -> pd.DataFrame:
    """Ties gained and lost between two waves, per relation: each wave's tie rows as network
    functions read them (:func:`lib.core.waves.tie_rows`; ties without a wave are in both)."""
    if not len(ds.ties):
        return pd.DataFrame(columns=["relation", "ties_before", "ties_after", "gained", "lost"])
    t_a, t_b = waves.tie_rows(ds.ties, before), waves.tie_rows(ds.ties, after)
    rows = []
    for rel in ds.relations:
        r_a, r_b = t_a[t_a["relation"] == rel], t_b[t_b["relation"] == rel]
        keys_a = set(zip(r_a["source_id"], r_a["target_id"], strict=True))
        keys_b = set(zip(r_b["source_id"], r_b["target_id"], strict=True))
        rows.append(
            {
                "relation": rel,
                "ties_before": len(keys_a),
                "ties_after": len(keys_b),
                "gained": len(keys_b - keys_a),
                "lost": len(keys_a - keys_b),
            }
        )
    return pd.DataFrame(rows)


def network_change(ds: Dataset, before: str, after: str) -> pd.DataFrame:
    """Per relation, how its network changed between two waves on the people matched across them.

    Relations whose ties carry no wave (a log counted in every wave) are left out: they cannot change.
    Matched people: those who named someone (any relation) in both waves, the stated proxy for
    having answered both (a non-respondent's ties are unknown, not absent). Among them: ties
    before and after, gained and lost; ``graph_correlation`` (sna ``gcor``) of the two waves'
    matrices and ``qap_p``, its QAP p-value (share of relabellings as correlated,
    :func:`lib.core.stats.qap_correlation`; 999 draws, fewer for very large networks, :func:`_qap_reps`): below 5% the network kept its shape, above it the two
    waves' ties are no more alike than chance. ``change_p``: the paired permutation test
    (:func:`_sign_flip_p`) of each matched person's ties out, Holm-adjusted over the relations;
    ``stated`` = the change in ties passes at :data:`CHANGE_ALPHA`, the only case stated as a change.
    """
    cols = ["relation", "people", "ties_before", "ties_after", "gained", "lost"]
    cols += ["graph_correlation", "qap_p", "change_p", "stated"]
    if not len(ds.ties):
        return pd.DataFrame(columns=cols)
    t_a, t_b = (_tie_frame(waves.tie_rows(ds.ties, w)) for w in (before, after))
    known = set(ds.people["person_id"].astype(str)) if "person_id" in ds.people else set()
    senders = (set(t["source_id"].unique().tolist()) for t in (t_a, t_b))
    matched = sorted(set.intersection(*senders) & known)
    n = len(matched)
    rows, raw = [], {}
    labelled = waves.column(ds.ties).ne("").to_numpy()
    measured = set(ds.ties.loc[labelled, "relation"].astype(str))  # a relation without waves did not change
    for rel in [r for r in ds.relations if r in measured]:
        a, b = (_coded(t[t["relation"] == rel], matched) for t in (t_a, t_b))
        keys_a, keys_b = edge_codes(n, *a), edge_codes(n, *b)
        qap = qap_correlation(n, a, b, reps=_qap_reps(keys_a.size))
        diff = np.bincount(b[0], minlength=n) - np.bincount(a[0], minlength=n)
        raw[rel] = _sign_flip_p(diff.astype(float))
        rows.append(
            {
                "relation": rel,
                "people": n,
                "ties_before": keys_a.size,
                "ties_after": keys_b.size,
                "gained": np.setdiff1d(keys_b, keys_a, assume_unique=True).size,
                "lost": np.setdiff1d(keys_a, keys_b, assume_unique=True).size,
                "graph_correlation": qap.r,
                "qap_p": qap.p_greater,
            }
        )
    adjusted = _holm(raw)
    out = pd.DataFrame(rows, columns=cols[:-2])
    out["change_p"] = [adjusted[r] for r in out["relation"]]
    out["stated"] = out["change_p"] < CHANGE_ALPHA
    return out


#: Draws of the paired test of each person's ties out.
NETWORK_CHANGE_RESAMPLES = 9999


def _sign_flip_p(diff: np.ndarray, resamples: int = NETWORK_CHANGE_RESAMPLES) -> float:
    """Two-sided p-value of the mean paired difference ``diff`` by a paired permutation test (each
    person's two values swapped at random = the sign of their difference flipped; Monte Carlo):
    (draws with |mean| at least the observed + 1) / (``resamples`` + 1). NaN below
    :data:`CHANGE_MIN_MATCHED` people; 1 without any change.

    Each draw is n fair coins, one random byte per eight people: a table holds, for each group of
    eight and each of the 256 bytes, the sum of the differences whose coin says "+", so a draw's
    sum is a lookup per eight people (one second for 9,999 draws at 100,000 people, where a
    matrix of ±1 took seventeen)."""
    n = diff.size
    if n < CHANGE_MIN_MATCHED:
        return math.nan
    if not np.any(diff):
        return 1.0
    d = np.asarray(diff, dtype=float)
    observed = abs(d.mean())
    groups = -(-n // 8)
    padded = np.zeros(groups * 8)
    padded[:n] = d
    coins = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).astype(float)  # 256 × 8
    table = (padded.reshape(groups, 8) @ coins.T).ravel()  # group g, byte b at g·256 + b
    offsets = np.arange(groups, dtype=np.intp) * 256
    total = float(d.sum())
    rng = np.random.default_rng(CHANGE_SEED)
    block = max(1, 2_000_000 // groups)
    hits = 0
    for start in range(0, resamples, block):
        draws = rng.integers(0, 256, size=(min(block, resamples - start), groups), dtype=np.uint8)
        plus = table[offsets + draws].sum(axis=1)  # the "+" differences; the rest count "−"
        hits += int((np.abs(2 * plus - total) / n >= observed - 1e-12).sum())
    return (hits + 1) / (resamples + 1)


def _qap_reps(ties: int) -> int:
    """QAP draws for a network of ``ties`` ties: 999, fewer above 20,000 ties (about 20 million
    lookups in all), never below 199 (p to 0.005, enough for a test at 5%)."""
    return max(199, min(QAP_REPS, 20_000_000 // max(ties, 1)))


def _tie_frame(ties: pd.DataFrame) -> pd.DataFrame:
    """Distinct (source, target, relation) as text, loops dropped (the text kept in pandas' own
    string arrays: no Python object per tie end at a million ties)."""
    frame = ties[["source_id", "target_id", "relation"]].astype(str).drop_duplicates()
    return frame[frame["source_id"] != frame["target_id"]]


def _coded(ties: pd.DataFrame, matched: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sources, targets) as codes of the matched people (positions in ``matched``), ties with an
    unmatched end dropped."""
    s = textsets.positions(ties["source_id"], matched)
    t = textsets.positions(ties["target_id"], matched)
    keep = (s >= 0) & (t >= 0)
    return s[keep], t[keep]


def _holm(raw: dict[K, float]) -> dict[K, float]:
    """Holm–Bonferroni adjusted p-values (Holm 1979); NaN stays NaN."""
    done = sorted((p, k) for k, p in raw.items() if not math.isnan(p))
    out = {k: p for k, p in raw.items() if math.isnan(p)}
    running = 0.0
    for i, (p, key) in enumerate(done):
        running = max(running, min(1.0, (len(done) - i) * p))
        out[key] = running
    return out


def network_change_lines(table: pd.DataFrame, before: str, after: str) -> list[str]:
    """:func:`network_change` in words. A relation whose change in ties passes its test gets its own
    line; the others share one line that starts "Within noise". Each gives the QAP graph correlation."""
    stated, noise = [], []
    for row in table.to_dict("records"):
        r, qap_p, change_p = float(row["graph_correlation"]), float(row["qap_p"]), float(row["change_p"])
        shape = "not comparable, too few ties" if math.isnan(r) else f"r = {r:.2f}, QAP p {_p_text(qap_p)}"
        if not math.isnan(r) and qap_p >= CHANGE_ALPHA:
            shape += ", no more alike than chance"
        counts = f"{row['ties_before']} → {row['ties_after']} ({row['gained']} gained, {row['lost']} lost; {shape})"
        if bool(row["stated"]):
            verb = "rose" if row["ties_after"] > row["ties_before"] else "fell"
            stated.append(
                f"{str(row['relation']).capitalize()} ties {verb} among the {row['people']} people who named "
                f"someone in both waves: {counts}; paired permutation test on each person's ties out, "
                f"Holm-adjusted p = {change_p:.3f}."
            )
        else:
            tested = "too few people to test" if math.isnan(change_p) else f"Holm-adjusted p = {change_p:.2f}"
            noise.append(f"{row['relation']} {counts}, {tested}")
    if noise:
        people = int(table["people"].iloc[0])
        stated.append(
            f"Within noise (paired permutation test on each person's ties out): ties among the {people} people "
            f"who named someone in both waves, {before} → {after}: " + "; ".join(noise) + "."
        )
    return stated


def _p_text(p: float) -> str:
    """A Monte Carlo p-value as text: "< 0.001" when no draw reached the observed value."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def position_changes(ds: Dataset, before: str, after: str, top: int = 10) -> pd.DataFrame:
    """People whose advice in-degree changed most between two waves (individual level: named view only)."""
    rel = _advice_relations(ds)
    a = network.in_degrees(ds, rel, ds.tie_wave(before))
    b = network.in_degrees(ds, rel, ds.tie_wave(after))
    out = pd.DataFrame({"in_degree_before": a, "in_degree_after": b}).fillna(0)
    out["change"] = out["in_degree_after"] - out["in_degree_before"]
    out = out.reindex(out["change"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    return out.reset_index().rename(columns={"index": "person_id"})


def what_changed(ds: Dataset, before: str, after: str, min_size: int = MIN_GROUP_SIZE) -> list[str]:
    """Short plain-language list: findings that appeared or went away, and departments whose E-I moved
    (:func:`changes_between` on the two waves' facts; its paired tests take seconds at 10,000 people,
    so a page keeps the result)."""
    return changes_between(after, facts(ds, before, min_size), facts(ds, after, min_size))


def changes_between(after: str, facts_a: rules.Facts, facts_b: rules.Facts) -> list[str]:
    """:func:`what_changed` from facts already computed (``facts_a`` before, ``facts_b`` after).

    A finding that appeared or went away, or a department whose E-I of the advice it asks moved by
    0.2 or more, is stated as a change only when the change passes a paired permutation test at
    :data:`CHANGE_ALPHA` on the people present in both waves (:func:`paired_change`: each person's
    share of advice asked inside their department, or informal share of learning time), with
    Holm's correction over every test of the comparison (every department is tested, since any of
    them could have moved). Otherwise the line says "within noise", with the p-value; a finding
    whose measure has no person-level test says "not tested for noise".
    """
    tests = _ChangeTests(facts_a, facts_b)
    fa = {(f.rule, f.group): f for f in rules.evaluate(facts_a)}
    fb = {(f.rule, f.group): f for f in rules.evaluate(facts_b)}
    pending = [(f"New in {after}: {fb[k].statement}", *k) for k in fb if k not in fa]
    pending += [(f"No longer true in {after}: {fa[k].statement}", *k) for k in fa if k not in fb]
    ga, gb = facts_a.groups.get("department"), facts_b.groups.get("department")
    if ga is not None and gb is not None and len(ga) and len(gb):
        m = (
            ga.set_index("group")["ei_sent"]
            .to_frame("before")
            .join(gb.set_index("group")["ei_sent"].rename("after"), how="inner")
        )
        m["delta"] = m["after"] - m["before"]
        for group in m.index:
            tests.run("ask_inside", str(group))  # the family: every department could have moved
        for group, row in m[m["delta"].abs() >= 0.2].iterrows():
            verb = "opened up" if row["delta"] > 0 else "turned inward"
            line = f"{group} {verb}: E-I of the advice it asks {row['before']:+.2f} → {row['after']:+.2f}."
            pending.append((line, "silo", str(group)))
    for _, rule, group in pending:
        test = _CHANGE_TESTS.get(rule)
        if test is not None:
            tests.run(test[0], group if test[1] else "")
    adjusted = tests.holm()
    return [_tested(line, adjusted, tests.matched, rule, group) for line, rule, group in pending]


#: rule → (per-person column the change is tested on, whether the test is within the rule's group)
_CHANGE_TESTS: dict[str, tuple[str, bool]] = {
    "silo": ("ask_inside", True),
    "formal_heavy": ("informal", False),
    "group_formal_heavy": ("informal", True),
}


class _ChangeTests:
    """The paired tests of one comparison, each run once, and their Holm-adjusted p-values."""

    def __init__(self, facts_a: rules.Facts, facts_b: rules.Facts) -> None:
        self.a, self.b = facts_a.people, facts_b.people
        self.raw: dict[tuple[str, str], float] = {}
        self.matched: dict[tuple[str, str], int] = {}

    def run(self, column: str, group: str) -> None:
        key = (column, group)
        if key in self.raw or column not in self.a or column not in self.b:
            return
        a, b = self.a[column], self.b[column]
        if group:
            a, b = a[self.a["department"] == group], b[self.b["department"] == group]
        _, p, n = paired_change(a, b)
        self.raw[key], self.matched[key] = p, n

    def holm(self) -> dict[tuple[str, str], float]:
        """Holm–Bonferroni adjusted p-values (Holm 1979) of the tests that could be run."""
        return _holm(self.raw)


def _tested(
    line: str,
    adjusted: dict[tuple[str, str], float],
    matched: dict[tuple[str, str], int],
    rule: str,
    group: str,
) -> str:
    """``line`` as a change when its test passes; else marked "within noise" or "not tested"."""
    test = _CHANGE_TESTS.get(rule)
    key = (test[0], group if test[1] else "") if test else ("", "")
    if key not in adjusted:
        return f"{line} (not tested for noise)"
    p, n = adjusted[key], matched[key]
    if math.isnan(p):
        return f"Within noise (too few people in both waves to test, {n}): {line}"
    if p < CHANGE_ALPHA:
        return f"{line} (paired permutation test on {n} people in both waves, Holm-adjusted p = {p:.3f})"
    return f"Within noise (paired permutation test on {n} people in both waves, Holm-adjusted p = {p:.2f}): {line}"
