"""lib.analysis.roles: role rules on hand-built networks and key-person risk on a bridged two-cluster graph."""

from __future__ import annotations

import math

import networkx as nx
import pandas as pd
import pytest

from lib.analysis import network as nw
from lib.analysis import roles
from lib.core.dataset import Dataset


def make_ds(groups: dict[str, str], ties: list[tuple[str, str, str]]) -> Dataset:
    people = pd.DataFrame(
        {"person_id": list(groups), "team": list(groups.values()), "department": list(groups.values())}
    )
    frame = pd.DataFrame(ties, columns=["source_id", "target_id", "relation"])
    frame["weight"] = 1.0
    frame["wave"] = ""
    return Dataset(people=people, ties=frame)


def mutual(a: str, b: str, rel: str = "advice") -> list[tuple[str, str, str]]:
    return [(a, b, rel), (b, a, rel)]


# two fully connected clusters {a1, a2, a3} and {b1, b2, b3}, joined only through x (a1 ↔ x ↔ b1)
CLUSTER_TIES = (
    mutual("a1", "a2")
    + mutual("a1", "a3")
    + mutual("a2", "a3")
    + mutual("b1", "b2")
    + mutual("b1", "b3")
    + mutual("b2", "b3")
    + mutual("a1", "x")
    + mutual("x", "b1")
)
# team T has one member in each cluster, so it falls apart when x leaves
CLUSTER_TEAMS = {"a1": "A", "a2": "T", "a3": "A", "x": "X", "b1": "B", "b2": "T", "b3": "B"}


@pytest.fixture
def clusters() -> Dataset:
    return make_ds(CLUSTER_TEAMS, CLUSTER_TIES)


def test_bridge_removal_disconnects(clusters: Dataset) -> None:
    imp = roles.key_person_impact(clusters, ["x"])
    # before: the 6 others all reach each other (6·5 = 30); after: two clusters of 3 (2 · 3·2 = 12)
    assert (imp.reach_before, imp.reach_after, imp.reach_lost) == (30, 12, 18)
    assert imp.reach_lost_share == pytest.approx(18 / 30)
    assert (imp.components_weak_before, imp.components_weak_after, imp.components_added) == (1, 2, 1)
    assert (imp.largest_weak_before, imp.largest_weak_after) == (7, 3)
    assert imp.connectedness_before == pytest.approx(1.0)
    assert imp.connectedness_after == pytest.approx(12 / 30)
    assert imp.groups_split == ["T"]
    assert imp.cut_off == []


def test_removing_a_cluster_member_loses_nothing(clusters: Dataset) -> None:
    imp = roles.key_person_impact(clusters, ["a2"])
    assert imp.reach_lost == 0 and imp.components_added == 0 and imp.groups_split == []


def test_removing_several_people_matches_networkx(clusters: Dataset) -> None:
    imp = roles.key_person_impact(clusters, ["x", "b2", "nobody"])
    g = nx.DiGraph([(s, t) for s, t, _ in CLUSTER_TIES])
    before = sum(len(nx.descendants(g, v) - {"x", "b2"}) for v in g if v not in {"x", "b2"})
    g.remove_nodes_from(["x", "b2"])
    after = sum(len(nx.descendants(g, v)) for v in g)
    assert sorted(imp.removed) == ["b2", "x"]
    assert (imp.reach_before, imp.reach_after) == (before, after)


def test_cut_off_people(clusters: Dataset) -> None:
    ds = make_ds({**CLUSTER_TEAMS, "leaf": "B"}, [*CLUSTER_TIES, ("leaf", "x", "advice")])
    imp = roles.key_person_impact(ds, ["x"])
    assert imp.cut_off == ["leaf"]


def test_rank_key_people_puts_the_bridge_first(clusters: Dataset) -> None:
    ranked = roles.rank_key_people(clusters, top=3)
    assert ranked["person_id"].iloc[0] == "x"
    assert ranked["reach_lost"].iloc[0] == 18
    # a1 and b1 cut their two cluster-mates off from the other four: 30 − (2 + 12) = 16
    assert set(ranked["person_id"].iloc[1:3]) == {"a1", "b1"}
    assert ranked["reach_lost"].iloc[1:3].tolist() == [16, 16]
    assert ranked["rank"].tolist() == [1, 2, 3]


def test_rank_with_explicit_candidates_and_empty_network() -> None:
    ds = make_ds(CLUSTER_TEAMS, CLUSTER_TIES)
    ranked = roles.rank_key_people(ds, candidates=["a2", "b3"])
    assert ranked["reach_lost"].tolist() == [0, 0]
    empty = roles.rank_key_people(make_ds({"a": "X"}, []))
    assert empty.empty and "reach_lost" in empty.columns


