"""Wirearchy indicators on a small hand-drawn organisation, Krackhardt's hierarchy against brute
force and published values, and the index's weighting, renormalisation and privacy."""

from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lib.analysis import hierarchy as hy
from lib.analysis import wirearchy as w
from lib.core.dataset import Dataset

DATA = Path(__file__).resolve().parent / "data"

# The hand-drawn organisation (level 1 = most senior):
#
#   ceo (1, Exec)
#   ├── m1 (2, A) ── a1 (3, A), a2 (3, A)
#   └── m2 (2, B) ── b1 (3, B)
HAND_PEOPLE = pd.DataFrame(
    {
        "person_id": ["ceo", "m1", "m2", "a1", "a2", "b1"],
        "team": ["Exec", "A", "B", "A", "A", "B"],
        "level": pd.array([1, 2, 2, 3, 3, 3], dtype="Int64"),
        "manager_id": ["", "ceo", "ceo", "m1", "m1", "m2"],
    }
)
#           source → target   level    chain  bypass
HAND_ADVICE = [
    ("a1", "m1"),  # up      up       no (own manager, same team)
    ("a1", "ceo"),  # up     up       no (grand-manager)
    ("a1", "a2"),  # across  off      no (same team)
    ("a2", "b1"),  # across  off      yes
    ("b1", "m1"),  # up      off      yes
    ("m1", "a1"),  # down    down     no
    ("ceo", "b1"),  # down   down     no (grand-report)
    ("m2", "m1"),  # across  off      yes
]
NOISE = [
    ("a1", "m1", "advice", ""),  # the same pair again without a wave (belongs to every wave): counted once
    ("a2", "a2", "advice", ""),  # self-tie: dropped
    ("a2", "stranger", "advice", ""),  # not on the roster: dropped
    ("m2", "b1", "information", ""),  # another relation: ignored
]


def ties_frame(advice: list[tuple[str, str]], extra: list[tuple[str, str, str, str]] = ()) -> pd.DataFrame:  # type: ignore[assignment]
    rows = [(s, t, "advice", "2026-Q1") for s, t in advice] + list(extra)
    return pd.DataFrame(rows, columns=["source_id", "target_id", "relation", "wave"]).assign(weight=1.0)


def hand_org(**people_changes: object) -> Dataset:
    people = HAND_PEOPLE.copy()
    for col, value in people_changes.items():
        people[col] = value
    return Dataset(people=people, ties=ties_frame(HAND_ADVICE, NOISE))


# --- the hand-drawn organisation ------------------------------------------------------------


def test_ties_are_distinct_roster_pairs_of_the_relation() -> None:
    ties = hy.relation_ties(hand_org())
    assert sorted(zip(ties["source_id"], ties["target_id"], strict=True)) == sorted(HAND_ADVICE)


def test_a_wave_keeps_its_own_ties_and_blank_wave_ties() -> None:
    extra = [("b1", "ceo", "advice", "2026-Q2"), ("m2", "b1", "advice", "")]
    ds = Dataset(people=HAND_PEOPLE, ties=ties_frame(HAND_ADVICE, extra))

    def pairs(wave: str | None) -> set[tuple[str, str]]:
        ties = hy.relation_ties(ds, wave=wave)
        return set(zip(ties["source_id"], ties["target_id"], strict=True))

    assert pairs("2026-Q2") == {("b1", "ceo"), ("m2", "b1")}
    assert pairs("2026-Q1") == set(HAND_ADVICE) | {("m2", "b1")}
    assert len(pairs(None)) == len(HAND_ADVICE) + 2
    assert w.resolve_wave(ds, None) == "2026-Q2"
    assert (
        w.index_components(ds).set_index("component").loc["two_way_advice", "raw_text"] == "1 ties up, 1 down"
    )


