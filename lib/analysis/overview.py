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

import numpy as np
import pandas as pd

from lib.analysis import findings as rules
from lib.analysis import flows, hierarchy, learning, network, roles, shifts, skills, trust, wirearchy
from lib.core import privacy, waves
from lib.core.dataset import Dataset
from lib.core.privacy import MIN_GROUP_SIZE

SILO_EI = -0.6  # a department is a silo when its advice E-I index is at or below this (see findings.RULES)
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
    return merge_facts([facts_section(ds, name, wave, min_size) for name in FACT_SECTIONS])


def facts_section(
    ds: Dataset, section: str, wave: str | None = None, min_size: int = MIN_GROUP_SIZE
) -> rules.Facts:
    """The facts of one section of :data:`FACT_SECTIONS` for ``wave`` (default: the latest).

    A page computes (and caches) the sections one by one, showing each tile as soon as its section
    is done; :func:`facts` is all of them merged.
    """
    w = waves.resolve(wave, ds.waves) or ""
    org, groups = _SECTION_FUNCTIONS[section](ds, w, min_size)
    return rules.Facts(org={"wave": w, **org}, groups=groups)


def merge_facts(parts: list[rules.Facts]) -> rules.Facts:
    """Sections' facts as one (a later section's value wins; none overlap)."""
    org: dict[str, object] = {}
    groups: dict[str, pd.DataFrame] = {}
    for part in parts:
        org.update(part.org)
        groups.update(part.groups)
    return rules.Facts(org=org, groups=groups)


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
    mix = learning.overall_mix(ds, w or None, min_size)
    org["informal_share"] = _num(mix.informal_share)
    org["fsl_share"] = _num(mix.shares.get("FSL"))
    org["self_directed_share"] = _num(mix.self_directed_share)
    for bucket, value in mix.buckets.items():
        org[f"bucket_{bucket}"] = _num(value)
    org["flow_share"] = _num(flows.flow_share(ds, w or None).share)
    for shift in shifts.scorecard(ds, w or None, min_size):
        org[f"shift_{shift.code}"] = shift.score
    return org, {}


def _network_section(ds: Dataset, w: str, min_size: int) -> _Section:
    if not len(ds.ties):
        return {"advice_reciprocity": None, "gini_in_degree_advice": None}, {}
    reciprocity, gini = network.reciprocity_and_gini(ds, _advice_relations(ds), ds.tie_wave(w))
    return {"advice_reciprocity": _num(reciprocity), "gini_in_degree_advice": _num(gini)}, {}


def _key_people_section(ds: Dataset, w: str, min_size: int) -> _Section:
    if not len(ds.ties):
        return {"key_people": None}, {}
    ranked = roles.rank_key_people(ds, _advice_relations(ds), ds.tie_wave(w), top=20)
    share = (
        pd.to_numeric(ranked["reach_lost_share"], errors="coerce") if len(ranked) else pd.Series(dtype=float)
    )
    splits = pd.to_numeric(ranked["components_added"], errors="coerce") if len(ranked) else share
    return {
        "key_people": int(((share >= KEY_PERSON_REACH_LOSS) | (splits > 0)).sum()),
        "key_person_threshold": KEY_PERSON_REACH_LOSS,
    }, {}


def _wirearchy_section(ds: Dataset, w: str, min_size: int) -> _Section:
    org: dict[str, object] = {}
    index = wirearchy.wirearchy_index(ds, wave=w or None)
    org["wirearchy_index"] = _num(index.value)
    flow = hierarchy.advice_flow(ds, w or None)
    org["advice_up_share"] = _num(flow.up_share) if flow.classified else None
    org["advice_down_share"] = _num(flow.down_share) if flow.classified else None
    org["seniority_advice_correlation"] = _num(hierarchy.seniority_advice_correlation(ds, w or None).rho)
    return org, {}


def _trust_section(ds: Dataset, w: str, min_size: int) -> _Section:
    dims = privacy.shown(trust.shown_summary(ds, w or None, min_size))
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
    ei = ei[ei["ei"].notna()].copy()
    ei["internal_share"] = (1 - ei["ei"]) / 2  # I / (E + I) = (1 − EI) / 2
    mixes = learning.group_mix(ds, "department", w or None, min_size)
    mixes = mixes[~mixes["suppressed"]] if "suppressed" in mixes else mixes
    fsl = mixes.set_index("department")["FSL"] if len(mixes) else pd.Series(dtype=float)
    ei["fsl_share"] = ei["group"].map(fsl)
    return {"silo_groups": int((ei["ei"] <= SILO_EI).sum())}, {"department": ei.reset_index(drop=True)}