# --- roles ----------------------------------------------------------------------------------------


def star_ds() -> Dataset:
    """hub is asked for advice by 9 people from 3 groups; lone asks p1 (its only tie); p2–p5 find
    p1 energising; iso has no ties."""
    groups = {"hub": "G0", **{f"p{i}": f"G{i % 3}" for i in range(1, 10)}, "iso": "G0", "lone": "G1"}
    ties = [(f"p{i}", "hub", "advice") for i in range(1, 10)]
    ties += [("lone", "p1", "information")]
    ties += [(f"p{i}", "p1", "energy") for i in range(2, 6)]
    return make_ds(groups, ties)


def test_roles_on_a_star() -> None:
    ds = star_ds()
    pm = nw.person_measures(ds)
    table = roles.assign_roles(ds, pm).set_index("person_id")
    assert table.loc["hub", "central_connector"]
    assert table.loc["hub", "overload"]  # 9 seekers from 3 groups
    assert "overload risk" in table.loc["hub", "roles"] and "9 people" in table.loc["hub", "reason"]
    # without a responded column, naming nobody means "did not answer" (the stated proxy): iso is
    # not an isolate, its silence is unknown
    assert not table.loc["iso", "isolate"] and not table.loc["iso", "peripheral"]
    assert "did not answer" in table.loc["iso", "reason"]
    assert table.loc["lone", "peripheral"] and table.loc["lone", "roles"] == "peripheral"
    assert table.loc["p1", "energiser"] and not table.loc["p2", "energiser"]
    answered = star_ds()
    answered.people["responded"] = pd.array([True] * len(answered.people), dtype="boolean")
    table = roles.assign_roles(answered, pm).set_index("person_id")
    assert table.loc["iso", "isolate"] and not table.loc["iso", "peripheral"]  # answered, named nobody
    assert table["isolate"].sum() == 1
    assert not table.loc["p3", ["central_connector", "broker", "overload", "isolate"]].any()


def test_thresholds_are_adjustable() -> None:
    ds = star_ds()
    pm = nw.person_measures(ds)
    strict = roles.assign_roles(ds, pm, roles.RoleThresholds(overload_min_groups=4)).set_index("person_id")
    assert not strict["overload"].any()
    default = roles.assign_roles(ds, pm).set_index("person_id")
    loose = roles.assign_roles(ds, pm, roles.RoleThresholds(peripheral_max_degree=2)).set_index("person_id")
    # p2 names the hub and p1 (2 ties); p6 names only the hub (1 tie)
    assert not default.loc["p2", "peripheral"] and loose.loc["p2", "peripheral"]
    assert default.loc["p6", "peripheral"] and loose.loc["p6", "peripheral"]


def test_roles_without_energy_or_advice() -> None:
    ds = make_ds({"a": "X", "b": "Y"}, [("a", "b", "trust")])
    table = roles.assign_roles(ds, nw.person_measures(ds))
    assert not table["energiser"].any() and not table["overload"].any()
    assert any("energy" in note for note in table.attrs["notes"])
    assert any("advice" in note for note in table.attrs["notes"])


def test_broker_in_the_bridge_graph(clusters: Dataset) -> None:
    table = roles.assign_roles(clusters, nw.person_measures(clusters)).set_index("person_id")
    assert table.loc["x", "broker"]
    assert not table.loc["a2", "broker"]


def test_empty_people() -> None:
    ds = make_ds({}, [])
    table = roles.assign_roles(ds, nw.person_measures(ds))
    assert table.empty and set(roles.ROLE_NAMES) <= set(table.columns)
    imp = roles.key_person_impact(ds, [])
    assert imp.reach_lost == 0 and math.isnan(imp.connectedness_after)


def test_every_role_is_defined() -> None:
    from lib.report.definitions import role_texts

    assert list(role_texts()) == list(roles.ROLE_NAMES)
    for text in role_texts().values():
        assert len(text) > 30


# --- key-person ranking against a plain networkx reference ------------------------------------------