def test_flow_shares_by_level_on_the_hand_drawn_org() -> None:
    flow = hy.advice_flow(hand_org())
    assert (flow.up, flow.across, flow.down, flow.level_unknown) == (3, 3, 2, 0)
    assert flow.up_share == pytest.approx(3 / 8)
    assert flow.across_share == pytest.approx(3 / 8)
    assert flow.down_share == pytest.approx(2 / 8)


def test_flow_along_reporting_chains_on_the_hand_drawn_org() -> None:
    flow = hy.advice_flow(hand_org())
    assert flow.chain_known
    assert (flow.chain_up, flow.chain_down, flow.chain_off) == (2, 2, 4)
    table = flow.table().set_index(["basis", "direction"])
    assert table.loc[("reporting chain", "off the chain"), "share"] == pytest.approx(0.5)


def test_each_tie_is_classified_as_drawn() -> None:
    t = hy.classify_ties(hand_org()).set_index(["source_id", "target_id"])
    expected = {
        ("a1", "m1"): ("up", "up", False),
        ("a1", "ceo"): ("up", "up", False),
        ("a1", "a2"): ("across", "off", False),
        ("a2", "b1"): ("across", "off", True),
        ("b1", "m1"): ("up", "off", True),
        ("m1", "a1"): ("down", "down", False),
        ("ceo", "b1"): ("down", "down", False),
        ("m2", "m1"): ("across", "off", True),
    }
    for pair, (level, chain, bypass) in expected.items():
        row = t.loc[pair]
        assert (row["level_direction"], row["chain_direction"], bool(row["bypass"])) == (
            level,
            chain,
            bypass,
        ), pair


def test_reciprocity_across_levels_is_among_respondents() -> None:
    """b1 did not answer (so sent nothing): ceo → b1 can never be returned, and must not read as one-way."""
    advice = [pair for pair in HAND_ADVICE if pair[0] != "b1"]
    answered = [p != "b1" for p in HAND_PEOPLE["person_id"]]
    ds = Dataset(people=HAND_PEOPLE.assign(responded=answered), ties=ties_frame(advice))
    # on every report: a1→m1, a1→ceo, m1→a1, ceo→b1 cross levels, 2 returned; among respondents ceo→b1 goes
    rec = hy.cross_level_reciprocity(ds)
    assert (rec.cross_level_arcs, rec.cross_level) == (3, pytest.approx(2 / 3))
    row = w.index_components(ds).set_index("component").loc["cross_level_reciprocity"]
    assert row["raw"] == pytest.approx(2 / 3)
    assert "3 ties between respondents" in str(row["raw_text"])
    # trust reciprocity: a → b, b → a, a → c with c silent: 1.0 among respondents (2/3 on every report)
    trust_people = pd.DataFrame({"person_id": ["a", "b", "c"], "responded": [True, True, False]})
    trust_ties = ties_frame([], [(s, t, "trust", "") for s, t in (("a", "b"), ("b", "a"), ("a", "c"))])
    assert hy.trust_reciprocity(Dataset(people=trust_people, ties=trust_ties)) == pytest.approx(1.0)


def test_missing_levels_leave_ties_unclassified() -> None:
    ds = hand_org(level=pd.array([1, 2, None, 3, 3, 3], dtype="Int64"))  # m2 has no level
    flow = hy.advice_flow(ds)
    assert flow.level_unknown == 1  # m2 → m1
    assert (flow.up, flow.across, flow.down) == (3, 2, 2)
    assert flow.across_share == pytest.approx(2 / 7)


def test_reciprocity_across_levels_by_hand() -> None:
    rec = hy.cross_level_reciprocity(hand_org())
    # cross-level arcs: a1→m1, a1→ceo, b1→m1, m1→a1, ceo→b1; only a1⇄m1 returned
    assert rec.cross_level_arcs == 5
    assert rec.cross_level == pytest.approx(2 / 5)
    assert rec.same_level_arcs == 3
    assert rec.same_level == 0.0