_SECTION_FUNCTIONS: dict[str, Callable[[Dataset, str, int], _Section]] = {
    "roster": _roster_section,
    "network": _network_section,
    "groups": _groups_section,
    "skills": _skills_section,
    "wirearchy": _wirearchy_section,
    "learning": _learning_section,
    "trust": _trust_section,
    "key_people": _key_people_section,
}
#: The overview's sections in the order a page computes them (cheapest tiles first; the key-person
#: what-if, one removal per candidate, last), each with the step name a progress indicator shows.
FACT_SECTIONS: dict[str, str] = {
    "roster": "people and response rate",
    "network": "the advice network",
    "groups": "departments' advice (silos)",
    "skills": "skill gaps",
    "wirearchy": "wirearchy index",
    "learning": "learning mix and the five shifts",
    "trust": "trust survey",
    "key_people": "key people (one what-if removal per candidate)",
}
#: Which section each headline tile reads.
TILE_SECTIONS: dict[str, str] = {
    "people": "roster",
    "response_rate": "roster",
    "informal_share": "learning",
    "shifts": "learning",
    "wirearchy_index": "wirearchy",
    "advice_reciprocity": "network",
    "silo_groups": "groups",
    "top_gaps": "skills",
    "key_people": "key_people",
}


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
            f"Now: {mix_text}.",
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
            "",
            "Trust & wirearchy",
        ),
        Tile(
            "advice_reciprocity",
            "Advice reciprocity",
            _num(o.get("advice_reciprocity")),
            _pct(_num(o.get("advice_reciprocity"))),
            "",
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


def _with_change(now: Tile, before: Tile) -> Tile:
    if now.value is None or before.value is None or now.key in {"top_gaps", "people"}:
        return now
    delta = now.value - before.value
    percent = now.key in {"response_rate", "informal_share", "advice_reciprocity"}
    text = (
        f"{delta * 100:+.0f} pts"
        if percent
        else f"{delta:+.1f}"
        if now.key != "silo_groups"
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


def position_changes(ds: Dataset, before: str, after: str, top: int = 10) -> pd.DataFrame:
    """People whose advice in-degree changed most between two waves (individual level: named view only)."""
    rel = _advice_relations(ds)
    a = network.person_measures(ds, rel, ds.tie_wave(before), group_attr=None)["in_degree"]
    b = network.person_measures(ds, rel, ds.tie_wave(after), group_attr=None)["in_degree"]
    out = pd.DataFrame({"in_degree_before": a, "in_degree_after": b}).fillna(0)
    out["change"] = out["in_degree_after"] - out["in_degree_before"]
    out = out.reindex(out["change"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    return out.reset_index().rename(columns={"index": "person_id"})


def what_changed(ds: Dataset, before: str, after: str, min_size: int = MIN_GROUP_SIZE) -> list[str]:
    """Short plain-language list: findings that appeared or went away, and departments whose E-I moved."""
    return changes_between(after, facts(ds, before, min_size), facts(ds, after, min_size))


def changes_between(after: str, facts_a: rules.Facts, facts_b: rules.Facts) -> list[str]:
    """:func:`what_changed` from facts already computed (``facts_a`` before, ``facts_b`` after)."""
    fa = {(f.rule, f.group): f for f in rules.evaluate(facts_a)}
    fb = {(f.rule, f.group): f for f in rules.evaluate(facts_b)}
    out = [f"New in {after}: {fb[k].statement}" for k in fb if k not in fa]
    out += [f"No longer true in {after}: {fa[k].statement}" for k in fa if k not in fb]
    ga, gb = facts_a.groups.get("department"), facts_b.groups.get("department")
    if ga is not None and gb is not None and len(ga) and len(gb):
        m = (
            ga.set_index("group")["ei"]
            .to_frame("before")
            .join(gb.set_index("group")["ei"].rename("after"), how="inner")
        )
        m["delta"] = m["after"] - m["before"]
        for group, row in m[m["delta"].abs() >= 0.2].iterrows():
            verb = "opened up" if row["delta"] > 0 else "turned inward"
            out.append(f"{group} {verb}: advice E-I {row['before']:+.2f} → {row['after']:+.2f}.")
    return out