def _reference_impact(ds: Dataset, person: str, relations: list[str] | None) -> dict[str, object]:
    """What removing ``person`` costs, recomputed from scratch with networkx (slow, obviously right)."""
    graph = nw.build_graph(ds, relations)
    s, t = graph.edges()
    g = nx.DiGraph()
    g.add_nodes_from(graph.ids)
    g.add_edges_from((graph.ids[a], graph.ids[b]) for a, b in zip(s.tolist(), t.tolist(), strict=True))
    teams = ds.people.set_index("person_id")["team"].astype(str).to_dict()
    before = sum(len(nx.descendants(g, v) - {person}) for v in g if v != person)
    weak_before = {v: i for i, c in enumerate(nx.weakly_connected_components(g)) for v in c}
    h = g.copy()
    h.remove_node(person)
    after = sum(len(nx.descendants(h, v)) for v in h)
    pieces = list(nx.weakly_connected_components(h))

    by_team_before = pd.Series({v: weak_before[v] for v in h}).groupby(pd.Series(teams)).nunique()
    memb_after = {v: i for i, c in enumerate(pieces) for v in c}
    by_team_after = pd.Series(memb_after).groupby(pd.Series(teams)).nunique()
    split = sorted(k for k, v in by_team_after.items() if v > by_team_before.get(k, 0))
    cut = sorted(v for v in h if g.degree(v) > 0 and h.degree(v) == 0)
    return {
        "reach_lost": before - after,
        "components_added": len(pieces) - len({weak_before[v] for v in h}),
        "groups": ", ".join(split),
        "cut_off": len(cut),
    }


@pytest.mark.parametrize(("people", "seed", "ties_per_person"), [(40, 1, 2.0), (80, 2, 3.0), (150, 3, 6.0)])
def test_rank_key_people_matches_networkx_on_generated_organisations(
    people: int, seed: int, ties_per_person: float
) -> None:
    from lib.intake.sample import generate

    ds = generate(people=people, seed=seed, waves=1, ties_per_person=ties_per_person)
    for relations in (["advice"], None):
        ranked = roles.rank_key_people(ds, relations, top=15)
        assert len(ranked) > 0
        for row in ranked.itertuples():
            ref = _reference_impact(ds, str(row.person_id), relations)
            got = {k: getattr(row, k) for k in ref}
            assert got == ref, row.person_id


@pytest.mark.parametrize("seed", range(12))
def test_reach_counts_match_networkx_on_random_digraphs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 70))
    m = int(rng.integers(0, 4 * n))
    s, t = rng.integers(0, n, m), rng.integers(0, n, m)
    s, t = s[s != t], t[s != t]
    if seed % 3 == 0:  # a hub: a strongly connected core the others point into and out of
        core = np.arange(min(n, 8))
        s = np.concatenate([s, core, np.roll(core, 1)])
        t = np.concatenate([t, np.roll(core, 1), core])
        keep = s != t
        s, t = s[keep], t[keep]
    if seed % 4 == 1:  # one node at a time instead of the bit matrix
        monkeypatch.setattr(nw, "_BITSET_LIMIT", 1)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(s.tolist(), t.tolist(), strict=True))
    reaches, reached_by = nw.reach_sizes(n, s, t)
    assert reaches.tolist() == [len(nx.descendants(g, v)) + 1 for v in range(n)]
    assert reached_by.tolist() == [len(nx.ancestors(g, v)) + 1 for v in range(n)]
    assert nw.reach_count(n, s, t) == sum(len(nx.descendants(g, v)) for v in range(n))


def test_role_texts_follow_the_thresholds_in_force() -> None:
    """The meaning shown beside a role says the thresholds actually used (issue 13)."""
    th = roles.RoleThresholds(connector_top_share=0.05, overload_min_groups=4)
    from lib.report.definitions import role_texts

    text, default = role_texts(th), role_texts()
    assert "at or above the 95th percentile" in text["central_connector"]
    assert "at least 4 groups" in text["overload"]
    assert "at or above the 90th percentile" in default["central_connector"]
    assert "top 10%" not in default["central_connector"]
    assert "at least 3 groups" in default["overload"]


def test_ties_at_the_percentile_cut_off_all_pass_and_the_reason_gives_the_count() -> None:
    """20 people: p0–p4 are each named by 3, p5–p19 by 1. The 90th percentile (linear) of fifteen 1s
    and five 3s is 3, so all five tied at 3 are central connectors: 25% of people, not 10%, and
    the reason says so ("5 of 20 people") instead of calling them the top 10%."""
    ids = [f"p{i}" for i in range(20)]
    pairs = [(f"p{5 + k}", f"p{k % 5}") for k in range(15)] + [
        (f"p{5 + k}", f"p{5 + (k + 1) % 15}") for k in range(15)
    ]
    ties = pd.DataFrame(
        {"source_id": [a for a, _ in pairs], "target_id": [b for _, b in pairs], "relation": "advice"}
    )
    ds = Dataset(people=pd.DataFrame({"person_id": ids, "name": ids}), ties=ties)
    table = roles.assign_roles(ds, nw.person_measures(ds, ["advice"]), group_attr=None)
    connectors = table[table["central_connector"]]
    assert list(connectors["person_id"]) == ids[:5]
    assert "named by 3 people (≥ 3, the 90th percentile: 5 of 20 people)" in connectors["reason"].iloc[0]