def test_hierarchy_bypass_by_hand() -> None:
    assert hy.hierarchy_bypass(hand_org()) == pytest.approx(3 / 8)
    # without teams only the chain counts: a1 → a2 becomes a bypass too
    assert hy.hierarchy_bypass(hand_org(team="")) == pytest.approx(4 / 8)
    # without reporting lines the bypass is unknown
    assert math.isnan(hy.hierarchy_bypass(hand_org(manager_id="")))


def test_ancestors_follow_the_manager_tree_and_survive_cycles() -> None:
    anc = hy.ancestor_pairs(hand_org())
    assert set(zip(anc["person_id"], anc["ancestor_id"], anc["distance"], strict=True)) == {
        ("m1", "ceo", 1),
        ("m2", "ceo", 1),
        ("a1", "m1", 1),
        ("a2", "m1", 1),
        ("b1", "m2", 1),
        ("a1", "ceo", 2),
        ("a2", "ceo", 2),
        ("b1", "ceo", 2),
    }
    loop = Dataset(people=pd.DataFrame({"person_id": ["x", "y", "z"], "manager_id": ["y", "z", "x"]}))
    pairs = hy.ancestor_pairs(loop)
    assert len(pairs) == 6  # everyone is everyone else's ancestor; nobody their own


def test_in_degree_and_seniority_correlation_against_pandas() -> None:
    ds = hand_org()
    deg = hy.advice_in_degree(ds).set_index("person_id")["in_degree"]
    assert deg.to_dict() == {"ceo": 1, "m1": 3, "m2": 0, "a1": 1, "a2": 1, "b1": 2}
    corr = hy.seniority_advice_correlation(ds)
    seniority = -pd.Series([1, 2, 2, 3, 3, 3], index=deg.index, dtype=float)
    assert corr.rho == pytest.approx(deg.astype(float).corr(seniority, method="spearman"))
    assert corr.n == 6


def test_correlation_sign_follows_seniority() -> None:
    # everybody asks the most senior people: strongly positive
    people = pd.DataFrame({"person_id": list("abcdef"), "level": pd.array([1, 1, 2, 2, 3, 3], dtype="Int64")})
    up = [(s, t) for s in "cdef" for t in "ab"] + [("e", "c"), ("f", "d")]
    corr = hy.seniority_advice_correlation(Dataset(people=people, ties=ties_frame(up)))
    assert corr.rho > 0.8
    down = [(t, s) for s, t in up]
    corr = hy.seniority_advice_correlation(Dataset(people=people, ties=ties_frame(down)))
    assert corr.rho < -0.8


@pytest.mark.parametrize(
    ("levels", "advice", "reason"),
    [
        ([1, 2], [("a", "b")], "three people"),
        ([1, 1, 1], [("a", "b")], "same level"),
        ([1, 2, 3], [], "equally"),
    ],
)
def test_correlation_undefined_cases(levels: list[int], advice: list[tuple[str, str]], reason: str) -> None:
    ids = list("abc")[: len(levels)]
    people = pd.DataFrame({"person_id": ids, "level": pd.array(levels, dtype="Int64")})
    corr = hy.seniority_advice_correlation(Dataset(people=people, ties=ties_frame(advice)))
    assert math.isnan(corr.rho)
    assert reason in corr.note


def test_hidden_leaders_with_stated_thresholds() -> None:
    ds = hand_org()
    # in-degrees 1, 3, 0, 1, 1, 2: the 80th percentile is 2; levels' 60th percentile is 3
    found = hy.hidden_leaders(ds, top_share=0.2)
    assert found.in_degree_threshold == pytest.approx(2.0)
    assert found.level_threshold == pytest.approx(3.0)
    assert list(found.people["person_id"]) == ["b1"]  # m1 (3) is sought more but is not junior
    # default top 10%: threshold 2.5, only m1 reaches it, and m1 is not junior
    assert hy.hidden_leaders(ds).people.empty


# --- Krackhardt's hierarchy -----------------------------------------------------------------


def brute_force_hierarchy(edges: list[tuple[str, str]]) -> tuple[float, float]:
    """(dyad variant, ordered variant) from the full reachability relation."""
    g = nx.DiGraph(edges)
    reach = {(a, b) for a in g for b in nx.descendants(g, a)}
    sym = sum(1 for a, b in itertools.combinations(g.nodes, 2) if (a, b) in reach and (b, a) in reach)
    asym = sum(1 for a, b in itertools.combinations(g.nodes, 2) if ((a, b) in reach) != ((b, a) in reach))
    dyad = asym / (sym + asym) if sym + asym else math.nan
    ordered = asym / len(reach) if reach else math.nan
    return dyad, ordered


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ([("a", "b"), ("b", "c")], 1.0),  # a chain: every path one way
        ([("a", "b"), ("a", "c"), ("b", "d")], 1.0),  # an out-tree
        ([("a", "b"), ("b", "c"), ("c", "a")], 0.0),  # a cycle
        ([("a", "b"), ("b", "a"), ("b", "c")], 2 / 3),  # a⇄b, and both reach c: S = 1, A = 2
        ([("a", "b"), ("b", "a"), ("c", "d")], 1 / 2),  # S = 1 (a,b), A = 1 (c,d)
    ],
)
def test_krackhardt_hierarchy_by_hand(edges: list[tuple[str, str]], expected: float) -> None:
    assert hy.krackhardt_hierarchy(edges).value == pytest.approx(expected)


def test_krackhardt_ordered_variant_by_hand() -> None:
    h = hy.krackhardt_hierarchy([("a", "b"), ("b", "a"), ("b", "c")])
    assert (h.symmetric_dyads, h.asymmetric_dyads) == (1, 2)
    assert h.ordered_share == pytest.approx(2 / 4)  # reachable ordered pairs ab, ba, ac, bc


def test_krackhardt_of_the_hand_drawn_org() -> None:
    # ceo, m1, a1, a2, b1 form one strong component (a1→a2→b1→m1→a1, a1→ceo→b1); m2 only reaches it
    h = hy.advice_hierarchy(hand_org())
    assert (h.symmetric_dyads, h.asymmetric_dyads) == (10, 5)
    assert h.value == pytest.approx(1 / 3)


@pytest.mark.parametrize("seed", range(6))
def test_krackhardt_matches_brute_force_on_random_graphs(seed: int) -> None:
    g = nx.gnp_random_graph(14, 0.12, seed=seed, directed=True)
    edges = [(str(a), str(b)) for a, b in g.edges]
    dyad, ordered = brute_force_hierarchy(edges)
    h = hy.krackhardt_hierarchy(edges)
    assert h.value == pytest.approx(dyad)
    assert h.ordered_share == pytest.approx(ordered)


def test_krackhardt_empty_and_self_ties() -> None:
    assert math.isnan(hy.krackhardt_hierarchy([]).value)
    assert math.isnan(hy.krackhardt_hierarchy([("a", "a")]).value)


def krackhardt_edges(relation: str) -> list[tuple[str, str]]:
    ties = pd.read_csv(DATA / "krackhardt_hightech" / "ties.csv", dtype=str)
    ties = ties[ties["relation"] == relation]
    return list(zip(ties["source"], ties["target"], strict=True))


def test_krackhardt_high_tech_firm() -> None:
    assert hy.krackhardt_hierarchy(krackhardt_edges("reports_to")).value == 1.0  # a tree
    assert hy.krackhardt_hierarchy(krackhardt_edges("advice")).value == 0.0  # one strong component of 21
    friendship = krackhardt_edges("friendship")
    assert hy.krackhardt_hierarchy(friendship).value == pytest.approx(brute_force_hierarchy(friendship)[0])