def test_a_non_respondent_is_never_peripheral() -> None:
    """quiet did not answer (responded = False) and is named by one colleague: one tie, which would
    make them peripheral; their own ties are unknown, so they are not. lone answered and named one
    person: peripheral."""
    ds = make_ds(
        {"a": "G", "b": "G", "quiet": "G", "lone": "G"},
        [("a", "b", "advice"), ("b", "a", "advice"), ("a", "quiet", "advice"), ("lone", "a", "advice")],
    )
    ds.people["responded"] = pd.array([True, True, False, True], dtype="boolean")
    table = roles.assign_roles(ds, nw.person_measures(ds)).set_index("person_id")
    assert not table.loc["quiet", "peripheral"] and "did not answer" in table.loc["quiet", "reason"]
    assert table.loc["lone", "peripheral"]


@pytest.mark.parametrize("limit", [10, 10_000])
def test_the_candidate_screen_samples_fewer_sources_only_above_its_limit(
    limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above KEY_SCREEN_LIMIT people the betweenness that picks the candidates is estimated from
    # KEY_SCREEN_SAMPLES sources; below, from the default. Either way each candidate's loss is exact.
    from lib.intake.sample import generate

    ds = generate(people=150, seed=3, waves=1, ties_per_person=6.0)
    asked: list[int | None] = []
    real = nw.betweenness

    def spy(graph: nw.Graph, samples: int | None = None) -> tuple[object, bool]:
        asked.append(samples)
        return real(graph, samples)

    monkeypatch.setattr(nw, "betweenness", spy)
    monkeypatch.setattr(roles, "KEY_SCREEN_LIMIT", limit)
    monkeypatch.setattr(roles, "KEY_SCREEN_SAMPLES", 16)
    ranked = roles.rank_key_people(ds, ["advice"], top=10)
    assert asked == ([16] if limit < 150 else [None])
    for row in ranked.itertuples():
        assert row.reach_lost == _reference_impact(ds, str(row.person_id), ["advice"])["reach_lost"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 30),
    arcs=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=120),
    pick=st.integers(0, 29),
)
def test_arcs_without_one_person_are_the_masked_arcs(n: int, arcs: list[tuple[int, int]], pick: int) -> None:
    """The sorted arcs with one vertex cut out give the same distinct arcs, the same n × n matrix
    and the same components as masking every arc that touches it (parallel arcs and arcs to
    oneself included)."""
    import numpy as np
    from scipy.sparse import csgraph

    s = np.array([a % n for a, _ in arcs], dtype=np.int64)
    t = np.array([b % n for _, b in arcs], dtype=np.int64)
    r = pick % n
    got_s, got_t, matrix = roles._SortedArcs.of(n, s, t).without(r)
    live = (s != r) & (t != r)
    want = sorted(set(zip(s[live].tolist(), t[live].tolist(), strict=True)))
    assert list(zip(got_s.tolist(), got_t.tolist(), strict=True)) == want
    expected = nw.arc_matrix(n, s[live], t[live]).astype(float)
    assert (matrix != (expected > 0)).nnz == 0
    for connection in ("strong", "weak"):
        got_labels = csgraph.connected_components(matrix, directed=True, connection=connection)[1]
        want_labels = csgraph.connected_components(expected, directed=True, connection=connection)[1]
        assert got_labels.tolist() == want_labels.tolist()


@settings(max_examples=60, deadline=None)
@given(
    memb=st.lists(st.integers(0, 6), min_size=1, max_size=40),
    codes=st.lists(st.integers(-1, 4), min_size=40, max_size=40),
)
def test_groups_spread_counts_each_groups_components(memb: list[int], codes: list[int]) -> None:
    """Per group: how many distinct weak components its members are in (blank codes ignored)."""
    import numpy as np

    m = np.array(memb, dtype=np.int64)
    c = np.array(codes[: len(memb)], dtype=np.int64)
    got = roles._groups_spread(m, c, 5).tolist()
    assert got == [len({x for x, g in zip(memb, c.tolist(), strict=True) if g == code}) for code in range(5)]