def test_trust_reciprocity_matches_published_values() -> None:
    """Trust reciprocity is the network's arc reciprocity (one computation) applied to trust ties:
    on Krackhardt's networks read as trust ties it gives the published arc reciprocity."""
    for relation, published in (("advice", 0.47368421), ("friendship", 0.45098039), ("reports_to", 0.0)):
        edges = krackhardt_edges(relation)
        people = sorted({p for edge in edges for p in edge})
        ds = Dataset(  # a census: everyone answered, including people who named no one
            people=pd.DataFrame({"person_id": people, "responded": True}),
            ties=ties_frame([], [(s, t, "trust", "") for s, t in edges]),
        )
        assert hy.trust_reciprocity(ds) == pytest.approx(published, abs=2e-7)


def test_trust_reciprocity() -> None:
    ties = ties_frame([], [("a1", "m1", "trust", ""), ("m1", "a1", "trust", ""), ("a2", "m1", "trust", "")])
    ds = Dataset(people=HAND_PEOPLE, ties=ties)
    assert hy.trust_reciprocity(ds) == pytest.approx(2 / 3)
    assert math.isnan(hy.trust_reciprocity(hand_org()))


def test_krackhardt_at_ten_thousand_people_stays_fast() -> None:
    # a 10k-person out-tree plus peer ties inside small teams: 10k components, no dense matrix
    n = 10_000
    edges = [(str(i), str((i - 1) // 4)) for i in range(1, n)]
    edges += [(str(i), str(i + 1)) for i in range(1, n - 1, 3)] + [
        (str(i + 1), str(i)) for i in range(1, n - 1, 3)
    ]
    start = time.perf_counter()
    h = hy.krackhardt_hierarchy(edges)
    assert time.perf_counter() - start < 20
    assert 0 < h.value < 1


# --- flows and in-degree by level, with suppression -----------------------------------------


def two_level_org() -> Dataset:
    people = pd.DataFrame(
        {
            "person_id": [f"s{i}" for i in range(5)] + [f"j{i}" for i in range(5)],
            "level": pd.array([1] * 5 + [2] * 5, dtype="Int64"),
        }
    )
    advice = [(f"j{i}", f"s{i}") for i in range(5)] + [("s1", "s2"), ("s1", "j1")]
    return Dataset(people=people, ties=ties_frame(advice))


def test_flow_by_level_by_hand() -> None:
    table = hy.flow_by_level(two_level_org()).set_index("level")
    assert not table["suppressed"].any()
    assert (table.loc[1, "across"], table.loc[1, "down"], table.loc[1, "up"]) == (0.5, 0.5, 0.0)
    assert table.loc[2, "up"] == 1.0
    assert table.loc[2, "ties"] == 5


def test_small_levels_are_suppressed() -> None:
    table = hy.flow_by_level(hand_org()).set_index("level")
    assert table["suppressed"].all()  # 1, 2 and 3 people per level
    by_level = hy.advice_by_level(hand_org())
    assert by_level["mean_in_degree"].isna().all()


def test_advice_by_level_by_hand() -> None:
    table = hy.advice_by_level(two_level_org()).set_index("level")
    # seniors are named 1, 1, 2, 1, 1 times; juniors 0, 1, 0, 0, 0
    assert table.loc[1, "mean_in_degree"] == pytest.approx(6 / 5)
    assert table.loc[2, "mean_in_degree"] == pytest.approx(1 / 5)


# --- the index ------------------------------------------------------------------------------


def components(values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for c in w.INDEX_COMPONENTS:
        v = values.get(c.key, math.nan)
        rows.append(
            {
                "component": c.key,
                "label": c.label,
                "source": c.source,
                "raw_text": "",
                "value": v,
                "direction": c.direction,
                "scoring": c.scoring,
                "status": "" if not math.isnan(v) else "missing",
            }
        )
    return pd.DataFrame(rows)


def test_default_weights_are_declared_once_and_split_survey_and_network_evenly() -> None:
    weights = w.default_weights()
    survey = sum(c.weight for c in w.INDEX_COMPONENTS if c.source == "survey")
    network = sum(c.weight for c in w.INDEX_COMPONENTS if c.source == "network")
    assert survey == network
    assert set(weights) == {c.key for c in w.INDEX_COMPONENTS}
    assert set(w.SUGGESTIONS) == set(weights)


def test_combine_is_the_weighted_mean_of_available_components() -> None:
    comps = components({"survey_trust": 80.0, "two_way_advice": 20.0})
    idx = w.combine(comps, {"survey_trust": 1.0, "two_way_advice": 3.0})
    assert idx.value == pytest.approx((80 * 1 + 20 * 3) / 4)
    assert idx.table["contribution"].sum() == pytest.approx(idx.value)
    assert idx.table.loc[idx.table["value"].notna(), "share"].sum() == pytest.approx(1.0)
    assert len(idx.missing) == 8
    assert "Computed from 2 of 10 components" in idx.note
    assert "Trust" not in idx.missing


def test_combine_all_available_with_default_weights_is_the_plain_mean() -> None:
    values = {c.key: float(10 * i) for i, c in enumerate(w.INDEX_COMPONENTS)}
    idx = w.combine(components(values))
    assert idx.value == pytest.approx(np.mean(list(values.values())))
    assert idx.missing == ()
    assert idx.note == ""


def test_combine_edge_cases() -> None:
    assert math.isnan(w.combine(components({})).value)
    zero = {c.key: 0.0 for c in w.INDEX_COMPONENTS}
    assert math.isnan(w.combine(components({"survey_trust": 50.0}), zero).value)
    # a zero weight removes a component; a negative weight counts as zero
    idx = w.combine(components({"survey_trust": 50.0, "two_way_advice": 100.0}), {"two_way_advice": -5})
    assert idx.value == pytest.approx(50.0)


def test_index_components_on_the_hand_drawn_org() -> None:
    comps = w.index_components(hand_org()).set_index("component")
    assert comps.loc["two_way_advice", "value"] == pytest.approx(2 * 2 / 5 * 100)  # 3 up, 2 down
    assert comps.loc["cross_level_reciprocity", "value"] == pytest.approx(40.0)
    assert comps.loc["advice_openness", "value"] == pytest.approx((1 - 1 / 3) * 100)
    assert comps.loc["hierarchy_bypass", "value"] == pytest.approx((1 - abs(3 / 8 - 0.5) / 0.5) * 100)
    rho = hy.seniority_advice_correlation(hand_org()).rho
    assert comps.loc["knowledge_authority", "value"] == pytest.approx((1 - max(rho, 0)) * 100)
    for c in w.INDEX_COMPONENTS:
        if c.source == "survey":
            assert comps.loc[c.key, "status"] == "no trust survey in the data"


def test_index_uses_survey_means_mapped_to_0_100() -> None:
    trust_rows = pd.DataFrame(
        [
            {"person_id": p, "wave": "", "item": i, "value": v}
            for p, v in (("a1", 4.0), ("a2", 2.0))
            for i in ("tr1", "tr2")
        ]
    )
    ds = Dataset(people=HAND_PEOPLE, ties=ties_frame(HAND_ADVICE), trust=trust_rows)
    comps = w.index_components(ds).set_index("component")
    assert comps.loc["survey_trust", "value"] == pytest.approx((3.0 - 1) / 4 * 100)
    assert comps.loc["survey_credibility", "status"] == "no answers to this dimension's items"


def test_missing_data_marks_components_and_renormalises() -> None:
    no_levels = hand_org(level=pd.array([None] * 6, dtype="Int64"))
    comps = w.index_components(no_levels).set_index("component")
    for key in ("two_way_advice", "cross_level_reciprocity", "knowledge_authority"):
        assert comps.loc[key, "status"] == "no levels in the people sheet"
    idx = w.wirearchy_index(no_levels)
    available = comps["value"].dropna()
    assert list(available.index) == ["advice_openness", "hierarchy_bypass"]
    assert idx.value == pytest.approx(available.mean())

    nothing = Dataset(people=HAND_PEOPLE)
    idx = w.wirearchy_index(nothing)
    assert math.isnan(idx.value)
    assert set(idx.table["status"]) == {"no trust survey in the data", "no advice ties"}


def test_index_by_group_suppresses_small_groups() -> None:
    teams = ["A"] * 6 + ["B"] * 5 + ["C"] * 2
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(13)],
            "team": teams,
            "level": pd.array([1, 2, 2, 3, 3, 3, 1, 2, 3, 3, 3, 2, 3], dtype="Int64"),
        }
    )
    advice = [(f"p{i}", f"p{(i + 1) % 13}") for i in range(13)] + [
        (f"p{(i + 1) % 13}", f"p{i}") for i in range(0, 13, 2)
    ]
    trust_rows = pd.DataFrame(
        [{"person_id": f"p{i}", "wave": "", "item": "tr1", "value": 4.0} for i in range(6)]
        + [{"person_id": f"p{i}", "wave": "", "item": "tr1", "value": 2.0} for i in range(6, 9)]
    )
    ds = Dataset(people=people, ties=ties_frame(advice), trust=trust_rows)
    table = w.index_by_group(ds, "team", across=False).set_index("group")  # the named view's rule
    assert table.loc["C", "suppressed_reason"] == "small"
    assert math.isnan(table.loc["C", "index"])
    assert table.loc["B", "suppressed_reason"] == "complementary"
    assert not table.loc["A", "suppressed"]
    assert table.loc["A", "survey_trust"] == pytest.approx(75.0)
    assert table.loc["A", "respondents"] == 6
    # the aggregate view also hides A: its 6 respondents subtracted from the organisation's 9
    # would give the trust of B's 3 respondents
    linked = w.index_by_group(ds, "team").set_index("group")
    assert linked["suppressed"].all() and linked["index"].isna().all()


def test_group_survey_components_need_the_minimum_of_respondents() -> None:
    teams = ["A"] * 5 + ["B"] * 5
    people = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(10)],
            "team": teams,
            "level": pd.array([1, 2, 2, 3, 3] * 2, dtype="Int64"),
        }
    )
    trust_rows = pd.DataFrame(
        [{"person_id": f"p{i}", "wave": "", "item": "tr1", "value": 5.0} for i in range(8)]
    )
    advice = [(f"p{i}", f"p{(i + 1) % 10}") for i in range(10)]
    ds = Dataset(people=people, ties=ties_frame(advice), trust=trust_rows)
    table = w.index_by_group(ds, "team", across=False).set_index("group")  # the named view's rule
    assert table.loc["A", "survey_trust"] == 100.0
    assert math.isnan(table.loc["B", "survey_trust"])  # 3 respondents < 5
    assert table.loc["B", "components"] < table.loc["A", "components"]
    # the aggregate view hides A too: the organisation's trust minus A's would be B's 3 respondents
    linked = w.index_by_group(ds, "team").set_index("group")
    assert linked["suppressed"].all() and linked["survey_trust"].isna().all()


def test_suggestions_list_weak_components_weakest_first() -> None:
    idx = w.combine(components({"survey_trust": 30.0, "two_way_advice": 10.0, "advice_openness": 90.0}))
    s = w.suggestions(idx)
    assert list(s["label"]) == [w.COMPONENTS_BY_KEY["two_way_advice"].label, "Trust"]
    assert all(s["suggestion"].str.len() > 20)


def test_analysis_json_is_strict_json_with_the_flow_shares() -> None:
    result = w.analysis_json(hand_org())
    json.dumps(result, allow_nan=False)
    flow = result["advice_flow"]
    assert (flow["up"], flow["across"], flow["down"]) == (0.375, 0.375, 0.25)  # type: ignore[index]
    assert result["krackhardt_hierarchy"] == pytest.approx(1 / 3, abs=1e-6)
    assert set(result["components"]) == {c.key for c in w.INDEX_COMPONENTS}  # type: ignore[arg-type]
    empty = w.analysis_json(Dataset(people=pd.DataFrame({"person_id": []})))
    json.dumps(empty, allow_nan=False)
    assert empty["index"] is None


# --- non-response and the index's interval -------------------------------------------------------


def test_advice_openness_is_computed_among_respondents() -> None:
    """a, b, c ask each other (all mutual) and each asks n, who did not answer. On every report
    a, b, c reach each other (3 pairs both ways) and n (3 pairs, one way: a tie to n can never be
    returned): hierarchy 3 / 6 = 0.5, openness 50. Among respondents: 3 pairs, all both ways:
    hierarchy 0, openness 100, the same Krackhardt value the Trust page shows."""
    ring = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("a", "c"), ("c", "a")]
    people = pd.DataFrame({"person_id": ["a", "b", "c", "n"], "team": "A"})
    people["responded"] = pd.array([True, True, True, False], dtype="boolean")
    ds = Dataset(people=people, ties=ties_frame([*ring, ("a", "n"), ("b", "n"), ("c", "n")]))
    assert hy.advice_hierarchy(ds).value == pytest.approx(0.5)
    assert hy.advice_hierarchy(ds, respondents_only=True).value == 0.0
    comps = w.index_components(ds).set_index("component")
    assert comps.loc["advice_openness", "value"] == 100.0
    assert comps.loc["advice_openness", "raw_text"] == "Krackhardt hierarchy 0.00 among respondents"
    assert w.analysis_json(ds)["krackhardt_hierarchy"] == 0.0


def survey_only(scores: list[float]) -> Dataset:
    ids = [f"p{i}" for i in range(len(scores))]
    trust_rows = pd.DataFrame(
        [
            {"person_id": p, "wave": "", "item": i, "value": v}
            for p, v in zip(ids, scores, strict=True)
            for i in ("tr1", "tr2")
        ]
    )
    return Dataset(people=pd.DataFrame({"person_id": ids, "team": "A"}), trust=trust_rows)


def test_index_interval_is_the_bootstrap_over_respondents() -> None:
    """Only the trust dimension is answered, so the index is (mean − 1) / 4 × 100 of its scores,
    and its interval is the bootstrap interval of the respondents' mean mapped the same way."""
    from lib.core.stats import bootstrap_interval

    scores = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0, 2.0, 4.0]
    ds = survey_only(scores)
    low, high = w.index_interval(ds)
    lo, hi = bootstrap_interval(np.array(scores))
    assert (low, high) == pytest.approx(((lo - 1) / 4 * 100, (hi - 1) / 4 * 100))
    assert low < w.wirearchy_index(ds).value < high
    same = w.index_interval(survey_only([3.0] * 8))
    assert same == pytest.approx((50.0, 50.0))  # everyone alike: no spread
    assert w.analysis_json(ds)["index_interval"] == pytest.approx([low, high])


def test_index_interval_covers_the_index_on_the_hand_drawn_org() -> None:
    """Every component varies with who is drawn except Krackhardt's (held): the interval spans the
    index, and the weights move it as they move the index."""
    ds = hand_org()
    index = w.wirearchy_index(ds).value
    low, high = w.index_interval(ds)
    assert low <= index <= high and high > low
    only_open = {c.key: (1.0 if c.key == "advice_openness" else 0.0) for c in w.INDEX_COMPONENTS}
    assert w.index_interval(ds, only_open) == pytest.approx(((1 - 1 / 3) * 100,) * 2)
